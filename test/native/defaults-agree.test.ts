// One owner per default: the experiment config (zod) owns every user-facing default; where the core keeps one of
// its own (a job spec may omit a field), it must equal the config's. Needs the addon (the train.defaults job).
import { describe, expect, it } from 'vitest';
import { CHOICE_DEFAULTS, ExperimentSchema } from '../../src/experiment/config.js';
import { CHECKPOINT } from '../../src/experiment/layout.js';
import { resolveExperiment } from '../../src/experiment/load.js';
import { runNative } from '../../src/jobs.js';

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
});
