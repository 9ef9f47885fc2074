// A machine other than global rank 0's in a multi-node `resdistill run`: it plans the same experiment and writes
// nothing (rank 0's machine extracts, evaluates, measures costs and writes every file, on storage all machines
// share); it takes part in every unfinished training step, in plan order as rank 0's machine runs them, as its
// own ranks. A training step waits for the runs it needs that are not training (the extraction) to be done.
import type { RunDevice } from '../native/device.js';
import { CancelledError, fromNative, makeError } from '../util/errors.js';
import { logFile } from './layout.js';
import type { ResolvedExperiment } from '../config/load.js';
import type { NodeLaunch } from './nodes.js';
import { processExecutor } from './parallel.js';
import { type PlannedRun, planExperiment } from './plan.js';
import { readTeacherFile } from './teacher-file.js';
import { doneRecord, readLog, savedStepResult } from './rundir.js';
import type { Executor } from './executor.js';
import { TRAINING_KINDS } from './executor.js';

export interface FollowOptions {
  outDir: string;
  /** The plan's device (the config's): the same plan, so the same run keys, as rank 0's machine. */
  device: RunDevice;
  nodes: NodeLaunch;
  /** LibTorch threads per rank. */
  threads: number;
  /** This machine's devices, one per rank (--devices). */
  devices?: RunDevice[];
  signal?: AbortSignal;
  executor?: Executor;
  /** How often to look again for a dependency rank 0's machine is still running (ms). */
  pollMs?: number;
}

export interface FollowSummary {
  outDir: string;
  /** Runs whose training step this machine took part in. */
  trained: string[];
  /** Training runs finished before (by an earlier session). */
  skipped: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for rank 0's machine to finish `run`; DIST_FAILED when its log says the run failed meanwhile. */
async function waitForDone(outDir: string, run: PlannedRun, logStart: number, options: FollowOptions): Promise<void> {
  while (!doneRecord(outDir, run)) {
    if (options.signal?.aborted) throw new CancelledError('CANCELLED', `cancelled while waiting for ${run.label}`);
    if (
      readLog(outDir)
        .slice(logStart)
        .some((l) => l.event === 'run-failed' && l.key === run.key)
    ) {
      throw makeError('DIST_FAILED', `${run.label} (run ${run.key}) failed on global rank 0's machine (see ${logFile(outDir)})`);
    }
    await sleep(options.pollMs ?? 2000);
  }
}

/** Takes part in every unfinished training step of the experiment in `outDir`, as this machine's ranks. */
export async function followExperiment(config: ResolvedExperiment, options: FollowOptions): Promise<FollowSummary> {
  const { outDir } = options;
  const plan = planExperiment(config, { outDir, device: options.device, teacherFile: readTeacherFile(config) });
  const executor = options.executor ?? processExecutor({ threads: options.threads, nodes: options.nodes });
  const byKey = new Map(plan.runs.map((r) => [r.key, r]));
  const trains = (r: PlannedRun) => r.steps.some((s) => TRAINING_KINDS.has(s.kind));
  const logStart = readLog(outDir).length;
  const summary: FollowSummary = { outDir, trained: [], skipped: [] };
  for (const run of plan.runs) {
    const step = run.steps.find((s) => TRAINING_KINDS.has(s.kind));
    if (!step) continue;
    // The same test rank 0's machine makes (runner.ts): a finished run, or a finished training step, is skipped.
    if (doneRecord(outDir, run) || savedStepResult(outDir, run, step.name) !== null) {
      summary.skipped.push(run.key);
      continue;
    }
    try {
      for (const dep of run.dependsOn) {
        const needed = byKey.get(dep);
        if (needed && !trains(needed)) await waitForDone(outDir, needed, logStart, options);
      }
      if (options.signal?.aborted) throw new CancelledError('CANCELLED', `cancelled before ${run.label}`);
      const spec = options.devices ? { ...step.spec, device: options.devices[0] } : step.spec;
      await executor(step.kind, spec, { ...(options.signal ? { signal: options.signal } : {}) }, options.devices);
    } catch (e) {
      const cause = fromNative(e);
      throw makeError(cause.code, `${run.label} (run ${run.key}): ${cause.message}`, cause);
    }
    summary.trained.push(run.key);
  }
  return summary;
}
