// Pure TypeScript (no addon): PNG round trips through pngjs and the tissue overlay drawing.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tissueOverlay } from '../../src/cli/slide.js';
import { readPng, writePng } from '../../src/util/png.js';
import type { TissueResult } from '../../src/slide/slide.js';
import { tempDir } from '../support.js';

describe('PNG and tissue overlay (pure TS)', () => {
  it('writes RGB PNGs atomically and reads back the same bytes', () => {
    const dir = tempDir();
    const data = Buffer.from(Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256));
    const file = path.join(dir, 'x.png');
    writePng(file, { width: 5, height: 3, data });
    const back = readPng(file);
    expect([back.width, back.height]).toEqual([5, 3]);
    expect(back.data.equals(data)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('tints tissue pixels green, outlines pieces in red and leaves the rest alone', () => {
    const thumb = { width: 4, height: 4, data: Buffer.alloc(48, 200) };
    const mask = new Uint8Array(16);
    mask[5] = 1;
    const t = {
      mask,
      pieces: [{ thumbBox: { x: 2, y: 2, width: 2, height: 2 } }],
    } as unknown as TissueResult;
    const out = tissueOverlay(thumb, t);
    expect([...out.data.subarray(15, 18)]).toEqual([120, 222, 120]); // pixel (1,1): 200*0.6 (+102 green)
    expect([...out.data.subarray(30, 33)]).toEqual([255, 0, 0]); // pixel (2,2): box corner
    expect([...out.data.subarray(0, 3)]).toEqual([200, 200, 200]);
    expect(thumb.data[15]).toBe(200); // input untouched
  });
});
