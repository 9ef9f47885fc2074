// No addon: the pool behind `resdistill run --parallel K` starts a run only after its dependencies finished, keeps at
// most K running, runs exclusive tasks (cost measurements) alone, and after a failure starts nothing new.
import { describe, expect, it } from 'vitest';
import { type PoolTask, runPool } from '../../src/experiment/parallel.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

function recorder() {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const concurrent: string[][] = [];
  const active = new Set<string>();
  const task = (key: string, dependsOn: string[] = [], extra: Partial<PoolTask> = {}, fail = false): PoolTask => ({
    key,
    dependsOn,
    ...extra,
    run: async () => {
      running++;
      peak = Math.max(peak, running);
      active.add(key);
      concurrent.push([...active].sort());
      log.push(`start ${key}`);
      await tick();
      log.push(`end ${key}`);
      active.delete(key);
      running--;
      if (fail) throw new Error(`${key} failed`);
    },
  });
  return { log, task, peak: () => peak, concurrent };
}

describe('runPool (the --parallel scheduler)', () => {
  it('respects dependencies and the limit', async () => {
    const r = recorder();
    await runPool([r.task('teacher'), r.task('baseline'), r.task('kd', ['teacher']), r.task('kd2', ['teacher']), r.task('other')], 2);
    expect(r.peak()).toBe(2);
    expect(r.log.indexOf('start kd')).toBeGreaterThan(r.log.indexOf('end teacher'));
    expect(r.log.indexOf('start kd2')).toBeGreaterThan(r.log.indexOf('end teacher'));
    expect(r.log.filter((l) => l.startsWith('end'))).toHaveLength(5);
  });

  it('runs exclusive tasks alone', async () => {
    const r = recorder();
    await runPool([r.task('a'), r.task('cost', [], { exclusive: true }), r.task('b'), r.task('c')], 3);
    for (const set of r.concurrent) if (set.includes('cost')) expect(set).toEqual(['cost']);
  });

  it('after a failure starts nothing new, lets the running finish and throws the first error', async () => {
    const r = recorder();
    await expect(runPool([r.task('a', [], {}, true), r.task('b'), r.task('c', ['a']), r.task('d', ['b'])], 2)).rejects.toThrow('a failed');
    expect(r.log).toContain('end b');
    expect(r.log).not.toContain('start c');
  });

  it('names dependencies that can never finish instead of hanging', async () => {
    const r = recorder();
    await expect(runPool([r.task('kd', ['missing'])], 2)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('missing'),
    });
  });
});
