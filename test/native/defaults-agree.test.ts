// One owner per default: the experiment config (zod) owns every user-facing default. For each job kind, a field the
// config gives a default is either required by the core (no silent fallback) or, for training, reported by
// train.defaults and equal to the config's. Needs the addon.
import { describe, expect, it } from 'vitest';
import { JOB_KIND_LIST, type JobKind, runNative } from '../../src/native/jobs.js';
import { runJob } from '../../src/native/job.js';
import { CHOICE_DEFAULTS, ExperimentSchema } from '../../src/config/schema.js';
import { CHECKPOINT } from '../../src/experiment/layout.js';
import { resolveExperiment } from '../../src/config/load.js';

describe('native defaults agree with the config schema (needs the addon)', () => {
  it('training, optimiser, schedule, loss, augmentation, model, normalisation and seed', async () => {
    const native = await runNative('train.defaults', {});
    const minimal = { data: { source: 'images', root: '/x', mpp: 1 } };
    const schema = ExperimentSchema.parse(minimal);
    const resolved = resolveExperiment(minimal); // fills the unit- and model-dependent defaults
    const t = resolved.student;
    expect(native.training).toEqual({
      epochs: t.epochs,
      batchSize: t.batchSize, // tiles and images: 16 (pieces resolve to 1 x 32 in the plan, which always sends them)
      accumulate: t.accumulate,
      selectBy: t.selectBy,
      bf16: t.bf16,
      optimizer: { name: t.optimizer.name, lr: t.optimizer.lr, weightDecay: t.optimizer.weightDecay, momentum: CHOICE_DEFAULTS.momentum },
      schedule: { name: t.schedule.name, gamma: CHOICE_DEFAULTS.gamma, warmupEpochs: CHOICE_DEFAULTS.warmupEpochs },
    });
    expect(native.loss).toEqual(schema.loss);
    expect(native.augment).toEqual(schema.augment);
    expect(native.normalize).toBe(schema.normalize);
    expect(native.seed).toBe(schema.seeds[0]);
    // The model: the config names gn_resnet with its widths and blocks; the core also fixes GroupNorm's 32 groups.
    expect(native.model).toMatchObject(resolved.model);
    // The run-folder layout (src/experiment/layout.ts) names the checkpoint the training loop writes.
    expect(native.checkpoint).toBe(CHECKPOINT);
  });

  /** Per job kind: the config-owned fields the core requires, each with a spec that has everything else. */
  const REQUIRED: Partial<Record<JobKind, { spec: Record<string, unknown>; fields: string[] }>> = {
    eval: { spec: { store: '/nonexistent-store', magnification: 10, checkpoint: '/x.safetensors', bootstrap: 0 }, fields: ['bootstrap'] },
    'eval.metrics': {
      spec: {
        labels: [0, 1],
        probs: [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
        bootstrap: 0,
      },
      fields: ['bootstrap'],
    },
    'synth.cohort': { spec: { out: '/nonexistent-dir/cohort', seed: 0, slidesPerClass: 1 }, fields: ['seed', 'slidesPerClass'] },
    'store.extract': {
      spec: {
        out: '/nonexistent-dir/store',
        magnifications: [10],
        splits: { seed: 0, train: 0.6, val: 0.2, test: 0.2 },
        source: { kind: 'slides', csv: '/nonexistent.csv', unit: 'tiles', sizeUm: 256, minTissue: 0.5 },
      },
      fields: ['source.unit', 'source.sizeUm', 'source.minTissue'],
    },
  };
  /** Kinds whose config-owned fields train.defaults reports (checked above). */
  const REPORTED: JobKind[] = ['train.supervised', 'train.distill', 'train.loss'];
  /** Kinds with no field the experiment config gives a default (benchmarks, readers, tools, and the slide jobs whose caller fills the unit's defaults: src/slide/slide.ts). */
  const NONE: JobKind[] = [
    'store.verify',
    'store.merge',
    'slide.tissue',
    'slide.classify',
    'slide.extract',
    'slide.readTiles',
    'image.areaBench',
    'stain.fit',
    'stain.apply',
    'cost.count',
    'cost.measure',
    'train.defaults',
    'models.describe',
    'models.export',
    'weights.describe',
    'weights.forward',
    'data.scan',
    'data.peek',
    'bench.trainStep',
    'bench.loaderEpoch',
    'bench.matmul',
  ];

  it('every job kind is accounted for: its config-owned fields are required or reported', () => {
    const covered = [...Object.keys(REQUIRED), ...REPORTED, ...NONE].sort();
    expect(covered).toEqual([...JOB_KIND_LIST].sort());
  });

  it.each(Object.entries(REQUIRED))(
    '%s refuses a spec without a config-owned field (CONFIG_INVALID naming it)',
    async (kind, { spec, fields }) => {
      for (const field of fields) {
        const [head, tail] = field.split('.') as [string, string | undefined];
        const without = structuredClone(spec);
        if (tail) delete (without[head] as Record<string, unknown>)[tail];
        else delete without[head];
        await expect(runJob(kind, without), field).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining(tail ?? head),
        });
      }
    },
  );
});
