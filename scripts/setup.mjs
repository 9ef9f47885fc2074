#!/usr/bin/env node
// One-step set-up for a fresh clone: system packages (apt, when root), npm ci, the native build, the TS build.
// `--if-needed` (used by pretest/predemo) skips each step whose output is already there and up to date.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ifNeeded = process.argv.includes('--if-needed');
const APT_PACKAGES = [
  'cmake', 'ninja-build', 'g++', 'pkg-config',
  'libtorch-dev', 'libopenslide-dev', 'nlohmann-json3-dev', 'libpng-dev', 'libjpeg-dev', 'libssl-dev', 'libtiff-dev',
  // Peers and test tools: reference implementations, pyramid building, headless report screenshots.
  'python3-torch', 'python3-torchvision', 'python3-openslide', 'python3-pil', 'libvips-tools', 'chromium',
];

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    log(`failed: ${cmd} ${args.join(' ')} (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

function missingPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...APT_PACKAGES], { encoding: 'utf8' });
  if (r.error) return []; // not a Debian system: nothing we can check
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith('install ok installed')).map((l) => l.split(' ')[0]));
  return APT_PACKAGES.filter((p) => !installed.has(p));
}

function systemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() === 0) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    log('missing system packages. Run this once, then re-run:');
    process.stderr.write(`  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n`);
    process.exit(1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function stale(output, inputs) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return inputs.some((i) => existsSync(i) && (statSync(i).isDirectory() ? newestMtime(i) : statSync(i).mtimeMs) > built);
}

systemPackages();
const lock = path.join(root, 'package-lock.json');
if (!ifNeeded || stale(path.join(root, 'node_modules', '.package-lock.json'), [lock])) run('npm', ['ci', '--no-audit', '--no-fund']);
const addon = path.join(root, 'build', 'Release', 'resdistill.node');
const nativeInputs = ['native', 'cmake', 'CMakeLists.txt'].map((p) => path.join(root, p));
if (!ifNeeded || stale(addon, nativeInputs)) {
  const jobs = String(Math.max(1, Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1));
  run(path.join(root, 'node_modules', '.bin', 'cmake-js'), ['build', '-G', 'Ninja', '--out', 'build', '--parallel', jobs]);
}
if (!ifNeeded || stale(path.join(root, 'dist', 'cli', 'main.js'), [path.join(root, 'src'), path.join(root, 'tsconfig.json')])) {
  run(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
}
log('ready');
