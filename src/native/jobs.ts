// The typed catalogue of native jobs: kind -> spec and result. Every caller in src/ runs a job through runNative, so
// a key that changes on one side shows in the compiler; test/native/jobs-catalogue.test.ts checks the kinds
// against the core's own list. Spec keys are the experiment config's words, camelCase (docs/glossary.md).
import type { RunDevice } from './device.js';
import { type JobOptions, runJob } from './job.js';
import type {
  Measured,
  Counted,
  ClassifyResult,
  RawTissue,
  ExtractResult,
  Part,
  VerifyReport,
  SynthOptions,
  SynthResult,
  WeightsDescription,
  StainMethod,
  StainReference,
} from './job-types.js';

type Json = Record<string, unknown>;

/** A model: its name, or the config's model section. `classes` sits beside it where no store gives them. */
export type ModelSpec = string | { name: string; norm?: 'group' | 'batch'; widths?: number[]; blocks?: number[]; groups?: number };

export interface SplitsSpec {
  train: number;
  val: number;
  test: number;
  unlabeled?: number;
  seed?: number;
}

/** What every training job shares (native/core/train/run_config.cc, loop.cc, optimizer.cc). */
export interface TrainSpec {
  store: string;
  magnification: number;
  out: string;
  model?: ModelSpec;
  epochs?: number;
  batchSize?: number;
  accumulate?: number;
  optimizer?: { name?: string; lr?: number; weightDecay?: number; momentum?: number };
  schedule?: { name?: string; gamma?: number; warmupEpochs?: number };
  clipGradNorm?: number;
  selectBy?: string;
  bf16?: boolean;
  channelsLast?: boolean;
  augment?:
    | boolean
    | null
    | { flips?: boolean; rot90?: boolean; jitter?: null | { brightness?: number; contrast?: number; saturation?: number; hue?: number } };
  normalize?: 'dataset' | 'none';
  mode?: 'fixed' | 'exact' | 'bucket';
  seed?: number;
  device?: RunDevice;
  resume?: boolean;
  /** One rank of a data-parallel group (native/core/train/distributed.h); fields fall back to torchrun's environment; false ignores it. */
  distributed?:
    | false
    | {
        rank?: number;
        worldSize?: number;
        localRank?: number;
        masterAddr?: string;
        masterPort?: number;
        backend?: 'auto' | 'gloo' | 'nccl';
        timeoutSeconds?: number;
      };
  /** What the best/final weights say of their run beside the job's own facts (native/core/train/run_weights.h). */
  weights?: { method?: string; runId?: string; synthetic?: boolean; unit?: 'tiles' | 'pieces'; maxSizeUm?: number };
}

export interface DistillSpec extends TrainSpec {
  /** A checkpoint of this experiment (with `model`), or `weights`: a self-describing file (teacher.weights). */
  teacher: { magnification: number; checkpoint: string; model?: ModelSpec } | { magnification: number; weights: string };
  loss?: {
    wKd?: number;
    wPx?: number;
    wCe?: number;
    temperature?: number;
    pixel?: 'l2' | 'l1';
    resize?: 'maxpool' | 'bicubic' | 'avgpool';
    /** Attention transfer (method kd+at): both fields required when present. */
    attention?: { weight: number; power: number };
  };
  unlabeled?: boolean;
  unlabeledFraction?: number;
  teacherCache?: boolean;
  initFromTeacher?: boolean;
}

export interface TrainResult {
  bestEpoch: number;
  bestCheckpoint: string;
  final: string;
  history: Json[];
  input?: { mean: number[]; std: number[] };
  [field: string]: unknown;
}

export interface EvalSpec {
  store: string;
  magnification: number;
  /** A checkpoint of this experiment (with `model`), or `weights`: a self-describing file used alone. */
  checkpoint?: string;
  weights?: string;
  split: 'train' | 'val' | 'test';
  model?: ModelSpec;
  bootstrap?: number;
  seed?: number;
  batchSize?: number;
  mode?: 'fixed' | 'exact';
  normalize?: 'dataset' | 'none';
  device?: RunDevice;
}

/** The core's defaults in the config's words (native/core/train/defaults_job.cc). */
export interface NativeDefaults {
  model: Json;
  training: Json;
  loss: Json;
  augment: Json;
  normalize: string;
  seed: number;
  /** The file name of a run's best checkpoint. */
  checkpoint: string;
}

