// Needs the addon (training, eval, cost and synth jobs) and the built CLI (dist/, whose worker process runs each
// step). A tiny SYNTHETIC experiment run with `--parallel 2` (two runs at once, one LibTorch thread each) ends
// with the same metrics and bitwise the same weights as the sequential run on one thread, and the log shows runs
// overlapping with every student started after its teacher finished; `--devices cpu,cpu` (the same pool, one run
// per device) gives those numbers too. `--nproc-per-node 2` trains every run as two c10d/Gloo ranks (batchSize per
// rank) and finishes the experiment; two `resdistill run` processes as two machines (--nnodes 2, --node-rank 0
// and 1, one rank each) give the same weights and metrics, with only node 0 writing.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunName, runDir } from '../../src/experiment/layout.js';
import { readLog } from '../../src/experiment/rundir.js';
import { freePort } from '../../src/experiment/parallel.js';
import { loadBinding } from '../../src/native/addon.js';
import { runCli, runCliAsync, tempDir } from '../support.js';

function hasTraining(): boolean {
  try {
    return loadBinding()
      .jobKinds()
      .some((k) => k.kind === 'train.distill');
  } catch {
    return false;
  }
}

const tiny = {
  name: 'parallel-test (SYNTHETIC)',
  data: {
    source: 'synthetic',
    slidesPerClass: 6,
    seed: 0,
    unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 8 },
    splits: { train: 0.4, val: 0.3, test: 0.3, unlabeled: 0.25 },
  },
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
  /** Trained runs have a key; the teacher's references (majority class, colour reference) have none. */
  runs: { key?: string; method: string; metrics: unknown }[];
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
    if (r.key === undefined) continue;
    const file = path.join(runDir(dir, runs.get(r.key)!), 'final.safetensors');
    weights[r.key] = existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing';
  }
  return { metrics: Object.fromEntries(results.runs.map((r) => [r.key ?? r.method, r.metrics])), weights };
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

    // --devices cpu,cpu is --parallel 2 with a device per run: the same numbers (seed 0's runs, to stay cheap).
    writeFileSync(config, JSON.stringify({ ...tiny, seeds: [0] }));
    const devices = path.join(root, 'devices');
    const c = runCli(['run', config, '--out', devices, '--json', '--threads', '2', '--devices', 'cpu,cpu'], { timeout: 900_000 });
    expect(c.status, c.stderr + c.stdout).toBe(0);
    const dev = outcome(devices);
    expect(Object.keys(dev.metrics).length).toBeGreaterThan(2);
    for (const key of Object.keys(dev.metrics)) {
      expect(dev.metrics[key]).toEqual(seq.metrics[key]);
      expect(dev.weights[key]).toEqual(seq.weights[key]);
    }
  }, 1_800_000);

  it('--nproc-per-node 2 runs every training step as 2 Gloo ranks; two machines of one rank each give the same', async () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify({ ...tiny, seeds: [0] }));
    const out = path.join(root, 'ranks');
    const r = runCli(['run', config, '--out', out, '--json', '--threads', '2', '--nproc-per-node', '2'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const trained = planned(out).filter((run) => run.kind === 'train');
    expect(trained.length).toBeGreaterThan(0);
    for (const run of trained) {
      const step = JSON.parse(readFileSync(path.join(runDir(out, run), 'steps', 'train.json'), 'utf8')) as {
        result: { distributed: unknown };
      };
      expect(step.result.distributed).toMatchObject({ backend: 'gloo', worldSize: 2, rank: 0, batchPerRank: 8, globalBatch: 16 });
    }
    const ranks = outcome(out);
    expect(ranks.metrics).not.toEqual({});

    const nodes = path.join(root, 'nodes');
    const port = String(await freePort());
    const node = (rank: number) =>
      runCliAsync(
        [
          'run',
          config,
          '--out',
          nodes,
          '--json',
          '--threads',
          '1',
          '--nnodes',
          '2',
          '--node-rank',
          String(rank),
          '--master-addr',
          '127.0.0.1',
          '--master-port',
          port,
        ],
        { timeout: 900_000 },
      );
    const [leader, follower] = await Promise.all([node(0), node(1)]);
    expect(leader.status, leader.stderr + leader.stdout).toBe(0);
    expect(follower.status, follower.stderr + follower.stdout).toBe(0);
    expect(JSON.parse(follower.stdout)).toMatchObject({ ranks: { first: 1, last: 1, world: 2 }, trained: trained.length, skipped: 0 });
    const both = outcome(nodes);
    expect(both.metrics).toEqual(ranks.metrics);
    expect(both.weights).toEqual(ranks.weights);
    // Node 0 alone wrote: one session in the log.
    expect(readLog(nodes).filter((l) => l.event === 'session')).toHaveLength(1);
  }, 1_800_000);
});
