// The C++ loader through its jobs: paired augmentation is identical across magnifications, seeded order,
// disjoint rank/world shares, and the exact and bucket modes for variable sizes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { extract, loadExtractConfig, readView } from '../../src/store/store.js';
import { listSamples } from '../../src/store/info.js';
import { hasData, pythonHas, tempDir } from '../support.js';
import { lymphomaConfig, lymphomaSubset, readNpyF32, SHARDS } from './store_fixtures.js';

interface Peek {
  batches: { files: { path: string; shape: number[] }[]; ids: number[]; labels: number[] }[];
}
interface Scan {
  images: number;
  batches: number;
  ids: number[][];
  firstShapes: number[][];
  samplesPerEpoch: number;
}

describe.skipIf(!hasData)('store loader (needs the addon and real data in ../shared/data)', () => {
  let store: string;
  beforeAll(async () => {
    store = path.join(tempDir('rd-loader-'), 'store');
    await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(10))), store, SHARDS);
  });

  async function peek(augment: unknown, seed = 5): Promise<{ t: Float32Array; s: Float32Array; shape: number[]; ids: number[] }> {
    const out = tempDir('rd-peek-');
    const r = await runJob<Peek>('data.peek', { store, out, split: 'all', views: [0, 1], batchSize: 8, seed, augment, threads: 2 });
    const b = r.batches[0]!;
    const t = readNpyF32(b.files[0]!.path),
      s = readNpyF32(b.files[1]!.path);
    expect(t.shape).toEqual([8, 3, 312, 416]);
    expect(s.shape).toEqual([8, 3, 156, 208]);
    return { t: t.data, s: s.data, shape: t.shape, ids: b.ids };
  }

  // The student view equals the 2x2 box mean of the teacher view, pixel for pixel (both back in 0..255).
  function studentIsDownsampledTeacher(t: Float32Array, s: Float32Array, tol: number): { worst: number; mean: number } {
    const [H, W] = [312, 416],
      [h, w] = [156, 208];
    let worst = 0,
      total = 0;
    for (let b = 0; b < 8; b++) {
      for (let c = 0; c < 3; c++) {
        const T = (b * 3 + c) * H * W,
          S = (b * 3 + c) * h * w;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const p = (dy: number, dx: number) => t[T + (2 * y + dy) * W + 2 * x + dx]! * 255;
            const mean = (p(0, 0) + p(0, 1) + p(1, 0) + p(1, 1)) / 4;
            const d = Math.abs((tol === 0 ? Math.floor(Math.round(mean * 4) / 4 + 0.5) : mean) - s[S + y * w + x]! * 255);
            worst = Math.max(worst, d);
            total += d;
          }
        }
      }
    }
    return { worst, mean: total / (8 * 3 * h * w) };
  }

  it('flips and 90-degree turns are identical across magnifications: the student view is the downsampled teacher view', async () => {
    const aug = await peek({ flips: true, rot90: true, jitter: null });
    expect(studentIsDownsampledTeacher(aug.t, aug.s, 0).worst).toBeLessThan(1e-3);
    const plain = await peek(false);
    expect(plain.ids).toEqual(aug.ids); // augmentation never changes the order
    let changed = 0;
    for (let b = 0; b < 8; b++) {
      const n = 3 * 312 * 416;
      if (aug.t.subarray(b * n, (b + 1) * n).some((v, i) => v !== plain.t[b * n + i])) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('colour jitter (the paper defaults) draws one set of factors per sample for all magnifications', async () => {
    const aug = await peek(true);
    // Contrast uses each view's own mean and clamping and hue are non-linear, so equality holds on average
    // (a few pixels near hue wrap-around differ more); independent draws per view would differ by tens of levels.
    expect(studentIsDownsampledTeacher(aug.t, aug.s, 1).mean).toBeLessThan(2);
    const other = await peek(true, 6);
    expect(other.ids).not.toEqual(aug.ids);
  });

  it('quarter turns (exact mode, any shape) keep the student view equal to the downsampled teacher view', async () => {
    const out = tempDir('rd-rot-');
    const r = await runJob<Peek & { batches: { params: { rot: number }[] }[] }>('data.peek', {
      store,
      out,
      split: 'all',
      views: [0, 1],
      mode: 'exact',
      batches: 6,
      seed: 11,
      augment: { rot90: true, jitter: null },
    });
    const rots = r.batches.map((b) => b.params[0]!.rot);
    expect(rots.some((k) => k % 2 === 1)).toBe(true);
    for (const b of r.batches) {
      const t = readNpyF32(b.files[0]!.path),
        s = readNpyF32(b.files[1]!.path);
      const [H, W] = [t.shape[2]!, t.shape[3]!];
      expect([H, W]).toEqual(b.params[0]!.rot % 2 === 1 ? [416, 312] : [312, 416]);
      expect([s.shape[2], s.shape[3]]).toEqual([H / 2, W / 2]);
      let worst = 0;
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < H / 2; y++) {
          for (let x = 0; x < W / 2; x++) {
            const p = (dy: number, dx: number) => Math.round(t.data[c * H * W + (2 * y + dy) * W + 2 * x + dx]! * 255);
            const want = Math.floor((p(0, 0) + p(0, 1) + p(1, 0) + p(1, 1) + 2) / 4);
            worst = Math.max(worst, Math.abs(want - Math.round(s.data[c * (H / 2) * (W / 2) + y * (W / 2) + x]! * 255)));
          }
        }
      }
      expect(worst).toBe(0);
    }
  });

  it('seeded order, and rank/world shares that are disjoint and equal', async () => {
    const scan = (o: object) => runJob<Scan>('data.scan', { store, split: 'all', batchSize: 4, returnIds: true, threads: 2, ...o });
    const a = await scan({ seed: 1 }),
      b = await scan({ seed: 1 }),
      c = await scan({ seed: 2 });
    expect(a.ids).toEqual(b.ids);
    expect(a.ids).not.toEqual(c.ids);
    expect([...a.ids[0]!].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const r0 = await scan({ seed: 1, world: 2, rank: 0, epochs: 2 }),
      r1 = await scan({ seed: 1, world: 2, rank: 1, epochs: 2 });
    for (let e = 0; e < 2; e++) {
      expect(r0.ids[e]).toHaveLength(15);
      expect(r1.ids[e]).toHaveLength(15);
      expect(r0.ids[e]!.filter((id) => r1.ids[e]!.includes(id))).toEqual([]);
    }
    expect(r0.ids[0]).not.toEqual(r0.ids[1]); // each epoch reshuffles
  });

  it('unlabeledFraction takes a fixed, nested share of the unlabeled pool, the same for every seed', async () => {
    const pooled = path.join(tempDir('rd-pool-'), 'store');
    await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(10), { splits: { unlabeled: 0.5 } })), pooled, SHARDS);
    const ids = async (unlabeledFraction: number, seed = 1) =>
      new Set(
        (
          await runJob<Scan>('data.scan', {
            store: pooled,
            split: 'unlabeled',
            unlabeledFraction,
            seed,
            batchSize: 4,
            returnIds: true,
            threads: 2,
          })
        ).ids[0],
      );
    const all = await ids(1),
      half = await ids(0.5),
      quarter = await ids(0.25),
      quarterOther = await ids(0.25, 9);
    expect(all.size).toBeGreaterThanOrEqual(4);
    expect(half.size).toBe(Math.round(all.size / 2));
    expect([...quarter].every((id) => half.has(id))).toBe(true);
    expect(quarterOther).toEqual(quarter);
    await expect(runJob('data.scan', { store: pooled, split: 'unlabeled', unlabeledFraction: 0 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: /unlabeledFraction/,
    });
  });

  it('bench.loaderEpoch times the same epoch fed by the loader and from memory (the benchmark job runs end to end)', async () => {
    const r = await runJob<{ images: number; reps: number; loaderSeconds: number[]; inMemorySeconds: number[]; ratio: number }>(
      'bench.loaderEpoch',
      {
        store,
        magnification: 1.5625,
        teacherMagnification: 6.25,
        batchSize: 8,
        reps: 1,
        model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
      },
    );
    const train = (await runJob<Scan>('data.scan', { store, split: 'train', batchSize: 8, returnIds: true, threads: 2 })).ids[0]!.length;
    expect(r.images).toBe(train);
    expect(r.loaderSeconds).toHaveLength(1);
    expect(r.inMemorySeconds).toHaveLength(1);
    expect(r.ratio).toBeGreaterThan(0);
  });

  it('exact mode gives batch 1 at the stored size; bucket mode crops to the bucket shape with whole-pixel views', async () => {
    const exact = await runJob<Scan>('data.scan', { store, split: 'train', mode: 'exact', views: [0, 2] });
    expect(exact.firstShapes).toEqual([
      [1, 3, 312, 416],
      [1, 3, 78, 104],
    ]);
    expect(exact.batches).toBe(exact.images);
    const bucket = await runJob<Scan>('data.scan', { store, split: 'train', mode: 'bucket', bucketQuantum: 100, batchSize: 8 });
    expect(bucket.firstShapes).toEqual([
      [8, 3, 300, 400],
      [8, 3, 150, 200],
      [8, 3, 75, 100],
    ]);
  });

  it('bad options are CONFIG_INVALID naming the field', async () => {
    await expect(runJob('data.scan', { store, views: [0, 5] })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: /views\.1/ });
    await expect(runJob('data.scan', { store, split: 'nope' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: /nope/ });
    await expect(runJob('data.scan', { store, augment: { jitter: { hue: 0.9 } } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: /augment\.jitter\.hue/,
    });
  });
});

