// results.json's schema: what a finished experiment reports, one row per run, in the config's words.
import { z } from 'zod';
import { EVALUATION_DEFAULTS } from '../config/schema.js';
import { METRICS } from '../stats/metrics.js';

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
  ci: z
    .preprocess(
      (v) => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => Array.isArray(x) && x.length === 2)) : v),
      z.record(z.string(), Interval),
    )
    .default({}),
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
export const METHODS = [
  'teacher',
  'baseline',
  'kd',
  'kd+init',
  'kd+at',
  'kd-progressive',
  'kd-unlabeled',
  'majority-class',
  'colour-reference',
] as const;
export type Method = (typeof METHODS)[number];
export const REFERENCE_METHODS: readonly Method[] = ['majority-class', 'colour-reference'];
/** The methods that train (and so have a cost and a place on the plots). */
export type TrainedMethod = Exclude<Method, 'majority-class' | 'colour-reference'>;
export const STUDENT_METHODS: readonly Method[] = ['baseline', 'kd', 'kd+init', 'kd+at', 'kd-progressive', 'kd-unlabeled'];
/** The order of rows in every table: the teacher, its references, then the students. */
export const METHOD_ORDER: readonly Method[] = ['teacher', ...REFERENCE_METHODS, ...STUDENT_METHODS];

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
