// Measured cost jobs: they run, name their threads and device, and refuse bad input. Timing itself is never asserted.
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';

describe('measured cost jobs (needs the addon)', () => {
  it('cost.measure reports forward and training throughput and latency per size, with threads and device', async () => {
    const r = await runJob<{ device: string; threads: number; rows: Record<string, number>[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [
        [32, 48],
        [16, 16],
      ],
      batchSize: 2,
      reps: 1,
      threads: 1,
    });
    expect(r.device).toBe('cpu');
    expect(r.threads).toBe(1);
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) {
      for (const k of ['forwardImagesPerSecond', 'forwardLatencyMs', 'trainImagesPerSecond', 'trainLatencyMs'])
        expect(row[k]).toBeGreaterThan(0);
    }
  });

  it('one memory-format rule: NHWC only for CPU forward passes from 240 x 240 px, never for training, unless forced', async () => {
    type Row = { height: number; channelsLast: boolean; trainChannelsLast: boolean };
    const auto = await runJob<{ channelsLast: unknown; rows: Row[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [
        [240, 240],
        [239, 240],
        [56, 56],
      ],
      batchSize: 1,
      reps: 1,
      threads: 1,
    });
    expect(auto.channelsLast).toBe('auto');
    expect(auto.rows.map((r) => [r.channelsLast, r.trainChannelsLast])).toEqual([
      [true, false],
      [false, false],
      [false, false],
    ]);
    const forced = await runJob<{ rows: Row[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [[56, 56]],
      batchSize: 1,
      reps: 1,
      threads: 1,
      channelsLast: true,
    });
    expect([forced.rows[0]!.channelsLast, forced.rows[0]!.trainChannelsLast]).toEqual([true, true]);
    const step = await runJob<{ channelsLast: boolean; teacherChannelsLast: boolean }>('bench.trainStep', {
      size: 240,
      batchSize: 1,
      steps: 1,
      threads: 1,
    });
    expect(step).toMatchObject({ channelsLast: false, teacherChannelsLast: true }); // formats as the training jobs choose them
  });

  it('batch parallel: small CPU forward passes split the batch across 2 threads, not at 1 thread or from 129 px', async () => {
    type Row = { height: number; batchParallel: boolean };
    const two = await runJob<{ rows: Row[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [
        [28, 28],
        [128, 128],
        [129, 129],
      ],
      batchSize: 4,
      reps: 1,
      train: false,
      threads: 2,
    });
    expect(two.rows.map((r) => r.batchParallel)).toEqual([true, true, false]);
    const one = await runJob<{ rows: Row[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [[28, 28]],
      batchSize: 4,
      reps: 1,
      train: false,
      threads: 1,
    });
    expect(one.rows[0]!.batchParallel).toBe(false);
    const three = await runJob<{ rows: Row[] }>('cost.measure', {
      model: 'gn_resnet',
      sizes: [[28, 28]],
      batchSize: 3,
      reps: 1,
      train: false,
      threads: 2,
    });
    expect(three.rows[0]!.batchParallel).toBe(false); // fewer than 2 images per thread
  });

  it('bench.trainStep runs the peer-shaped supervised and distillation steps', async () => {
    const r = await runJob<Record<string, number | string>>('bench.trainStep', { size: 32, batchSize: 2, steps: 1, threads: 1 });
    expect(r).toMatchObject({ size: 32, batchSize: 2, threads: 1, device: 'cpu' });
    expect(r.supervisedImagesPerSecond).toBeGreaterThan(0);
    expect(r.distillImagesPerSecond).toBeGreaterThan(0);
  });

  it('an unavailable device is DEVICE_UNAVAILABLE or a bad one CONFIG_INVALID, not a crash', async () => {
    await expect(runJob('cost.measure', { model: 'gn_resnet', height: 16, device: 'tpu' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    const cuda = runJob('cost.measure', { model: 'gn_resnet', height: 16, batchSize: 1, reps: 1, device: 'cuda' });
    await cuda.then(
      () => undefined,
      (e: { code: string }) => expect(e.code).toBe('DEVICE_UNAVAILABLE'),
    );
  });
});
