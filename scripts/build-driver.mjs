#!/usr/bin/env node
// Builds the core and the C++ job driver with plain CMake (no Node, optionally no OpenSlide), then smoke-runs a job.
//   node scripts/build-driver.mjs [--no-openslide] [--build-dir DIR] [-- extra cmake args]
// On a GPU server: LIBTORCH=/path/to/libtorch (or a Python torch with CUDA on PATH) selects CUDA LibTorch.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const noSlide = args.includes('--no-openslide');
const dirFlag = args.indexOf('--build-dir');
const buildDir = dirFlag >= 0 ? path.resolve(args[dirFlag + 1]) : path.join(root, noSlide ? 'build-driver-noslide' : 'build-driver');
const extra = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];

function run(cmd, argv, input) {
  console.error(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'], input, cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('cmake', [
  '-S',
  root,
  '-B',
  buildDir,
  '-G',
  'Ninja',
  '-DCMAKE_BUILD_TYPE=Release',
  `-DRESDISTILL_WITH_OPENSLIDE=${noSlide ? 'OFF' : 'ON'}`,
  ...extra,
]);
run('cmake', ['--build', buildDir, '--target', 'resdistill-driver', '-j', String(os.availableParallelism())]);
const driver = path.join(buildDir, 'resdistill-driver');
run(driver, ['info']);
run(driver, ['run', 'bench.matmul', '-'], '{"n": 256, "reps": 3}');
