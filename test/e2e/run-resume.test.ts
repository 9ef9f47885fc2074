// Needs the addon with the extraction, training, eval and cost jobs registered (skipped until they are: the
// condition is checked with jobKinds()). A tiny SYNTHETIC experiment run straight through, and the same experiment
// SIGKILLed after its first finished run and then rerun, end with the same results.json metrics.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from '../../src/experiment/plan.js';
import { readLog } from '../../src/experiment/rundir.js';
import { loadBinding } from '../../src/native.js';
import { cli, runCli, tempDir } from '../support.js';

function registeredKinds(): string[] {
  try {
    return loadBinding().jobKinds().map((k) => k.kind);
  } catch {
    return [];
  }
}
const kinds = registeredKinds();
// cost.model is composed in TypeScript (src/experiment/steps.ts) from cost.count and cost.measure.
const needed = [...Object.values(JOB_KINDS).filter((k) => k !== 'cost.model'), 'cost.count', 'cost.measure', 'synth.cohort'];
const ready = needed.every((k) => kinds.includes(k));

const tiny = {
  name: 'resume-test (SYNTHETIC)',
  data: { source: 'synthetic', slidesPerClass: 6, seed: 0, unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 8 }, splits: { train: 0.4, val: 0.3, test: 0.3, unlabeled: 0.25 } },
  magnifications: { teacher: 10, students: [2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 2, batchSize: 8 },
  student: { epochs: 2, batchSize: 8 },
  evaluation: { bootstrap: 200 },
  seeds: [0],
  device: 'cpu',
  threads: 2,
};

function metricsByKey(dir: string): Record<string, unknown> {
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as { runs: { key: string; metrics: unknown }[]; complete: boolean };
  expect(results.complete).toBe(true);
  return Object.fromEntries(results.runs.map((r) => [r.key, r.metrics]));
}

describe.skipIf(!ready)('resdistill run killed and resumed (CLI, addon with training jobs)', () => {
  it('reaches the same results as an uninterrupted run', async () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    const straight = path.join(root, 'straight');
    const r = runCli(['run', config, '--out', straight, '--json'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);

    const resumed = path.join(root, 'resumed');
    const child = spawn(process.execPath, [cli, 'run', config, '--out', resumed, '--quiet'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const done = existsSync(path.join(resumed, 'log.jsonl')) && readLog(resumed).filter((l) => l.event === 'run-done').length >= 2;
        if (done) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 50);
      child.once('exit', (code) => {
        clearInterval(timer);
        code === null ? resolve() : reject(new Error(`run exited (${code}) before it could be killed`));
      });
    });
    await new Promise((res) => (child.exitCode !== null || child.signalCode !== null ? res(null) : child.once('exit', res)));
    const again = runCli(['run', config, '--out', resumed, '--json'], { timeout: 900_000 });
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(JSON.parse(again.stdout).skipped).toBeGreaterThanOrEqual(2);
    expect(metricsByKey(resumed)).toEqual(metricsByKey(straight));
  }, 1_800_000);
});
