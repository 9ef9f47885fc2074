// PNG in and out for RGB buffers, through pngjs (pure JS, well kept, no extra system library to link).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';
import { PNG } from 'pngjs';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB uint8, row-major HWC. */
  data: Buffer;
}

/** Encodes RGB pixels as a PNG (colour type 2). */
export function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = image.data;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/** Writes atomically (temp file, then rename) so an interrupted write never leaves a half PNG. */
export function writePng(file: string, image: RgbImage): void {
  writeFileAtomic(file, encodePng(image));
}

/** Decodes any PNG to RGB (alpha dropped). */
export function readPng(file: string): RgbImage {
  const png = PNG.sync.read(readFileSync(file));
  const rgb = Buffer.alloc(png.width * png.height * 3);
  for (let i = 0, j = 0; i < png.data.length; i += 4, j += 3) {
    rgb[j] = png.data[i]!;
    rgb[j + 1] = png.data[i + 1]!;
    rgb[j + 2] = png.data[i + 2]!;
  }
  return { width: png.width, height: png.height, data: rgb };
}
