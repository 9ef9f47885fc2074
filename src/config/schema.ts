// The experiment config: one zod schema whose defaults are the paper's method (DiPalma et al. 2021, and the authors'
// code, jdipalma2/ResolutionDistillation); every other choice is an option, named as ours (experiments/README.md).
// Unknown fields are refused so a typo never silently falls back to a default.
import { z } from 'zod';
import { DEVICE_PATTERN } from '../native/device.js';
import { METRICS } from '../stats/metrics.js';
import { MAX_BOOTSTRAP_RESAMPLES } from '../util/input-limits.js';

const positive = z.number().positive();

/**
 * Unit defaults `predict` shares: a tile keeps its place when at least this fraction of it is tissue; a tissue piece
 * smaller than this area is dropped.
 */
export const UNIT_DEFAULTS = { minTissue: 0.5, minAreaUm2: 250_000 } as const;
const fraction = z.number().min(0).max(1);

/** Fixed-size tiles with slide-level labels, or whole tissue pieces (the paper's unit, variable size). */
const Unit = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('tiles'),
    sizeUm: positive.describe('tile edge in microns (the same field of view at every magnification)'),
    strideUm: positive.optional().describe('tile stride in microns; default = sizeUm (no overlap)'),
    minTissue: fraction.default(UNIT_DEFAULTS.minTissue).describe('minimum tissue fraction of a kept tile'),
    maxPerSlide: z.int().positive().optional().describe('cap on tiles per slide (seeded sample)'),
  }),
  z.strictObject({
    kind: z.literal('pieces'),
    minAreaUm2: positive.default(UNIT_DEFAULTS.minAreaUm2).describe('drop tissue pieces smaller than this area'),
    maxSizeUm: positive.optional().describe('split pieces larger than this edge into a grid'),
  }),
]);

/** Seeded, stratified, grouped splits; `unlabeled` moves that fraction of the training pool out of the labelled set. */
const Splits = z
  .strictObject({
    train: fraction.default(0.6),
    val: fraction.default(0.2),
    test: fraction.default(0.2),
    unlabeled: fraction.default(0).describe('fraction of the training pool used only as unlabeled data (labels hidden)'),
    seed: z.int().nonnegative().default(0),
  })
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, { message: 'train + val + test must sum to 1', path: ['train'] });

const externalTest = (what: string) =>
  z
    .string()
    .min(1)
    .optional()
    .describe(
      `an external test set (${what}, relative to the config file): evaluated as the test split, never trained on or used for selection; needs splits.test 0`,
    );

/** Extra unlabeled data beside the labelled set, rather than labelled patients moved out of the teacher's training set. */
const unlabeledRows = (what: string) =>
  z
    .boolean()
    .optional()
    .describe(
      `the CSV lists extra unlabeled ${what} (an empty label): also train kd-unlabeled students on them (with splits.unlabeled, part of the labelled training pool joins them)`,
    );

/** The config has an unlabeled pool: a store's, the CSV's unlabeled rows, or a share of the labelled training pool. */
export function hasUnlabeledPool(data: z.output<typeof Data>): boolean {
  if (data.source === 'store') return data.unlabeledPool;
  return data.splits.unlabeled > 0 || ('unlabeledPool' in data && data.unlabeledPool === true);
}

/** With an external test set the internal split has no test share. */
const testNeedsNoSplit = (d: { test?: string; splits: { test: number } }) => d.test === undefined || d.splits.test === 0;
const testSplitMessage = {
  message: 'must be 0 when data.test is given (data.test is the test split; e.g. train 0.8, val 0.2, test 0)',
  path: ['splits', 'test'],
};

/** The synthetic cohort's defaults, shared with `resdistill synth` so both make the same cohort unless told. */
export const SYNTHETIC_DEFAULTS = { slidesPerClass: 8, seed: 0 } as const;

// Ours (docs/stain.md): DiPalma et al. 2021 normalise channels by the dataset's mean and std only.
const Stain = z
  .enum(['none', 'macenko', 'reinhard'])
  .default('none')
  .describe(
    'stain normalisation (ours; docs/stain.md): macenko or reinhard, fitted on the training pool at extraction and applied to every view and, through the weights file, to every predicted tile; none: pixels as read (the paper)',
  );

