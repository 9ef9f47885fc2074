// The Debian packages resdistill needs, and how to tell which are missing. Shipped: consumers' set-up uses it too.
import { spawnSync } from 'node:child_process';

/** What building (and loading) the addon needs: compiler, CMake, LibTorch, OpenSlide and the image libraries. */
export const BUILD_PACKAGES = [
  'cmake',
  'ninja-build',
  'g++',
  'pkg-config',
  'libtorch-dev',
  'libopenslide-dev',
  'nlohmann-json3-dev',
  'libpng-dev',
  'libjpeg-dev',
  'libssl-dev',
  'libtiff-dev',
  'libgloo-dev', // Gloo's headers: LibTorch's c10d (data-parallel training on CPU) includes them
  // Not for the build: the font predict's heatmap legend and title are drawn in (src/predict/heatmap-figure.ts).
  'fonts-dejavu-core',
];

/** Only the repository's tests, peers and lint need these: reference implementations, pyramid building, headless screenshots, clang-format. */
export const DEV_PACKAGES = [
  'clang-format',
  'python3-torch',
  'python3-torchvision',
  'python3-openslide',
  'python3-pil',
  'libvips-tools',
  'chromium',
];

/** Where to get a CUDA LibTorch from instead of Debian's CPU one; printed wherever LibTorch is missing. */
export const CUDA_HINT =
  'On a GPU machine, point the build at a CUDA LibTorch instead of libtorch-dev: LIBTORCH=/opt/libtorch ' +
  '(or Torch_DIR=/opt/libtorch/share/cmake/Torch), then run `npx resdistill setup`.';

/** A user-chosen LibTorch makes Debian's libtorch-dev unnecessary. */
export function chosenLibtorch(env = process.env) {
  return env.LIBTORCH || env.Torch_DIR || null;
}

/** Missing packages out of `packages`; null when this is not a Debian system (no dpkg to ask). */
export function missingPackages(packages) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...packages], { encoding: 'utf8' });
  if (r.error) return null;
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

/** The exact command a non-root user runs to install `packages`. */
export function aptCommand(packages) {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Installs `packages` with apt-get; only as root. Returns the exit status. */
export function aptInstall(packages, log = (m) => process.stderr.write(`${m}\n`)) {
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    log(`$ apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}
