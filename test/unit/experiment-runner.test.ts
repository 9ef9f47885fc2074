// Pure TS with real files: the run directory's snapshots, skipping of finished runs, resumption of an interrupted
// run at its first unfinished step, failure bookkeeping, lock refusal and atomic writes; --devices placement (each
// run's jobs on its own device, run keys unchanged) and what a machine other than rank 0's runs (training steps
// only, writing nothing). No native job is faked:
// finished runs are written as done records (input data), and the executor here only records what would run
// and refuses, so nothing pretends to train.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeError } from '../../src/util/errors.js';
import { resolveExperiment } from '../../src/config/load.js';
import { planExperiment, type PlannedRun } from '../../src/experiment/plan.js';
import { type DoneRecord, readLog, RunDir } from '../../src/experiment/rundir.js';
import { writeJsonAtomic } from '../../src/util/atomic-file.js';
import type { Executor } from '../../src/experiment/executor.js';
import { runExperiment } from '../../src/experiment/runner.js';
import { followExperiment } from '../../src/experiment/follower.js';
import { tempDir } from '../support.js';
import { runDir, runFolder } from '../../src/experiment/layout.js';

const config = resolveExperiment({
  name: 'runner-test',
  data: { source: 'synthetic', unit: { kind: 'tiles', sizeUm: 128 }, splits: { unlabeled: 0.25 } },
  magnifications: { teacher: 10, students: [2.5] },
  seeds: [0, 1],
});

/** Hand-written results of finished jobs: accuracy falls with magnification, kd above the baseline. */
function fixtureResults(run: PlannedRun): Record<string, unknown> {
  if (run.kind === 'extract') return { extract: { samples: 40 } };
  if (run.kind === 'cost') {
    const px = (128 / (10 / (run.magnification as number))) ** 2;
    return { cost: { macs: px * 1e4, flops: 2 * px * 1e4, params: 1000, imagesPerSecond: 1e6 / px } };
  }
  const acc = { teacher: 0.9, baseline: 0.7, kd: 0.8, 'kd-unlabeled': 0.82 }[run.method as string] as number;
  const accuracy = acc + 0.01 * (run.seed as number);
  return {
    train: { bestEpoch: 1, bestCheckpoint: `/ckpt/${run.key}.safetensors` },
    eval: {
      n: 100,
      accuracy,
      balancedAccuracy: accuracy,
      macroF1: accuracy,
      macroPrecision: accuracy,
      macroRecall: accuracy,
      auc: 0.95,
      ci: { accuracy: [accuracy - 0.05, accuracy + 0.05] },
    },
  };
}

function markDone(out: string, runs: PlannedRun[]): void {
  const dir = RunDir.open(out);
  try {
    for (const run of runs) {
      const record: DoneRecord = {
        key: run.key,
        label: run.label,
        kind: run.kind,
        identity: run.identity,
        results: fixtureResults(run),
        startedAt: '',
        finishedAt: '',
      };
      for (const k of ['method', 'magnification', 'seed'] as const) if (run[k] !== undefined) Object.assign(record, { [k]: run[k] });
      dir.markDone(run, record);
    }
  } finally {
    dir.close();
  }
}

/** Records each job it is asked for, then refuses it the way a cancelled native job does. */
function refusingExecutor(calls: { kind: string; spec: Record<string, unknown> }[]): Executor {
  return async (kind, spec) => {
    calls.push({ kind, spec: spec as Record<string, unknown> });
    throw makeError('CANCELLED', `job ${kind} cancelled`);
  };
}

