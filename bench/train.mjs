// npm run bench:train: one distillation epoch on the lymphoma patches at factor 4 (teacher 6.25x, student 1.5625x),
// the paper's augmentation (flips + colour jitter), batch 16, against ../shared/bench/peers/distill_epoch.py on the
// same images, same machine, interleaved runs, medians. Ours reads a store extracted once (the peer's prep is its
// own low-resolution copies); both report training images/s of the epoch alone.
// Usage: node bench/train.mjs [--runs N] [--data DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const peers = process.env.RESDISTILL_PEERS ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
const { values: a } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    data: { type: 'string', default: path.resolve(root, '..', 'shared', 'data', 'patches', 'lymphoma-iicbu2008') },
  },
});
const { runJob } = await import(path.join(root, 'dist', 'job.js'));
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
const work = mkdtempSync(path.join(os.tmpdir(), 'rd-bench-train-'));
const store = path.join(work, 'store');
const model = { name: 'gn_resnet' };

const t0 = performance.now();
await runJob('store.extract', { source: { kind: 'images', root: a.data, mpp: 1.6 }, magnifications: [6.25, 1.5625], out: store, splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 } });
const extractSeconds = (performance.now() - t0) / 1000;
const teacher = path.join(work, 'teacher.safetensors');
await runJob('models.export', { model: 'gn_resnet', classes: 3, seed: 0, path: teacher });

async function ours(run) {
  const r = await runJob('train.distill', {
    store, magnification: 1.5625, model, epochs: 1, batchSize: 16, seed: run, outDir: path.join(work, `ours-${run}`), resume: false,
    augment: { flips: true, rot90: false, jitter: { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 } },
    teacher: { magnification: 6.25, checkpoint: teacher, model },
  });
  return r.history[0].imagesPerSecond;
}

// With the teacher cache: flips only (no jitter), the teacher's outputs computed once per sample and flip before
// training (that fill is timed apart), then two epochs that run the student alone; their median img/s.
async function cached(run) {
  const r = await runJob('train.distill', {
    store, magnification: 1.5625, model, epochs: 2, batchSize: 16, seed: run, outDir: path.join(work, `cached-${run}`), resume: false,
    augment: { flips: true, rot90: false, jitter: null }, teacherCache: true,
    teacher: { magnification: 6.25, checkpoint: teacher, model },
  });
  return { imagesPerSecond: median(r.history.map((h) => h.imagesPerSecond)), fillSeconds: r.teacherCache.fillSeconds, entries: r.teacherCache.entries };
}

function peer() {
  const r = spawnSync('/usr/bin/python3', [path.join(peers, 'distill_epoch.py'), a.data, '4', '1', '16'], { encoding: 'utf8', cwd: peers });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const oursRuns = [];
const cachedRuns = [];
const peerRuns = [];
for (let i = 0; i < Number(a.runs); i++) {
  oursRuns.push(await ours(i));
  cachedRuns.push(await cached(i));
  peerRuns.push(peer());
}
const c = median(cachedRuns.map((r) => r.imagesPerSecond));
const o = median(oursRuns);
const p = median(peerRuns.map((r) => r.trainImgPerS));
console.log(`distillation epoch, factor 4, batch 16, CPU, ${os.availableParallelism()} threads (LibTorch intra-op = usable cores; peer torch.set_num_threads(cpu_count) + 2 DataLoader workers)`);
console.log('| measure | resdistill | peer distill_epoch.py | ratio |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| training img/s (median of ${a.runs}) | ${o.toFixed(1)} | ${p.toFixed(1)} | ${(o / p).toFixed(2)}x |`);
console.log(`| with teacher cache, flips only (median of ${a.runs}) | ${c.toFixed(1)} | ${p.toFixed(1)} | ${(c / p).toFixed(2)}x |`);
console.log(`| prep: extract store vs peer's low-res copies (s) | ${extractSeconds.toFixed(1)} | ${median(peerRuns.map((r) => r.prep_seconds)).toFixed(1)} | ${(median(peerRuns.map((r) => r.prep_seconds)) / extractSeconds).toFixed(2)}x |`);
console.log(`teacher cache: ${cachedRuns[0].entries} entries (samples x flips), filled once in a median ${median(cachedRuns.map((r) => r.fillSeconds)).toFixed(1)} s before training`);
console.log(`runs: ours ${oursRuns.map((x) => x.toFixed(1)).join(', ')}; peer ${peerRuns.map((r) => r.trainImgPerS).join(', ')}`);
