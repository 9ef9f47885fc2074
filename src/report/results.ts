// results.json: the one input of every report. Validated with zod so a hand-edited file fails with named paths.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { EVALUATION_DEFAULTS } from '../experiment/config.js';
import { METRICS } from '../stats/metrics.js';
import { issueLines } from '../experiment/load.js';
import { readTextInput } from '../text-input.js';
import { resultsProblems } from './results-check.js';

const Interval = z.tuple([z.number(), z.number()]);

/** A metric the evaluation could not compute (e.g. AUC with one class present) is null. */
export const MetricsSchema = z.object({
  accuracy: z.number(),
  balancedAccuracy: z.number().nullable(),
  macroF1: z.number().nullable(),
  macroPrecision: z.number().nullable(),
  macroRecall: z.number().nullable(),
  auc: z.number().nullable(),
  /** This run's own 95% group-bootstrap intervals (its groups resampled with all their samples), by metric name; the
   * eval job's other keys (resamples, level, unit) and null intervals are dropped. */
  ci: z.preprocess(
    (v) => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => Array.isArray(x) && x.length === 2)) : v),
    z.record(z.string(), Interval),
  ).default({}),
});

/** Every test prediction of a run (from the eval job), for the grouped, pooled and paired statistics. */
export const SamplesSchema = z.object({
  ids: z.array(z.int()),
  groups: z.array(z.string()),
  labels: z.array(z.int().nonnegative()),
  probs: z.array(z.array(z.number())),
});

export const CostSchema = z.object({
  macs: z.number().nonnegative(),
  flops: z.number().nonnegative(),
  imagesPerSecond: z.number().nonnegative().nullable(),
  /** The stored input size the cost was counted at (results from before it was recorded lack it). */
  height: z.int().positive().optional(),
  width: z.int().positive().optional(),
});

/** The trained methods, and the two references the teacher must beat (no training, no cost): the training split's
 * majority class for every sample, and a classifier on per-image colour statistics (src/experiment/colour-reference.ts). */
export const METHODS = ['teacher', 'baseline', 'kd', 'kd+init', 'kd-unlabeled', 'majority-class', 'colour-reference'] as const;
export type Method = (typeof METHODS)[number];
export const REFERENCE_METHODS: readonly Method[] = ['majority-class', 'colour-reference'];
/** The methods that train (and so have a cost and a place on the plots). */
export type TrainedMethod = Exclude<Method, 'majority-class' | 'colour-reference'>;
export const STUDENT_METHODS: readonly Method[] = ['baseline', 'kd', 'kd+init', 'kd-unlabeled'];

/** One training epoch as the training job's events recorded it (null where the job had no validation split). */
export const EpochSchema = z.object({
  epoch: z.int().positive(),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
});

export const ResultRunSchema = z.object({
  method: z.enum(METHODS),
  magnification: z.number().positive(),
  seed: z.int(),
  /** kd-unlabeled only: the fraction of the unlabeled pool used (1 = all). */
  unlabeledFraction: z.number().min(0).max(1).optional(),
  key: z.string().optional(),
  metrics: MetricsSchema,
  samples: SamplesSchema.optional(),
  /** Per-epoch training loss and validation metrics, for the training curves. */
  history: z.array(EpochSchema).optional(),
  cost: CostSchema.nullable(),
});

/** results.json written before the margin was in points held `tolerance` as a fraction: read it as points. */
const marginFromTolerance = (v: unknown) => {
  if (!v || typeof v !== 'object' || 'margin' in v || typeof (v as { tolerance?: unknown }).tolerance !== 'number') return v;
  const { tolerance, ...rest } = v as { tolerance: number };
  return { ...rest, margin: tolerance * 100 };
};

export const StatisticsSchema = z.preprocess(
  marginFromTolerance,
  z.object({
    /** Resamples of the group bootstrap (the experiment's evaluation.bootstrap). */
    resamples: z.int().nonnegative().default(EVALUATION_DEFAULTS.bootstrap),
    seed: z.int().nonnegative().default(0),
    /** The non-inferiority margin in points of the metric (1 = one percentage point). */
    margin: z.number().nonnegative().max(100).default(EVALUATION_DEFAULTS.margin),
    /** The headline metric of the answer and the teacher check. */
    metric: z.enum(METRICS).default(EVALUATION_DEFAULTS.metric),
  }),
);

export const ResultsSchema = z.object({
  experiment: z.string().default('experiment'),
  /** True when the data is generated: every report says SYNTHETIC prominently. */
  synthetic: z.boolean().default(false),
  teacherMagnification: z.number().positive().optional(),
  dataDescription: z.string().optional(),
  /** Class names in label order (the store's), for the per-class tables. */
  classes: z.array(z.string()).optional(),
  generatedAt: z.string().optional(),
  /** False while some planned runs have not finished (an interrupted or failed `resdistill run`). */
  complete: z.boolean().default(true),
  plannedRuns: z.int().nonnegative().optional(),
  versions: z.record(z.string(), z.unknown()).optional(),
  statistics: StatisticsSchema.default(StatisticsSchema.parse({})),
  runs: z.array(ResultRunSchema),
  /** Derived from runs when results.json is written (src/report/comparisons.ts), for readers other than the report. */
  comparisons: z.array(z.unknown()).optional(),
  answer: z.unknown().optional(),
});

export type Metrics = z.output<typeof MetricsSchema>;
export type Cost = z.output<typeof CostSchema>;
export type ResultRun = z.output<typeof ResultRunSchema>;
export type Results = z.output<typeof ResultsSchema>;
export type Statistics = z.output<typeof StatisticsSchema>;
export type ResultsInput = z.input<typeof ResultsSchema>;

export function parseResults(value: unknown, where = 'results.json'): Results {
  const parsed = ResultsSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError('CONFIG_INVALID', `invalid ${where}:\n${issueLines(parsed.error.issues).map((l) => `  ${l}`).join('\n')}`);
  }
  const problems = resultsProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError('CONFIG_INVALID', `invalid ${where}:\n${problems.map((l) => `  ${l}`).join('\n')}`);
  return parsed.data;
}

/** Reads results.json, or `<dir>/results.json` when given an experiment's output folder (as the CLI takes). */
export function readResults(fileOrDir: string): Results {
  const file = existsSync(fileOrDir) && statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, 'results.json') : fileOrDir;
  let text: string;
  try {
    text = readTextInput(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseResults(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('CONFIG_INVALID', `${file} is not JSON: ${(e as Error).message}`);
  }
}
