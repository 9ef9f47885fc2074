// `resdistill predict`: a trained run's model over one slide. Tissue detection, then every tissue tile read
// at the model's magnification and classified; the slide label by mean probability and by majority; a heatmap
// over the thumbnail; and the same slide through the run's teacher for the time it costs at high magnification.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ResdistillError } from './errors.js';
import type { JobEvent } from './job.js';
import { type ModelSpec, runNative } from './jobs.js';
import { writeHeatmapFigure } from './heatmap-figure.js';
import { PROBABILITY_DECIMALS, tilesGeoJson, writeGeoJson } from './geojson.js';
import type { RgbImage } from './png.js';
import { openSlide } from './slide.js';
import type { Tile, TissuePiece } from './slide-types.js';
import { readManifest } from './store.js';
import { listSamples } from './store_info.js';
import type { RunDevice } from './device.js';
import { checkpointOf, doneFile, oldRunDir, runDir } from './experiment/layout.js';
import { UNIT_DEFAULTS } from './experiment/config.js';
import { csvText } from './csv.js';
import { checkUnchanged, describeWeights, fileIdentity, readSafetensorsMetadata, type WeightsDescription } from './weights.js';

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
  /** Per-channel input statistics the model was trained with (identity for normalize: none). */
  input: { mean: number[]; std: number[] };
  /** What the model was trained on: tiles, or whole tissue pieces (split into cells no larger than maxSizeUm). */
  unit: { kind: 'tiles' } | { kind: 'pieces'; minAreaUm2?: number; maxSizeUm?: number };
  /** Trained on generated slides: every output of predict says SYNTHETIC. */
  synthetic: boolean;
  /** The run's identity hash, when known. */
  runId?: string;
  /** The checkpoint's file identity when it was described (src/weights.ts fileIdentity): predict refuses a file
   * replaced or rewritten since, whose class names and outputs would come from different versions. */
  fileIdentity?: string;
}

/** The unit of the experiment's data, as its extract run recorded it (tiles for image folders and older plans). */
function unitOf(runs: PlanRun[]): ModelRef['unit'] {
  const extract = runs.find((r) => r.kind === 'extract') as (PlanRun & { identity?: { data?: { unit?: { kind?: string; minAreaUm2?: number; maxSizeUm?: number } } } }) | undefined;
  const unit = extract?.identity?.data?.unit;
  return unit?.kind === 'pieces' ? { kind: 'pieces', ...(unit.minAreaUm2 ? { minAreaUm2: unit.minAreaUm2 } : {}), ...(unit.maxSizeUm ? { maxSizeUm: unit.maxSizeUm } : {}) } : { kind: 'tiles' };
}

/** Detected tissue pieces as rectangles, each split into a grid of cells no larger than maxSizeUm (as extraction does). */
export function pieceRects(pieces: TissuePiece[], mpp: number, maxSizeUm?: number): Tile[] {
  const out: Tile[] = [];
  pieces.forEach((p, index) => {
    const max = maxSizeUm ? maxSizeUm / mpp : Infinity;
    const nx = Math.max(1, Math.ceil(p.box.width / max));
    const ny = Math.max(1, Math.ceil(p.box.height / max));
    const w = p.box.width / nx;
    const h = p.box.height / ny;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = Math.round(p.box.x + i * w);
        const y = Math.round(p.box.y + j * h);
        out.push({ x, y, width: Math.round(w), height: Math.round(h), xUm: x * mpp, yUm: y * mpp, sizeUm: Math.max(w, h) * mpp, tissue: 1, piece: index });
      }
    }
  });
  return out;
}

