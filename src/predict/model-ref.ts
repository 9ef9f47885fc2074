// Which model `predict` runs: a run of an experiment folder, or a weights file read by its own metadata.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UNIT_DEFAULTS } from '../config/schema.js';
import { ResdistillError } from '../util/errors.js';
import { type ModelSpec } from '../native/jobs.js';
import type { StainReference } from '../native/job-types.js';
import { readManifest } from '../store/store.js';
import { listSamples } from '../store/info.js';
import { checkpointOf, doneFile, oldRunDir, runDir } from '../experiment/layout.js';
import { checkUnchanged, describeWeights, fileIdentity, readSafetensorsMetadata, type WeightsDescription } from '../weights/weights.js';

/** A trained model as an experiment left it: its run, magnification, architecture, classes and tile size. */
export interface ModelRef {
  runDir: string;
  checkpoint: string;
  label: string;
  method: string;
  magnification: number;
  seed: number;
  model: ModelSpec;
  classes: string[];
  /** Side of the square tile in microns: the field of view the model was trained on. */
  sizeUm: number;
  /** The teacher run of the same seed, if the experiment has one. */
  teacher: ModelRef | null;
  /** Per-channel input statistics the model was trained with (identity for normalize: none), and the stain
   * reference its store was normalised to (docs/stain.md; null: none). */
  input: { mean: number[]; std: number[]; stain: StainReference | null };
  /** What the model was trained on: tiles, or whole tissue pieces (split into cells no larger than maxSizeUm). */
  unit: { kind: 'tiles' } | { kind: 'pieces'; minAreaUm2: number; maxSizeUm?: number };
  /** Trained on generated slides: every output of predict says SYNTHETIC. */
  synthetic: boolean;
  /** The run's identity hash, when known. */
  runId?: string;
  /** The checkpoint's file identity when it was described (src/weights/weights.ts fileIdentity): predict refuses a file
   * replaced or rewritten since, whose class names and outputs would come from different versions. */
  fileIdentity?: string;
}

/** The unit of the experiment's data, as its extract run recorded it (tiles for image folders and older plans). */
function unitOf(runs: PlanRun[]): ModelRef['unit'] {
  const extract = runs.find((r) => r.kind === 'extract') as
    (PlanRun & { identity?: { data?: { unit?: { kind?: string; minAreaUm2?: number; maxSizeUm?: number } } } }) | undefined;
  const unit = extract?.identity?.data?.unit;
  return unit?.kind === 'pieces'
    ? {
        kind: 'pieces',
        minAreaUm2: unit.minAreaUm2 ?? UNIT_DEFAULTS.minAreaUm2,
        ...(unit.maxSizeUm ? { maxSizeUm: unit.maxSizeUm } : {}),
      }
    : { kind: 'tiles' };
}

/** The training job records its input statistics in done.json; runs from before that used none. */
function inputOf(runDir: string): ModelRef['input'] {
  const none = { mean: [0, 0, 0], std: [1, 1, 1], stain: null };
  const done = doneFile(runDir);
  if (!existsSync(done)) return none;
  const input = (JSON.parse(readFileSync(done, 'utf8')) as { results?: { train?: { input?: ModelRef['input'] } } }).results?.train?.input;
  return input?.mean && input.std ? { mean: input.mean, std: input.std, stain: input.stain ?? null } : none;
}

interface PlanRun {
  key: string;
  label: string;
  kind: string;
  method?: string;
  magnification?: number;
  seed?: number;
  unlabeledFraction?: number;
  steps: { kind: string; spec: Record<string, unknown> }[];
}

/** A run's folder: the readable name, or `runs/<key>` in an experiment directory not rerun since names changed. */
function folderOf(outDir: string, run: PlanRun): string {
  const old = oldRunDir(outDir, run.key);
  return existsSync(old) ? old : runDir(outDir, run);
}

function fail(message: string): never {
  throw new ResdistillError('CONFIG_INVALID', message);
}

/** What every model of an experiment shares through its store: the classes and the tile side (area-preserving). */
function storeFacts(store: string): { classes: string[]; sizeUm: number } {
  const manifest = readManifest(store);
  const first = listSamples(store, manifest)[0];
  if (!first) fail(`store ${store} holds no samples`);
  const [h, w] = first.sample.views[0]!.shape;
  return { classes: manifest.classes, sizeUm: Math.sqrt(h! * w!) * manifest.magnifications[0]!.mpp };
}

function refOf(run: PlanRun, outDir: string, store: { classes: string[]; sizeUm: number }, runs: PlanRun[]): ModelRef {
  const dir = folderOf(outDir, run);
  const checkpoint = checkpointOf(dir);
  if (!existsSync(checkpoint)) fail(`${run.label} has no ${path.basename(checkpoint)} in ${dir}: finish the experiment first`);
  const teacherRun = run.method === 'teacher' ? undefined : runs.find((r) => r.method === 'teacher' && r.seed === run.seed);
  return {
    runDir: dir,
    checkpoint,
    label: run.label,
    method: run.method ?? 'unknown',
    magnification: run.magnification!,
    seed: run.seed ?? 0,
    model: run.steps[0]!.spec.model as ModelSpec,
    classes: store.classes,
    sizeUm: store.sizeUm,
    teacher: teacherRun ? refOf(teacherRun, outDir, store, runs) : null,
    input: inputOf(dir),
    unit: unitOf(runs),
    synthetic: (runs.find((r) => r.kind === 'extract') as { identity?: { source?: string } } | undefined)?.identity?.source === 'synthetic',
    runId: run.key,
  };
}

