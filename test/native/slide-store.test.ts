// Needs the addon and the real CMU slide (../shared/data): a store extracted from a slide through OpenSlide,
// tiles in microns on detected tissue, every magnification one read of the same field of view.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { storeInfo, listSamples } from '../../src/store/info.js';
import { verify } from '../../src/store/store.js';
import { cmuSlide, hasData, tempDir } from '../support.js';

describe.skipIf(!hasData)('store from a slide (addon, OpenSlide, ../shared/data)', () => {
  it('extracts 256 um tissue tiles of CMU-1-Small-Region at 10x and 2.5x with slide provenance', async () => {
    const dir = tempDir('rd-slide-store-');
    const csv = path.join(dir, 'slides.csv');
    writeFileSync(csv, `path,label,group\n${cmuSlide},tumour,cmu-1\n`);
    const out = path.join(dir, 'store');
    await runJob('store.extract', {
      source: { kind: 'slides', csv, unit: 'tiles', sizeUm: 256, minTissue: 0.5 },
      magnifications: [10, 2.5],
      out,
      splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
    });
    const info = storeInfo(out);
    // 2220 x 2967 px at 0.499 um/px is about 1108 x 1481 um: at most 4 x 5 whole 256 um tiles, tissue covers ~36%.
    expect(info.samples).toBeGreaterThanOrEqual(4);
    expect(info.samples).toBeLessThanOrEqual(20);
    expect(info.magnifications.map((m) => m.shape)).toEqual([
      [256, 256, 3],
      [64, 64, 3],
    ]);
    expect((await verify(out)).ok).toBe(true);
    const first = listSamples(out)[0]!;
    const shard = path.join(out, first.shard);
    const member = execFileSync('tar', ['-xOf', shard, `${first.sample.key}.json`], { encoding: 'utf8' });
    const meta = JSON.parse(member) as { provenance: Record<string, any> };
    expect(meta.provenance.mppSource).toMatch(/openslide\.mpp/);
    expect(meta.provenance.source.quickhash).toMatch(/^[0-9a-f]{16,}$/);
    expect(meta.provenance.views.map((v: { effectiveMpp: number }) => v.effectiveMpp)).toEqual([
      expect.closeTo(1, 2),
      expect.closeTo(4, 2),
    ]);
  });

  it('rejects a slide list naming a missing file, with the CSV line', async () => {
    const dir = tempDir('rd-slide-bad-');
    const csv = path.join(dir, 'slides.csv');
    writeFileSync(csv, `path,label,group\n${cmuSlide},a,g1\n/nonexistent.svs,b,g2\n`);
    await expect(
      runJob('store.extract', {
        source: { kind: 'slides', csv, unit: 'tiles', sizeUm: 256, minTissue: 0.5 },
        magnifications: [10, 2.5],
        out: path.join(dir, 'store'),
        splits: { train: 0.7, val: 0.15, test: 0.15 },
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('line 3') });
  });
});