describe('experiment runner bookkeeping (pure TS, real files)', () => {
  it('skips every finished run, runs no job, and writes results.json with cost per magnification', async () => {
    const out = tempDir();
    const plan = planExperiment(config, { outDir: out, device: 'cpu' });
    markDone(out, plan.runs);
    const never: Executor = async (kind) => {
      throw new Error(`no job should run, got ${kind}`);
    };
    const summary = await runExperiment(config, { outDir: out, device: 'cpu', executor: never });
    expect(summary.executed).toEqual([]);
    expect(summary.skipped).toHaveLength(plan.runs.length);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ experiment: 'runner-test', synthetic: true, teacherMagnification: 10, complete: true });
    expect(results.runs).toHaveLength(2 + 2 * 3);
    const kd = results.runs.find((r: any) => r.method === 'kd' && r.seed === 1);
    expect(kd).toMatchObject({
      magnification: 2.5,
      metrics: { accuracy: 0.81, auc: 0.95, ci: { accuracy: [0.81 - 0.05, 0.81 + 0.05] } },
      cost: { macs: 1024e4, flops: 2048e4 },
    });
    const config2 = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config2.teacher.optimizer).toEqual({ name: 'adam', lr: 1e-3, weightDecay: 1e-4 });
    const versions = JSON.parse(readFileSync(path.join(out, 'versions.json'), 'utf8'));
    expect(versions.node).toBe(process.version);
    expect(versions.resdistill).toMatch(/^\d+\.\d+\.\d+/);
    expect(versions.native).toBeTypeOf('object');
    expect(readLog(out).filter((l) => l.event === 'run-skipped')).toHaveLength(plan.runs.length);
    expect(existsSync(path.join(out, 'resdistill.lock'))).toBe(false);
  });

  it('resumes an interrupted run at its first unfinished step, logs the failure, keeps finished work and frees the lock', async () => {
    const out = tempDir();
    const plan = planExperiment(config, { outDir: out, device: 'cpu' });
    const [extract, teacher0, teacher1] = plan.runs as [PlannedRun, PlannedRun, PlannedRun];
    markDone(out, [extract, teacher0]);
    const dir = RunDir.open(out);
    dir.saveStepResult(teacher1, 'train', { bestEpoch: 2, bestCheckpoint: '/ckpt/teacher1-reported.safetensors' });
    dir.close();

    const calls: { kind: string; spec: Record<string, unknown> }[] = [];
    await expect(runExperiment(config, { outDir: out, device: 'cpu', executor: refusingExecutor(calls) })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(calls.map((c) => c.kind)).toEqual(['eval']);
    // The eval step uses the checkpoint the train step reported, not the planned default path.
    expect(calls[0]?.spec.checkpoint).toBe('/ckpt/teacher1-reported.safetensors');
    expect(plan.runs[2]?.steps[1]?.spec.checkpoint).toBe(path.join(runDir(out, teacher1), 'best.safetensors'));
    expect(existsSync(path.join(runDir(out, teacher1), 'done.json'))).toBe(false);
    const log = readLog(out);
    expect(log.filter((l) => l.event === 'run-skipped').map((l) => l.key)).toEqual([extract.key, teacher0.key]);
    expect(log.find((l) => l.event === 'step-skipped')).toMatchObject({ key: teacher1.key, step: 'train' });
    expect(log.find((l) => l.event === 'run-failed')).toMatchObject({ key: teacher1.key, error: { code: 'CANCELLED' } });
    const partial = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(partial).toMatchObject({ complete: false, plannedRuns: 2 + 2 * 3 });
    expect(partial.runs.map((r: any) => `${r.method} ${r.seed}`)).toEqual(['teacher 0']);

    // Once the run is finished (written here as a done record), the next rerun moves on to the first baseline.
    markDone(out, [teacher1]);
    calls.length = 0;
    await expect(runExperiment(config, { outDir: out, device: 'cpu', executor: refusingExecutor(calls) })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'train.supervised', spec: { magnification: 2.5, seed: 0, resume: true } });

    // Then the first KD student, distilled from the checkpoint its own seed's teacher reported.
    markDone(
      out,
      plan.runs.filter((r) => r.label === 'baseline 2.5x seed 0'),
    );
    calls.length = 0;
    await expect(runExperiment(config, { outDir: out, device: 'cpu', executor: refusingExecutor(calls) })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(calls[0]).toMatchObject({
      kind: 'train.distill',
      spec: {
        magnification: 2.5,
        seed: 0,
        unlabeled: false,
        teacher: { checkpoint: `/ckpt/${teacher0.key}.safetensors`, magnification: 10 },
      },
    });
  });

  it('refuses a second run in a directory this process already holds (RUN_LOCKED), and frees it on close', async () => {
    const out = tempDir();
    const held = RunDir.open(out);
    await expect(runExperiment(config, { outDir: out, device: 'cpu', executor: refusingExecutor([]) })).rejects.toMatchObject({
      code: 'RUN_LOCKED',
    });
    held.close();
    const again = RunDir.open(out);
    again.close();
  });

  it('treats an unreadable or foreign done.json as not done, and atomic writes leave no temp files', () => {
    const out = tempDir();
    const dir = RunDir.open(out);
    try {
      const run = { key: 'abc', kind: 'extract' };
      const folder = dir.runDir(run);
      writeJsonAtomic(path.join(folder, 'done.json'), { key: 'other' });
      expect(dir.done(run)).toBeNull();
      writeFileSync(path.join(folder, 'done.json'), '{"key": "ab');
      expect(dir.done(run)).toBeNull();
      writeJsonAtomic(path.join(folder, 'done.json'), { key: 'abc', results: {} });
      expect(dir.done(run)).toMatchObject({ key: 'abc' });
      expect(readdirSync(folder)).toEqual(['done.json']);
    } finally {
      dir.close();
    }
  });
});

