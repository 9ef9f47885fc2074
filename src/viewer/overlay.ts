// The prediction overlay as one RGBA PNG over the whole slide: each pixel tinted with the class of the mean
// probability of the tiles covering it, as heatmap.png does, and fully transparent where no tile is (background).
// The disagreement layer marks where the student's label differs from the teacher's, stronger the further apart.
import { PNG } from 'pngjs';
import { classColour, tintAlpha } from '../predict/heatmap.js';
import type { ViewerPredictions } from './predictions.js';

export const LAYERS = ['student', 'teacher', 'disagreement'] as const;
export type Layer = (typeof LAYERS)[number];

/** The disagreement layer's one colour (outside the class palette). */
export const DISAGREEMENT_COLOUR: [number, number, number] = [255, 221, 0];

/** Longest side of the overlay in pixels: fine enough for tiles of a few level-0 pixels hundreds wide. */
const MAX_SIDE = 1536;

export interface Overlay {
  png: Buffer;
  width: number;
  height: number;
  /** Level-0 pixels per overlay pixel. */
  scale: number;
}

/** Mean of `probabilities` per overlay pixel (NaN-free: pixels without tiles have count 0). */
function meanGrid(p: ViewerPredictions, probabilities: number[][], width: number, height: number, scale: number) {
  const k = p.classes.length;
  const sums = new Float32Array(width * height * k);
  const counts = new Uint16Array(width * height);
  p.tiles.forEach((t, i) => {
    const x0 = Math.max(0, Math.floor(t.x / scale)),
      y0 = Math.max(0, Math.floor(t.y / scale));
    const x1 = Math.min(width, Math.ceil((t.x + t.width) / scale)),
      y1 = Math.min(height, Math.ceil((t.y + t.height) / scale));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const px = y * width + x;
        counts[px]!++;
        for (let c = 0; c < k; c++) sums[px * k + c]! += probabilities[i]![c]!;
      }
    }
  });
  return (px: number): number[] | null => (counts[px] ? Array.from(sums.subarray(px * k, px * k + k), (v) => v / counts[px]!) : null);
}

const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);

export function overlay(p: ViewerPredictions, layer: Layer, slideWidth: number, slideHeight: number): Overlay | null {
  if (layer !== 'student' && !p.teacher) return null;
  const scale = Math.max(1, Math.max(slideWidth, slideHeight) / MAX_SIDE);
  const width = Math.ceil(slideWidth / scale),
    height = Math.ceil(slideHeight / scale);
  const student = meanGrid(p, p.student, width, height, scale);
  const teacher = p.teacher ? meanGrid(p, p.teacher, width, height, scale) : null;
  const png = new PNG({ width, height, colorType: 6 });
  png.data.fill(0);
  for (let px = 0; px < width * height; px++) {
    const s = student(px);
    if (!s) continue;
    let colour: [number, number, number], alpha: number;
    if (layer === 'student' || layer === 'teacher') {
      const m = layer === 'student' ? s : teacher!(px)!;
      const c = argmax(m);
      colour = classColour(c);
      alpha = tintAlpha(m[c]!);
    } else {
      const t = teacher!(px)!;
      if (argmax(s) === argmax(t)) continue;
      colour = DISAGREEMENT_COLOUR;
      alpha = tintAlpha(s.reduce((d, v, c) => d + Math.abs(v - t[c]!), 0) / 2); // total variation distance
    }
    png.data.set([...colour, Math.round(255 * alpha)], 4 * px);
  }
  return { png: PNG.sync.write(png, { colorType: 6 }), width, height, scale };
}
