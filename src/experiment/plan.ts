// The run plan: extract -> teacher per seed -> per student magnification baseline, kd, kd+init (when asked),
// kd-unlabeled per seed -> cost.
// Each run is keyed by the hash of the resolved sub-config it depends on, so a rerun recognises finished work.
import { extractSteps } from './steps.js';
import path from 'node:path';
import { runKey } from './hash.js';
import { checkpointOf, runDir, storeDir as layoutStoreDir } from './layout.js';
import { type ResolvedExperiment, type ResolvedTraining, unitOf } from './load.js';
import { hasUnlabeledPool } from './config.js';
import type { RunDevice } from '../device.js';
import type { JobKind } from '../jobs.js';

/** kd+init: a distilled student that starts from the teacher's weights (ours; the authors' students start from scratch). */
export type Method = 'teacher' | 'baseline' | 'kd' | 'kd+init' | 'kd-unlabeled';
export type RunKind = 'extract' | 'train' | 'cost';

/** The job kinds a plan's steps run (cost.model is the runner's composite step, src/experiment/steps.ts). */
export const JOB_KINDS = {
  extract: 'store.extract',
  supervised: 'train.supervised',
  distill: 'train.distill',
  eval: 'eval',
  cost: 'cost.model',
} as const;

export interface JobStep {
  /** Stable name of the step inside its run (train, eval, extract, cost). */
  name: string;
  /** A native job, or the runner's composite cost step. */
  kind: JobKind | typeof JOB_KINDS.cost;
  spec: Record<string, unknown>;
}

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
  steps: JobStep[];
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
}


/** What training needs to know of the data: which store, and how it was made (its extract key). */
function dataIdentity(c: ResolvedExperiment, extractKey: string | null): Record<string, unknown> {
  return c.data.source === 'store' ? { store: c.data.path } : { extract: extractKey };
}

/** The training fields of a run's identity (the config's own shape, so keys stay stable). */
function trainingSpec(t: ResolvedTraining, c: ResolvedExperiment): Record<string, unknown> {
  const { epochs, batchSize, accumulate, optimizer, schedule, clipGradNorm, selectBy, bf16, channelsLast } = t;
  return { model: c.model, epochs, batchSize, accumulate, optimizer, schedule, clipGradNorm, selectBy, bf16, channelsLast, augment: c.augment, normalize: c.normalize, mode: loaderMode(c) };
}

/** Whole tissue pieces vary in size: the loader's exact mode (batch 1 each, accumulation does the rest). */
function loaderMode(c: ResolvedExperiment): 'exact' | 'fixed' {
  return unitOf(c.data) === 'pieces' ? 'exact' : 'fixed';
}

function label(method: Method, mag: number, seed: number, fraction?: number): string {
  return `${method} ${mag}x seed ${seed}${fraction !== undefined && fraction < 1 ? ` (${Math.round(fraction * 100)}% unlabeled)` : ''}`;
}

