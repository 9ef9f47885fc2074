// Runs a plan's steps: native jobs through the typed catalogue, and the composite "cost" step (exact count +
// measured throughput at the store's real input size).
import { makeError } from '../util/errors.js';
import type { RunDevice } from '../native/device.js';
import type { JobOptions } from '../native/job.js';
import type { CostModelResult, CostModelSpec } from '../native/job-step.js';
import { type JobKind, runNative } from '../native/jobs.js';
import { storeInfo } from '../store/info.js';
import { sameMagnification } from '../util/magnification.js';

/**
 * Runs one step's job; experimentExecutor (the typed catalogue, plus the composite cost step) by default.
 * `devices`: where the step's ranks run (--devices), one per rank; the spec's `device` is already the first.
 * Untyped on purpose: steps cross process boundaries as JSON; plans build them typed (src/native/job-step.ts).
 */
export type Executor = (kind: string, spec: object, options: JobOptions, devices?: RunDevice[]) => Promise<unknown>;

/** The "cost" step: exact MACs/FLOPs and measured forward images/s of the model at one stored magnification. */
export async function runCostStep(spec: CostModelSpec, options: JobOptions): Promise<CostModelResult> {
  const { store, magnification, model, device } = spec;
  const info = storeInfo(store);
  const mag = info.magnifications.find((m) => sameMagnification(m.magnification, magnification));
  const [height, width] = mag?.shape ?? [];
  if (!height || !width) throw makeError('STORE_CORRUPT', `store ${store} has no samples at ${magnification}x`);
  const modelSpec = { model, classes: info.classes.length };
  const count = await runNative('cost.count', { ...modelSpec, height, width }, options);
  const measure = await runNative('cost.measure', { ...modelSpec, height, width, batchSize: 16, reps: 3, train: false, device }, options);
  const row = count.rows[0]!;
  return {
    macs: row.macs,
    flops: row.flops,
    params: row.params,
    height,
    width,
    imagesPerSecond: measure.rows[0]?.forwardImagesPerSecond ?? null,
  };
}

/** The job kinds that train, and so can run as data-parallel ranks. */
export const TRAINING_KINDS = new Set(['train.supervised', 'train.distill']);

/**
 * The runner's executor: native jobs by kind, with the composite cost step handled here. A training step joins a
 * process group only when the runner says so (--nproc-per-node sets spec.distributed): a WORLD_SIZE that happens
 * to be in this process's environment (a SLURM or torchrun shell) must not turn every run into a rank.
 */
export function experimentExecutor(kind: string, spec: object, options: JobOptions): Promise<unknown> {
  if (kind === 'cost.model') return runCostStep(spec as CostModelSpec, options);
  const local = TRAINING_KINDS.has(kind) && !('distributed' in spec) ? { ...spec, distributed: false } : spec;
  return runNative(kind as JobKind, local as never, options);
}
