// Where `predict` reads a slide: tissue pieces as tile rectangles, and the overlapping tiling for small slides.
import type { Tile, TissuePiece } from '../native/slide-types.js';

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
        out.push({
          x,
          y,
          width: Math.round(w),
          height: Math.round(h),
          xUm: x * mpp,
          yUm: y * mpp,
          sizeUm: Math.max(w, h) * mpp,
          tissue: 1,
          piece: index,
        });
      }
    }
  });
  return out;
}

/**
 * predict's fallback when neither --min-tissue nor --stride-um was given and no tile of the model's field of view
 * passes the config's minimum tissue: a small slide such as the shipped CMU-1-Small-Region against a 576 um model.
 */
export const SMALL_SLIDE_TILING = { minTissue: 0.25, stridesPerTile: 6 } as const;