const Data = z.discriminatedUnion('source', [
  z
    .strictObject({
      source: z.literal('slides'),
      csv: z
        .string()
        .min(1)
        .describe(
          'CSV of path,label,group[,annotations] (empty label = unlabeled; annotations: a QuPath GeoJSON of labelled regions, instead of a label); relative to the config file',
        ),
      mpp: positive.optional().describe('microns per pixel override, used only for slides whose metadata has none'),
      unit: Unit,
      splits: Splits.prefault({}),
      stain: Stain,
      test: externalTest('a CSV of path,label,group'),
      unlabeledPool: unlabeledRows('slides'),
    })
    .refine(testNeedsNoSplit, testSplitMessage),
  z
    .strictObject({
      source: z.literal('images'),
      root: z.string().min(1).optional().describe('folder with one sub-folder per class'),
      csv: z.string().min(1).optional().describe('CSV of path,label,group, instead of root'),
      mpp: positive.describe('microns per pixel of the images (required: image files carry no reliable scale)'),
      splits: Splits.prefault({}),
      stain: Stain,
      test: externalTest('a folder with one sub-folder per class, or a CSV of path,label,group'),
      unlabeledPool: unlabeledRows('images'),
    })
    .refine((d) => (d.root === undefined) !== (d.csv === undefined), {
      message: 'give exactly one of data.root (class folders) or data.csv',
      path: ['root'],
    })
    .refine(testNeedsNoSplit, testSplitMessage),
  z.strictObject({
    source: z.literal('synthetic'),
    slidesPerClass: z.int().positive().default(SYNTHETIC_DEFAULTS.slidesPerClass),
    seed: z.int().nonnegative().default(SYNTHETIC_DEFAULTS.seed),
    coarseAgreement: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('probability that a tissue piece shows its class architecture, the cue left at low magnification (generator default 0.7)'),
    unit: Unit.prefault({ kind: 'tiles', sizeUm: 256 }),
    splits: Splits.prefault({}),
    stain: Stain,
  }),
  z.strictObject({
    source: z.literal('store'),
    path: z.string().min(1).describe('an existing multi-resolution store (resdistill extract output)'),
    unlabeledPool: z.boolean().default(false).describe('the store holds an unlabeled pool: also train kd-unlabeled students'),
  }),
]);

const Magnifications = z
  .strictObject({
    teacher: positive.default(10).describe('teacher magnification (10 / mpp)'),
    students: z.array(positive).min(1).default([5, 2.5, 1.25]),
  })
  .superRefine((m, ctx) => {
    m.students.forEach((s, i) => {
      if (s >= m.teacher)
        ctx.addIssue({ code: 'custom', path: ['students', i], message: `student ${s}x must be below the teacher's ${m.teacher}x` });
      if (m.students.indexOf(s) !== i) ctx.addIssue({ code: 'custom', path: ['students', i], message: `${s}x is listed twice` });
    });
  });

const Model = z.strictObject({
  name: z.enum(['gn_resnet', 'resnet18', 'resnet34', 'resnet50']).default('gn_resnet'),
  norm: z.enum(['group', 'batch']).optional().describe('default: group for gn_resnet, batch for resnet18/34/50'),
  widths: z.array(z.int().positive()).length(4).optional().describe('gn_resnet stage widths; default 32,64,128,256'),
  blocks: z.array(z.int().positive()).length(4).optional().describe('gn_resnet blocks per stage; default 1,1,1,1'),
});

/**
 * Defaults of fields that only some choices read, so the parsed config leaves them out (a run's identity holds
 * only what it uses); the core applies the same values, which test/native/defaults-agree.test.ts checks.
 */
export const CHOICE_DEFAULTS = { momentum: 0.9, gamma: 0.95, warmupEpochs: 0 } as const;

const Optimizer = z.strictObject({
  name: z.enum(['adam', 'adamw', 'sgd']).default('adam'),
  lr: positive.default(1e-3),
  weightDecay: z.number().nonnegative().default(1e-4),
  momentum: z.number().min(0).max(1).optional().describe(`sgd only; default ${CHOICE_DEFAULTS.momentum}`),
});

