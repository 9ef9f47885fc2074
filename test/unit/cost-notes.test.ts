// Pure TS, hand-written results: the report shows FLOPs that input rounding explains as a note, and a student
// that saves nothing (the teacher's pixels at a lower magnification) as a warning.
import { describe, expect, it } from 'vitest';
import { costChecks } from '../../src/report/cost-notes.js';
import { parseResults, type ResultsInput } from '../../src/report/results.js';
import { summarize } from '../../src/report/summary.js';

function run(method: string, seed: number, px: number, flops: number) {
  const accuracy = method === 'teacher' ? 0.9 : 0.8;
  return {
    method,
    magnification: method === 'teacher' ? 10 : 2.5,
    seed,
    metrics: {
      accuracy,
      balancedAccuracy: accuracy,
      macroF1: accuracy,
      macroPrecision: accuracy,
      macroRecall: accuracy,
      auc: null,
      ci: {},
    },
    cost: { macs: flops / 2, flops, imagesPerSecond: 1, height: px, width: px },
  };
}

const results = (studentPx: number, studentFlops: number) =>
  parseResults({ experiment: 'cost', runs: [run('teacher', 0, 160, 150118784), run('kd', 0, studentPx, studentFlops)] } as ResultsInput);

describe('FLOPs checks in the report (pure TS)', () => {
  it("the demo's 1/14.9 at 40 px (stride-2 rounding) is a note, not a warning", () => {
    const checks = costChecks(summarize(results(40, 10077568)));
    expect(checks.warnings).toEqual([]);
    expect(checks.notes).toEqual([expect.stringMatching(/^2\.5x costs 1\/14\.9 .* round small feature maps up/)]);
  });

  it('an upsampled student is a warning', () => {
    const checks = costChecks(summarize(results(160, 150118784)));
    expect(checks.notes).toEqual([]);
    expect(checks.warnings).toEqual([expect.stringMatching(/saves nothing/)]);
  });
});
