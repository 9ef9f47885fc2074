// Needs the addon (training, eval, cost and synth jobs) and the built CLI (dist/, whose worker process runs each
// step). A tiny SYNTHETIC experiment run with `--parallel 2` (two runs at once, one LibTorch thread each) ends
// with the same metrics and bitwise the same weights as the sequential run on one thread, and the log shows runs
// overlapping with every student started after its teacher finished. `--nproc-per-node 2` trains every run as two
// c10d/Gloo ranks (batchSize per rank) and finishes the experiment.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunName, runDir } from '../../src/experiment/layout.js';
import { readLog } from '../../src/experiment/rundir.js';
import { loadBinding } from '../../src/native.js';
import { runCli, tempDir } from '../support.js';

function hasTraining(): boolean {
  try {
    return loadBinding().jobKinds().some((k) => k.kind === 'train.distill');
  } catch {
    return false;
  }
}

const tiny = {
  name: 'parallel-test (SYNTHETIC)',
  data: { source: 'synthetic', slidesPerClass: 6, seed: 0, unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 8 }, splits: { train: 0.4, val: 0.3, test: 0.3, unlabeled: 0.25 } },
  magnifications: { teacher: 10, students: [2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 2, batchSize: 8 },
  student: { epochs: 2, batchSize: 8 },
  evaluation: { bootstrap: 200 },
  seeds: [0, 1],
  device: 'cpu',
};

interface Results {
  complete: boolean;
  runs: { key: string; metrics: unknown }[];
}

function planned(dir: string): RunName[] {
  return (JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { runs: RunName[] }).runs;
}

function outcome(dir: string): { metrics: Record<string, unknown>; weights: Record<string, string> } {
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
  expect(results.complete).toBe(true);
  const runs = new Map(planned(dir).map((r) => [r.key, r]));
  const weights: Record<string, string> = {};
  for (const r of results.runs) {
    const file = path.join(runDir(dir, runs.get(r.key)!), 'final.safetensors');
    weights[r.key] = existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing';
  }
  return { metrics: Object.fromEntries(results.runs.map((r) => [r.key, r.metrics])), weights };
}

describe.skipIf(!hasTraining())('resdistill run --parallel 2 / --nproc-per-node 2 (CLI, addon, worker processes)', () => {
  it('matches the sequential run (metrics, weights) and starts students only after their teacher', () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    const sequential = path.join(root, 'sequential');
    const a = runCli(['run', config, '--out', sequential, '--json', '--threads', '1'], { timeout: 900_000 });
    expect(a.status, a.stderr + a.stdout).toBe(0);
    const parallel = path.join(root, 'parallel');
    const b = runCli(['run', config, '--out', parallel, '--json', '--threads', '2', '--parallel', '2'], { timeout: 900_000 });
    expect(b.status, b.stderr + b.stdout).toBe(0);

    const seq = outcome(sequential);
    const par = outcome(parallel);
    expect(Object.keys(seq.metrics).length).toBeGreaterThan(2);
    expect(par.metrics).toEqual(seq.metrics);
    expect(Object.values(seq.weights)).not.toContain('missing');
    expect(par.weights).toEqual(seq.weights);

    const log = readLog(parallel);
    const plan = JSON.parse(readFileSync(path.join(parallel, 'plan.json'), 'utf8')) as { runs: { key: string; dependsOn: string[] }[] };
    const at = (event: string, key: string) => log.findIndex((l) => l.event === event && l.key === key);
    for (const run of plan.runs) for (const dep of run.dependsOn) expect(at('run-start', run.key)).toBeGreaterThan(at('run-done', dep));
    // Two runs were in flight at once at least once.
    let open = 0;
    let peak = 0;
    for (const l of log) {
      if (l.event === 'run-start') peak = Math.max(peak, ++open);
      if (l.event === 'run-done') open--;
    }
    expect(peak).toBe(2);
  });

  it('--nproc-per-node 2 runs every training step as 2 Gloo ranks and completes the experiment', () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify({ ...tiny, seeds: [0] }));
    const out = path.join(root, 'ranks');
    const r = runCli(['run', config, '--out', out, '--json', '--nproc-per-node', '2'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const trained = planned(out).filter((run) => run.kind === 'train');
    expect(trained.length).toBeGreaterThan(0);
    for (const run of trained) {
      const step = JSON.parse(readFileSync(path.join(runDir(out, run), 'steps', 'train.json'), 'utf8')) as { result: { distributed: unknown } };
      expect(step.result.distributed).toMatchObject({ backend: 'gloo', worldSize: 2, rank: 0, batchPerRank: 8, globalBatch: 16 });
    }
    expect(outcome(out).metrics).not.toEqual({});
  });
});
