// Whole-slide images at an exact magnification: open (sync, cheap), metadata with the mpp's source,
// region reads at a target mpp or magnification, and tissue detection / tile grids as async native jobs.
import { makeError, fromNative } from './errors.js';
import { runJob, type JobOptions } from './job.js';
import { native, type NativeSlide } from './native.js';
import type { RgbImage } from './png.js';

export type MppSource = 'openslide.mpp' | 'aperio.MPP' | 'aperio.AppMag' | 'tiff.resolution' | 'override';

export interface SlideLevel {
  width: number;
  height: number;
  /** As OpenSlide reports it. */
  downsample: number;
  /** Level-0 pixels per level pixel used for coordinates (downsample snapped to an integer within 1%). */
  scale: number;
  mpp: number;
}

export interface SlideInfo {
  path: string;
  vendor: string;
  width: number;
  height: number;
  levels: SlideLevel[];
  /** Microns per level-0 pixel, the source that gave it and every source consulted. */
  mpp: { x: number; y: number; source: MppSource; trail: string[] };
  /** 10 / mpp. */
  magnification: number;
  associatedImages: string[];
  quickhash: string;
  background: [number, number, number];
  properties: Record<string, string>;
}

export interface OpenOptions {
  /** Microns per pixel to use when the slide has no mpp metadata. */
  mpp?: number;
  /** Use `mpp` even when the slide has metadata (the trail still records what the metadata said). */
  forceMpp?: boolean;
}

/** A rectangle in level-0 pixels, or in microns with `units: 'um'`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  units?: 'px' | 'um';
}

/** Exactly one of mpp (microns per output pixel) or magnification (10 / mpp). */
export type Scale = { mpp: number; magnification?: never } | { magnification: number; mpp?: never };

export interface Region extends RgbImage {
  level: number;
  levelMpp: number;
  /** Effective output scale (field of view / pixels); equals the target up to rounding of the size. */
  mpp: { x: number; y: number };
  targetMpp: number;
  magnification: number;
  kernel: 'none' | 'area' | 'bilinear';
  /** The level-0 field of view covered. */
  rect: { x: number; y: number; width: number; height: number };
}

export interface TissueOptions {
  /** Thumbnail scale in um/px (default 8, i.e. 1.25x). */
  thumbnailMpp?: number;
  /** Saturation threshold 0..255; omitted = Otsu (floored at 20). */
  threshold?: number;
  closeUm?: number;
  openUm?: number;
  fillHoles?: boolean;
  minAreaUm2?: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TissuePiece {
  /** Level-0 pixels. */
  box: Box;
  /** Thumbnail pixels. */
  thumbBox: Box;
  areaUm2: number;
  pixels: number;
  /** thumbBox-sized 0/1 mask of this piece. */
  mask: Uint8Array;
}

export interface TissueResult {
  /** Read it again with readRegion(whole slide, { mpp: targetMpp }) for the same pixels. */
  thumbnail: { width: number; height: number; mpp: { x: number; y: number }; targetMpp: number; level: number };
  threshold: number;
  otsu: boolean;
  coverage: number;
  /** Thumbnail-sized 0/1 tissue mask. */
  mask: Uint8Array;
  pieces: TissuePiece[];
}

export interface TileOptions extends TissueOptions {
  /** Tile side in microns (default 224). */
  tileUm?: number;
  strideUm?: number;
  /** Minimum tissue fraction (default 0.5). */
  minTissue?: number;
}

export interface Tile {
  /** Level-0 pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  xUm: number;
  yUm: number;
  sizeUm: number;
  tissue: number;
  /** Index of the tissue piece covering most of the tile, -1 if none. */
  piece: number;
}

function decodeRle(runs: number[], size: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (let i = 0; i + 1 < runs.length; i += 2) mask.fill(1, runs[i]!, runs[i]! + runs[i + 1]!);
  return mask;
}

function targetMpp(scale: Scale): number {
  const mpp = scale.mpp ?? (scale.magnification !== undefined ? 10 / scale.magnification : NaN);
  if (!(mpp > 0) || !Number.isFinite(mpp)) throw makeError('CONFIG_INVALID', 'give a positive mpp or magnification');
  return mpp;
}

function toRegion(r: { info: string; data: Buffer }): Region {
  const meta = JSON.parse(r.info) as Omit<Region, 'data'>;
  return { ...meta, data: r.data };
}

interface RawTissue extends Omit<TissueResult, 'mask' | 'pieces'> {
  mask: { width: number; height: number; rle: number[] };
  pieces: (Omit<TissuePiece, 'mask'> & { maskRle: number[] })[];
  tiles?: Tile[];
}

export class Slide {
  readonly info: SlideInfo;
  readonly #handle: NativeSlide;
  readonly #options: OpenOptions;

  constructor(readonly path: string, options: OpenOptions = {}) {
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

  #spec(extra: object): object {
    return { path: this.path, mpp: this.#options.mpp, forceMpp: this.#options.forceMpp ?? false, ...extra };
  }

  /** Async (native job slide.tissue): tissue mask and pieces on a low-magnification thumbnail. */
  async detectTissue(options: TissueOptions = {}, job: JobOptions = {}): Promise<TissueResult> {
    return decodeTissue(await runJob<RawTissue>('slide.tissue', this.#spec(options), job));
  }

  /** Async: tissue detection plus the micron tile grid with each tile's tissue fraction. */
  async tiles(options: TileOptions = {}, job: JobOptions = {}): Promise<Tile[]> {
    const raw = await runJob<RawTissue>('slide.tissue', this.#spec({ masks: false, tileUm: 224, ...options }), job);
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
