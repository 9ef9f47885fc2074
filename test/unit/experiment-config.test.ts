// Pure TS: the experiment config fills the paper's defaults, names every bad field by its path, reads JSON and YAML,
// and the checked-in JSON Schema matches the zod schema.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { experimentJsonSchema } from '../../src/config/schema.js';
import { loadExperiment, resolveExperiment } from '../../src/config/load.js';
import { ConfigError } from '../../src/util/errors.js';
import { repoRoot, tempDir } from '../support.js';

const minimal = { data: { source: 'images', root: 'imgs', mpp: 1.6 } };

function problems(value: unknown): string[] {
  try {
    resolveExperiment(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('CONFIG_INVALID');
    return (e as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected a ConfigError');
}

describe('experiment config (pure TS)', () => {
  it("fills the paper's defaults", () => {
    const c = resolveExperiment(minimal, { baseDir: '/data' });
    expect(c.teacher.optimizer).toEqual({ name: 'adam', lr: 1e-3, weightDecay: 1e-4 });
    expect(c.teacher.epochs).toBe(100);
    expect(c.loss).toEqual({ wKd: 1, wPx: 1, wCe: 0, temperature: 1, pixel: 'l2', resize: 'maxpool' });
    expect(c.augment).toEqual({ flips: true, rot90: false, jitter: { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 } });
    expect(c.normalize).toBe('dataset');
    expect(c.student.initFromTeacher).toBe(false);
    expect(c.evaluation).toEqual({ split: 'test', bootstrap: 10_000, metric: 'accuracy', margin: 1 });
    expect(c.model).toEqual({ name: 'gn_resnet', norm: 'group', widths: [32, 64, 128, 256], blocks: [1, 1, 1, 1] });
    expect(c.magnifications).toEqual({ teacher: 10, students: [5, 2.5, 1.25] });
    expect(c.data).toMatchObject({ root: '/data/imgs', splits: { train: 0.6, val: 0.2, test: 0.2, unlabeled: 0, seed: 0 } });
    expect(c.seeds).toEqual([0]);
  });

  it('defaults batch 1 x 32 accumulation for tissue pieces and 16 x 1 for tiles', () => {
    const pieces = resolveExperiment({ data: { source: 'slides', csv: 's.csv', unit: { kind: 'pieces' } } });
    expect([pieces.teacher.batchSize, pieces.teacher.accumulate]).toEqual([1, 32]);
    const tiles = resolveExperiment({
      data: { source: 'slides', csv: 's.csv', unit: { kind: 'tiles', sizeUm: 512 } },
      student: { batchSize: 8 },
    });
    expect([tiles.teacher.batchSize, tiles.teacher.accumulate]).toEqual([16, 1]);
    expect([tiles.student.batchSize, tiles.student.accumulate]).toEqual([8, 1]);
  });

  it('data.test is an external test set: resolved against the config folder, and the internal split then has no test share', () => {
    const c = resolveExperiment(
      { data: { source: 'images', root: 'imgs', mpp: 0.5, test: 'held-out', splits: { train: 0.8, val: 0.2, test: 0 } } },
      { baseDir: '/data' },
    );
    expect(c.data).toMatchObject({ root: '/data/imgs', test: '/data/held-out' });
    expect(problems({ data: { source: 'images', root: 'imgs', mpp: 0.5, test: 'held-out' } })).toEqual([
      expect.stringMatching(/^data\.splits\.test: must be 0 when data\.test is given/),
    ]);
  });

  it('jitter: null turns colour jitter off', () => {
    expect(resolveExperiment({ ...minimal, augment: { jitter: null } }).augment.jitter).toBeNull();
  });

  it('lists every bad field at once, each by its path', () => {
    const lines = problems({
      data: { source: 'slides', csv: 's.csv', unit: { kind: 'tiles', sizeUm: -1 }, splits: { train: 0.9 } },
      magnifications: { teacher: 10, students: [5, 20, 5] },
      teacher: { epochs: 0, optimizer: { lr: 'fast' } },
      seeds: [1, 1],
      lossWeights: {},
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^data\.unit\.sizeUm: /),
        expect.stringMatching(/^data\.splits\.train: train \+ val \+ test must sum to 1/),
        expect.stringMatching(/^magnifications\.students\[1\]: student 20x must be below/),
        expect.stringMatching(/^magnifications\.students\[2\]: 5x is listed twice/),
        expect.stringMatching(/^teacher\.epochs: /),
        expect.stringMatching(/^teacher\.optimizer\.lr: /),
        expect.stringMatching(/^seeds\[1\]: seed 1 is listed twice/),
        'lossWeights: unknown field',
      ]),
    );
  });

  it('names an unknown data source and a missing required field', () => {
    expect(problems({ data: { source: 'zarr' } })).toEqual([expect.stringMatching(/^data\.source: /)]);
    expect(problems({ data: { source: 'images', root: 'x' } })).toEqual([expect.stringMatching(/^data\.mpp: /)]);
    expect(problems({ data: { source: 'images', mpp: 1 } })).toEqual([
      'data.root: give exactly one of data.root (class folders) or data.csv',
    ]);
  });

  it('refuses an unlabeled sweep without an unlabeled pool', () => {
    expect(problems({ ...minimal, sweep: { unlabeledFractions: [0.5, 1] } })).toEqual([expect.stringMatching(/^sweep: .*unlabeled > 0/)]);
  });

  it('reads YAML and JSON files with paths relative to the file, and names syntax errors', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'e.yaml'), 'data:\n  source: images\n  csv: list.csv\n  mpp: 0.5\nseeds: [3, 4]\n');
    const c = loadExperiment(path.join(dir, 'e.yaml'));
    expect(c.data).toMatchObject({ csv: path.join(dir, 'list.csv') });
    expect(c.seeds).toEqual([3, 4]);
    writeFileSync(path.join(dir, 'bad.json'), '{ "data": ');
    expect(() => loadExperiment(path.join(dir, 'bad.json'))).toThrow(/CONFIG_INVALID|bad\.json/);
    expect(() => loadExperiment(path.join(dir, 'missing.json'))).toThrow(ConfigError);
  });

  it('the checked-in experiments/experiment.schema.json is the current export', () => {
    const file = path.join(repoRoot, 'experiments', 'experiment.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(experimentJsonSchema());
    const schema = experimentJsonSchema() as { properties: Record<string, { default?: unknown }> };
    expect(schema.properties.seeds?.default).toEqual([0]);
  });
});