/** The training job records its input statistics in done.json; runs from before that used none. */
function inputOf(runDir: string): ModelRef['input'] {
  const none = { mean: [0, 0, 0], std: [1, 1, 1] };
  const done = doneFile(runDir);
  if (!existsSync(done)) return none;
  const input = (JSON.parse(readFileSync(done, 'utf8')) as { results?: { train?: { input?: ModelRef['input'] } } }).results?.train?.input;
  return input?.mean && input.std ? { mean: input.mean, std: input.std } : none;
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
    if (!run) fail(`--model: ${outDir} has no ${method} run${mag !== undefined ? ` at ${mag}x` : ''}${seed !== undefined ? ` with seed ${seed}` : ''}; its runs: ${availableRuns(training)}`);
  } else {
    run = training.find((r) => folderOf(outDir, r) === dir);
    if (!run) fail(`--model: ${dir} is not a training run of ${outDir}`);
  }
  return refOf(run, outDir, storeFacts(plan.storeDir), plan.runs);
}

/** What an experiment's training runs offer, for a message: `teacher 10x (seeds 0, 1); kd 5x, 2.5x (seeds 0, 1)`. */
export function availableRuns(training: PlanRun[]): string {
  const methods = [...new Set(training.map((r) => r.method ?? 'unknown'))];
  return methods.map((m) => {
    const of = training.filter((r) => (r.method ?? 'unknown') === m);
    const mags = [...new Set(of.map((r) => r.magnification!))].sort((a, b) => b - a);
    const seeds = [...new Set(of.map((r) => r.seed ?? 0))].sort((a, b) => a - b);
    return `${m} ${mags.map((x) => `${x}x`).join(', ')} (seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')})`;
  }).join('; ');
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
    input: { mean: d.input.mean, std: d.input.std },
    unit: d.unit === 'pieces' ? { kind: 'pieces', ...(d.maxSizeUm ? { maxSizeUm: d.maxSizeUm } : {}) } : { kind: 'tiles' },
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

export interface PredictOptions {
  out: string;
  mpp?: number;
  forceMpp?: boolean;
  /** Minimum tissue fraction of a tile (default UNIT_DEFAULTS.minTissue, the config's). */
  minTissue?: number;
  /** Overrides the model's tile side in microns. */
  sizeUm?: number;
  /** Step between tiles in microns (default: the tile side; smaller overlaps tiles for a finer heatmap). */
  strideUm?: number;
  /** The GeoJSON of the tiles for QuPath (default tiles.geojson in `out`). */
  geojson?: string;
  /** Also run the teacher on the same tiles, for the time comparison (default true when there is one). */
  teacher?: boolean;
  device?: RunDevice;
  signal?: AbortSignal;
  onEvent?: (stage: string, event: JobEvent) => void;
}

export interface ClassifyResult {
  probabilities: number[][];
  magnification: number;
  tiles: number;
  /** Reader threads' busy time, summed over threads (reading overlaps the model). */
  readSeconds: number;
  /** Time the model waited for tiles. */
  waitSeconds: number;
  modelSeconds: number;
  seconds: number;
  tilesPerSecond: number;
  channelsLast: boolean;
  /** The batch was split across threads (small tiles, native/core/models/batch_parallel.h). */
  batchParallel: boolean;
  tileWidth: number;
  tileHeight: number;
}

export interface Timing {
  label: string;
  magnification: number;
  seconds: number;
  readSeconds: number;
  waitSeconds: number;
  modelSeconds: number;
  tilesPerSecond: number;
}

export interface SlidePrediction {
  /** True when the model was trained on generated slides: its labels mean nothing clinically (warning says so). */
  synthetic: boolean;
  warning?: string;
  slide: string;
  model: { label: string; method: string; magnification: number; checkpoint: string; runId?: string };
  classes: string[];
  tiles: number;
  sizeUm: number;
  /** The tiling used; `note` says when the small-slide fallback (SMALL_SLIDE_TILING) replaced the defaults. */
  tiling: { minTissue: number; strideUm: number; note?: string };
  /** The slide label from the mean tile probability, and from the majority of tile labels. */
  meanProbability: { label: string; probabilities: Record<string, number> };
  majority: { label: string; votes: Record<string, number> };
  student: Timing;
  teacher: Timing | null;
  /** Teacher seconds / student seconds on the same tiles (null without a teacher). */
  speedup: number | null;
  /** Share of tiles where student and teacher agree on the label. */
  agreement: number | null;
  /** teacherCsv: the teacher's tile probabilities (same rows as csv), when the teacher ran. */
  files: { json: string; csv: string; heatmap: string; geojson: string; teacherCsv?: string };
}

/**
 * predict's fallback when neither --min-tissue nor --stride-um was given and no tile of the model's field of view
 * passes the config's minimum tissue: a small slide such as the shipped CMU-1-Small-Region against a 576 um model.
 */
export const SMALL_SLIDE_TILING = { minTissue: 0.25, stridesPerTile: 6 } as const;

/** What every output of a model trained on generated slides says. */
export const SYNTHETIC_WARNING = 'SYNTHETIC: this model was trained on generated slides, not tissue; its labels say nothing about this slide.';

const PALETTE: [number, number, number][] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127],
];

