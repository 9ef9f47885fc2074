#!/usr/bin/env node
// One-step set-up. In a fresh clone: system packages (apt, when root), npm ci, the native build, the TS build;
// `--if-needed` (used by pretest/predemo) skips each step whose output is already there and up to date.
// Installed in someone's project (`npx resdistill setup`): system packages, then the addon built from source in place.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildAddon, neededPackages } from './build-addon.mjs';
import { isSourceCheckout, root } from './layout.mjs';
import { BUILD_PACKAGES, CUDA_HINT, DEV_PACKAGES, aptCommand, aptInstall, missingPackages } from './system-packages.mjs';

const ifNeeded = process.argv.includes('--if-needed');

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

/** Installs the missing ones of `packages` as root; otherwise prints the apt command and stops. */
function systemPackages(packages) {
  const missing = missingPackages(packages) ?? []; // not a Debian system: nothing we can check
  if (missing.length === 0) return;
  if (process.getuid?.() === 0) {
    if (aptInstall(missing, log) !== 0) process.exit(1);
  } else {
    log('missing system packages. Run this once, then re-run:');
    process.stderr.write(`  ${aptCommand(missing)}\n`);
    if (missing.includes('libtorch-dev')) process.stderr.write(`  ${CUDA_HINT}\n`);
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

if (!isSourceCheckout(root)) {
  systemPackages(neededPackages());
  const status = buildAddon(log);
  if (status === 0) log('ready');
  process.exit(status);
}

systemPackages([...BUILD_PACKAGES, ...DEV_PACKAGES]);
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
