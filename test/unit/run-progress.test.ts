// Pure TS: the progress bar's fraction for a step comes from epoch/step events of training jobs and done/total
// events of the others; events without either leave the bar where it is.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { epochLine, progressListener, stepFraction } from '../../src/cli/run-progress.js';
import type { PlannedRun } from '../../src/experiment/plan.js';

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

describe('run progress on a stream that is not a terminal (SLURM, nohup, CI)', () => {
  const epoch = { type: 'epoch', epoch: 3, epochs: 20, loss: 0.41234, val: { loss: 0.50111, accuracy: 0.7134 }, etaSeconds: 125 };

  it('formats an epoch as one line: epoch, losses, validation accuracy and ETA', () => {
    expect(epochLine('kd 5x seed 0', 'train', epoch)).toBe(
      'kd 5x seed 0  train epoch 3/20  loss 0.4123  val loss 0.5011  val accuracy 71.3%  ETA 2m05s',
    );
    expect(epochLine('kd 5x seed 0', 'train', { type: 'step', epoch: 3, step: 1, steps: 9 })).toBeUndefined();
  });

  it('writes each epoch line as it comes, between "running" and "finished"', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const listener = progressListener(stream);
    const run = { key: 'k', label: 'kd 5x seed 0', steps: [{ name: 'train' }, { name: 'eval' }] } as unknown as PlannedRun;
    listener.onRunStart!(run);
    listener.onJobEvent!(run, 'train', epoch);
    expect(text).toBe(
      'running kd 5x seed 0\nkd 5x seed 0  train epoch 3/20  loss 0.4123  val loss 0.5011  val accuracy 71.3%  ETA 2m05s\n',
    );
    listener.onRunDone!(run, {} as never);
    listener.stop();
    expect(text).toContain('ETA 2m05s\nfinished kd 5x seed 0\n');
  });

  it("prints a job's warning as its own line, named by the run", () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const listener = progressListener(stream);
    const run = { key: 'k', label: 'kd+at 2.5x seed 0', steps: [{ name: 'train' }] } as unknown as PlannedRun;
    listener.onJobEvent!(run, 'train', { type: 'warning', message: 'loss.attention: the map is 1 x 1' });
    listener.stop();
    expect(text).toContain('warning: kd+at 2.5x seed 0: loss.attention: the map is 1 x 1\n');
  });
});
