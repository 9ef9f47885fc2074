#!/usr/bin/env node
// npm run bench:predict — whole-slide inference against ../shared/bench/peers/slide_infer.py (openslide-python,
// Pillow and PyTorch eager, as a Python user writes it), in the same run, interleaved, medians of --runs.
// Both sides classify every tile of the same grid of the large slide (the CMU slide replicated to
// 31,080 x 32,637 px, bench/large-slide.mjs) at the same magnification, field of view, batch and thread count,
// with the paper's GN ResNet at the same random weights' cost. Ours is `slide.classify` through the C++ driver,
// so each peak RSS (/usr/bin/time) is one process's own, as the peer's is. Both sides are pinned to the same
// `threads` cores (taskset): ours reads tiles on reader threads beside the model, the peer reads then runs the
// model, and neither may use more cores than the other.
//   node bench/predict.mjs [--runs 3] [--threads 1,2] [--student 5] [--teacher 10] [--size-um 112] [--batch-size 64] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LARGE_SLIDE, makeLargeSlide } from './large-slide.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: a } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: [...new Set([1, os.availableParallelism()])].join(',') },
    student: { type: 'string', default: '5' },
    teacher: { type: 'string', default: '10' },
    'size-um': { type: 'string', default: '112' },
    'batch-size': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const dataDir = process.env.RESDISTILL_DATA ?? path.resolve(root, '..', 'shared', 'data');
const peers = process.env.RESDISTILL_PEERS ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
const driver = ['build/resdistill-driver', 'build-driver/resdistill-driver'].map((p) => path.join(root, p)).find(existsSync);
if (!driver) throw new Error('build the C++ driver first: npm run build:driver');
const sizeUm = Number(a['size-um']),
  batch = Number(a['batch-size']),
  runs = Number(a.runs);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

