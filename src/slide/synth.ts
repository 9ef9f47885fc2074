// The SYNTHETIC demo cohort: small deterministic pyramidal TIFF slides written by the native job "synth.cohort".
import path from 'node:path';
import type { JobOptions } from '../native/job.js';
import { runNative } from '../native/jobs.js';
import { SYNTHETIC_DEFAULTS } from '../config/schema.js';
import type { SynthOptions, SynthClass, SynthResult } from '../native/job-types.js';
export type { SynthOptions, SynthClass, SynthResult } from '../native/job-types.js';

/** Generates the cohort off the main thread; progress events are {type:"progress", done, total}. */
export async function generateCohort(options: SynthOptions, jobOptions: JobOptions = {}): Promise<SynthResult> {
  // Resolve against this process's cwd; a missing or non-string out is left for the core to name.
  const filled = { seed: SYNTHETIC_DEFAULTS.seed, slidesPerClass: SYNTHETIC_DEFAULTS.slidesPerClass, ...options };
  const spec = typeof filled.out === 'string' && filled.out !== '' ? { ...filled, out: path.resolve(filled.out) } : filled;
  return runNative('synth.cohort', spec, jobOptions);
}