/** Which run of an experiment directory to use; defaults: KD, the lowest student magnification, the first seed. */
export interface RunChoice {
  method?: string;
  magnification?: number;
  seed?: number;
}

/**
 * Finds the run behind `model`: a run directory of `resdistill run` (or a checkpoint inside one), or the
 * experiment's output directory itself, where `choice` picks the run.
 */
export function resolveModel(model: string, choice: RunChoice = {}): ModelRef {
  const abs = path.resolve(model);
  if (!existsSync(abs)) fail(`--model: ${model} does not exist`);
  const dir = statSync(abs).isDirectory() ? abs : path.dirname(abs);
  const isOutDir = existsSync(path.join(dir, 'plan.json'));
  const outDir = isOutDir ? dir : path.dirname(path.dirname(dir));
  const planFile = path.join(outDir, 'plan.json');
  if (!existsSync(planFile)) fail(`--model: ${model} is neither an experiment directory nor a run inside one (no ${planFile})`);
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { storeDir: string; runs: PlanRun[] };
  const training = plan.runs.filter((r) => r.kind === 'train');
  let run: PlanRun | undefined;
  if (isOutDir) {
    const method = choice.method ?? 'kd';
    const mags = training.filter((r) => r.method === method).map((r) => r.magnification!);
    const mag = choice.magnification ?? (mags.length ? Math.min(...mags) : undefined);
    const seeds = training.filter((r) => r.method === method && r.magnification === mag).map((r) => r.seed!);
    const seed = choice.seed ?? (seeds.length ? Math.min(...seeds) : undefined);
    run = training.find((r) => r.method === method && r.magnification === mag && r.seed === seed);
    if (!run)
      fail(
        `--model: ${outDir} has no ${method} run${mag !== undefined ? ` at ${mag}x` : ''}${seed !== undefined ? ` with seed ${seed}` : ''}; its runs: ${availableRuns(training)}`,
      );
  } else {
    run = training.find((r) => folderOf(outDir, r) === dir);
    if (!run) fail(`--model: ${dir} is not a training run of ${outDir}`);
  }
  return refOf(run, outDir, storeFacts(plan.storeDir), plan.runs);
}

/** What an experiment's training runs offer, for a message: `teacher 10x (seeds 0, 1); kd 5x, 2.5x (seeds 0, 1)`. */
export function availableRuns(training: PlanRun[]): string {
  const methods = [...new Set(training.map((r) => r.method ?? 'unknown'))];
  return methods
    .map((m) => {
      const of = training.filter((r) => (r.method ?? 'unknown') === m);
      const mags = [...new Set(of.map((r) => r.magnification!))].sort((a, b) => b - a);
      const seeds = [...new Set(of.map((r) => r.seed ?? 0))].sort((a, b) => a - b);
      return `${m} ${mags.map((x) => `${x}x`).join(', ')} (seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')})`;
    })
    .join('; ');
}

/** The experiment around a run folder (<out>/runs/<name>), when there is one. */
function experimentOf(dir: string): string | null {
  const outDir = path.dirname(path.dirname(dir));
  return existsSync(path.join(outDir, 'plan.json')) ? outDir : null;
}

/** A model from its weights file alone (its own metadata); the teacher comes from the experiment when one is beside it. */
function refFromWeights(d: WeightsDescription, file: string): ModelRef {
  const [h, w] = d.inputSize ?? [0, 0];
  let teacher: ModelRef | null = null;
  if (experimentOf(path.dirname(file)) && d.method !== 'teacher') {
    try {
      teacher = resolveModel(path.dirname(file)).teacher;
    } catch {
      teacher = null; // the file sits beside an unrelated folder: predict without the teacher timing
    }
  }
  return {
    runDir: path.dirname(file),
    checkpoint: file,
    label: `${d.method} ${d.magnification}x`,
    method: d.method,
    magnification: d.magnification,
    seed: 0,
    model: { ...d.architecture } as ModelSpec,
    classes: d.classes,
    sizeUm: d.unit === 'tiles' ? Math.sqrt(h * w) * d.mpp : (d.maxSizeUm ?? 0),
    teacher,
    input: { mean: d.input.mean, std: d.input.std, stain: d.input.stain ?? null },
    unit:
      d.unit === 'pieces'
        ? { kind: 'pieces', minAreaUm2: UNIT_DEFAULTS.minAreaUm2, ...(d.maxSizeUm ? { maxSizeUm: d.maxSizeUm } : {}) }
        : { kind: 'tiles' },
    synthetic: d.synthetic,
    runId: d.runId,
  };
}

/**
 * resolveModel, preferring what a weights file says of itself: a self-describing .safetensors is used alone (checked
 * against its tensors natively), an older file without a description goes through its experiment folder, and a file
 * with neither is refused with WEIGHTS_INVALID naming what its metadata lacks.
 */
export async function resolveModelRef(model: string, choice: RunChoice = {}): Promise<ModelRef> {
  const abs = path.resolve(model);
  if (!existsSync(abs) || statSync(abs).isDirectory()) return resolveModel(model, choice);
  const identity = fileIdentity(abs);
  const describesItself = 'resdistillFormat' in readSafetensorsMetadata(abs);
  if (!describesItself && experimentOf(path.dirname(abs))) return resolveModel(model, choice);
  const ref = refFromWeights(await describeWeights(abs), abs);
  checkUnchanged(abs, identity);
  return { ...ref, fileIdentity: identity };
}
