// Pure TS: `resdistill compare` (src/report/compare-experiments.ts) pairs two experiments row by row, by seed and
// test unit: B - A is the difference of the seed means with a two-level interval; rows missing on either side are
// left out; experiments with other classes, or with no row in common, are refused.
import { describe, expect, it } from 'vitest';
import { compareExperiments, experimentDifferenceTable } from '../../src/report/compare-experiments.js';
import { parseResults, type ResultsInput } from '../../src/report/results.js';
import { samplesFor } from '../report-samples.js';

function run(method: string, magnification: number, seed: number, accuracy: number) {
  const m = { accuracy, balancedAccuracy: accuracy, macroF1: accuracy, macroPrecision: accuracy, macroRecall: accuracy, auc: null, ci: {} };
  return { method, magnification, seed, metrics: m, samples: samplesFor(accuracy), cost: null };
}

const results = (runs: ReturnType<typeof run>[], classes = ['a', 'b', 'c']) =>
  parseResults({ experiment: 'x', classes, runs } as ResultsInput);

describe('compare two experiments (pure TS)', () => {
  const a = results([run('teacher', 10, 0, 0.6), run('teacher', 10, 1, 0.7), run('kd', 2.5, 0, 0.5), run('kd', 2.5, 1, 0.5)]);
  const b = results([run('teacher', 10, 0, 0.8), run('teacher', 10, 1, 0.9), run('baseline', 2.5, 0, 0.4), run('baseline', 2.5, 1, 0.4)]);

  it('gives B - A per shared row over the samples, paired by seed, the interval resampling the 12 groups', () => {
    const rows = compareExperiments(a, b, 'accuracy');
    expect(rows.map((r) => `${r.method}@${r.magnification}`)).toEqual(['teacher@10']); // kd and baseline are one-sided
    const [t] = rows;
    expect(t!.a).toBeCloseTo(0.65, 10);
    expect(t!.b).toBeCloseTo(0.85, 10);
    expect(t!.difference.value).toBeCloseTo(0.2, 10);
    expect(t!).toMatchObject({ units: 12, unmatched: 0, runs: [2, 2], pairedSeeds: true });
    expect(t!.difference.ci![0]).toBeLessThan(0.2);
    expect(t!.difference.ci![1]).toBeGreaterThan(0.2);
    expect(experimentDifferenceTable(rows, ['none', 'macenko'], 'accuracy')).toContain('| teacher | 10x | 65.0 | 85.0 | +20.0 [');
  });

  it('refuses experiments with other classes, another test split, or no row in common', () => {
    const relabelled = results(
      b.runs.map((r) => ({ ...r, samples: { ...r.samples!, labels: r.samples!.labels.map((y) => (y + 1) % 3) } })) as never,
    );
    expect(() => compareExperiments(a, relabelled, 'accuracy')).toThrow(/different test splits/);
    expect(() => compareExperiments(a, results(b.runs as never, ['a', 'b', 'z']), 'accuracy')).toThrow(/different classes/);
    expect(() => compareExperiments(results([run('kd', 2.5, 0, 0.5)]), results([run('kd', 5, 0, 0.5)]), 'accuracy')).toThrow(
      /share no row/,
    );
  });
});
