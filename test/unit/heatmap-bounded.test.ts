// predict's heatmap keeps a bounded amount of memory whatever the model's class count: a 1,000-class model once
// made it hold a float per class and pixel (gigabytes at the real thumbnail size). Its colours are unchanged: the
// class of the highest mean probability of the tiles covering a pixel. Needs the built dist/ (no addon).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classColour, heatmap, tintAlpha } from '../../src/predict/heatmap.js';
import { repoRoot } from '../support.js';

/** Peak RSS in MB of a child drawing a side x side heatmap of k classes under four tiles covering it all. */
function peakRssMb(k: number, side: number): number {
  const script = `
    const { heatmap } = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'predict', 'heatmap.js'))});
    const side = ${side}, k = ${k};
    const thumb = { width: side, height: side, data: Buffer.alloc(side * side * 3, 200) };
    const half = side / 2;
    const tiles = [[0, 0], [half, 0], [0, half], [half, half]].map(([x, y]) => ({ x, y, width: half, height: half }));
    const probabilities = tiles.map((_, i) => Array.from({ length: k }, (_, c) => (c === i ? 0.5 : 0.5 / (k - 1))));
    heatmap(thumb, 1, 1, tiles, probabilities);
    process.stdout.write(String(process.resourceUsage().maxRSS / 1024));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout);
}

describe('predict heatmap memory (needs dist/)', () => {
  it('a 1,000-class heatmap needs about the memory of a 2-class one (per-class sums took 410 MB here)', () => {
    const side = 320; // 320 x 320 x 1000 classes x 4 bytes = 410 MB with a sum per class and pixel
    const extra = peakRssMb(1000, side) - peakRssMb(2, side);
    expect(extra).toBeLessThan(100);
  });

  it('colours each pixel by the class of the highest mean probability of its covering tiles', () => {
    const thumb = { width: 4, height: 1, data: Buffer.alloc(12, 0) };
    // Tile 0 covers pixels 0-2, tile 1 pixels 2-3; pixel 2's mean is (0.6 + 0.1, 0.4 + 0.9) / 2: class 1.
    const tiles = [
      { x: 0, y: 0, width: 3, height: 1 },
      { x: 2, y: 0, width: 2, height: 1 },
    ] as never[];
    const out = heatmap(thumb, 1, 1, tiles, [
      [0.6, 0.4],
      [0.1, 0.9],
    ]);
    const pixel = (px: number) => [...out.data.subarray(3 * px, 3 * px + 3)];
    const tint = (c: number, p: number) => classColour(c).map((v) => Math.round(v * tintAlpha(p)));
    expect(pixel(0)).toEqual(tint(0, 0.6));
    expect(pixel(2)).toEqual(tint(1, Math.fround(0.4 + 0.9) / 2));
    expect(pixel(3)).toEqual(tint(1, 0.9));
  });
});
