// The shapes native jobs take and return that domain modules also use, defined here, below every domain module, so the
// job catalogue (jobs.ts) names them without importing its own callers; each domain module re-exports its own.
import type { TissuePiece, TissueResult, Tile } from './slide-types.js';

// src/cost/cost.ts
/** One row of the native `cost.count` job (exact counts for one input size). */
export interface CountedRow {
  height: number;
  width: number;
  macs: number;
  flops: number;
  otherOps: number;
  params: number;
  trainActivationBytes: number;
  inferActivationBytes: number;
  /** Per-op breakdown, when the job is asked for it. */
  ops?: { kind: string; macs: number }[];
}

// src/cost/cost.ts
export interface Measured {
  device: string;
  threads: number;
  bf16: boolean;
  /** Forced by the caller, or 'auto': the core's rule (models/memory_format.h) per size; each row says what ran. */
  channelsLast: boolean | 'auto';
  rows: {
    forwardImagesPerSecond: number;
    trainImagesPerSecond: number;
    forwardLatencyMs: number;
    trainLatencyMs: number;
    channelsLast: boolean;
    trainChannelsLast?: boolean;
    batchParallel: boolean;
  }[];
}

// src/cost/cost.ts
export interface Counted {
  rows: CountedRow[];
}

// src/predict/predict.ts
export interface ClassifyResult {
  probabilities: number[][];
  magnification: number;
  tiles: number;
  /** Reader threads' busy time, summed over threads (reading overlaps the model). */
  readSeconds: number;
  /** Time the model waited for tiles. */
  waitSeconds: number;
  modelSeconds: number;
  seconds: number;
  imagesPerSecond: number;
  channelsLast: boolean;
  /** The batch was split across threads (small tiles, native/core/models/batch_parallel.h). */
  batchParallel: boolean;
  tileWidth: number;
  tileHeight: number;
}

// src/slide/slide.ts
export interface RawTissue extends Omit<TissueResult, 'mask' | 'pieces'> {
  mask: { width: number; height: number; rle: number[] };
  pieces: (Omit<TissuePiece, 'mask'> & { maskRle: number[] })[];
  tiles?: Tile[];
}

// src/store/store.ts
export interface Part {
  index: number;
  count: number;
}

// src/store/store.ts
export interface ExtractResult {
  out: string;
  samples: number;
  partSamples: number;
  shards: number;
  shardsWritten: number;
  shardsSkipped: number;
  /** Finished shards found truncated or damaged on a rerun, removed and extracted again. */
  shardsRepaired: number;
  magnifications: number[];
  classes: string[];
  threads: number;
  complete: boolean;
  part: Part | null;
}

// src/store/store.ts
export interface VerifyReport {
  ok: boolean;
  samples: number;
  magnifications: number[];
  problems: string[];
}

// src/slide/synth.ts
export interface SynthOptions {
  /** Folder for slide-NNN.tif, cohort.csv (path,label,group; paths relative to it) and cohort.json. */
  out: string;
  /** Same seed, same bytes. Default: the config's (SYNTHETIC_DEFAULTS). */
  seed?: number;
  /** Default: the config's (SYNTHETIC_DEFAULTS). */
  slidesPerClass?: number;
  /** 2 or 3 (default 3). */
  classes?: number;
  /** Slide size in microns: one side or [width, height]. Default [1536, 1024]. */
  slideSizeUm?: number | [number, number];
  /** Level-0 microns per pixel, written as TIFF resolution tags (0.25 = 40x, the default; 0.5 = 20x). */
  mpp?: number;
  tileSize?: number;
  compression?: 'jpeg' | 'deflate';
  quality?: number;
  /** Probability that a tissue piece shows its class's coarse architecture (default 0.7). */
  coarseAgreement?: number;
  slidesPerPatient?: number;
  /** Worker threads; 0 (default) uses the LibTorch thread setting. */
  threads?: number;
}

// src/slide/synth.ts
export interface SynthClass {
  label: string;
  fineCue: string;
  coarseCue: string;
}

// src/slide/synth.ts
export interface SynthResult {
  synthetic: true;
  out: string;
  csv: string;
  manifest: string;
  seed: number;
  classes: SynthClass[];
  slides: number;
  threads: number;
}

// src/weights/weights.ts
/** The architecture a weights file names (resnetNN fix their own stage widths and depths). */
export interface Architecture {
  name: 'gn_resnet' | 'resnet18' | 'resnet34' | 'resnet50';
  norm: 'group' | 'batch';
  groups: number;
  widths?: number[];
  blocks?: number[];
}

// src/weights/weights.ts
/** What `weights.describe` returns: everything needed to use the file with nothing beside it. */
export interface WeightsDescription {
  path: string;
  format: string;
  version: string;
  architecture: Architecture;
  classes: string[];
  magnification: number;
  mpp: number;
  unit: 'tiles' | 'pieces';
  /** [height, width] in pixels of a training input (tiles); null for whole tissue pieces. */
  inputSize: [number, number] | null;
  fieldOfViewUm: [number, number] | null;
  maxSizeUm: number | null;
  input: { normalize: 'dataset' | 'none'; mean: number[]; std: number[]; stain: StainReference | null };
  preprocessing: string;
  method: string;
  runId: string;
  synthetic: boolean;
  teacherMagnification: number | null;
  epoch: number;
  params: number;
  tensors: number;
}

export type StainMethod = 'none' | 'macenko' | 'reinhard';

/** A fitted stain reference (docs/stain.md), as the manifest and the weights metadata hold it. */
export type StainReference =
  | { method: 'macenko'; stainMatrix: number[][]; maxConcentrations: number[]; samples: number; pixels: number }
  | { method: 'reinhard'; mean: number[]; std: number[]; samples: number; pixels: number };
