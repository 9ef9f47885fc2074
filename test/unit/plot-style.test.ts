// Pure TS: the report's plot helpers. Legends list only the methods that were run; log-axis ticks are few enough
// not to collide; training-curve epochs tick at whole numbers.
import { describe, expect, it } from 'vitest';
import { trainingCurvesSpec } from '../../src/report/curves.js';
import { logTicks, methodScales } from '../../src/report/plot-style.js';
import { parseResults, type ResultsInput } from '../../src/report/results.js';

describe('report plot helpers (pure TS)', () => {
  it('colour and shape scales hold only the methods present, in the fixed order', () => {
    const s = methodScales([{ method: 'KD student' }, { method: 'Teacher' }, { method: 'KD student' }]);
    expect(s.color.domain).toEqual(['Teacher', 'KD student']);
    expect(s.color.range).toHaveLength(2);
    expect(s.shape.domain).toEqual(['Teacher', 'KD student']);
  });

  it('log ticks: 1-2-5 over one decade, 1-3 over a few, decades over many', () => {
    expect(logTicks(0.9, 9)).toEqual([1, 2, 5]);
    expect(logTicks(0.009, 5.8)).toEqual([0.01, 0.03, 0.1, 0.3, 1, 3]);
    expect(logTicks(0.0009, 90)).toEqual([0.001, 0.01, 0.1, 1, 10]);
  });

  it('training curves tick epochs at whole numbers, however few', () => {
    const run = (epochs: number) => ({
      method: 'teacher',
      magnification: 10,
      seed: 0,
      metrics: { accuracy: 0.9, balancedAccuracy: 0.9, macroF1: 0.9, macroPrecision: 0.9, macroRecall: 0.9, auc: null, ci: {} },
      history: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), valLoss: null, valAccuracy: null })),
      cost: null,
    });
    const spec = trainingCurvesSpec(parseResults({ experiment: 'x', runs: [run(2)] } as ResultsInput)) as unknown as {
      spec: { encoding: { x: { axis: { tickMinStep: number; format: string } } } };
    };
    expect(spec.spec.encoding.x.axis).toMatchObject({ tickMinStep: 1, format: 'd' });
  });
});
