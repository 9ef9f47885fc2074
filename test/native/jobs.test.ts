// Needs the addon: the async job framework (off-thread, ordered events, AbortSignal, typed errors).
import { describe, expect, it } from 'vitest';
import { CancelledError, ConfigError } from '../../src/util/errors.js';
import { runJob, type JobEvent } from '../../src/native/job.js';
import { native, nativeVersions } from '../../src/native/addon.js';

interface MatmulResult {
  n: number;
  reps: number;
  gflops: number;
  threads: number;
}

const cudaAvailable = () => nativeVersions().libtorch.cuda.available;

describe('native jobs (addon)', () => {
  it('runs a real LibTorch job off the main thread and resolves with its result', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const result = await runJob<MatmulResult>('bench.matmul', { n: 384, reps: 20 });
    clearInterval(timer);
    expect(result).toMatchObject({ n: 384, reps: 20 });
    expect(result.gflops).toBeGreaterThan(0);
    expect(result.threads).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeGreaterThan(0); // the event loop kept turning while the job ran
  });

  it('delivers every progress event in order, all before the promise settles', async () => {
    const events: JobEvent[] = [];
    let settledAt = -1;
    await runJob('bench.matmul', { n: 64, reps: 50 }, { onEvent: (e) => events.push(e) }).then(() => (settledAt = events.length));
    expect(events.map((e) => e.done)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(events.every((e) => e.type === 'progress' && e.total === 50)).toBe(true);
    expect(settledAt).toBe(50);
  });

  it('stops a running job on AbortSignal and rejects with CANCELLED; the addon keeps working', async () => {
    const controller = new AbortController();
    const events: JobEvent[] = [];
    const job = runJob(
      'bench.matmul',
      { n: 256, reps: 1_000_000 },
      {
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (events.length === 3) controller.abort();
        },
      },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events.length).toBeLessThan(1000);
    await expect(runJob('bench.matmul', { n: 32, reps: 1 })).resolves.toMatchObject({ n: 32 });
  });

  it('rejects an already-aborted signal without starting the job', async () => {
    await expect(runJob('bench.matmul', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('maps failing native calls to typed errors with stable codes, and Node stays alive', async () => {
    await expect(runJob('no.such.job', {})).rejects.toBeInstanceOf(ConfigError);
    await expect(runJob('no.such.job', {})).rejects.toThrow(/unknown job kind 'no.such.job'.*bench.matmul/);
    await expect(runJob('bench.matmul', { n: 'big' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.n'),
    });
    await expect(runJob('bench.matmul', { n: -3 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.n'),
    });
    const binding = native();
    await expect(binding.runJob('bench.matmul', '{not json', () => {}, new binding.CancelToken())).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(() => binding.runJob(1 as unknown as string, '{}', () => {}, new binding.CancelToken())).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => binding.setThreads('x' as unknown as number)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    await expect(runJob('bench.matmul', { n: 8, reps: 1 })).resolves.toMatchObject({ n: 8 });
  });

  it.skipIf(cudaAvailable())('asks for CUDA on a CPU-only LibTorch and gets DEVICE_UNAVAILABLE (skipped when CUDA exists)', async () => {
    await expect(runJob('bench.matmul', { device: 'cuda' })).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
  });

  it('sets LibTorch intra-op threads explicitly (LibTorch defaults to 1 here)', () => {
    const binding = native();
    const cores = nativeVersions().usableCores;
    expect(binding.setThreads(1)).toBe(1);
    expect(binding.setThreads(0)).toBe(cores);
  });

  it("our own at::parallel_for loops really use the threads set (the core is built with ATen's OpenMP)", () => {
    const binding = native();
    const cores = nativeVersions().usableCores;
    binding.setThreads(2);
    expect(nativeVersions().parallelForThreads).toBe(2);
    binding.setThreads(cores);
  });
});
