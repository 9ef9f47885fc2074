// Executes a plan in order: skips runs whose done.json exists, redoes only the unfinished steps of an interrupted
// run (the native jobs resume from their own checkpoints), and writes results.json from the done records.
import { type Executor, experimentExecutor } from './executor.js';
import { CancelledError, ConfigError, fromNative, makeError } from '../util/errors.js';
import type { JobEvent, JobOptions } from '../native/job.js';
import type { Results } from '../report/results.js';
import { collectResults } from './collect.js';
import { guardConfigChange } from './config-change.js';
import type { ResolvedExperiment } from '../config/load.js';
import type { NodeLaunch } from './nodes.js';
import { processExecutor, runPool } from './parallel.js';
import { type Plan, type PlannedRun, planExperiment } from './plan.js';
import { readTeacherFile } from './teacher-file.js';
import type { AnyJobStep } from '../native/job-step.js';
import { collectVersions, type DoneRecord, RunDir } from './rundir.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { referenceRuns } from './colour-reference.js';
import { referencesFile } from './layout.js';
import { readManifest } from '../store/store.js';
import type { ResultRun } from '../report/results.js';
import { existsSync, readFileSync } from 'node:fs';
import type { RunDevice } from '../native/device.js';

export { collectResults };

/** The unlabeled pool is only the CSV's unlabeled rows (data.unlabeledPool, no share of the labelled patients). */
function poolFromCsvOnly(c: ResolvedExperiment): boolean {
  return (c.data.source === 'slides' || c.data.source === 'images') && c.data.unlabeledPool === true && c.data.splits.unlabeled === 0;
}

/**
 * The teacher's references on the evaluation split, read from references.json when it was made from the same
 * store (fingerprint), split and magnification; [] while the store is unfinished.
 */
function references(config: ResolvedExperiment, plan: Plan, dir: RunDir): ResultRun[] {
  try {
    const manifest = existsSync(plan.storeDir) ? readManifest(plan.storeDir) : null;
    if (!manifest?.complete) return [];
    const about = { fingerprint: manifest.fingerprint, split: config.evaluation.split, magnification: config.magnifications.teacher };
    const file = referencesFile(dir.root);
    if (existsSync(file)) {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { about?: unknown; runs?: ResultRun[] };
      if (JSON.stringify(cached.about) === JSON.stringify(about) && Array.isArray(cached.runs)) return cached.runs;
    }
    const runs = referenceRuns(plan.storeDir, about.magnification, about.split) ?? [];
    writeJsonAtomic(file, { about, runs });
    return runs;
  } catch (e) {
    // The references only check the teacher: results.json is written without them, and the answer says so.
    dir.log({ event: 'warning', message: `the teacher's references could not be computed: ${(e as Error).message}` });
    return [];
  }
}

export interface RunListener {
  onPlan?(plan: Plan): void;
  onRunStart?(run: PlannedRun, index: number, total: number): void;
  onRunSkip?(run: PlannedRun, record: DoneRecord): void;
  onJobEvent?(run: PlannedRun, step: string, event: JobEvent): void;
  onRunDone?(run: PlannedRun, record: DoneRecord): void;
}

export interface RunOptions {
  outDir: string;
  device: RunDevice;
  executor?: Executor;
  signal?: AbortSignal;
  listener?: RunListener;
  /** Runs at once (default 1): each step then runs in its own process with `threads` LibTorch threads. */
  parallel?: number;
  /** Data-parallel ranks per training step on this machine (default 1); each rank a process with `threads`. */
  nprocPerNode?: number;
  /** LibTorch threads per process when runs or ranks get their own processes. */
  threads?: number;
  /**
   * --devices: one group of devices per run at once (nprocPerNode devices each, one per rank); replaces
   * `parallel`. A run's jobs get its group's device in their spec; the plan (and so every run's identity) keeps
   * `device`, so where a run happened to land never changes its key.
   */
  devices?: RunDevice[][];
  /** Global rank 0's share of a group spanning several machines (the others follow: follower.ts). */
  nodes?: NodeLaunch;
  /** Go on in an outDir that holds another config's run, keeping its config.json and results.json in previous-<time>/. */
  force?: boolean;
}