export function classColour(i: number): [number, number, number] {
  return PALETTE[i % PALETTE.length]!;
}

/** How strongly the heatmap tints a pixel whose class has mean probability p (its legend shows the same scale). */
export const tintAlpha = (p: number) => 0.2 + 0.6 * p;

const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);

/**
 * The thumbnail tinted, pixel by pixel, with the class of the mean probability of the tiles covering it, stronger
 * where the model is surer (overlapping tiles from --stride-um average out).
 */
export function heatmap(thumb: RgbImage, thumbMpp: number, slideMpp: number, tiles: Tile[], probabilities: number[][]): RgbImage {
  const { width, height } = thumb;
  const k = probabilities[0]?.length ?? 0;
  // One class at a time, keeping the best so far: memory stays 3 values a pixel whatever the class count (a sum per
  // class and pixel took gigabytes for a 1,000-class model).
  const sum = new Float32Array(width * height);
  const best = new Float32Array(width * height).fill(-1);
  const bestClass = new Int32Array(width * height);
  const counts = new Uint16Array(width * height);
  const scale = slideMpp / thumbMpp;
  const rects = tiles.map((t) => ({
    x0: Math.max(0, Math.floor(t.x * scale)), y0: Math.max(0, Math.floor(t.y * scale)),
    x1: Math.min(width, Math.ceil((t.x + t.width) * scale)), y1: Math.min(height, Math.ceil((t.y + t.height) * scale)),
  }));
  const cover = (each: (px: number, i: number) => void) =>
    rects.forEach(({ x0, y0, x1, y1 }, i) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) each(y * width + x, i);
    });
  cover((px) => counts[px]!++);
  for (let c = 0; c < k; c++) {
    cover((px, i) => (sum[px]! += probabilities[i]![c]!));
    cover((px) => {
      if (sum[px]! > best[px]!) {
        best[px] = sum[px]!;
        bestClass[px] = c;
      }
      sum[px] = 0;
    });
  }
  const out = Buffer.from(thumb.data);
  for (let px = 0; px < width * height; px++) {
    const n = counts[px]!;
    if (!n) continue;
    const c = bestClass[px]!;
    const a = tintAlpha(best[px]! / n);
    const colour = classColour(c);
    for (let ch = 0; ch < 3; ch++) out[3 * px + ch] = Math.round(out[3 * px + ch]! * (1 - a) + colour[ch]! * a);
  }
  return { width, height, data: out };
}

async function classify(slide: string, ref: ModelRef, tiles: Tile[], o: PredictOptions, stage: string): Promise<ClassifyResult> {
  return runNative(
    'slide.classify',
    {
      path: slide,
      ...(o.mpp !== undefined ? { mpp: o.mpp, forceMpp: Boolean(o.forceMpp) } : {}),
      tiles: tiles.map((t) => [t.x, t.y, t.width, t.height]),
      magnification: ref.magnification,
      model: ref.model,
      checkpoint: ref.checkpoint,
      classes: ref.classes.length,
      ...(ref.unit.kind === 'pieces' ? { batchSize: 1 } : {}), // pieces differ in size: one at a time
      mean: ref.input.mean,
      std: ref.input.std,
      device: o.device ?? 'cpu',
    },
    { signal: o.signal, onEvent: (e) => o.onEvent?.(stage, e) },
  );
}

