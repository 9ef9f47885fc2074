// A step of a plan: one job with its typed spec, so the path every run takes is checked against the job catalogue.
import type { RunDevice } from './device.js';
import type { JobCatalogue, ModelSpec } from './jobs.js';

/** The runner's composite step: an exact FLOPs count plus measured throughput at the store's input size. */
export interface CostModelSpec {
  store: string;
  magnification: number;
  model: ModelSpec;
  device: RunDevice;
}

export interface CostModelResult {
  macs: number;
  flops: number;
  params: number;
  height: number;
  width: number;
  imagesPerSecond: number | null;
}

/** Every kind a step can run: the native jobs plus the composite cost step (src/experiment/executor.ts). */
export type StepCatalogue = JobCatalogue & { 'cost.model': { spec: CostModelSpec; result: CostModelResult } };
export type StepKind = keyof StepCatalogue;

export interface JobStep<K extends StepKind = StepKind> {
  /** Stable name of the step inside its run (train, eval, extract, cost). */
  name: string;
  kind: K;
  spec: StepCatalogue[K]['spec'];
}

/** A step of any kind, discriminated by `kind`. */
export type AnyJobStep = { [K in StepKind]: JobStep<K> }[StepKind];
