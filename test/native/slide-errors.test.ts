// Bad slide input through the addon: each case is a typed SlideError with a stable code, and the same
// process keeps working afterwards (a good slide still opens and reads).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide, SlideError } from '../../src/index.js';
import { emptyFile, pngAsSvs, truncatedSvs } from '../slide-fixtures.js';
import { cmuSlide, hasData, tempDir } from '../support.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SlideError);
    return (e as SlideError).code;
  }
  return undefined;
}

describe.skipIf(!hasData)('bad slide input is typed and Node stays alive (addon, real data)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('resdistill-badslide-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const stillAlive = () => {
    const s = openSlide(cmuSlide);
    expect(s.readRegion({ x: 0, y: 0, width: 64, height: 64 }, { magnification: 10 }).width).toBe(32);
  };

  it('a nonexistent path is SLIDE_NOT_FOUND', () => {
    expect(codeOf(() => openSlide(`${dir}/missing.svs`))).toBe('SLIDE_NOT_FOUND');
    stillAlive();
  });

  it('a directory is SLIDE_UNSUPPORTED', () => {
    expect(codeOf(() => openSlide(dir))).toBe('SLIDE_UNSUPPORTED');
    stillAlive();
  });

  it('an empty file is SLIDE_UNSUPPORTED', () => {
    expect(codeOf(() => openSlide(emptyFile(dir)))).toBe('SLIDE_UNSUPPORTED');
    stillAlive();
  });

  it('a truncated SVS (first 100 KB) is SLIDE_READ_FAILED naming truncation', () => {
    let message = '';
    expect(
      codeOf(() => {
        try {
          openSlide(truncatedSvs(dir));
        } catch (e) {
          message = (e as Error).message;
          throw e;
        }
      }),
    ).toBe('SLIDE_READ_FAILED');
    expect(message).toMatch(/truncated or corrupt/);
    stillAlive();
  });

  it('a PNG renamed .svs is SLIDE_UNSUPPORTED', () => {
    expect(codeOf(() => openSlide(pngAsSvs(dir)))).toBe('SLIDE_UNSUPPORTED');
    stillAlive();
  });

  it('a region wholly outside the slide is REGION_OUTSIDE', () => {
    const s = openSlide(cmuSlide);
    expect(codeOf(() => s.readRegion({ x: -500, y: -500, width: 100, height: 100 }, { magnification: 5 }))).toBe('REGION_OUTSIDE');
    // 4000 um = 8016 px, below the slide's 2967 px height.
    expect(codeOf(() => s.readRegions({ x: 0, y: 4000, width: 10, height: 10, units: 'um' }, [{ mpp: 1 }]))).toBe('REGION_OUTSIDE');
    stillAlive();
  });

  it('an absurd output size is CONFIG_INVALID before any read', () => {
    const s = openSlide(cmuSlide);
    let code: string | undefined;
    try {
      s.readRegion({ x: 0, y: 0, width: 2000, height: 2000 }, { mpp: 0.0001 });
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('CONFIG_INVALID');
    stillAlive();
  });

  it('a closed slide refuses reads with CONFIG_INVALID instead of crashing', () => {
    const s = openSlide(cmuSlide);
    s.close();
    expect(() => s.readRegion({ x: 0, y: 0, width: 8, height: 8 }, { mpp: 1 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    stillAlive();
  });

  it('jobs on a bad path reject with the same typed codes', async () => {
    await expect(openSlideJob(`${dir}/missing.svs`)).rejects.toMatchObject({ code: 'SLIDE_NOT_FOUND' });
    await expect(openSlideJob(pngAsSvs(dir))).rejects.toMatchObject({ code: 'SLIDE_UNSUPPORTED' });
    stillAlive();
  });
});

async function openSlideJob(path: string): Promise<unknown> {
  const { runJob } = await import('../../src/native/job.js');
  return runJob('slide.tissue', { path });
}