/** What a trained run's weights say of their data beside the job's own facts (native/core/train/run_weights.h). */
function weightsFactsOf(c: ResolvedExperiment): Record<string, unknown> {
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
    const { source: _source, ...data } = c.data;
    const identity = { step: 'extract', source: c.data.source, data: { ...data }, magnifications: mags };
    extractKey = runKey(identity);
    storeDir = layoutStoreDir(outDir, extractKey);
    const steps = extractSteps(c.data, mags, storeDir);
    runs.push({ key: extractKey, label: `extract ${mags.map((m) => `${m}x`).join(' ')}`, kind: 'extract', dependsOn: [], identity, steps });
  }
  const deps = extractKey ? [extractKey] : [];
  const data = dataIdentity(c, extractKey);
  const pieces = loaderMode(c) === 'exact';
  const evalBase = { store: storeDir, split: c.evaluation.split, model: c.model, bootstrap: c.evaluation.bootstrap, normalize: c.normalize, device, ...(pieces ? { mode: 'exact', batchSize: 1 } : {}) };

  const weightsFacts = weightsFactsOf(c);
  /** A training run: train at `mag`, then evaluate its best checkpoint on the held-out split. */
  const addTrain = (method: Method, mag: number, seed: number, identity: Record<string, unknown>, job: JobStep, dependsOn: string[], fraction?: number) => {
    const key = runKey(identity);
    const dir = runDir(outDir, { key, kind: 'train', method, magnification: mag, seed, ...(fraction !== undefined ? { unlabeledFraction: fraction } : {}) });
    runDirs.set(key, dir);
    job.spec = { ...job.spec, store: storeDir, magnification: mag, seed, device, outDir: dir, resume: true, weights: { method, runId: key, ...weightsFacts } };
    const evalSpec = { ...evalBase, magnification: mag, checkpoint: checkpointOf(dir), seed };
    const run: PlannedRun = { key, label: label(method, mag, seed, fraction), kind: 'train', method, magnification: mag, seed, dependsOn, identity, steps: [job, { name: 'eval', kind: JOB_KINDS.eval, spec: evalSpec }] };
    if (fraction !== undefined) run.unlabeledFraction = fraction;
    runs.push(run);
    return key;
  };

  const teacherSpec = trainingSpec(c.teacher, c);
  const studentSpec = trainingSpec(c.student, c);
  const { margin: _margin, metric: _metric, ...evaluation } = c.evaluation; // read by the report only: no run depends on them
  const teachers = new Map<number, string>();
  for (const seed of c.seeds) {
    const mag = c.magnifications.teacher;
    const identity = { method: 'teacher', data, magnification: mag, seed, device, training: teacherSpec, evaluation };
    teachers.set(seed, addTrain('teacher', mag, seed, identity, { name: 'train', kind: JOB_KINDS.supervised, spec: teacherSpec }, deps));
  }
  const hasPool = hasUnlabeledPool(c.data);
  const fractions = hasPool ? [...new Set([...(c.sweep?.unlabeledFractions ?? []).filter((f) => f > 0), 1])].sort((a, b) => b - a) : [];
  const teacherModel = { magnification: c.magnifications.teacher, model: c.model };
  for (const mag of c.magnifications.students) {
    for (const seed of c.seeds) {
      const baseIdentity = { method: 'baseline', data, magnification: mag, seed, device, training: studentSpec, evaluation };
      addTrain('baseline', mag, seed, baseIdentity, { name: 'train', kind: JOB_KINDS.supervised, spec: studentSpec }, deps);
      const teacherKey = teachers.get(seed) as string;
      const teacher = { ...teacherModel, checkpoint: checkpointOf(runDirs.get(teacherKey)!) };
      const distill = (method: Method, unlabeled: boolean, fraction?: number) => {
        const extra: Record<string, unknown> = fraction !== undefined && fraction < 1 ? { unlabeledFraction: fraction } : {};
        if (c.student.teacherCache) extra.teacherCache = true;
        if (method === 'kd+init') extra.initFromTeacher = true;
        const identity = { method, data, magnification: mag, seed, device, training: studentSpec, loss: c.loss, teacher: teacherKey, unlabeled, ...extra, evaluation };
        const spec = { ...studentSpec, teacher, loss: c.loss, unlabeled, ...extra };
        addTrain(method, mag, seed, identity, { name: 'train', kind: JOB_KINDS.distill, spec }, [...deps, teacherKey], fraction);
      };
      distill('kd', false);
      if (c.student.initFromTeacher) distill('kd+init', false);
      for (const f of fractions) distill('kd-unlabeled', true, f);
    }
  }
  for (const mag of mags) {
    const identity = { step: 'cost', data, magnification: mag, model: c.model, device };
    const key = runKey(identity);
    const spec = { store: storeDir, magnification: mag, model: c.model, device };
    runs.push({ key, label: `cost ${mag}x`, kind: 'cost', magnification: mag, dependsOn: deps, identity, steps: [{ name: 'cost', kind: JOB_KINDS.cost, spec }] });
  }
  return { storeDir, device, runs };
}
