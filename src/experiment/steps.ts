// Translates the experiment's data section into native job steps (synth.cohort, store.extract), and runs the
// composite "cost" step (exact count + measured throughput at the store's real input size) for the runner.
import path from 'node:path';
import { makeError } from '../errors.js';
import type { JobOptions } from '../job.js';
import { type JobKind, type ModelSpec, runNative } from '../jobs.js';
import { storeInfo } from '../store_info.js';
import type { ResolvedExperiment } from './load.js';

export interface StepSpec {
  name: string;
  kind: JobKind;
  spec: Record<string, unknown>;
}

type Data = Exclude<ResolvedExperiment['data'], { source: 'store' }>;
type Unit = Extract<Data, { unit: unknown }>['unit'];

function slideSource(csv: string, unit: Unit, mpp?: number): Record<string, unknown> {
  const common = { kind: 'slides', csv, ...(mpp ? { mpp } : {}) };
  if (unit.kind === 'pieces') return { ...common, unit: 'pieces', minAreaUm2: unit.minAreaUm2, ...(unit.maxSizeUm ? { maxSizeUm: unit.maxSizeUm } : {}) };
  return {
    ...common,
    unit: 'tiles',
    sizeUm: unit.sizeUm,
    ...(unit.strideUm ? { strideUm: unit.strideUm } : {}),
    minTissue: unit.minTissue,
    ...(unit.maxPerSlide ? { maxPerSlide: unit.maxPerSlide } : {}),
  };
}

/** The steps that turn the data section into a store at `storeDir` (highest magnification first). */
export function extractSteps(data: Data, magnifications: number[], storeDir: string): StepSpec[] {
  const mags = [...magnifications].sort((a, b) => b - a);
  const splits = { ...data.splits };
  const extract = (source: Record<string, unknown>, testSource?: Record<string, unknown>): StepSpec => ({
    name: 'extract',
    kind: 'store.extract',
    spec: { source, ...(testSource ? { testSource } : {}), magnifications: mags, out: storeDir, splits },
  });
  if (data.source === 'images') {
    const source = { kind: 'images', mpp: data.mpp, ...(data.root ? { root: data.root } : { csv: data.csv }) };
    // data.test: a CSV file, else a class folder.
    const test = data.test ? { kind: 'images', mpp: data.mpp, ...(/\.csv$/i.test(data.test) ? { csv: data.test } : { root: data.test }) } : undefined;
    return [extract(source, test)];
  }
  if (data.source === 'slides') {
    return [extract(slideSource(data.csv, data.unit, data.mpp), data.test ? slideSource(data.test, data.unit, data.mpp) : undefined)];
  }
  const cohort = path.join(path.dirname(storeDir), `${path.basename(storeDir)}-cohort`);
  return [
    { name: 'synth', kind: 'synth.cohort', spec: { outDir: cohort, seed: data.seed, slidesPerClass: data.slidesPerClass, coarseAgreement: data.coarseAgreement } },
    extract(slideSource(path.join(cohort, 'cohort.csv'), data.unit)),
  ];
}

/** The "cost" step: exact MACs/FLOPs and measured forward images/s of the model at one stored magnification. */
export async function runCostStep(spec: Record<string, unknown>, options: JobOptions): Promise<Record<string, unknown>> {
  const { store, magnification, model, device } = spec as { store: string; magnification: number; model: ModelSpec; device: string };
  const info = storeInfo(store);
  const mag = info.magnifications.find((m) => Math.abs(m.magnification - magnification) < 1e-6 * magnification);
  const [height, width] = mag?.shape ?? [];
  if (!height || !width) throw makeError('STORE_CORRUPT', `store ${store} has no samples at ${magnification}x`);
  const modelSpec = { model, classes: info.classes.length };
  const count = await runNative('cost.count', { ...modelSpec, height, width }, options);
  const measure = await runNative('cost.measure', { ...modelSpec, height, width, batch: 16, reps: 3, train: false, device }, options);
  const row = count.rows[0]!;
  return { macs: row.macs, flops: row.flops, params: row.params, height, width, imagesPerSecond: measure.rows[0]?.forwardImgPerS ?? null };
}

/** The job kinds that train, and so can run as data-parallel ranks. */
export const TRAINING_KINDS = new Set(['train.supervised', 'train.distill']);

/**
 * The runner's executor: native jobs by kind, with the composite cost step handled here. A training step joins a
 * process group only when the runner says so (--nproc-per-node sets spec.distributed): a WORLD_SIZE that happens
 * to be in this process's environment (a SLURM or torchrun shell) must not turn every run into a rank.
 */
export function experimentExecutor(kind: string, spec: object, options: JobOptions): Promise<unknown> {
  if (kind === 'cost.model') return runCostStep(spec as Record<string, unknown>, options);
  const local = TRAINING_KINDS.has(kind) && !('distributed' in spec) ? { ...spec, distributed: false } : spec;
  return runNative(kind as JobKind, local as never, options);
}
