// Whole-slide images at an exact magnification: open (sync, cheap), metadata with the mpp's source,
// region reads at a target mpp or magnification, and tissue detection / tile grids as async native jobs.
import { makeError, fromNative } from '../util/errors.js';
import { UNIT_DEFAULTS } from '../config/schema.js';
import type { JobOptions } from '../native/job.js';
import { runNative } from '../native/jobs.js';
import { native, type NativeSlide } from '../native/addon.js';
import type { RgbImage } from '../util/png.js';
import type {
  Box,
  OpenOptions,
  Rect,
  Region,
  Scale,
  SlideInfo,
  Tile,
  TileOptions,
  TissueOptions,
  TissuePiece,
  TissueResult,
} from '../native/slide-types.js';
import type { RawTissue } from '../native/job-types.js';
import { mppAt } from '../util/magnification.js';
export type { RawTissue } from '../native/job-types.js';

export type * from '../native/slide-types.js';

function decodeRle(runs: number[], size: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (let i = 0; i + 1 < runs.length; i += 2) mask.fill(1, runs[i]!, runs[i]! + runs[i + 1]!);
  return mask;
}

function targetMpp(scale: Scale): number {
  const mpp = scale.mpp ?? (scale.magnification !== undefined ? mppAt(scale.magnification) : NaN);
  if (!(mpp > 0) || !Number.isFinite(mpp)) throw makeError('CONFIG_INVALID', 'give a positive mpp or magnification');
  return mpp;
}

function toRegion(r: { info: string; data: Buffer }): Region {
  const meta = JSON.parse(r.info) as Omit<Region, 'data'>;
  return { ...meta, data: r.data };
}

export class Slide {
  readonly info: SlideInfo;
  readonly #handle: NativeSlide;
  readonly #options: OpenOptions;

  constructor(
    readonly path: string,
    options: OpenOptions = {},
  ) {
    this.#options = options;
    const binding = native();
    if (!binding.Slide) throw makeError('SLIDE_UNSUPPORTED', 'this build of resdistill has no OpenSlide (RESDISTILL_WITH_OPENSLIDE=OFF)');
    try {
      this.#handle = new binding.Slide(path, options.mpp, options.forceMpp ?? false);
      this.info = JSON.parse(this.#handle.info()) as SlideInfo;
    } catch (e) {
      throw fromNative(e);
    }
  }

  get properties(): Record<string, string> {
    return this.info.properties;
  }
  get mpp(): SlideInfo['mpp'] {
    return this.info.mpp;
  }
  get magnification(): number {
    return this.info.magnification;
  }

  /** Converts a rectangle given in microns to level-0 pixels (pixels pass through). */
  toLevel0(rect: Rect): Box {
    if (rect.units !== 'um') return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    const { x, y } = this.info.mpp;
    return { x: rect.x / x, y: rect.y / y, width: rect.width / x, height: rect.height / y };
  }

  /** Sync: RGB of `rect` at an exact scale (coarsest level with mpp <= target, then area downsampling).
   *  Partly outside = background-filled; wholly outside throws REGION_OUTSIDE. For small regions. */
  readRegion(rect: Rect, scale: Scale): Region {
    const b = this.toLevel0(rect);
    try {
      return toRegion(this.#handle.readRegion(b.x, b.y, b.width, b.height, targetMpp(scale)));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Sync: several scales of the same field of view from one read. */
  readRegions(rect: Rect, scales: Scale[]): Region[] {
    const b = this.toLevel0(rect);
    try {
      return this.#handle.readMulti(b.x, b.y, b.width, b.height, scales.map(targetMpp)).map(toRegion);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Sync: an associated image (label, macro, thumbnail) as RGB. */
  associatedImage(name: string): RgbImage {
    try {
      return this.#handle.associatedImage(name);
    } catch (e) {
      throw fromNative(e);
    }
  }

  #spec(extra: object): Record<string, unknown> {
    return { path: this.path, mpp: this.#options.mpp, forceMpp: this.#options.forceMpp ?? false, ...extra };
  }

  /** Async (native job slide.tissue): tissue mask and pieces on a low-magnification thumbnail. */
  async detectTissue(options: TissueOptions = {}, job: JobOptions = {}): Promise<TissueResult> {
    return decodeTissue(await runNative('slide.tissue', this.#spec(options), job));
  }

  /** Async: tissue detection plus the micron tile grid with each tile's tissue fraction. */
  async tiles(options: TileOptions, job: JobOptions = {}): Promise<Tile[]> {
    const raw = await runNative('slide.tissue', this.#spec({ masks: false, minTissue: UNIT_DEFAULTS.minTissue, ...options }), job);
    return raw.tiles ?? [];
  }

  close(): void {
    this.#handle.close();
  }
}

function decodeTissue(raw: RawTissue): TissueResult {
  return {
    thumbnail: raw.thumbnail,
    threshold: raw.threshold,
    otsu: raw.otsu,
    coverage: raw.coverage,
    mask: decodeRle(raw.mask.rle, raw.mask.width * raw.mask.height),
    pieces: raw.pieces.map(({ maskRle, ...p }) => ({ ...p, mask: decodeRle(maskRle, p.thumbBox.width * p.thumbBox.height) })),
  };
}

/** Opens a slide (sync, cheap). Throws SlideError: SLIDE_NOT_FOUND, SLIDE_UNSUPPORTED, SLIDE_READ_FAILED, SLIDE_NO_MPP. */
export function openSlide(path: string, options: OpenOptions = {}): Slide {
  return new Slide(path, options);
}
