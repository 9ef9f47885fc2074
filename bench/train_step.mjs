// npm run bench:train-step: our training step (core job bench.trainStep, through the addon) against
// ../shared/bench/peers/train_step.py (PyTorch eager, same model, batch, sizes and thread count), interleaved runs, medians.
// Usage: node bench/train_step.mjs [--runs N] [--sizes 224,56] [--batch-size 16] [--steps 5] [--threads 1,N] [--device cpu|cuda] [--bf16]
// --threads takes a list: each count is run for both sides (default 1 and all usable cores).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const peers = process.env.RESDISTILL_PEERS ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
const { values: a } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '224,56' },
    'batch-size': { type: 'string', default: '16' },
    steps: { type: 'string', default: '5' },
    threads: { type: 'string', default: [...new Set([1, os.availableParallelism()])].join(',') },
    device: { type: 'string', default: 'cpu' },
    bf16: { type: 'boolean', default: false },
    'channels-last': { type: 'boolean', default: false },
  },
});
const { runJob } = await import(path.join(root, 'dist', 'native', 'job.js'));
const format = (nhwc) => (nhwc ? 'NHWC' : 'NCHW');
const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

function peer(size, threads) {
  const args = [path.join(peers, 'train_step.py'), String(size), a['batch-size'], a.steps, a.device, ...(a.bf16 ? ['bf16'] : [])];
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync('/usr/bin/python3', args, { cwd: peers, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function ours(size, threads) {
  return runJob('bench.trainStep', {
    size: Number(size),
    batchSize: Number(a['batch-size']),
    steps: Number(a.steps),
    threads,
    device: a.device,
    bf16: a.bf16,
    ...(a['channels-last'] ? { channelsLast: true } : {}),
  });
}

for (const threads of a.threads.split(',').map(Number)) {
  const rows = [];
  for (const size of a.sizes.split(',').map(Number)) {
    const o = { sup: [], kd: [] };
    const p = { sup: [], kd: [] };
    let peerThreads = null,
      formats = '';
    for (let i = 0; i < Number(a.runs); ++i) {
      // Interleave the two implementations so drifting machine load hits both alike.
      const mine = await ours(size, threads);
      const theirs = peer(size, threads);
      peerThreads = theirs.threads;
      formats = `student ${format(mine.channelsLast)}, teacher ${format(mine.teacherChannelsLast)}`;
      o.sup.push(mine.supervisedImagesPerSecond);
      o.kd.push(mine.distillImagesPerSecond);
      p.sup.push(theirs.supervised_img_per_s);
      p.kd.push(theirs.distill_img_per_s);
      process.stderr.write(
        `threads ${threads} size ${size} run ${i + 1}: ours ${mine.supervisedImagesPerSecond.toFixed(1)}/${mine.distillImagesPerSecond.toFixed(1)}, peer ${theirs.supervised_img_per_s}/${theirs.distill_img_per_s} img/s (supervised/distill)\n`,
      );
    }
    for (const [step, key] of [
      ['supervised', 'sup'],
      ['distill', 'kd'],
    ]) {
      rows.push({ size, step, ours: median(o[key]), peer: median(p[key]), ratio: median(o[key]) / median(p[key]), peerThreads, formats });
    }
  }

  const dev = a.device === 'cpu' ? `cpu, ${threads} threads (peer reports ${rows[0]?.peerThreads})` : `${a.device}${a.bf16 ? ' bf16' : ''}`;
  console.log(
    `training step vs peers/train_step.py: GN ResNet 32-64-128-256, batch ${a['batch-size']}, mean of ${a.steps} steps per run, median of ${a.runs} runs, ${dev}`,
  );
  console.log([...['size', 'step', 'ours img/s', 'peer img/s', 'ratio'].map((h) => h.padStart(11)), '  ours memory format'].join(''));
  for (const r of rows)
    console.log(
      [
        ...[r.size, r.step, r.ours.toFixed(1), r.peer.toFixed(1), `${r.ratio.toFixed(2)}x`].map((c) => String(c).padStart(11)),
        `  ${r.formats}`,
      ].join(''),
    );
}
