// An external test set (data.test): its samples are the whole test split and nothing else is; a file listed by
// both the training source and the test set, or a test class the training source lacks, is CONFIG_INVALID.
// Needs the addon and the real lymphoma images in ../shared/data.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { readManifest } from '../../src/store/store.js';
import { listSamples } from '../../src/store/info.js';
import { hasData, lymphomaDir, tempDir } from '../support.js';

/** Class folders holding files [from, to) of each lymphoma class, as symlinks. */
function slice(from: number, to: number, classes = ['CLL', 'FL', 'MCL']): string {
  const root = tempDir('rd-ext-');
  for (const cls of classes) {
    mkdirSync(path.join(root, cls));
    for (const f of readdirSync(path.join(lymphomaDir, cls)).sort().slice(from, to))
      symlinkSync(path.join(lymphomaDir, cls, f), path.join(root, cls, f));
  }
  return root;
}

const images = (root: string) => ({ kind: 'images', root, mpp: 1.6 });
const spec = (train: string, test: string, split: Record<string, number> = { train: 0.75, val: 0.25, test: 0 }) => ({
  source: images(train),
  testSource: images(test),
  magnifications: [6.25, 3.125],
  out: path.join(tempDir('rd-ext-store-'), 'store'),
  splits: { seed: 1, ...split },
  threads: 2,
});

describe.skipIf(!hasData)('external test set (needs the addon and real data)', () => {
  it('puts every external sample, and only those, in the test split', async () => {
    const s = spec(slice(0, 6), slice(6, 8));
    await runJob('store.extract', s);
    const m = readManifest(s.out) as unknown as { splits: Record<string, number[]>; source: { externalTest?: unknown } };
    const samples = listSamples(s.out);
    expect(samples).toHaveLength(24);
    expect(m.splits.test).toEqual([18, 19, 20, 21, 22, 23]);
    expect([...m.splits.train!, ...m.splits.val!].sort((a, b) => a - b)).toEqual([...Array(18).keys()]);
    expect(m.source.externalTest).toMatchObject({ kind: 'images' });
    // Labels are mapped by class name: the test set's classes keep their training indices.
    expect(samples.slice(18).map((x) => x.sample.label)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('maps a test set with fewer classes onto the training classes by name', async () => {
    const s = spec(slice(0, 6), slice(6, 8, ['FL', 'MCL']));
    await runJob('store.extract', s);
    expect(
      listSamples(s.out)
        .slice(18)
        .map((x) => x.sample.label),
    ).toEqual([1, 1, 2, 2]);
  });

  it('refuses a file present in both, naming it; an internal test share; an unknown class', async () => {
    const train = slice(0, 6);
    await expect(runJob('store.extract', spec(train, slice(5, 7)))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/data\.test: '.*CLL\/.*' is also in the training source/),
    });
    await expect(runJob('store.extract', spec(train, slice(6, 8), { train: 0.6, val: 0.2, test: 0.2 }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('splits.test'),
    });
    await expect(runJob('store.extract', { ...spec(slice(0, 6, ['CLL', 'FL']), slice(6, 8)) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining("class 'MCL'"),
    });
  });
});
