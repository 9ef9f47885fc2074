// The store records the dataset's input statistics at extraction: per-channel mean and std of the training pool's
// pixels at the highest magnification (the authors normalise every view with one such pair per dataset), checked
// against an independent computation from the raw views. Needs the addon and real data.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { readManifest, readView } from '../../src/store/store.js';
import { listSamples } from '../../src/store/info.js';
import { hasData, tempDir } from '../support.js';
import { lymphomaSubset } from './store_fixtures.js';

describe.skipIf(!hasData)('dataset normalisation statistics (needs the addon and real data)', () => {
  it("manifest.normalization holds the training pool's channel mean and std at the top magnification", async () => {
    const out = path.join(tempDir('rd-norm-'), 'store');
    await runJob('store.extract', {
      source: { kind: 'images', root: lymphomaSubset(4), mpp: 1.6 },
      magnifications: [6.25, 3.125],
      out,
      splits: { seed: 3, train: 0.5, val: 0.25, test: 0.25, unlabeled: 0.3 },
    });
    const m = readManifest(out) as unknown as {
      splits: Record<string, number[]>;
      normalization: { split: string; magnification: number; mean: number[]; std: number[]; pixels: number };
    };
    const pool = new Set([...(m.splits.train ?? []), ...(m.splits.unlabeled ?? [])]);
    expect(m.splits.unlabeled?.length).toBeGreaterThan(0);
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    let n = 0;
    for (const s of listSamples(out).filter((x) => pool.has(x.id))) {
      const v = readView(out, s.shard, s.sample.views[0]!);
      for (let i = 0; i < v.h * v.w; i++)
        for (let c = 0; c < 3; c++) ((sum[c]! += v.pixels[i * 3 + c]!), (sq[c]! += v.pixels[i * 3 + c]! ** 2));
      n += v.h * v.w;
    }
    expect(m.normalization).toMatchObject({ split: 'train+unlabeled', magnification: 6.25, pixels: n });
    for (let c = 0; c < 3; c++) {
      const mean = sum[c]! / n;
      expect(m.normalization.mean[c]).toBeCloseTo(mean / 255, 9);
      expect(m.normalization.std[c]).toBeCloseTo(Math.sqrt(sq[c]! / n - mean * mean) / 255, 9);
    }
  });

  it('training applies it by default and records it; normalize: none leaves pixels in [0, 1]; a bad value is CONFIG_INVALID', async () => {
    const out = path.join(tempDir('rd-norm-'), 'store');
    await runJob('store.extract', {
      source: { kind: 'images', root: lymphomaSubset(3), mpp: 1.6 },
      magnifications: [1.5625],
      out,
      splits: { seed: 1, train: 0.7, val: 0.15, test: 0.15 },
    });
    const stats = (readManifest(out) as unknown as { normalization: { mean: number[]; std: number[] } }).normalization;
    const train = (normalize?: string) =>
      runJob<{ input: { normalize: string; mean: number[]; std: number[] } }>('train.supervised', {
        store: out,
        magnification: 1.5625,
        out: tempDir('rd-norm-run-'),
        epochs: 1,
        batchSize: 4,
        seed: 0,
        model: { name: 'gn_resnet', widths: [32, 32, 32, 32], blocks: [1, 1, 1, 1] },
        ...(normalize ? { normalize } : {}),
      });
    const byDefault = await train();
    expect(byDefault.input.normalize).toBe('dataset');
    byDefault.input.mean.forEach((v, c) => expect(v).toBeCloseTo(stats.mean[c]!, 6));
    byDefault.input.std.forEach((v, c) => expect(v).toBeCloseTo(stats.std[c]!, 6));
    expect((await train('none')).input).toEqual({ normalize: 'none', stain: null, mean: [0, 0, 0], std: [1, 1, 1] });
    await expect(train('imagenet')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('spec.normalize') });
  });
});
