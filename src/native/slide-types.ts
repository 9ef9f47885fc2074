// The shapes of the slide API (src/slide/slide.ts): metadata, regions, tissue results and tiles.
import type { RgbImage } from '../util/png.js';

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
  /** Tile side in microns: the field of view. */
  sizeUm: number;
  strideUm?: number;
  /** Minimum tissue fraction (default: the config's, UNIT_DEFAULTS.minTissue). */
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
