// The run plan: extract -> teacher per seed -> per student magnification baseline, kd, kd+init, kd+at and kd-progressive (when asked),
// kd-unlabeled per seed -> cost.
// Each run is keyed by the hash of the resolved sub-config it depends on, so a rerun recognises finished work.
import { extractSteps } from '../store/extract-steps.js';
import type { TeacherFile } from './teacher-file.js';
import path from 'node:path';
import { runKey } from './hash.js';
import { checkpointOf, runDir, storeDir as layoutStoreDir } from './layout.js';
import { type ResolvedExperiment, type ResolvedTraining, unitOf } from '../config/load.js';
import { hasUnlabeledPool } from '../config/schema.js';
import type { RunDevice } from '../native/device.js';
import type { AnyJobStep } from '../native/job-step.js';
import type { DistillSpec, EvalSpec, TrainSpec } from '../native/jobs.js';
import type { TrainedMethod as Method } from '../report/results.js';

export type RunKind = 'extract' | 'train' | 'cost';

/** The job kinds a plan's steps run (cost.model is the runner's composite step, src/experiment/executor.ts). */
export const JOB_KINDS = {
  extract: 'store.extract',
  supervised: 'train.supervised',
  distill: 'train.distill',
  eval: 'eval',
  cost: 'cost.model',
} as const;

/** The fields the plan sets on every training step itself (where and what it runs), beside the config's. */
type RunFields = 'store' | 'magnification' | 'seed' | 'device' | 'out' | 'resume' | 'weights';
type TrainingFields = Omit<TrainSpec, RunFields>;
type TrainingStep = { kind: 'train.supervised'; spec: TrainingFields } | { kind: 'train.distill'; spec: Omit<DistillSpec, RunFields> };

export interface PlannedRun {
  key: string;
  /** Human label, e.g. `kd 2.5x seed 1`. */
  label: string;
  kind: RunKind;
  method?: Method;
  magnification?: number;
  seed?: number;
  /** Fraction of the unlabeled pool a kd-unlabeled run uses (1 = all of it). */
  unlabeledFraction?: number;
  /** Keys of the runs that must finish first. */
  dependsOn: string[];
  /** The resolved sub-config whose hash is `key` (output paths excluded: a moved run directory keeps its keys). */
  identity: Record<string, unknown>;
  steps: AnyJobStep[];
}

export interface Plan {
  storeDir: string;
  device: RunDevice;
  runs: PlannedRun[];
}

export interface PlanOptions {
  outDir: string;
  /** `auto` in the config is resolved by the caller (CUDA present or not). */
  device: RunDevice;
  /** teacher.weights, read by the caller (readTeacherFile): the plan stays pure. */
  teacherFile?: TeacherFile;
}

/** What training needs to know of the data: which store, and how it was made (its extract key). */
function dataIdentity(c: ResolvedExperiment, extractKey: string | null): Record<string, unknown> {
  return c.data.source === 'store' ? { store: c.data.path } : { extract: extractKey };
}

/** The training fields of a run's identity (the config's own shape, so keys stay stable). */
function trainingSpec(t: ResolvedTraining, c: ResolvedExperiment): TrainingFields {
  const { epochs, batchSize, accumulate, optimizer, schedule, clipGradNorm, selectBy, bf16, channelsLast } = t;
  return {
    model: c.model,
    epochs,
    batchSize,
    accumulate,
    optimizer,
    schedule,
    clipGradNorm,
    selectBy,
    bf16,
    channelsLast,
    augment: c.augment,
    normalize: c.normalize,
    mode: loaderMode(c),
  };
}

/** Whole tissue pieces vary in size: the loader's exact mode (batch 1 each, accumulation does the rest). */
function loaderMode(c: ResolvedExperiment): 'exact' | 'fixed' {
  return unitOf(c.data) === 'pieces' ? 'exact' : 'fixed';
}

function label(method: Method, mag: number, seed: number, fraction?: number): string {
  return `${method} ${mag}x seed ${seed}${fraction !== undefined && fraction < 1 ? ` (${Math.round(fraction * 100)}% unlabeled)` : ''}`;
}

/** What a trained run's weights say of their data beside the job's own facts (native/core/train/run_weights.h). */
function weightsFactsOf(c: ResolvedExperiment): Omit<NonNullable<TrainSpec['weights']>, 'method' | 'runId'> {
  const unit = c.data.source === 'slides' || c.data.source === 'synthetic' ? c.data.unit : null;
  return {
    synthetic: c.data.source === 'synthetic',
    unit: unit?.kind === 'pieces' ? 'pieces' : 'tiles',
    ...(unit?.kind === 'pieces' && unit.maxSizeUm ? { maxSizeUm: unit.maxSizeUm } : {}),
  };
}