const Schedule = z.strictObject({
  name: z.enum(['constant', 'exponential', 'cosine']).default('constant'),
  gamma: positive.optional().describe(`exponential: lr x gamma^epoch; default ${CHOICE_DEFAULTS.gamma}`),
  warmupEpochs: z
    .int()
    .nonnegative()
    .optional()
    .describe(`linear warm-up from 0 over this many epochs; default ${CHOICE_DEFAULTS.warmupEpochs}`),
});

/** batchSize/accumulate default by unit: pieces 1 x 32 (the paper), tiles 16 x 1. */
const Training = z.strictObject({
  epochs: z.int().positive().default(100),
  batchSize: z.int().positive().optional(),
  accumulate: z.int().positive().optional(),
  optimizer: Optimizer.prefault({}),
  schedule: Schedule.prefault({}),
  clipGradNorm: positive.optional(),
  selectBy: z
    .enum(['accuracy', 'balancedAccuracy', 'macroF1', 'loss', 'distillLoss'])
    .default('accuracy')
    .describe(
      'the epoch kept: the best validation accuracy (default), balancedAccuracy, macroF1 or loss (these read the validation labels), or, for students only, distillLoss: the lowest distillation loss on the validation split, so the student never sees a label (with loss.wCe 0, the default; baselines then select as the teacher does)',
    ),
  bf16: z.boolean().default(false),
  channelsLast: z
    .boolean()
    .optional()
    .describe(
      'channels-last (NHWC) memory format for training and, when set, for the frozen teacher too; default off: NCHW trains faster on CPU at every size measured (40 to 417 x 312 px) and on CUDA with GroupNorm, and the teacher runs NHWC on CPU from 240 x 240 px',
    ),
  initFromTeacher: z
    .boolean()
    .default(false)
    .describe(
      "students only, ours: also train kd+init students, which start from the teacher's weights (the authors' students start from scratch; kd stays as it is)",
    ),
  progressive: z
    .boolean()
    .default(false)
    .describe(
      'students only, ours: also train kd-progressive students, a chain down the magnifications in which each student is taught by the kd-progressive (or, at the top, the kd) student one magnification up instead of by the teacher',
    ),
  weights: z
    .string()
    .min(1)
    .optional()
    .describe(
      'teacher only: distil from this trained teacher instead of training one: a resdistill weights file (a teacher of another experiment, or a PyTorch model written by python/resdistill_models.py save()); its architecture, classes and input normalisation come from the file, and magnifications.teacher must equal its magnification',
    ),
  teacherCache: z
    .boolean()
    .optional()
    .describe('students only: compute the teacher once per sample and flip/rotation (needs augment.jitter null)'),
});

const Jitter = z.strictObject({
  brightness: fraction.default(0.5),
  contrast: fraction.default(0.5),
  saturation: fraction.default(0.5),
  hue: z.number().min(0).max(0.5).default(0.2),
});

/** The authors' augmentation (datasets/factory.py): flips and colour jitter in a random order, the same for every view. */
const Augment = z.strictObject({
  flips: z.boolean().default(true).describe("random horizontal and vertical flips (the authors')"),
  rot90: z.boolean().default(false).describe("random quarter turns (ours; the authors' datasets/factory.py has none)"),
  jitter: Jitter.nullable()
    .prefault({})
    .describe("colour jitter, its four operations in a random order per sample (the authors'); null turns it off"),
});

const Loss = z.strictObject({
  wKd: z.number().nonnegative().default(1),
  wPx: z.number().nonnegative().default(1),
  wCe: z.number().nonnegative().default(0),
  temperature: positive.default(1),
  pixel: z.enum(['l2', 'l1']).default('l2'),
  resize: z.enum(['maxpool', 'bicubic', 'avgpool']).default('maxpool'),
  attention: z
    .strictObject({
      weight: z
        .number()
        .nonnegative()
        .default(1000)
        .describe("beta of Zagoruyko & Komodakis 2017 (their §4.1: 10^3, over the map's elements and the batch, i.e. a mean)"),
      power: positive.default(2).describe('p of the attention map mean_c |f|^p (their default 2)'),
    })
    .optional()
    .describe(
      "ours: also train kd+at students, whose loss adds attention transfer (Zagoruyko & Komodakis 2017) on the distilled feature maps, the teacher's map resized by `resize`; kd keeps the paper's loss (DiPalma et al. 2021, §2)",
    ),
});

