// A slide as a Deep Zoom pyramid (what OpenSeadragon reads): level L halves level L + 1, the last level is the
// scan itself. Each tile is read on demand through OpenSlide at that level's exact scale (the addon picks the
// nearest finer level and area-downsamples), encoded as PNG, and kept in a bounded cache.
import { makeError } from '../util/errors.js';
import { encodePng } from '../util/png.js';
import type { Slide } from '../slide/slide.js';

export const TILE_SIZE = 256;

export interface DeepZoomLevel {
  width: number;
  height: number;
  /** Level-0 pixels per pixel of this level. */
  downsample: number;
}

/** Every level, coarsest (1 x 1 pixel) first, as the Deep Zoom format numbers them. */
export function deepZoomLevels(width: number, height: number): DeepZoomLevel[] {
  const top = Math.ceil(Math.log2(Math.max(width, height, 1)));
  return Array.from({ length: top + 1 }, (_, level) => {
    const downsample = 2 ** (top - level);
    return { width: Math.ceil(width / downsample), height: Math.ceil(height / downsample), downsample };
  });
}

/** The .dzi descriptor OpenSeadragon opens. */
export function dziXml(width: number, height: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="png" Overlap="0" TileSize="${TILE_SIZE}"><Size Width="${width}" Height="${height}"/></Image>\n`;
}

/** Tile PNGs of one slide, generated on first request and cached up to `cacheBytes`. */
export class DeepZoomTiles {
  readonly levels: DeepZoomLevel[];
  readonly #cache = new Map<string, Buffer>();
  #cached = 0;

  constructor(
    readonly slide: Slide,
    readonly cacheBytes = 256 * 2 ** 20,
  ) {
    this.levels = deepZoomLevels(slide.info.width, slide.info.height);
  }

  /** The PNG of tile (col, row) of `level`; REGION_OUTSIDE for a tile the pyramid does not have. */
  tile(level: number, col: number, row: number): Buffer {
    const key = `${level}/${col}_${row}`;
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key); // most recently used last
      this.#cache.set(key, hit);
      return hit;
    }
    const l = this.levels[level];
    const x = col * TILE_SIZE,
      y = row * TILE_SIZE;
    if (!l || x >= l.width || y >= l.height) throw makeError('REGION_OUTSIDE', `deep zoom tile ${key} is outside the pyramid`);
    const width = Math.min(TILE_SIZE, l.width - x),
      height = Math.min(TILE_SIZE, l.height - y);
    const d = l.downsample;
    const region = this.slide.readRegion({ x: x * d, y: y * d, width: width * d, height: height * d }, { mpp: this.slide.info.mpp.x * d });
    const png = encodePng(region);
    this.#cache.set(key, png);
    this.#cached += png.length;
    for (const [k, v] of this.#cache) {
      if (this.#cached <= this.cacheBytes) break;
      this.#cache.delete(k);
      this.#cached -= v.length;
    }
    return png;
  }
}
