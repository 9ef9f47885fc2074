// The heatmap: each tissue tile tinted by its most probable class over the slide's thumbnail.
import type { RgbImage } from '../util/png.js';
import type { Tile } from '../native/slide-types.js';

const PALETTE: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
];

export function classColour(i: number): [number, number, number] {
  return PALETTE[i % PALETTE.length]!;
}

/** How strongly the heatmap tints a pixel whose class has mean probability p (its legend shows the same scale). */
export const tintAlpha = (p: number) => 0.2 + 0.6 * p;

export const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);

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
    x0: Math.max(0, Math.floor(t.x * scale)),
    y0: Math.max(0, Math.floor(t.y * scale)),
    x1: Math.min(width, Math.ceil((t.x + t.width) * scale)),
    y1: Math.min(height, Math.ceil((t.y + t.height) * scale)),
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
