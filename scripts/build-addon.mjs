// Builds the addon from source with cmake-js where the package is installed, with the repository's own CMake
// discovery of LibTorch and OpenSlide. Used by the install step (no prebuild fits) and by `resdistill setup`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { root } from './layout.mjs';
import { BUILD_PACKAGES, CUDA_HINT, aptCommand, chosenLibtorch, missingPackages } from './system-packages.mjs';

/** The Debian packages a source build needs; a chosen LibTorch replaces libtorch-dev. */
export function neededPackages() {
  return BUILD_PACKAGES.filter((p) => !(p === 'libtorch-dev' && chosenLibtorch()));
}

/** Build prerequisites still missing: Debian packages when dpkg can tell, else the tools on PATH. */
export function missingPrerequisites() {
  const missing = missingPackages(neededPackages());
  if (missing) return missing;
  const tools = { cmake: 'cmake', 'c++': 'g++' }; // tool on PATH -> the Debian package that provides it
  return Object.entries(tools)
    .filter(([tool]) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error)
    .map(([, pkg]) => pkg);
}

/** What to run when prerequisites are missing: the exact apt command, and the CUDA LibTorch alternative. */
export function prerequisiteAdvice(missing, headline = 'building the native addon needs') {
  return [
    `resdistill: ${headline}: ${missing.join(' ')}`,
    `  install them:  ${aptCommand(missing)}`,
    '  then reinstall resdistill, or, once installed (npm install --ignore-scripts), run `npx resdistill setup`.',
    `  ${CUDA_HINT}`,
  ].join('\n');
}

/** Runs cmake-js in a temporary build folder and keeps only build/Release/resdistill.node, where node-gyp-build looks. */
export function buildAddon(log = (m) => process.stderr.write(`${m}\n`)) {
  const cmakeJs = createRequire(path.join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  const out = mkdtempSync(path.join(os.tmpdir(), 'resdistill-build-'));
  const ninja = !spawnSync('ninja', ['--version'], { stdio: 'ignore' }).error;
  const args = [
    cmakeJs,
    'build',
    '--directory',
    root,
    '--out',
    out,
    '--parallel',
    String(os.availableParallelism()),
    ...(ninja ? ['-G', 'Ninja'] : []),
    '--CDRESDISTILL_BUILD_DRIVER=OFF',
  ];
  log(`resdistill: building the native addon from source (a few minutes), LibTorch from ${chosenLibtorch() ?? 'the usual discovery'}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  try {
    if (r.status !== 0) return r.status ?? 1;
    const target = path.join(root, 'build', 'Release');
    mkdirSync(target, { recursive: true });
    copyFileSync(path.join(out, 'Release', 'resdistill.node'), path.join(target, 'resdistill.node'));
    log(`resdistill: built ${path.join(target, 'resdistill.node')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true }); // object files and the precompiled header are hundreds of MB
  }
}