export interface RunSummary {
  outDir: string;
  plan: Plan;
  executed: string[];
  skipped: string[];
  results: Results;
  /** Where the previous config's config.json and results.json were kept (force), if the config changed. */
  previous?: string;
}

/** Per-step events worth keeping in log.jsonl (per-batch steps would swamp it). */
function loggable(event: JobEvent): boolean {
  return event.type !== 'step';
}

/** The checkpoint a finished training step reports (result.bestCheckpoint, src/native/jobs.ts), if any. */
function bestCheckpoint(trainResult: unknown): string | undefined {
  const c = (trainResult as { bestCheckpoint?: unknown } | null)?.bestCheckpoint;
  return typeof c === 'string' && c.length > 0 ? c : undefined;
}

/**
 * The spec a step runs with: the planned one, with checkpoint paths taken from what the training jobs actually
 * reported (the plan assumes `<run>/best.safetensors`): the run's own train step for eval, the teacher's for kd.
 */
function concreteSpec(
  run: PlannedRun,
  step: AnyJobStep,
  results: Record<string, unknown>,
  records: Map<string, DoneRecord>,
): AnyJobStep['spec'] {
  if (step.kind === 'eval') {
    const own = bestCheckpoint(results.train);
    return own ? { ...step.spec, checkpoint: own } : step.spec;
  }
  if (step.kind !== 'train.distill') return step.spec;
  const teacherKey = run.dependsOn[run.dependsOn.length - 1];
  const reported = teacherKey ? bestCheckpoint(records.get(teacherKey)?.results.train) : undefined;
  return reported ? { ...step.spec, teacher: { ...step.spec.teacher, checkpoint: reported } } : step.spec;
}

