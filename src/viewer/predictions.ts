// What the viewer shows over a slide: predict's output folder read back (prediction.json, tiles.csv and, when the
// teacher ran, teacher-tiles.csv), as one object the page fetches.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../util/csv.js';
import { ResdistillError } from '../util/errors.js';
import type { SlidePrediction } from '../predict/predict.js';
import { classColour } from '../predict/heatmap.js';
import { probabilityName } from '../predict/geojson.js';

export interface TileBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewerPredictions {
  slide: string;
  model: SlidePrediction['model'];
  label: string;
  synthetic: boolean;
  warning?: string;
  classes: string[];
  colours: [number, number, number][];
  tiles: TileBox[];
  /** Per tile, per class, as tiles.csv holds them. */
  student: number[][];
  /** The teacher's, on the same tiles; null when predict did not run the teacher. */
  teacher: number[][] | null;
}

export const PREDICTION_FILE = 'prediction.json';

function readTiles(file: string, classes: string[]): { tiles: TileBox[]; probabilities: number[][] } {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const at = (name: string) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new ResdistillError('CONFIG_INVALID', `${file}: no column ${name} (is this predict's tiles.csv?)`);
    return i;
  };
  const [x, y, w, h] = ['x', 'y', 'width', 'height'].map(at) as [number, number, number, number];
  const p = classes.map((c) => at(probabilityName(c)));
  return {
    tiles: rows.map((r) => ({ x: Number(r[x]), y: Number(r[y]), width: Number(r[w]), height: Number(r[h]) })),
    probabilities: rows.map((r) => p.map((i) => Number(r[i]))),
  };
}

/** Reads a predict output folder; CONFIG_INVALID when it is not one. */
export function readPredictions(dir: string): ViewerPredictions {
  const file = path.join(dir, PREDICTION_FILE);
  if (!existsSync(file))
    throw new ResdistillError('CONFIG_INVALID', `${dir} holds no ${PREDICTION_FILE}: give a folder predict wrote, or a slide`);
  const p = JSON.parse(readFileSync(file, 'utf8')) as SlidePrediction;
  const student = readTiles(path.join(dir, 'tiles.csv'), p.classes);
  const teacherFile = path.join(dir, 'teacher-tiles.csv');
  return {
    slide: p.slide,
    model: p.model,
    label: p.meanProbability.label,
    synthetic: p.synthetic,
    ...(p.warning ? { warning: p.warning } : {}),
    classes: p.classes,
    colours: p.classes.map((_, i) => classColour(i)),
    tiles: student.tiles,
    student: student.probabilities,
    teacher: existsSync(teacherFile) ? readTiles(teacherFile, p.classes).probabilities : null,
  };
}
