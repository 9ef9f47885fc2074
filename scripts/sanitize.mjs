#!/usr/bin/env node
// `npm run test:sanitize`: builds the addon and driver with clang's AddressSanitizer and UndefinedBehaviorSanitizer
// into build-sanitize/, then runs the native test files against that addon (RESDISTILL_ADDON) with the ASan runtime
// preloaded into node. Any sanitizer report fails the run. Not part of npm test: a cold build takes a long while.
// Extra arguments are passed to vitest (e.g. `npm run test:sanitize -- test/native/store-distrust.test.ts`).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClang } from './clang.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clang = ensureClang();
const cmakeJs = path.join(root, 'node_modules', '.bin', 'cmake-js');
const build = spawnSync(
  cmakeJs,
  [
    'build',
    '-G',
    'Ninja',
    '--out',
    'build-sanitize',
    '--parallel',
    '2',
    `--CDCMAKE_CXX_COMPILER=${clang}`,
    '--CDCMAKE_C_COMPILER=clang',
    '--CDRESDISTILL_SANITIZE=ON',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

// node itself is not instrumented, so the ASan runtime must be loaded first; node's own allocations are not leaks.
const runtime = execFileSync(clang, ['-print-file-name=libclang_rt.asan-x86_64.so'], { encoding: 'utf8' }).trim();
// Tools the tests spawn that are not ours (libvips) hang with the ASan runtime preloaded: run them without it.
const plainBin = path.join(root, 'build-sanitize', 'plain-bin');
mkdirSync(plainBin, { recursive: true });
for (const tool of ['vips']) {
  writeFileSync(path.join(plainBin, tool), `#!/bin/sh\nunset LD_PRELOAD\nexec /usr/bin/${tool} "$@"\n`);
  chmodSync(path.join(plainBin, tool), 0o755);
}
const files = process.argv.slice(2);
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', ...(files.length ? files : ['test/native'])], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PATH: `${plainBin}:${process.env.PATH}`,
    RESDISTILL_ADDON: path.join(root, 'build-sanitize', 'Release', 'resdistill.node'),
    LD_PRELOAD: runtime,
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  },
});
process.exit(r.status ?? 1);