/** The statistics' defaults, also read by results.json's schema for files that predate them. */
export const EVALUATION_DEFAULTS = { bootstrap: 10_000, margin: 1, metric: 'accuracy' } as const;

const Evaluation = z.strictObject({
  split: z.enum(['val', 'test']).default('test'),
  bootstrap: z
    .int()
    .nonnegative()
    .max(MAX_BOOTSTRAP_RESAMPLES)
    .default(EVALUATION_DEFAULTS.bootstrap)
    .describe('resamples of the group bootstrap (patients, else slides, else images)'),
  metric: z
    .enum(METRICS)
    .default(EVALUATION_DEFAULTS.metric)
    .describe('the headline metric of the answer and of the teacher check (the paper reports accuracy, F1, precision and recall)'),
  margin: z
    .number()
    .nonnegative()
    .max(100)
    .default(EVALUATION_DEFAULTS.margin)
    .describe(
      "non-inferiority margin in points of the metric (1 = one percentage point): a student keeps the teacher's accuracy when the one-sided 95% lower bound of student - teacher is above -margin",
    ),
});

const Sweep = z.strictObject({
  unlabeledFractions: z.array(fraction).min(1).describe('fractions of the unlabeled pool given to kd-unlabeled students'),
});

export const ExperimentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1).default('experiment'),
    // Copied into the plan, every run and the report: a note, not a data dump.
    description: z.string().max(10_000).optional(),
    data: Data,
    magnifications: Magnifications.prefault({}),
    model: Model.prefault({}),
    teacher: Training.prefault({}),
    student: Training.prefault({}),
    augment: Augment.prefault({}),
    loss: Loss.prefault({}),
    evaluation: Evaluation.prefault({}),
    seeds: z
      .array(z.int().nonnegative())
      .min(1)
      .superRefine((seeds, ctx) => {
        seeds.forEach((s, i) => {
          if (seeds.indexOf(s) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `seed ${s} is listed twice` });
        });
      })
      .default([0]),
    normalize: z
      .enum(['dataset', 'none'])
      .default('dataset')
      .describe("dataset: inputs standardised by the training pool's per-channel mean and std (the authors'); none: pixels in [0, 1]"),
    device: z
      .string()
      .regex(DEVICE_PATTERN, 'use auto, cpu, cuda or cuda:N')
      .default('auto')
      .describe('where training runs: auto (cuda when LibTorch sees a GPU), cpu, cuda or cuda:N'),
    threads: z.int().positive().optional().describe('LibTorch intra-op threads; default: all usable cores'),
    sweep: Sweep.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.teacher.selectBy === 'distillLoss')
      ctx.addIssue({
        code: 'custom',
        path: ['teacher', 'selectBy'],
        message: 'distillLoss selects students only (the teacher has no teacher)',
      });
    for (const key of ['initFromTeacher', 'progressive', 'teacherCache'] as const) {
      if (c.teacher[key])
        ctx.addIssue({ code: 'custom', path: ['teacher', key], message: 'applies to students only (set it under student)' });
    }
    if (c.student.weights)
      ctx.addIssue({ code: 'custom', path: ['student', 'weights'], message: 'applies to the teacher only (set it under teacher)' });
    if (c.student.teacherCache && c.augment.jitter !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['student', 'teacherCache'],
        message: 'the teacher cache needs flip/rotation-only augmentation: set augment.jitter to null',
      });
    }
    if (c.sweep && !hasUnlabeledPool(c.data)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sweep'],
        message:
          'an unlabeled-size sweep needs an unlabeled pool (data.unlabeledPool with unlabeled rows in the CSV, or data.splits.unlabeled > 0)',
      });
    }
  });

export type ExperimentInput = z.input<typeof ExperimentSchema>;
export type Experiment = z.output<typeof ExperimentSchema>;
export type TrainingConfig = z.output<typeof Training>;
export type ModelConfig = z.output<typeof Model>;

/** The JSON Schema editors use (input form: defaulted fields are optional). */
export function experimentJsonSchema(): object {
  const schema = z.toJSONSchema(ExperimentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'resdistill experiment' };
}
