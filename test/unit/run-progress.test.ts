// Pure TS: the progress bar's fraction for a step comes from epoch/step events of training jobs and done/total
// events of the others; events without either leave the bar where it is.
import { describe, expect, it } from 'vitest';
import { stepFraction } from '../../src/cli/run-progress.js';

describe('run progress (pure TS)', () => {
  it('reads epochs, batches within an epoch, and done/total', () => {
    expect(stepFraction({ type: 'epoch', epoch: 3, epochs: 10 })).toBeCloseTo(0.3, 12);
    expect(stepFraction({ type: 'step', epoch: 2, epochs: 4, step: 5, steps: 10 })).toBeCloseTo(0.375, 12);
    expect(stepFraction({ type: 'progress', done: 7, total: 28 })).toBeCloseTo(0.25, 12);
    expect(stepFraction({ type: 'progress', done: 30, total: 28 })).toBe(1);
    expect(stepFraction({ type: 'log', message: 'hello' })).toBeUndefined();
    expect(stepFraction({ type: 'epoch', epoch: 1, epochs: 0 })).toBeUndefined();
  });
});
