// Slide test fixtures built from the real CMU slide in a temp folder: a libvips pyramid, the same pyramid
// with its TIFF resolution tags removed, a truncated SVS, a PNG renamed .svs, an empty file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { cmuSlide } from './support.js';

export const hasVips = spawnSync('vips', ['--version'], { stdio: 'ignore' }).status === 0;

/** `vips tiffsave --tile --pyramid` of the CMU slide: 5 levels, generic TIFF, mpp only in TIFF resolution tags. */
export function buildPyramid(dir: string): string {
  const out = path.join(dir, 'cmu-pyramid.tif');
  const r = spawnSync(
    'vips',
    ['tiffsave', cmuSlide, out, '--tile', '--pyramid', '--compression', 'jpeg', '--Q', '90', '--tile-width', '256', '--tile-height', '256'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vips tiffsave failed: ${r.stderr}`);
  return out;
}

/** Deletes the XResolution/YResolution/ResolutionUnit entries from every IFD of a classic little-endian TIFF
 *  (the directory shrinks in place), so the file keeps its pixels but has no resolution metadata at all. */
export function stripResolution(src: string, dest: string): string {
  const b = Buffer.from(readFileSync(src));
  if (b.toString('latin1', 0, 2) !== 'II' || b.readUInt16LE(2) !== 42) throw new Error('expected a classic little-endian TIFF');
  for (let ifd = b.readUInt32LE(4); ifd !== 0;) {
    const n = b.readUInt16LE(ifd);
    const next = b.readUInt32LE(ifd + 2 + 12 * n);
    const kept: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const entry = Buffer.from(b.subarray(ifd + 2 + 12 * i, ifd + 14 + 12 * i));
      if (![282, 283, 296].includes(entry.readUInt16LE(0))) kept.push(entry);
    }
    b.fill(0, ifd, ifd + 6 + 12 * n);
    b.writeUInt16LE(kept.length, ifd);
    kept.forEach((entry, i) => entry.copy(b, ifd + 2 + 12 * i));
    b.writeUInt32LE(next, ifd + 2 + 12 * kept.length);
    ifd = next;
  }
  writeFileSync(dest, b);
  return dest;
}

export function truncatedSvs(dir: string, bytes = 100 * 1024): string {
  const out = path.join(dir, 'truncated.svs');
  writeFileSync(out, readFileSync(cmuSlide).subarray(0, bytes));
  return out;
}

export function pngAsSvs(dir: string): string {
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  const out = path.join(dir, 'picture.svs');
  writeFileSync(out, PNG.sync.write(png));
  return out;
}

export function emptyFile(dir: string): string {
  const out = path.join(dir, 'empty.svs');
  writeFileSync(out, '');
  return out;
}

export function copyOf(file: string, dir: string, name: string): string {
  const out = path.join(dir, name);
  copyFileSync(file, out);
  return out;
}

/** Mean absolute difference of two equally sized byte buffers. */
export function meanAbsDiff(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** 2 x 2 box reduction of an RGB image (reference for field-of-view checks). */
export function halve(img: { width: number; height: number; data: Buffer }): Buffer {
  const w = Math.floor(img.width / 2),
    h = Math.floor(img.height / 2);
  const out = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 3 + c]!;
        out[(y * w + x) * 3 + c] = Math.round(
          (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4,
        );
      }
  return out;
}
