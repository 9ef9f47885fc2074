// `resdistill predict`: a trained run's model over one slide. Tissue detection, then every tissue tile read
// at the model's magnification and classified; the slide label by mean probability and by majority; a heatmap
// over the thumbnail; and the same slide through the run's teacher for the time it costs at high magnification.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ResdistillError } from '../util/errors.js';
import type { JobEvent } from '../native/job.js';
import { runNative } from '../native/jobs.js';
import { writeHeatmapFigure } from './heatmap-figure.js';
import { PROBABILITY_DECIMALS, probabilityName, tilesGeoJson, writeGeoJson } from './geojson.js';
import type { RgbImage } from '../util/png.js';
import { openSlide } from '../slide/slide.js';
import type { Tile } from '../native/slide-types.js';
import type { RunDevice } from '../native/device.js';
import { UNIT_DEFAULTS } from '../config/schema.js';
import { csvText } from '../util/csv.js';
import { checkUnchanged, fileIdentity } from '../weights/weights.js';
import type { ClassifyResult } from '../native/job-types.js';
export type { ClassifyResult } from '../native/job-types.js';
import { type ModelRef } from './model-ref.js';
import { pieceRects, SMALL_SLIDE_TILING } from './tiling.js';
import { argmax, classColour, heatmap, tintAlpha } from './heatmap.js';
import { mppAt } from '../util/magnification.js';

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

export interface Timing {
  label: string;
  magnification: number;
  seconds: number;
  readSeconds: number;
  waitSeconds: number;
  modelSeconds: number;
  imagesPerSecond: number;
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

/** What every output of a model trained on generated slides says. */
export const SYNTHETIC_WARNING =
  'SYNTHETIC: this model was trained on generated slides, not tissue; its labels say nothing about this slide.';

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
      stain: ref.input.stain,
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
  imagesPerSecond: r.imagesPerSecond,
});

/** Columns of predict's tiles.csv (and teacher-tiles.csv): the tile's place, its tissue fraction, then p_<class>. */
export function tilesCsvHeader(classes: string[]): string[] {
  return ['x', 'y', 'width', 'height', 'tissue', 'label', ...classes.map(probabilityName)];
}

export async function predictSlide(slidePath: string, ref: ModelRef, o: PredictOptions): Promise<SlidePrediction> {
  const identities = [ref, ref.teacher]
    .filter((r) => r !== null)
    .map((r) => [r.checkpoint, r.fileIdentity ?? fileIdentity(r.checkpoint)] as const);
  const slide = openSlide(slidePath, { mpp: o.mpp, forceMpp: o.forceMpp });
  const sizeUm = o.sizeUm ?? ref.sizeUm;
  let tiling: SlidePrediction['tiling'] = { minTissue: o.minTissue ?? UNIT_DEFAULTS.minTissue, strideUm: o.strideUm ?? sizeUm };
  let tiles: Tile[];
  let thumb: RgbImage;
  let thumbMpp: number;
  try {
    const pieces = ref.unit.kind === 'pieces' ? ref.unit : null;
    const tissue = await slide.detectTissue(pieces ? { minAreaUm2: pieces.minAreaUm2 } : {}, { signal: o.signal });
    tiles = pieces
      ? pieceRects(tissue.pieces, slide.info.mpp.x, pieces.maxSizeUm)
      : await slide.tiles({ sizeUm, strideUm: tiling.strideUm, minTissue: tiling.minTissue }, { signal: o.signal });
    if (!pieces && tiles.length === 0 && o.minTissue === undefined && o.strideUm === undefined) {
      // A small slide (or biopsy) against a large field of view: overlapping tiles with less tissue rather than nothing.
      tiling = {
        minTissue: SMALL_SLIDE_TILING.minTissue,
        strideUm: sizeUm / SMALL_SLIDE_TILING.stridesPerTile,
        note: `no tile of ${sizeUm.toFixed(0)} um at stride ${sizeUm.toFixed(0)} um held ${UNIT_DEFAULTS.minTissue * 100}% tissue; used overlapping tiles (--stride-um ${(sizeUm / SMALL_SLIDE_TILING.stridesPerTile).toFixed(0)}, --min-tissue ${SMALL_SLIDE_TILING.minTissue}). Set either flag to choose yourself.`,
      };
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
    throw new ResdistillError(
      'CONFIG_INVALID',
      `no ${what} found in ${slidePath} (try --min-tissue lower or --stride-um smaller for tiles)`,
    );
  }

  const student = await classify(slidePath, ref, tiles, o, 'student');
  const useTeacher = (o.teacher ?? true) && ref.teacher !== null;
  const teacher = useTeacher ? await classify(slidePath, ref.teacher!, tiles, o, 'teacher') : null;
  for (const [file, identity] of identities) checkUnchanged(file, identity);
  for (const [who, r, k] of [
    ['student', student, ref.classes.length],
    ['teacher', teacher, ref.teacher?.classes.length],
  ] as const) {
    if (r && !r.probabilities.every((p) => p.length === k && p.every(Number.isFinite))) {
      throw new ResdistillError(
        'WEIGHTS_INVALID',
        `the ${who}'s outputs are not finite probabilities over ${k} classes (NaN or infinite weights?); nothing written`,
      );
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
    subtitle: `${tiles.length} ${ref.unit.kind === 'pieces' ? 'tissue pieces' : `tiles of ${sizeUm.toFixed(0)} um`} read at ${ref.magnification}x (${mppAt(ref.magnification).toPrecision(3)} um/px); colour: the most probable class`,
    classes: ref.classes,
    colour: classColour,
    alpha: tintAlpha,
    synthetic: ref.synthetic,
  });
  const header = tilesCsvHeader(classes);
  const rowsOf = (probabilities: number[][]) =>
    tiles.map((t, i) => [
      t.x,
      t.y,
      t.width,
      t.height,
      t.tissue.toFixed(3),
      classes[argmax(probabilities[i]!)],
      ...probabilities[i]!.map((p) => p.toFixed(PROBABILITY_DECIMALS)),
    ]);
  writeFileSync(files.csv, csvText(header, rowsOf(student.probabilities)));
  if (teacher) writeFileSync(files.teacherCsv!, csvText(header, rowsOf(teacher.probabilities)));

  const result: SlidePrediction = {
    synthetic: ref.synthetic,
    ...(ref.synthetic ? { warning: SYNTHETIC_WARNING } : {}),
    slide: path.resolve(slidePath),
    model: {
      label: ref.label,
      method: ref.method,
      magnification: ref.magnification,
      checkpoint: ref.checkpoint,
      ...(ref.runId ? { runId: ref.runId } : {}),
    },
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
  writeGeoJson(
    files.geojson,
    tilesGeoJson({
      width: slide.info.width,
      height: slide.info.height,
      classes,
      colour: classColour,
      tiles,
      probabilities: student.probabilities,
      label: result.meanProbability.label,
      meanProbability: result.meanProbability.probabilities,
      votes: result.majority.votes,
    }),
  );
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
