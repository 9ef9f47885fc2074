// Finds clang++ for the fuzz and sanitizer builds; as root on Debian it installs clang and its sanitizer runtimes
// with apt (never a downloaded binary), otherwise it prints the command to run.
import { spawnSync } from 'node:child_process';

const PACKAGES = ['clang', 'libclang-rt-14-dev', 'libomp-14-dev']; // libomp: LibTorch's OpenMP under clang

function installed() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}\n', ...PACKAGES], { encoding: 'utf8' });
  return (
    r.status === 0 &&
    r.stdout
      .trim()
      .split('\n')
      .every((l) => l.endsWith('install ok installed'))
  );
}

export function ensureClang() {
  if (installed()) return 'clang++';
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], { stdio: 'inherit', env });
    if (r.status === 0) return 'clang++';
  }
  process.stderr.write(`clang is needed: sudo apt-get install -y ${PACKAGES.join(' ')}\n`);
  process.exit(1);
}
