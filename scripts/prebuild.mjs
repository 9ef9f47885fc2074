#!/usr/bin/env node
// `npm run prebuild`: prebuildify (N-API) with cmake-js as the compiler, then record the LibTorch the binary links.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const r = spawnSync(bin('prebuildify'), ['--napi', '--strip', '--node-gyp', path.join(root, 'scripts', 'cmake-js-as-node-gyp.mjs')], {
  stdio: 'inherit',
  cwd: root,
});
if (r.status !== 0) process.exit(r.status ?? 1);

const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
// prebuildify moves the binary out of build/Release, so ask the prebuild itself which LibTorch it was built against.
const binary = readdirSync(dir).find((f) => f.endsWith('.node'));
const addon = createRequire(import.meta.url)(path.join(dir, binary));
writeFileSync(path.join(dir, 'libtorch.json'), `${JSON.stringify({ version: addon.torchVersion }, null, 2)}\n`);
// prebuildify moved the clone's own addon away; put the same binary back so the clone (its CLI and tests) keeps
// loading build/Release without a relink.
mkdirSync(path.join(root, 'build', 'Release'), { recursive: true });
copyFileSync(path.join(dir, binary), path.join(root, 'build', 'Release', 'resdistill.node'));
console.log(`prebuild written to ${dir} (LibTorch ${addon.torchVersion})`);
