// slide.classify reads tiles on reader threads a few batches ahead of the model (slide/read_ahead.cc): the
// probabilities come back in tile order whatever the batch size and reader count, and a bad tile in the middle
// fails the job with its typed error instead of hanging; a stain reference (docs/stain.md) is applied to each tile. Needs the addon and the real CMU slide (../shared/data).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { native, nativeVersions } from '../../src/native/addon.js';
import { cmuSlide, hasData, tempDir } from '../support.js';

type Classified = {
  probabilities: number[][];
  tiles: number;
  channelsLast: boolean;
  batchParallel: boolean;
  waitSeconds: number;
  readSeconds: number;
};

describe.skipIf(!hasData)('slide.classify with read-ahead (addon, real data)', () => {
  const dir = tempDir('classify-');
  const checkpoint = path.join(dir, 'gn_resnet.safetensors');
  beforeAll(() => runJob('models.export', { model: 'gn_resnet', classes: 3, seed: 3, path: checkpoint }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 45 tiles of 224 level-0 px (about 112 um) across the slide, read at 5x (56 px).
  const tiles = Array.from({ length: 45 }, (_, i) => [224 * (i % 9), 224 * Math.floor(i / 9), 224, 224]);
  const spec = (extra: Record<string, unknown>) => ({
    path: cmuSlide,
    tiles,
    magnification: 5,
    model: 'gn_resnet',
    classes: 3,
    checkpoint,
    ...extra,
  });

  it('returns every tile in order, the same for any batch size and reader count', async () => {
    const whole = await runJob<Classified>('slide.classify', spec({ batchSize: 45, readers: 1 }));
    const split = await runJob<Classified>('slide.classify', spec({ batchSize: 4, readers: 2 }));
    const single = await runJob<Classified>('slide.classify', spec({ batchSize: 1, readers: 2, tiles: tiles.slice(17, 18) }));
    expect(whole.tiles).toBe(45);
    expect(split.probabilities).toHaveLength(45);
    expect(whole).toMatchObject({ channelsLast: false, tileWidth: 56, tileHeight: 56 }); // 56 px: NCHW on CPU
    for (let i = 0; i < 45; i++) for (let c = 0; c < 3; c++) expect(split.probabilities[i]![c]).toBeCloseTo(whole.probabilities[i]![c]!, 5);
    for (let c = 0; c < 3; c++) expect(single.probabilities[0]![c]).toBeCloseTo(whole.probabilities[17]![c]!, 5);
    // The tiles differ (tissue and background), so an order mix-up could not pass unnoticed.
    expect(new Set(whole.probabilities.map((p) => p[0]!.toFixed(6))).size).toBeGreaterThan(10);
  });

  // models/batch_parallel.h: small tiles split the batch across threads, one part per thread, instead of each op.
  it('a batch split across 2 threads gives the probabilities of one thread, bit for bit (56 and 28 px)', async () => {
    const before = nativeVersions().threads;
    try {
      for (const magnification of [5, 2.5]) {
        native().setThreads(1);
        const one = await runJob<Classified>('slide.classify', spec({ magnification, batchSize: 45, readers: 1 }));
        native().setThreads(2);
        const two = await runJob<Classified>('slide.classify', spec({ magnification, batchSize: 45, readers: 1 }));
        expect([one.batchParallel, two.batchParallel]).toEqual([false, true]);
        expect(two.probabilities).toEqual(one.probabilities);
      }
    } finally {
      native().setThreads(before);
    }
  });

  it('a tile outside the slide in the middle fails with REGION_OUTSIDE, not a hang', async () => {
    const bad = [...tiles.slice(0, 20), [1e7, 1e7, 224, 224], ...tiles.slice(20)];
    await expect(runJob('slide.classify', spec({ tiles: bad, batchSize: 4, readers: 2 }))).rejects.toMatchObject({
      code: 'REGION_OUTSIDE',
    });
  });

  it('normalises each tile to the stain reference it is given, and rejects a malformed one', async () => {
    const reinhard = { method: 'reinhard', mean: [60, 25, -20], std: [12, 8, 6], samples: 1, pixels: 1 };
    const plain = await runJob<Classified>('slide.classify', spec({ tiles: tiles.slice(0, 6) }));
    const stained = await runJob<Classified>('slide.classify', spec({ tiles: tiles.slice(0, 6), stain: reinhard }));
    const again = await runJob<Classified>('slide.classify', spec({ tiles: tiles.slice(0, 6), stain: reinhard }));
    expect(stained.probabilities).toEqual(again.probabilities);
    expect(stained.probabilities).not.toEqual(plain.probabilities);
    await expect(runJob('slide.classify', spec({ stain: { method: 'reinhard', mean: [1, 2] } }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.stain'),
    });
  });
});