const timing = (ref: ModelRef, r: ClassifyResult): Timing => ({
  label: ref.label,
  magnification: ref.magnification,
  seconds: r.seconds,
  readSeconds: r.readSeconds,
  waitSeconds: r.waitSeconds,
  modelSeconds: r.modelSeconds,
  tilesPerSecond: r.tilesPerSecond,
});

export async function predictSlide(slidePath: string, ref: ModelRef, o: PredictOptions): Promise<SlidePrediction> {
  const identities = [ref, ref.teacher].filter((r) => r !== null).map((r) => [r.checkpoint, r.fileIdentity ?? fileIdentity(r.checkpoint)] as const);
  const slide = openSlide(slidePath, { mpp: o.mpp, forceMpp: o.forceMpp });
  const sizeUm = o.sizeUm ?? ref.sizeUm;
  let tiling: SlidePrediction['tiling'] = { minTissue: o.minTissue ?? UNIT_DEFAULTS.minTissue, strideUm: o.strideUm ?? sizeUm };
  let tiles: Tile[];
  let thumb: RgbImage;
  let thumbMpp: number;
  try {
    const pieces = ref.unit.kind === 'pieces' ? ref.unit : null;
    const tissue = await slide.detectTissue(pieces?.minAreaUm2 ? { minAreaUm2: pieces.minAreaUm2 } : {}, { signal: o.signal });
    tiles = pieces
      ? pieceRects(tissue.pieces, slide.info.mpp.x, pieces.maxSizeUm)
      : await slide.tiles({ sizeUm, strideUm: tiling.strideUm, minTissue: tiling.minTissue }, { signal: o.signal });
    if (!pieces && tiles.length === 0 && o.minTissue === undefined && o.strideUm === undefined) {
      // A small slide (or biopsy) against a large field of view: overlapping tiles with less tissue rather than nothing.
      tiling = { minTissue: SMALL_SLIDE_TILING.minTissue, strideUm: sizeUm / SMALL_SLIDE_TILING.stridesPerTile, note: `no tile of ${sizeUm.toFixed(0)} um at stride ${sizeUm.toFixed(0)} um held ${UNIT_DEFAULTS.minTissue * 100}% tissue; used overlapping tiles (--stride-um ${(sizeUm / SMALL_SLIDE_TILING.stridesPerTile).toFixed(0)}, --min-tissue ${SMALL_SLIDE_TILING.minTissue}). Set either flag to choose yourself.` };
      tiles = await slide.tiles({ sizeUm, strideUm: tiling.strideUm, minTissue: tiling.minTissue }, { signal: o.signal });
    }
    // The heatmap's scale: about 1600 px on the long side, never finer than the scan, never coarser than the tissue thumbnail.
    const longUm = Math.max(slide.info.width * slide.info.mpp.x, slide.info.height * slide.info.mpp.y);
    thumbMpp = Math.min(tissue.thumbnail.targetMpp, Math.max(slide.info.mpp.x, longUm / 1600));
    thumb = slide.readRegion({ x: 0, y: 0, width: slide.info.width, height: slide.info.height }, { mpp: thumbMpp });
  } finally {
    slide.close();
  }
  if (tiles.length === 0) {
    const what = ref.unit.kind === 'pieces' ? 'tissue pieces' : `tissue tiles of ${sizeUm.toFixed(0)} um`;
    throw new ResdistillError('CONFIG_INVALID', `no ${what} found in ${slidePath} (try --min-tissue lower or --stride-um smaller for tiles)`);
  }

  const student = await classify(slidePath, ref, tiles, o, 'student');
  const useTeacher = (o.teacher ?? true) && ref.teacher !== null;
  const teacher = useTeacher ? await classify(slidePath, ref.teacher!, tiles, o, 'teacher') : null;
  for (const [file, identity] of identities) checkUnchanged(file, identity);
  for (const [who, r, k] of [['student', student, ref.classes.length], ['teacher', teacher, ref.teacher?.classes.length]] as const) {
    if (r && !r.probabilities.every((p) => p.length === k && p.every(Number.isFinite))) {
      throw new ResdistillError('WEIGHTS_INVALID', `the ${who}'s outputs are not finite probabilities over ${k} classes (NaN or infinite weights?); nothing written`);
    }
  }

  const classes = ref.classes;
  const mean = classes.map((_, c) => student.probabilities.reduce((s, p) => s + p[c]!, 0) / tiles.length);
  const labels = student.probabilities.map(argmax);
  const votes = classes.map((_, c) => labels.filter((l) => l === c).length);
  const agreement = teacher ? teacher.probabilities.filter((p, i) => argmax(p) === labels[i]).length / tiles.length : null;

  mkdirSync(o.out, { recursive: true });
  const files: SlidePrediction['files'] = {
    json: path.join(o.out, 'prediction.json'),
    csv: path.join(o.out, 'tiles.csv'),
    heatmap: path.join(o.out, 'heatmap.png'),
    geojson: path.resolve(o.geojson ?? path.join(o.out, 'tiles.geojson')),
    ...(teacher ? { teacherCsv: path.join(o.out, 'teacher-tiles.csv') } : {}),
  };
  writeHeatmapFigure(files.heatmap, heatmap(thumb, thumbMpp, slide.info.mpp.x, tiles, student.probabilities), {
    title: `${ref.label} (${String((ref.model as { name?: string }).name ?? ref.model)}) on ${path.basename(slidePath)}`,
    subtitle: `${tiles.length} ${ref.unit.kind === 'pieces' ? 'tissue pieces' : `tiles of ${sizeUm.toFixed(0)} um`} read at ${ref.magnification}x (${(10 / ref.magnification).toPrecision(3)} um/px); colour: the most probable class`,
    classes: ref.classes,
    colour: classColour,
    alpha: tintAlpha,
    synthetic: ref.synthetic,
  });
  const header = ['x', 'y', 'width', 'height', 'tissue', 'label', ...classes.map((c) => `p_${c}`)];
  const rowsOf = (probabilities: number[][]) =>
    tiles.map((t, i) => [t.x, t.y, t.width, t.height, t.tissue.toFixed(3), classes[argmax(probabilities[i]!)], ...probabilities[i]!.map((p) => p.toFixed(PROBABILITY_DECIMALS))]);
  writeFileSync(files.csv, csvText(header, rowsOf(student.probabilities)));
  if (teacher) writeFileSync(files.teacherCsv!, csvText(header, rowsOf(teacher.probabilities)));

  const result: SlidePrediction = {
    synthetic: ref.synthetic,
    ...(ref.synthetic ? { warning: SYNTHETIC_WARNING } : {}),
    slide: path.resolve(slidePath),
    model: { label: ref.label, method: ref.method, magnification: ref.magnification, checkpoint: ref.checkpoint, ...(ref.runId ? { runId: ref.runId } : {}) },
    classes,
    tiles: tiles.length,
    sizeUm,
    tiling,
    meanProbability: { label: classes[argmax(mean)]!, probabilities: Object.fromEntries(classes.map((c, i) => [c, mean[i]!])) },
    majority: { label: classes[argmax(votes)]!, votes: Object.fromEntries(classes.map((c, i) => [c, votes[i]!])) },
    student: timing(ref, student),
    teacher: teacher ? timing(ref.teacher!, teacher) : null,
    speedup: teacher ? teacher.seconds / student.seconds : null,
    agreement,
    files,
  };
  writeGeoJson(files.geojson, tilesGeoJson({
    width: slide.info.width,
    height: slide.info.height,
    classes,
    colour: classColour,
    tiles,
    probabilities: student.probabilities,
    label: result.meanProbability.label,
    meanProbability: result.meanProbability.probabilities,
    votes: result.majority.votes,
  }));
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