/** Builds every run of the experiment in dependency order. Pure: nothing is read or written. */
export function planExperiment(c: ResolvedExperiment, options: PlanOptions): Plan {
  const { outDir, device } = options;
  const runs: PlannedRun[] = [];
  const runDirs = new Map<string, string>(); // run key -> its folder (students find their teacher's checkpoint)
  const mags = [c.magnifications.teacher, ...c.magnifications.students];
  let extractKey: string | null = null;
  let storeDir: string;
  if (c.data.source === 'store') {
    storeDir = c.data.path;
  } else {
    // unlabeledPool only plans kd-unlabeled runs: the extraction never reads it, so it is not the store's identity.
    const { source: _source, ...withPool } = c.data;
    const { unlabeledPool: _pool, stain, ...data } = withPool as typeof withPool & { unlabeledPool?: boolean };
    // stain enters the identity only when used, so every store (and run key) from before data.stain keeps its key.
    const identity = {
      step: 'extract',
      source: c.data.source,
      data: { ...data, ...(stain !== 'none' ? { stain } : {}) },
      magnifications: mags,
    };
    extractKey = runKey(identity);
    storeDir = layoutStoreDir(outDir, extractKey);
    const steps = extractSteps(c.data, mags, storeDir);
    runs.push({ key: extractKey, label: `extract ${mags.map((m) => `${m}x`).join(' ')}`, kind: 'extract', dependsOn: [], identity, steps });
  }
  const deps = extractKey ? [extractKey] : [];
  const data = dataIdentity(c, extractKey);
  const pieces = loaderMode(c) === 'exact';
  const evalBase: Omit<EvalSpec, 'magnification' | 'checkpoint' | 'seed'> = {
    store: storeDir,
    split: c.evaluation.split,
    model: c.model,
    bootstrap: c.evaluation.bootstrap,
    normalize: c.normalize,
    device,
    ...(pieces ? { mode: 'exact' as const, batchSize: 1 } : {}),
  };

  const weightsFacts = weightsFactsOf(c);
  /** A training run: train at `mag`, then evaluate its best checkpoint on the held-out split. */
  const addTrain = (
    method: Method,
    mag: number,
    seed: number,
    identity: Record<string, unknown>,
    job: TrainingStep,
    dependsOn: string[],
    fraction?: number,
  ) => {
    const key = runKey(identity);
    const dir = runDir(outDir, {
      key,
      kind: 'train',
      method,
      magnification: mag,
      seed,
      ...(fraction !== undefined ? { unlabeledFraction: fraction } : {}),
    });
    runDirs.set(key, dir);
    const runFields = {
      store: storeDir,
      magnification: mag,
      seed,
      device,
      out: dir,
      resume: true,
      weights: { method, runId: key, ...weightsFacts },
    };
    const train: AnyJobStep =
      job.kind === 'train.distill'
        ? { name: 'train', kind: job.kind, spec: { ...job.spec, ...runFields } }
        : { name: 'train', kind: job.kind, spec: { ...job.spec, ...runFields } };
    const evalSpec: EvalSpec = { ...evalBase, magnification: mag, checkpoint: checkpointOf(dir), seed };
    const run: PlannedRun = {
      key,
      label: label(method, mag, seed, fraction),
      kind: 'train',
      method,
      magnification: mag,
      seed,
      dependsOn,
      identity,
      steps: [train, { name: 'eval', kind: JOB_KINDS.eval, spec: evalSpec }],
    };
    if (fraction !== undefined) run.unlabeledFraction = fraction;
    runs.push(run);
    return key;
  };

  const teacherSpec = trainingSpec(c.teacher, c);
  const studentSpec = trainingSpec(c.student, c);
  // Baselines learn from labels: with students selected label-free (distillLoss), they select as the teacher does.
  const baselineSpec = studentSpec.selectBy === 'distillLoss' ? { ...studentSpec, selectBy: teacherSpec.selectBy } : studentSpec;
  const { margin: _margin, metric: _metric, ...evaluation } = c.evaluation; // read by the report only: no run depends on them
  const teachers = new Map<number, string>();
  const { teacherFile } = options;
  if (c.teacher.weights && teacherFile?.path !== c.teacher.weights)
    throw new Error('internal: plan teacher.weights with its readTeacherFile()');
  for (const seed of c.seeds) {
    const mag = c.magnifications.teacher;
    if (teacherFile) {
      // A teacher brought as a file is evaluated, not trained: one run per seed, so every comparison stays paired.
      const identity = { method: 'teacher', data, magnification: mag, seed, device, weights: teacherFile.sha256, evaluation };
      const key = runKey(identity);
      const evalSpec: EvalSpec = { ...evalBase, magnification: mag, weights: teacherFile.path, seed };
      delete evalSpec.model;
      runs.push({
        key,
        label: label('teacher', mag, seed),
        kind: 'train',
        method: 'teacher',
        magnification: mag,
        seed,
        dependsOn: deps,
        identity,
        steps: [{ name: 'eval', kind: JOB_KINDS.eval, spec: evalSpec }],
      });
      teachers.set(seed, key);
      continue;
    }
    const identity = { method: 'teacher', data, magnification: mag, seed, device, training: teacherSpec, evaluation };
    teachers.set(seed, addTrain('teacher', mag, seed, identity, { kind: JOB_KINDS.supervised, spec: teacherSpec }, deps));
  }
  const hasPool = hasUnlabeledPool(c.data);
  const fractions = hasPool ? [...new Set([...(c.sweep?.unlabeledFractions ?? []).filter((f) => f > 0), 1])].sort((a, b) => b - a) : [];
  /** The student each seed's chain hands down (kd-progressive): the last one trained, one magnification up. */
  const chain = new Map<number, { key: string; magnification: number }>();
  for (const mag of [...c.magnifications.students].sort((a, b) => b - a)) {
    for (const seed of c.seeds) {
      const baseIdentity = { method: 'baseline', data, magnification: mag, seed, device, training: baselineSpec, evaluation };
      addTrain('baseline', mag, seed, baseIdentity, { kind: JOB_KINDS.supervised, spec: baselineSpec }, deps);
      const teacherKey = teachers.get(seed) as string;
      /** One distilled student; `from` is the run that teaches it (the teacher unless the chain's student does). */
      const distill = (
        method: Method,
        unlabeled: boolean,
        fraction?: number,
        from = { key: teacherKey, magnification: c.magnifications.teacher },
      ) => {
        const teacher: DistillSpec['teacher'] =
          teacherFile && from.key === teacherKey
            ? { magnification: from.magnification, weights: teacherFile.path }
            : { magnification: from.magnification, model: c.model, checkpoint: checkpointOf(runDirs.get(from.key)!) };
        const extra: Pick<DistillSpec, 'unlabeledFraction' | 'teacherCache' | 'initFromTeacher'> =
          fraction !== undefined && fraction < 1 ? { unlabeledFraction: fraction } : {};
        if (c.student.teacherCache) extra.teacherCache = true;
        if (method === 'kd+init') extra.initFromTeacher = true;
        // Only kd+at adds attention transfer: every other student keeps the paper's loss (§2) and its run identity.
        const { attention: _attention, ...paperLoss } = c.loss;
        const loss = method === 'kd+at' ? c.loss : paperLoss;
        const identity = {
          method,
          data,
          magnification: mag,
          seed,
          device,
          training: studentSpec,
          loss,
          teacher: from.key,
          ...(from.key !== teacherKey ? { teacherMagnification: from.magnification } : {}),
          unlabeled,
          ...extra,
          evaluation,
        };
        const spec = { ...studentSpec, teacher, loss, unlabeled, ...extra };
        return addTrain(method, mag, seed, identity, { kind: JOB_KINDS.distill, spec }, [...deps, from.key], fraction);
      };
      const kd = distill('kd', false);
      if (c.student.initFromTeacher) distill('kd+init', false);
      if (c.loss.attention) distill('kd+at', false);
      for (const f of fractions) distill('kd-unlabeled', true, f);
      if (c.student.progressive) {
        // The top student is the chain's first link (kd itself); each one below is taught by the one above.
        const above = chain.get(seed);
        chain.set(
          seed,
          above ? { key: distill('kd-progressive', false, undefined, above), magnification: mag } : { key: kd, magnification: mag },
        );
      }
    }
  }
  for (const mag of mags) {
    const identity = { step: 'cost', data, magnification: mag, model: c.model, device };
    const key = runKey(identity);
    const spec = { store: storeDir, magnification: mag, model: c.model, device };
    runs.push({
      key,
      label: `cost ${mag}x`,
      kind: 'cost',
      magnification: mag,
      dependsOn: deps,
      identity,
      steps: [{ name: 'cost', kind: JOB_KINDS.cost, spec }],
    });
  }
  return { storeDir, device, runs };
}
