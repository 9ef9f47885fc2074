#!/usr/bin/env node
// `npm run fuzz -- <target> [--seconds N]`: libFuzzer (clang, with ASan and UBSan) over one reader of untrusted
// bytes: npy, tar-header, store-index, manifest-csv, safetensors-header or tiff-check (native/fuzz/targets.cc). Not part of npm test.
// The corpus starts from the target's valid seed, real file names from ../shared/data, and the regression corpus
// test/fuzz-corpus/<target>/; every crash found is copied there, so test/native/fuzz-regressions replays it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClang } from './clang.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['npy', 'tar-header', 'store-index', 'manifest-csv', 'safetensors-header', 'tiff-check'];
// The core files the targets reach: pure C++ and nlohmann, no LibTorch, so the fuzz build takes seconds.
const SOURCES = [
  'native/fuzz/fuzz_main.cc',
  'native/fuzz/targets.cc',
  ...['npy', 'tar_header', 'tar_writer', 'crc32', 'store_reader', 'store_format', 'normalization', 'atomic_file', 'manifest_csv'].map(
    (f) => `native/core/store/${f}.cc`,
  ),
  'native/core/util/memory_budget.cc',
  'native/core/models/safetensors_header.cc',
  'native/core/slide/tiff_check.cc',
];

const args = process.argv.slice(2);
const target = args.find((a, i) => !a.startsWith('--') && !['--seconds', '--seed'].includes(args[i - 1] ?? ''));
const secondsAt = args.indexOf('--seconds');
const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 60;
// --seed N: libFuzzer's own random seed, so a CI run explores the same inputs each time (default: libFuzzer picks one).
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : null;
if (!TARGETS.includes(target ?? '') || !(seconds > 0)) {
  process.stderr.write(`usage: npm run fuzz -- <${TARGETS.join('|')}> [--seconds N] [--seed N]\n`);
  process.exit(2);
}

const clang = ensureClang();
const out = path.join(root, 'build-fuzz');
const bin = path.join(out, target);
mkdirSync(out, { recursive: true });
const build = spawnSync(
  clang,
  [
    '-std=c++17',
    '-g',
    '-O1',
    '-fsanitize=fuzzer,address,undefined',
    '-fno-sanitize-recover=undefined',
    `-DRESDISTILL_FUZZ_TARGET="${target}"`,
    '-Inative/core',
    '-Inative/fuzz',
    ...SOURCES,
    '-o',
    bin,
  ],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const corpus = path.join(out, 'corpus', target);
const regressions = path.join(root, 'test', 'fuzz-corpus', target);
const crashes = path.join(out, 'crashes', target);
for (const d of [corpus, regressions, crashes]) mkdirSync(d, { recursive: true });
for (const f of readdirSync(regressions)) copyFileSync(path.join(regressions, f), path.join(corpus, f));
const data = path.join(root, '..', 'shared', 'data', 'patches', 'lymphoma-iicbu2008');
if (target === 'manifest-csv' && existsSync(data)) {
  const rows = readdirSync(data).flatMap((cls) =>
    readdirSync(path.join(data, cls))
      .slice(0, 5)
      .map((f, i) => `${path.join(data, cls, f)},${cls},${cls}-${i % 2}`),
  );
  writeFileSync(path.join(corpus, 'seed-lymphoma.csv'), ['path,label,group', ...rows].join('\n'));
}

const dict = path.join(root, 'native', 'fuzz', `${target}.dict`);
const run = spawnSync(
  bin,
  [
    corpus,
    ...(existsSync(dict) ? [`-dict=${dict}`] : []),
    `-max_total_time=${seconds}`,
    ...(seed !== null ? [`-seed=${seed}`] : []),
    `-artifact_prefix=${crashes}/`,
    '-rss_limit_mb=2048',
    '-timeout=10',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RESDISTILL_FUZZ_SEED: path.join(corpus, 'seed-valid') },
  },
);
const found = readdirSync(crashes);
for (const f of found) copyFileSync(path.join(crashes, f), path.join(regressions, f));
if (found.length > 0)
  process.stderr.write(
    `[fuzz] ${found.length} crash input(s) copied to ${path.relative(root, regressions)}/: fix them, then commit them\n`,
  );
process.exit(run.status ?? 1);