// One process under /usr/bin/time: its JSON result (last stdout line) and its peak RSS in MiB.
function timed(cores, cmd, args, options = {}) {
  const r = spawnSync('taskset', ['-c', `0-${cores - 1}`, '/usr/bin/time', '-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    ...options,
  });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args[0] ?? ''} failed: ${r.stderr.slice(-2000)}`);
  return { result: JSON.parse(r.stdout.trim().split('\n').at(-1)), peakMiB: Number(r.stderr.trim().split('\n').at(-1)) / 1024 };
}
const job = (kind, spec, threads) =>
  timed(threads, driver, ['run', kind, '-', '--threads', String(threads)], { input: JSON.stringify(spec) });

const dir = mkdtempSync(path.join(os.tmpdir(), 'resdistill-predict-bench-'));
try {
  process.stderr.write('building the large slide (vips) ...\n');
  const slide = makeLargeSlide(path.join(dataDir, 'slides', 'CMU-1-Small-Region.svs'), dir);
  const checkpoint = path.join(dir, 'gn_resnet.safetensors');
  job('models.export', { model: 'gn_resnet', classes: 3, seed: 0, path: checkpoint }, 1);
  // The peer's grid: level-0 squares of sizeUm, from the top-left corner, whole squares only.
  const side0 = sizeUm / LARGE_SLIDE.mpp,
    tiles = [];
  for (let y = 0; y <= LARGE_SLIDE.height - side0; y += side0)
    for (let x = 0; x <= LARGE_SLIDE.width - side0; x += side0) tiles.push([Math.trunc(x), Math.trunc(y), side0, side0]);

  const rows = [];
  const speed = {};
  for (const threads of a.threads.split(',').map(Number)) {
    for (const [role, mag] of [
      ['student', Number(a.student)],
      ['teacher', Number(a.teacher)],
    ]) {
      const ours = [],
        peer = [];
      for (let i = 0; i < runs; i++) {
        peer.push(
          timed(threads, '/usr/bin/python3', [path.join(peers, 'slide_infer.py'), slide, mag, sizeUm, batch, threads, LARGE_SLIDE.mpp], {
            env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
          }),
        );
        ours.push(
          job(
            'slide.classify',
            {
              path: slide,
              mpp: LARGE_SLIDE.mpp,
              tiles,
              magnification: mag,
              model: 'gn_resnet',
              classes: 3,
              checkpoint,
              batchSize: batch,
              readers: threads,
            },
            threads,
          ),
        );
        const o = ours.at(-1),
          p = peer.at(-1);
        if (o.result.tiles !== p.result.tiles || o.result.tileWidth !== p.result.tile_px || o.result.tileHeight !== p.result.tile_px)
          throw new Error(
            `not the same work: ours ${o.result.tiles} tiles of ${o.result.tileWidth} x ${o.result.tileHeight} px, peer ${p.result.tiles} of ${p.result.tile_px} px`,
          );
        process.stderr.write(
          `${role} ${mag}x, ${threads} thread(s), run ${i + 1}: ours ${o.result.imagesPerSecond.toFixed(1)} tiles/s (${o.peakMiB.toFixed(0)} MiB), peer ${p.result.tiles_per_s} tiles/s (${p.peakMiB.toFixed(0)} MiB)\n`,
        );
      }
      const m = (xs, f) => median(xs.map(f));
      const row = {
        role,
        magnification: mag,
        tilePx: peer[0].result.tile_px,
        tiles: ours[0].result.tiles,
        threads,
        oursTilesPerS: m(ours, (r) => r.result.imagesPerSecond),
        peerTilesPerS: m(peer, (r) => r.result.tiles_per_s),
        oursReadThreadS: m(ours, (r) => r.result.readSeconds),
        oursWaitS: m(ours, (r) => r.result.waitSeconds),
        oursModelS: m(ours, (r) => r.result.modelSeconds),
        peerReadS: m(peer, (r) => r.result.read_s),
        peerModelS: m(peer, (r) => r.result.model_s),
        oursPeakMiB: m(ours, (r) => r.peakMiB),
        peerPeakMiB: m(peer, (r) => r.peakMiB),
        channelsLast: ours[0].result.channelsLast,
      };
      row.ratio = row.oursTilesPerS / row.peerTilesPerS;
      rows.push(row);
      (speed[threads] ??= {})[role] = row;
    }
  }
  // Counted FLOPs of one tile at each magnification (cost.count), beside the measured wall-time speed-up.
  const px = (mag) => Math.max(1, Math.round((sizeUm * mag) / 10));
  const counted = job(
    'cost.count',
    {
      model: 'gn_resnet',
      classes: 3,
      sizes: [
        [px(Number(a.teacher)), px(Number(a.teacher))],
        [px(Number(a.student)), px(Number(a.student))],
      ],
    },
    1,
  ).result;
  const flopsOf = (i) => (counted.rows ?? counted)[i].flops;
  const flopsReduction = flopsOf(0) / flopsOf(1);
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, load: os.loadavg().map((l) => +l.toFixed(2)), device: 'CPU', runs };
  const speedups = Object.entries(speed).map(([threads, r]) => ({
    threads: Number(threads),
    wallSpeedup: r.student.oursTilesPerS / r.teacher.oursTilesPerS,
    flopsReduction,
  }));
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ machine, sizeUm, batchSize: batch, rows, speedups }, null, 2)}\n`);
  } else {
    console.log(
      `resdistill bench:predict — ${LARGE_SLIDE.width} x ${LARGE_SLIDE.height} px JPEG pyramid, ${sizeUm} um tiles, batch ${batch}, CPU ${machine.model} x ${machine.cpus}, load ${machine.load.join(' ')}, median of ${runs} interleaved runs`,
    );
    console.table(
      rows.map((r) => ({
        model: `${r.role} ${r.magnification}x (${r.tilePx} px)`,
        threads: r.threads,
        tiles: r.tiles,
        'ours tiles/s': +r.oursTilesPerS.toFixed(1),
        'peer tiles/s': +r.peerTilesPerS.toFixed(1),
        ratio: `${r.ratio.toFixed(2)}x`,
        'ours read (thread-s) / wait / model s': `${r.oursReadThreadS.toFixed(1)} / ${r.oursWaitS.toFixed(1)} / ${r.oursModelS.toFixed(1)}`,
        'peer read / model s': `${r.peerReadS.toFixed(1)} / ${r.peerModelS.toFixed(1)}`,
        'peak MiB ours / peer': `${r.oursPeakMiB.toFixed(0)} / ${r.peerPeakMiB.toFixed(0)}`,
      })),
    );
    for (const s of speedups)
      console.log(
        `student over teacher (ours, ${s.threads} thread(s)): ${s.wallSpeedup.toFixed(1)}x faster in wall time; counted FLOPs ${s.flopsReduction.toFixed(1)}x fewer`,
      );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
