// npm run bench:train: one distillation epoch on the lymphoma patches at factor 4 (teacher 6.25x, student 1.5625x),
// the paper's augmentation (flips + colour jitter), batch 16, against ../shared/bench/peers/distill_epoch.py on the
// same images, same machine, interleaved runs, medians. Ours reads a store extracted once (the peer's prep is its
// own low-resolution copies); both report training images/s of the epoch alone.
// Then the same epoch data-parallel through the C++ driver: 1 rank x 2 threads against 2 ranks x 1 thread (c10d
// Gloo, batch 8 per rank: the same global batch 16), with the time the 2 ranks spent in collectives.
// Usage: node bench/train.mjs [--runs N] [--data DIR] [--only data-parallel]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const peers = process.env.RESDISTILL_PEERS ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
const { values: a } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    data: { type: 'string', default: path.resolve(root, '..', 'shared', 'data', 'patches', 'lymphoma-iicbu2008') },
  },
});
const { runJob } = await import(path.join(root, 'dist', 'native', 'job.js'));
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
const work = mkdtempSync(path.join(os.tmpdir(), 'rd-bench-train-'));
const store = path.join(work, 'store');
const model = { name: 'gn_resnet' };

const t0 = performance.now();
await runJob('store.extract', {
  source: { kind: 'images', root: a.data, mpp: 1.6 },
  magnifications: [6.25, 1.5625],
  out: store,
  splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
});
const extractSeconds = (performance.now() - t0) / 1000;
const teacher = path.join(work, 'teacher.safetensors');
await runJob('models.export', { model: 'gn_resnet', classes: 3, seed: 0, path: teacher });

async function ours(run) {
  const r = await runJob('train.distill', {
    store,
    magnification: 1.5625,
    model,
    epochs: 1,
    batchSize: 16,
    seed: run,
    out: path.join(work, `ours-${run}`),
    resume: false,
    augment: { flips: true, rot90: false, jitter: { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 } },
    teacher: { magnification: 6.25, checkpoint: teacher, model },
  });
  return r.history[0].imagesPerSecond;
}

// With the teacher cache: flips only (no jitter), the teacher's outputs computed once per sample and flip before
// training (that fill is timed apart), then two epochs that run the student alone; their median img/s.
async function cached(run) {
  const r = await runJob('train.distill', {
    store,
    magnification: 1.5625,
    model,
    epochs: 2,
    batchSize: 16,
    seed: run,
    out: path.join(work, `cached-${run}`),
    resume: false,
    augment: { flips: true, rot90: false, jitter: null },
    teacherCache: true,
    teacher: { magnification: 6.25, checkpoint: teacher, model },
  });
  return {
    imagesPerSecond: median(r.history.map((h) => h.imagesPerSecond)),
    fillSeconds: r.teacherCache.fillSeconds,
    entries: r.teacherCache.entries,
  };
}

function peer() {
  const r = spawnSync('/usr/bin/python3', [path.join(peers, 'distill_epoch.py'), a.data, '4', '1', '16'], { encoding: 'utf8', cwd: peers });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const oursRuns = [];
const cachedRuns = [];
const peerRuns = [];
for (let i = 0; a.only !== 'data-parallel' && i < Number(a.runs); i++) {
  oursRuns.push(await ours(i));
  cachedRuns.push(await cached(i));
  peerRuns.push(peer());
}
if (a.only !== 'data-parallel') {
  const c = median(cachedRuns.map((r) => r.imagesPerSecond));
  const o = median(oursRuns);
  const p = median(peerRuns.map((r) => r.train_img_per_s));
  console.log(
    `distillation epoch, factor 4, batch 16, CPU, ${os.availableParallelism()} threads (LibTorch intra-op = usable cores; peer torch.set_num_threads(cpu_count) + 2 DataLoader workers)`,
  );
  console.log('| measure | resdistill | peer distill_epoch.py | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| training img/s (median of ${a.runs}) | ${o.toFixed(1)} | ${p.toFixed(1)} | ${(o / p).toFixed(2)}x |`);
  console.log(`| with teacher cache, flips only (median of ${a.runs}) | ${c.toFixed(1)} | ${p.toFixed(1)} | ${(c / p).toFixed(2)}x |`);
  console.log(
    `| prep: extract store vs peer's low-res copies (s) | ${extractSeconds.toFixed(1)} | ${median(peerRuns.map((r) => r.prep_seconds)).toFixed(1)} | ${(median(peerRuns.map((r) => r.prep_seconds)) / extractSeconds).toFixed(2)}x |`,
  );
  console.log(
    `teacher cache: ${cachedRuns[0].entries} entries (samples x flips), filled once in a median ${median(cachedRuns.map((r) => r.fillSeconds)).toFixed(1)} s before training`,
  );
  console.log(`runs: ours ${oursRuns.map((x) => x.toFixed(1)).join(', ')}; peer ${peerRuns.map((r) => r.train_img_per_s).join(', ')}`);
}

// Data-parallel: the driver, one process per rank, on the same store, teacher and augmentation as `ours`.
const driver = path.join(root, 'build', 'resdistill-driver');
function driverRun(spec, threads) {
  return new Promise((resolve, reject) => {
    const child = spawn(driver, ['run', 'train.distill', '-', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', () => {
      const r = JSON.parse(out.trim().split('\n').pop());
      if (r.error) reject(new Error(`${r.error.code}: ${r.error.message}`));
      else resolve(r);
    });
    child.stdin.end(JSON.stringify(spec));
  });
}
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
if (existsSync(driver)) {
  const base = (run, batchSize, dir) => ({
    store,
    magnification: 1.5625,
    model,
    epochs: 1,
    batchSize,
    seed: run,
    out: path.join(work, dir),
    resume: false,
    augment: { flips: true, rot90: false, jitter: { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 } },
    teacher: { magnification: 6.25, checkpoint: teacher, model },
  });
  const one = [];
  const two = [];
  for (let i = 0; i < Number(a.runs); i++) {
    const r1 = await driverRun(base(i, 16, `dp1-${i}`), 2);
    one.push({ ips: r1.history[0].imagesPerSecond, seconds: r1.history[0].seconds });
    const port = await freePort();
    const d = (rank) => ({ rank, worldSize: 2, masterAddr: '127.0.0.1', masterPort: port });
    const [r0] = await Promise.all([0, 1].map((rank) => driverRun({ ...base(i, 8, `dp2-${i}`), distributed: d(rank) }, 1)));
    two.push({ ips: r0.history[0].imagesPerSecond, seconds: r0.history[0].seconds, comm: r0.history[0].collectiveSeconds });
  }
  const m1 = median(one.map((r) => r.ips));
  const m2 = median(two.map((r) => r.ips));
  const comm = median(two.map((r) => r.comm / r.seconds));
  console.log('');
  console.log(`data-parallel distillation epoch (C++ driver, c10d Gloo on CPU, global batch 16, median of ${a.runs})`);
  console.log('| layout | training img/s | ratio |');
  console.log('| --- | ---: | ---: |');
  console.log(`| 1 rank x 2 threads | ${m1.toFixed(1)} | 1.00x |`);
  console.log(`| 2 ranks x 1 thread | ${m2.toFixed(1)} | ${(m2 / m1).toFixed(2)}x |`);
  console.log(
    `rank 0 spent a median ${(100 * comm).toFixed(1)}% of the epoch in collectives (gradient and loss all-reduces, waiting for the other rank included)`,
  );
} else {
  console.log(`\n(data-parallel rows skipped: no C++ driver at ${driver}; npm run build:driver)`);
}