describe.skipIf(!hasData || !pythonHas('torch', 'torchvision', 'numpy'))(
  'colour jitter matches torchvision adjust_* (needs the addon, real data and Debian python3-torchvision)',
  () => {
    it('brightness, contrast, saturation, hue with the drawn factors, in the drawn order, equal torchvision on float tensors', async () => {
      const store = path.join(tempDir('rd-tv-'), 'store');
      await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(3), { magnifications: [6.25, 3.125] })), store, SHARDS);
      const out = tempDir('rd-tv-peek-');
      const r = await runJob<Peek & { batches: { params: Record<string, number>[] }[] }>('data.peek', {
        store,
        out,
        split: 'all',
        batchSize: 8,
        seed: 3,
        augment: { flips: false },
        shuffle: false,
      });
      const b = r.batches[0]!;
      const located = listSamples(store);
      const raw = b.ids.map((id) => {
        const s = located.find((l) => l.id === id)!;
        return readView(store, s.shard, s.sample.views[0]!).pixels.toString('base64');
      });
      const script = `
import base64, json, sys, numpy as np, torch
import torchvision.transforms.functional as TF
args = json.load(sys.stdin)
out = np.load(args['npy'])
worst = 0.0
for k, (raw, p) in enumerate(zip(args['raw'], args['params'])):
    x = torch.from_numpy(np.frombuffer(base64.b64decode(raw), np.uint8).reshape(out.shape[2], out.shape[3], 3).copy()).permute(2, 0, 1).float() / 255
    ops = [lambda x: TF.adjust_brightness(x, p['brightness']), lambda x: TF.adjust_contrast(x, p['contrast']),
           lambda x: TF.adjust_saturation(x, p['saturation']), lambda x: TF.adjust_hue(x, p['hue'])]
    for op in p['order']:
        x = ops[op](x)
    worst = max(worst, float((x - torch.from_numpy(out[k])).abs().max()))
print(json.dumps({'worst': worst}))`;
      const py = spawnSync('/usr/bin/python3', ['-c', script], {
        input: JSON.stringify({ npy: b.files[0]!.path, raw, params: b.params }),
        encoding: 'utf8',
      });
      expect(py.status, py.stderr).toBe(0);
      expect(b.params[0]!.brightness).not.toBe(1);
      // ColorJitter's random order: the drawn orders are permutations, and not all the same.
      const orders = b.params.map((q) => (q as unknown as { order: number[] }).order);
      for (const o of orders) expect([...o].sort()).toEqual([0, 1, 2, 3]);
      expect(JSON.parse(py.stdout).worst).toBeLessThan(2e-3);
    });
  },
);
