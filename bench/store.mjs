#!/usr/bin/env node
// npm run bench:store: extraction time and loader throughput vs the Python reference pipeline
// (../shared/bench/peers/distill_epoch.py, run as is) on the same data and machine. Prints a table; asserts nothing.
//   RUNS=3 (our runs, median)  PEER_RUNS=1 (the peer trains a model too: minutes per run)  DATA=<image root>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, nativeVersions, runJob } from '../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.DATA ?? path.resolve(root, '..', 'shared', 'data', 'patches', 'lymphoma-iicbu2008');
const peers = path.resolve(root, '..', 'shared', 'bench', 'peers');
const RUNS = Number(process.env.RUNS ?? 3),
  PEER_RUNS = Number(process.env.PEER_RUNS ?? 1);
const FACTOR = 4,
  BATCH = 16;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.arch();
const threads = nativeVersions().usableCores;
native().setThreads(threads);

// Ours: extraction of the same images at the top magnification and 1/FACTOR (what the peer prepares).
const mpp = 1.6,
  top = 10 / mpp;
const config = {
  source: { kind: 'images', root: data, mpp },
  magnifications: [top, top / FACTOR],
  splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
  samplesPerShard: 32,
  threads,
};
const extractSeconds = [];
let store;
for (let r = 0; r < RUNS; r++) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rd-bench-store-'));
  const t0 = performance.now();
  const res = await runJob('store.extract', { ...config, out: path.join(dir, 'store') });
  extractSeconds.push((performance.now() - t0) / 1000);
  if (store) rmSync(path.dirname(store), { recursive: true, force: true });
  store = res.out;
}

// Ours: a pure loader pass (teacher + student views, flips + colour jitter on, batch 16, prefetch thread).
const scan = async (extra) => {
  const xs = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await runJob('data.scan', { store, split: 'all', views: [0, 1], batchSize: BATCH, seed: r, threads, ...extra });
    xs.push(res.imagesPerSecond);
  }
  return median(xs);
};
const loaderVerified = await scan({});
const loaderNoVerify = await scan({ verify: false });

// Ours: is the loader ever the bottleneck? The same distillation epoch fed live by the loader vs from memory.
const epoch = await runJob('bench.loaderEpoch', {
  store,
  magnification: top / FACTOR,
  teacherMagnification: top,
  batchSize: BATCH,
  reps: RUNS,
  model: { name: 'gn_resnet' },
});

// The peer, run as is: prep (Pillow reduce + PNG save) and its DataLoader-fed distillation epoch.
const peerRuns = [];
for (let r = 0; r < PEER_RUNS; r++) {
  const p = spawnSync('/usr/bin/python3', ['distill_epoch.py', data, String(FACTOR), '1', String(BATCH)], { cwd: peers, encoding: 'utf8' });
  if (p.status !== 0) {
    process.stderr.write(`peer failed: ${p.stderr}\n`);
    break;
  }
  peerRuns.push(JSON.parse(p.stdout.trim().split('\n').pop()));
}
rmSync(path.dirname(store), { recursive: true, force: true });

// The peer's DataLoader on its own (its own prep and Dataset code, run by bench/peer_loader.py), like for like
// with our loader pass: both views, flips and jitter, batch 16, all images.
const peerLoader = [];
for (let r = 0; r < RUNS; r++) {
  const p = spawnSync(
    '/usr/bin/python3',
    [path.join(root, 'bench', 'peer_loader.py'), path.join(peers, 'distill_epoch.py'), data, String(FACTOR), String(BATCH)],
    { encoding: 'utf8' },
  );
  if (p.status !== 0) {
    process.stderr.write(`peer loader failed: ${p.stderr}\n`);
    break;
  }
  peerLoader.push(JSON.parse(p.stdout.trim().split('\n').pop()).img_per_s);
}
const peerLoaderImgs = peerLoader.length ? median(peerLoader) : NaN;

const peerPrep = peerRuns.length ? median(peerRuns.map((p) => p.prep_seconds)) : NaN;
const peerImgs = peerRuns.length ? median(peerRuns.map((p) => p.train_img_per_s)) : NaN;
const images = peerRuns[0]?.images ?? '?';
const rows = [
  [
    'extraction, s (lower is better)',
    median(extractSeconds).toFixed(2),
    peerPrep.toFixed(2),
    `${(peerPrep / median(extractSeconds)).toFixed(2)}x faster`,
  ],
  [
    'loader vs peer DataLoader alone, img/s',
    loaderVerified.toFixed(1),
    peerLoaderImgs.toFixed(1),
    `${(loaderVerified / peerLoaderImgs).toFixed(1)}x (target >= 3)`,
  ],
  ['loader img/s, CRC check on', loaderVerified.toFixed(1), peerImgs.toFixed(1), `${(loaderVerified / peerImgs).toFixed(1)}x`],
  ['loader img/s, CRC check off', loaderNoVerify.toFixed(1), peerImgs.toFixed(1), `${(loaderNoVerify / peerImgs).toFixed(1)}x`],
];
const own = [
  ['distillation epoch fed by the loader, img/s', epoch.loaderImagesPerSecond.toFixed(1)],
  ['same epoch from in-memory tensors, img/s', epoch.inMemoryImagesPerSecond.toFixed(1)],
  ['loader-fed / in-memory (target >= 0.9)', `${epoch.ratio.toFixed(3)}x`],
];
const w = [40, 12, 12, 20];
const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join(' | ');
process.stdout.write(
  `resdistill store bench: ${images} images of ${path.basename(data)}, teacher ${top}x + student ${top / FACTOR}x (factor ${FACTOR}), batch ${BATCH}\n`,
);
process.stdout.write(
  `device: ${cpu}, ${threads} threads (ours: median of ${RUNS}; peer: median of ${peerRuns.length}, DataLoader num_workers=2)\n\n`,
);
process.stdout.write(`${line(['measure', 'resdistill', 'peer', 'ratio'])}\n${w.map((n) => '-'.repeat(n)).join('-|-')}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);
process.stdout.write(
  `\nloader vs memory (ours only; median of ${RUNS} interleaved epochs of ${epoch.images} images, paper GN ResNet, flips + jitter):\n`,
);
for (const [what, v] of own) process.stdout.write(`  ${what.padEnd(46)} ${v}\n`);
process.stdout.write(
  '\nours: extraction decodes, hashes (sha256), crops, box-downsamples and writes both views with CRC-32; the peer prep only\n' +
    'writes the low-resolution PNG. Loader: a pure pass of the C++ loader (mmap, flips + jitter on both views, prefetch).\n' +
    "The first loader row times the peer's DataLoader alone (bench/peer_loader.py runs the peer's own prep and Dataset\n" +
    'code, unedited, then pure passes); the next two compare with what distill_epoch.py prints for its whole pipeline\n' +
    '(DataLoader feeding a teacher forward + student step).\n',
);
