#!/usr/bin/env node
// prebuildify calls its --node-gyp executable like node-gyp (`rebuild --target=... --arch=... --release`).
// We answer with an incremental `cmake-js build` (setup already configured it), which leaves the addon in build/Release/ where prebuildify looks for it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arch = process.argv.find((a) => a.startsWith('--arch='))?.slice('--arch='.length) ?? process.arch;
const cmakeJs = path.join(root, 'node_modules', '.bin', 'cmake-js');
const r = spawnSync(cmakeJs, ['build', '-G', 'Ninja', '--out', 'build', '--arch', arch], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
