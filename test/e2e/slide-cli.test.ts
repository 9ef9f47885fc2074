// `resdistill slide info|region|tissue` end to end through the built CLI (needs the addon, dist/ and real data).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPng } from '../../src/util/png.js';
import { pngAsSvs } from '../slide-fixtures.js';
import { cmuSlide, hasData, repoRoot, runCli, tempDir } from '../support.js';

const built = existsSync(path.join(repoRoot, 'dist', 'cli', 'slide.js'));

describe.skipIf(!hasData || !built)('slide CLI (addon, built dist/, real data)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('resdistill-slidecli-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('slide info --json prints the documented object', () => {
    const r = runCli(['slide', 'info', cmuSlide, '--json']);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ vendor: 'aperio', width: 2220, height: 2967, mpp: { x: 0.499, y: 0.499, source: 'openslide.mpp' } });
    expect(info.levels[0]).toMatchObject({ width: 2220, height: 2967, downsample: 1, mpp: 0.499 });
    expect(info.magnification).toBeCloseTo(20.04, 2);
    expect(info.associatedImages).toHaveLength(3);
  });

  it('slide region writes a PNG of the exact size at the magnification, microns or pixels', () => {
    const out = path.join(dir, 'r.png');
    const r = runCli([
      'slide',
      'region',
      cmuSlide,
      '--x',
      '200',
      '--y',
      '300',
      '--width',
      '400',
      '--height',
      '200',
      '--um',
      '--magnification',
      '5',
      '--out',
      out,
      '--json',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ width: 200, height: 100, level: 0, kernel: 'area' });
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([200, 100]);
    const px = runCli([
      'slide',
      'region',
      cmuSlide,
      '--x',
      '0',
      '--y',
      '0',
      '--width',
      '256',
      '--height',
      '128',
      '--magnification',
      '10',
      '--out',
      out,
    ]);
    expect(px.status).toBe(0);
    expect(readPng(out).width).toBe(Math.round((256 * 0.499) / 1));
  });

  it('slide tissue writes the overlay at thumbnail size and reports the pieces', () => {
    const out = path.join(dir, 'overlay.png');
    const r = runCli(['slide', 'tissue', cmuSlide, '--out', out, '--json']);
    expect(r.status).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.pieces[0].thumbBox).toEqual({ x: 32, y: 7, width: 86, height: 178 });
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([t.thumbnail.width, t.thumbnail.height]);
    const { x, y } = t.pieces[0].thumbBox;
    expect([...png.data.subarray(3 * (y * png.width + x), 3 * (y * png.width + x) + 3)]).toEqual([255, 0, 0]); // box outline
  });

  it('failures print { error: { code, message } } with --json and exit 1', () => {
    const bad = runCli(['slide', 'info', pngAsSvs(dir), '--json']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'SLIDE_UNSUPPORTED' });
    const outside = runCli([
      'slide',
      'region',
      cmuSlide,
      '--x',
      '9000',
      '--y',
      '0',
      '--width',
      '10',
      '--height',
      '10',
      '--magnification',
      '5',
      '--out',
      path.join(dir, 'x.png'),
      '--json',
    ]);
    expect(outside.status).toBe(1);
    expect(JSON.parse(outside.stdout).error.code).toBe('REGION_OUTSIDE');
    expect(existsSync(path.join(dir, 'x.png'))).toBe(false);
    const human = runCli(['slide', 'info', path.join(dir, 'nope.svs')]);
    expect(human.status).toBe(1);
    expect(human.stderr).toContain('SLIDE_NOT_FOUND');
  });
});