describe('run folders a user can read (pure TS)', () => {
  it('are named method-magnification-seed-hash, and an old runs/<key> folder is adopted so it resumes', () => {
    expect(runFolder({ key: '3f9c0a1b2c3d4e5f', kind: 'train', method: 'kd', magnification: 2.5, seed: 0 })).toBe('kd-2.5x-seed0-3f9c0a1b');
    expect(runFolder({ key: '3f9c0a1b2c3d4e5f', kind: 'train', method: 'kd+init', magnification: 5, seed: 1 })).toBe(
      'kd-init-5x-seed1-3f9c0a1b',
    );
    expect(
      runFolder({ key: '3f9c0a1b2c3d4e5f', kind: 'train', method: 'kd-unlabeled', magnification: 5, seed: 1, unlabeledFraction: 0.25 }),
    ).toBe('kd-unlabeled-25pct-5x-seed1-3f9c0a1b');
    expect(runFolder({ key: '3f9c0a1b2c3d4e5f', kind: 'cost', magnification: 5 })).toBe('cost-5x-3f9c0a1b');
    const out = tempDir();
    const run = { key: '3f9c0a1b2c3d4e5f', kind: 'train', method: 'kd', magnification: 2.5, seed: 0 };
    const old = path.join(out, 'runs', run.key);
    writeJsonAtomic(path.join(old, 'done.json'), {
      key: run.key,
      results: { train: { bestCheckpoint: path.join(old, 'best.safetensors') } },
    });
    writeJsonAtomic(path.join(old, 'steps', 'train.json'), { result: { bestCheckpoint: path.join(old, 'best.safetensors') } });
    const dir = RunDir.open(out);
    try {
      const now = path.join(out, 'runs', 'kd-2.5x-seed0-3f9c0a1b');
      expect(dir.done(run)).toMatchObject({ key: run.key, results: { train: { bestCheckpoint: path.join(now, 'best.safetensors') } } });
      expect(dir.stepResult(run, 'train')).toEqual({ bestCheckpoint: path.join(now, 'best.safetensors') });
      expect(existsSync(old)).toBe(false);
    } finally {
      dir.close();
    }
  });

  it('--devices: runs at once get their own devices in every job spec; the plan and run keys keep the device', async () => {
    const out = tempDir();
    const plan = planExperiment(config, { outDir: out, device: 'cuda' });
    markDone(out, [plan.runs[0]!]); // the extraction: both teachers are ready at once
    const calls: { device: unknown; devices: unknown }[] = [];
    const slow: Executor = async (kind, spec, _options, devices) => {
      calls.push({ device: (spec as { device?: unknown }).device, devices });
      await new Promise((r) => setTimeout(r, 20));
      throw makeError('CANCELLED', `job ${kind} cancelled`);
    };
    await expect(
      runExperiment(config, { outDir: out, device: 'cuda', executor: slow, devices: [['cuda:0'], ['cuda:1']] }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(calls.map((c) => c.device).sort()).toEqual(['cuda:0', 'cuda:1']);
    expect(calls.map((c) => c.devices).sort()).toEqual([['cuda:0'], ['cuda:1']]);
    const written = JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as { device: string; runs: { key: string }[] };
    expect(written.device).toBe('cuda');
    expect(written.runs.map((r) => r.key)).toEqual(plan.runs.map((r) => r.key));
  });

  it("a machine other than rank 0's skips finished training, runs the next training step, and writes nothing", async () => {
    const out = tempDir();
    const plan = planExperiment(config, { outDir: out, device: 'cpu' });
    const [extract, teacher0, teacher1] = plan.runs as [PlannedRun, PlannedRun, PlannedRun];
    markDone(out, [extract, teacher0]);
    const dir = RunDir.open(out);
    dir.saveStepResult(teacher1, 'train', { bestEpoch: 2 }); // trained, not yet evaluated: nothing left for the ranks
    dir.close();
    const before = readdirSync(out).sort();
    const logged = readLog(out).length;
    const calls: { kind: string; spec: Record<string, unknown> }[] = [];
    const nodes = { world: 2, firstRank: 1, firstLocalRank: 0, nproc: 1, masterAddr: '127.0.0.1', masterPort: 29500 };
    await expect(
      followExperiment(config, { outDir: out, device: 'cpu', nodes, threads: 1, executor: refusingExecutor(calls) }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const next = plan.runs.find((r) => r.kind === 'train' && r.method === 'baseline')!;
    expect(calls.map((c) => c.kind)).toEqual(['train.supervised']);
    expect(calls[0]!.spec).toEqual(next.steps[0]!.spec);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readLog(out)).toHaveLength(logged);
  });
});

describe('a rerun of a changed config into the same --out (pure TS, real files)', () => {
  it('is refused with RUN_CONFIG_CHANGED naming the changed fields, replacing nothing; with force the old config.json and results.json are kept in previous-<time>/', async () => {
    const out = tempDir();
    const plan = planExperiment(config, { outDir: out, device: 'cpu' });
    markDone(out, plan.runs);
    const never: Executor = async (kind) => {
      throw new Error(`no job should run, got ${kind}`);
    };
    await runExperiment(config, { outDir: out, device: 'cpu', executor: never });
    await runExperiment(config, { outDir: out, device: 'cpu', executor: never }); // the same config: resumes, no question
    const before = {
      config: readFileSync(path.join(out, 'config.json'), 'utf8'),
      results: readFileSync(path.join(out, 'results.json'), 'utf8'),
    };
    const changed = { ...config, seeds: [0] };
    await expect(runExperiment(changed, { outDir: out, device: 'cpu', executor: never })).rejects.toMatchObject({
      code: 'RUN_CONFIG_CHANGED',
      message: expect.stringContaining('changed: seeds'),
    });
    expect(readFileSync(path.join(out, 'config.json'), 'utf8')).toBe(before.config);
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe(before.results);

    const summary = await runExperiment(changed, { outDir: out, device: 'cpu', executor: never, force: true });
    expect(summary.previous).toMatch(/previous-\d{4}-/);
    expect(readFileSync(path.join(summary.previous!, 'config.json'), 'utf8')).toBe(before.config);
    expect(readFileSync(path.join(summary.previous!, 'results.json'), 'utf8')).toBe(before.results);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).seeds).toEqual([0]);
  });
});
