// Built CLI, addon and real data (a lymphoma-iicbu2008 subset in ../shared/data): what a data CSV's columns mean
// for the statistics. Without a group column, `extract` and `run` warn that each image is its own group; a config
// that promises an unlabeled pool of extra unlabeled rows (data.unlabeledPool) but lists none fails with
// CONFIG_INVALID before any training.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasData, lymphomaDir, runCli, tempDir } from '../support.js';

/** A CSV of the first `perClass` lymphoma images of each class, with or without a group column. */
function csvOf(dir: string, perClass: number, withGroup: boolean): string {
  const rows = ['CLL', 'FL', 'MCL'].flatMap((cls) =>
    readdirSync(path.join(lymphomaDir, cls))
      .sort()
      .slice(0, perClass)
      .map((f, i) => [path.join(lymphomaDir, cls, f), cls, `${cls}-patient${i % 2}`]),
  );
  const file = path.join(dir, withGroup ? 'grouped.csv' : 'images.csv');
  writeFileSync(
    file,
    [withGroup ? 'path,label,group' : 'path,label', ...rows.map((r) => (withGroup ? r : r.slice(0, 2)).join(','))].join('\n') + '\n',
  );
  return file;
}

const config = (csv: string, extra: Record<string, unknown> = {}) => ({
  data: { source: 'images', csv, mpp: 1.6, splits: { seed: 1, train: 0.6, val: 0.2, test: 0.2, unlabeled: 0 }, ...extra },
  magnifications: { teacher: 3.125, students: [1.5625] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 1 },
  student: { epochs: 1 },
  evaluation: { bootstrap: 50 },
});

describe.skipIf(!hasData)('data CSV grouping and the unlabeled pool (CLI, addon, ../shared/data)', () => {
  it('extract warns that a CSV without a group column makes each image its own group; with one it does not', () => {
    const dir = tempDir();
    for (const withGroup of [false, true]) {
      const file = path.join(dir, `extract-${withGroup}.json`);
      writeFileSync(file, JSON.stringify(config(csvOf(dir, 4, withGroup))));
      const r = runCli(['extract', file, '--out', path.join(dir, `store-${withGroup}`), '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      if (withGroup) expect(r.stderr).not.toMatch(/no group column/);
      else expect(r.stderr).toMatch(/images\.csv has no group column: each image becomes its own group/);
    }
  });

  it('data.unlabeledPool without any unlabeled row fails with CONFIG_INVALID before training anything', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pool.json');
    writeFileSync(file, JSON.stringify(config(csvOf(dir, 4, true), { unlabeledPool: true })));
    const out = path.join(dir, 'out');
    const r = runCli(['run', file, '--out', out, '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/data\.unlabeledPool is set but the CSV has no row with an empty label/),
    });
    expect(existsSync(path.join(out, 'runs')) ? readdirSync(path.join(out, 'runs')).filter((d) => d.startsWith('teacher')).length : 0).toBe(
      0,
    );
  });
});
