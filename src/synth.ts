// The SYNTHETIC demo cohort: small deterministic pyramidal TIFF slides written by the native job "synth.cohort".
import path from 'node:path';
import type { JobOptions } from './job.js';
import { runNative } from './jobs.js';
import { SYNTHETIC_DEFAULTS } from './experiment/config.js';

export interface SynthOptions {
  /** Folder for slide-NNN.tif, cohort.csv (path,label,group; paths relative to it) and cohort.json. */
  outDir: string;
  /** Same seed, same bytes. Default: the config's (SYNTHETIC_DEFAULTS). */
  seed?: number;
  /** Default: the config's (SYNTHETIC_DEFAULTS). */
  slidesPerClass?: number;
  /** 2 or 3 (default 3). */
  classes?: number;
  /** Slide size in microns: one side or [width, height]. Default [1536, 1024]. */
  sizeUm?: number | [number, number];
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

export interface SynthClass {
  label: string;
  fineCue: string;
  coarseCue: string;
}

export interface SynthResult {
  synthetic: true;
  outDir: string;
  csv: string;
  manifest: string;
  seed: number;
  classes: SynthClass[];
  slides: number;
  threads: number;
}

/** Generates the cohort off the main thread; progress events are {type:"progress", done, total}. */
export async function generateCohort(options: SynthOptions, jobOptions: JobOptions = {}): Promise<SynthResult> {
  // Resolve against this process's cwd; a missing or non-string outDir is left for the core to name.
  const filled = { seed: SYNTHETIC_DEFAULTS.seed, slidesPerClass: SYNTHETIC_DEFAULTS.slidesPerClass, ...options };
  const spec = typeof filled.outDir === 'string' && filled.outDir !== '' ? { ...filled, outDir: path.resolve(filled.outDir) } : filled;
  return runNative('synth.cohort', spec, jobOptions);
}