export interface JobCatalogue {
  'store.extract': {
    spec: {
      source: Json;
      testSource?: Json;
      magnifications: number[];
      out: string;
      splits: SplitsSpec;
      /** docs/stain.md; absent or none: pixels as read. */
      stain?: StainMethod;
      samplesPerShard?: number;
      threads?: number;
      part?: Part;
    };
    result: ExtractResult;
  };
  'store.verify': { spec: { store: string }; result: VerifyReport };
  'store.merge': { spec: { out: string; parts: string[] }; result: { out: string; samples: number; shards: number } };
  'synth.cohort': { spec: SynthOptions; result: SynthResult };
  'slide.tissue': { spec: Json; result: RawTissue };
  'slide.classify': {
    spec: Json & {
      path: string;
      tiles: number[][];
      magnification: number;
      model: ModelSpec;
      checkpoint: string;
      classes: number;
      device: RunDevice;
      /** The stain reference of the model's store (its weights metadata): each tile is normalised to it first. */
      stain?: StainReference | null;
    };
    result: ClassifyResult;
  };
  'slide.extract': { spec: Json; result: Json };
  'slide.readTiles': { spec: Json; result: Json };
  'image.areaBench': { spec: Json; result: Json };
  'stain.fit': { spec: { method: Exclude<StainMethod, 'none'>; images: string[] }; result: StainReference };
  'stain.apply': {
    spec: { reference: StainReference; image: string };
    result: { changed: boolean; exact: number[]; pixels: number[]; shape: [number, number, 3] };
  };
  'cost.count': {
    spec: { model: ModelSpec; classes?: number; sizes?: number[][]; height?: number; width?: number; batchSize?: number; layers?: boolean };
    result: Counted;
  };
  'cost.measure': {
    spec: {
      model: ModelSpec;
      classes?: number;
      sizes?: number[][];
      height?: number;
      width?: number;
      batchSize?: number;
      reps?: number;
      train?: boolean;
      device?: string;
      threads?: number;
      bf16?: boolean;
      channelsLast?: boolean;
    };
    result: Measured;
  };
  'train.supervised': { spec: TrainSpec; result: TrainResult };
  'train.distill': { spec: DistillSpec; result: TrainResult };
  'train.loss': {
    spec: { tensors: string; loss?: DistillSpec['loss'] };
    result: { total: number; kd: number; px: number; ce: number; at: number };
  };
  'train.defaults': { spec: Record<string, never>; result: NativeDefaults };
  eval: { spec: EvalSpec; result: Json };
  'eval.metrics': { spec: Json; result: Json };
  'models.describe': { spec: { model: ModelSpec; classes?: number }; result: Json };
  'models.export': { spec: Json & { model: ModelSpec }; result: Json };
  'weights.describe': { spec: { path: string }; result: WeightsDescription };
  'weights.forward': {
    spec: { path: string; images: string[] };
    result: { logits: number[][]; featureShapes: number[][]; classes: string[] };
  };
  'data.scan': { spec: Json & { store: string }; result: Json };
  'data.peek': { spec: Json & { store: string; out: string }; result: Json };
  'bench.trainStep': { spec: Json; result: Json };
  'bench.loaderEpoch': { spec: Json; result: Json };
  'bench.matmul': { spec: { n: number; reps: number; device: string }; result: { n: number; gflops: number; device: string } };
}

export type JobKind = keyof JobCatalogue;
export type JobSpec<K extends JobKind> = JobCatalogue[K]['spec'];
export type JobResult<K extends JobKind> = JobCatalogue[K]['result'];

/** Every kind the catalogue knows (the test compares it with the core's jobKinds()). */
export const JOB_KIND_LIST = [
  'store.extract',
  'store.verify',
  'store.merge',
  'synth.cohort',
  'slide.tissue',
  'slide.classify',
  'slide.extract',
  'slide.readTiles',
  'image.areaBench',
  'stain.fit',
  'stain.apply',
  'cost.count',
  'cost.measure',
  'train.supervised',
  'train.distill',
  'train.loss',
  'train.defaults',
  'eval',
  'eval.metrics',
  'models.describe',
  'models.export',
  'weights.describe',
  'weights.forward',
  'data.scan',
  'data.peek',
  'bench.trainStep',
  'bench.loaderEpoch',
  'bench.matmul',
] as const satisfies readonly JobKind[];

// Compile-time: the list names every kind of the catalogue.
const complete: Exclude<JobKind, (typeof JOB_KIND_LIST)[number]> extends never ? true : never = true;
void complete;

/** Runs a native job with its spec and result typed by the catalogue. */
export function runNative<K extends JobKind>(kind: K, spec: JobSpec<K>, options: JobOptions = {}): Promise<JobResult<K>> {
  return runJob<JobResult<K>>(kind, spec, options);
}