async function executeRun(
  dir: RunDir,
  run: PlannedRun,
  options: RunOptions,
  records: Map<string, DoneRecord>,
  devices?: RunDevice[],
): Promise<DoneRecord> {
  const executor = options.executor ?? experimentExecutor;
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown> = {};
  for (const step of run.steps) {
    const saved = dir.stepResult(run, step.name);
    if (saved !== null) {
      results[step.name] = saved;
      dir.log({ event: 'step-skipped', key: run.key, step: step.name });
      continue;
    }
    dir.log({ event: 'step-start', key: run.key, label: run.label, step: step.name, kind: step.kind });
    const onEvent = (event: JobEvent) => {
      if (loggable(event)) dir.log({ event: 'job', key: run.key, step: step.name, job: event });
      options.listener?.onJobEvent?.(run, step.name, event);
    };
    const planned = concreteSpec(run, step, results, records);
    const spec = devices && 'device' in planned ? { ...planned, device: devices[0] } : planned;
    const result = await executor(step.kind, spec, { signal: options.signal, onEvent }, devices);
    dir.saveStepResult(run, step.name, result);
    results[step.name] = result;
  }
  const record: DoneRecord = {
    key: run.key,
    label: run.label,
    kind: run.kind,
    identity: run.identity,
    results,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  for (const k of ['method', 'magnification', 'seed', 'unlabeledFraction'] as const)
    if (run[k] !== undefined) Object.assign(record, { [k]: run[k] });
  return record;
}

/**
 * Runs (or resumes) the whole experiment in `outDir`. Throws RUN_LOCKED when another live run holds the directory;
 * on a failed job the error is logged, the lock released and the error rethrown (finished runs stay finished).
 */
export async function runExperiment(config: ResolvedExperiment, options: RunOptions): Promise<RunSummary> {
  const dir = RunDir.open(options.outDir);
  try {
    const plan = planExperiment(config, { outDir: dir.root, device: options.device, teacherFile: readTeacherFile(config) });
    const versions = collectVersions();
    const previous = guardConfigChange(dir.root, config, Boolean(options.force));
    if (previous) dir.log({ event: 'config-changed', previous });
    dir.writeJson('config.json', config);
    dir.writeJson('versions.json', versions);
    dir.writeJson('plan.json', plan);
    dir.log({ event: 'plan', runs: plan.runs.length, device: plan.device, seeds: config.seeds });
    options.listener?.onPlan?.(plan);
    const records = new Map<string, DoneRecord>();
    const executed: string[] = [];
    const skipped: string[] = [];
    const parallel = options.devices?.length ?? options.parallel ?? 1;
    const separate = parallel > 1 || (options.nprocPerNode ?? 1) > 1 || options.nodes !== undefined;
    const spread = {
      threads: options.threads ?? 1,
      nprocPerNode: options.nprocPerNode ?? 1,
      ...(options.nodes ? { nodes: options.nodes } : {}),
    };
    const runOptions: RunOptions = separate && !options.executor ? { ...options, executor: processExecutor(spread) } : options;
    const freeDevices = [...(options.devices ?? [])]; // the pool runs at most devices.length runs: one is always free
    let poolChecked = false;
    const runOne = async (run: PlannedRun, index: number): Promise<void> => {
      const existing = dir.done(run);
      if (existing) {
        records.set(run.key, existing);
        skipped.push(run.key);
        dir.log({ event: 'run-skipped', key: run.key, label: run.label });
        options.listener?.onRunSkip?.(run, existing);
        return;
      }
      const missing = run.dependsOn.filter((k) => !records.has(k));
      if (missing.length > 0) throw new Error(`internal: ${run.label} runs before its dependencies ${missing.join(', ')}`);
      if (options.signal?.aborted) throw new CancelledError('CANCELLED', `cancelled before ${run.label}`);
      // Before the first training run, once the store exists: a pool promised by the config must be there.
      if (run.kind === 'train' && !poolChecked) {
        poolChecked = true;
        if (poolFromCsvOnly(config) && readManifest(plan.storeDir).splits.unlabeled.length === 0) {
          throw new ConfigError(
            'CONFIG_INVALID',
            'data.unlabeledPool is set but the CSV has no row with an empty label, so the unlabeled pool is empty',
          );
        }
      }
      options.listener?.onRunStart?.(run, index, plan.runs.length);
      dir.log({ event: 'run-start', key: run.key, label: run.label });
      let record: DoneRecord;
      const devices = freeDevices.shift();
      try {
        record = await executeRun(dir, run, runOptions, records, devices);
      } catch (e) {
        const cause = fromNative(e);
        const error = makeError(cause.code, `${run.label} (run ${run.key}): ${cause.message}`, cause);
        dir.log({ event: 'run-failed', key: run.key, label: run.label, error: cause.toJSON() });
        // What finished stays reportable: `resdistill report` shows it marked PARTIAL.
        dir.writeJson('results.json', collectResults(config, plan, records, versions, references(config, plan, dir)));
        throw error;
      } finally {
        if (devices) freeDevices.push(devices);
      }
      dir.markDone(run, record);
      records.set(run.key, record);
      executed.push(run.key);
      dir.log({ event: 'run-done', key: run.key, label: run.label });
      options.listener?.onRunDone?.(run, record);
    };
    if (parallel <= 1) {
      for (const [index, run] of plan.runs.entries()) await runOne(run, index);
    } else {
      // Cost runs measure throughput, so they run alone; everything else as soon as its dependencies are done.
      await runPool(
        plan.runs.map((run, index) => ({
          key: run.key,
          dependsOn: run.dependsOn,
          exclusive: run.kind === 'cost',
          run: () => runOne(run, index),
        })),
        parallel,
      );
    }
    const results = collectResults(config, plan, records, versions, references(config, plan, dir));
    dir.writeJson('results.json', results);
    dir.log({ event: 'finished', executed: executed.length, skipped: skipped.length });
    return { outDir: dir.root, plan, executed, skipped, results, ...(previous ? { previous } : {}) };
  } finally {
    dir.close();
  }
}
