// Needs the native build: the C++ driver runs the same core jobs as the addon, without Node.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support.js';

const driver = path.join(repoRoot, 'build', 'resdistill-driver');

describe('resdistill-driver (native build)', () => {
  it('runs bench.matmul: JSON-lines events on stderr, the result on stdout', () => {
    const r = spawnSync(driver, ['run', 'bench.matmul', '-', '--threads', '1'], { input: '{"n":64,"reps":3}', encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 64, reps: 3, threads: 1 });
    expect(
      r.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).done),
    ).toEqual([1, 2, 3]);
  });

  it('reports failures as {error: {code, message}} with exit 1', () => {
    const r = spawnSync(driver, ['run', 'bench.matmul', '-'], { input: '{"n":"x"}', encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('CONFIG_INVALID');
  });

  it('lists the registered jobs and prints build facts', () => {
    expect(spawnSync(driver, ['jobs'], { encoding: 'utf8' }).stdout).toContain('bench.matmul');
    const info = JSON.parse(spawnSync(driver, ['info'], { encoding: 'utf8' }).stdout);
    expect(info.libtorch.version).toMatch(/^\d+\.\d+/);
  });
});
