// The store commands end to end: extract, info, preview (a real PNG), and typed JSON errors for bad configs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { lymphomaConfig, lymphomaSubset } from '../native/store_fixtures.js';
import { hasData, runCli, tempDir } from '../support.js';

describe.skipIf(!hasData)('resdistill extract / store info / store preview (needs the built CLI, the addon and real data)', () => {
  it('extracts, reports the split per class, and writes a contact sheet with one row per sample and one column per magnification', () => {
    const out = path.join(tempDir('rd-cli-'), 'store');
    const r = runCli(['extract', lymphomaConfig(lymphomaSubset(4)), '--out', out, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ samples: 12, complete: true, classes: ['CLL', 'FL', 'MCL'] });
    const info = JSON.parse(runCli(['store', 'info', out, '--json']).stdout);
    expect(info.magnifications.map((m: { shape: number[] }) => m.shape)).toEqual([
      [312, 416, 3],
      [156, 208, 3],
      [78, 104, 3],
    ]);
    expect(info.splits.train.samples + info.splits.val.samples + info.splits.test.samples).toBe(12);
    const png = path.join(tempDir('rd-png-'), 'sheet.png');
    const p = runCli(['store', 'preview', out, '--out', png, '--samples', '3', '--json']);
    expect(p.status, p.stderr).toBe(0);
    const img = PNG.sync.read(readFileSync(png));
    // A label column (sample, class, split, group) on the left and a header row (magnification, um/px) on top.
    const [left, top] = [190, 30];
    expect([img.width, img.height]).toEqual([left + 4 + 416 + 4 + 208 + 4 + 104 + 4, top + 4 + 3 * (312 + 4)]);
    // Top-left pixel of the first row is real tissue (not the white background).
    expect(img.data[((top + 4) * img.width + left + 4) * 4]).toBeLessThan(250);
    // The labels are drawn: dark text pixels in the label column and in the header.
    const dark = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) if (img.data[(yy * img.width + xx) * 4]! < 100) n++;
      return n;
    };
    expect(dark(0, top, left, top + 40)).toBeGreaterThan(50);
    expect(dark(left, 0, left + 200, top)).toBeGreaterThan(50);
  });

  it('a bad config prints { error: { code: CONFIG_INVALID } } naming each bad field, exit 1', () => {
    const cfg = path.join(tempDir('rd-badcfg-'), 'bad.json');
    writeFileSync(
      cfg,
      JSON.stringify({ data: { source: 'images', root: '/x', mpp: 'one' }, magnifications: { teacher: 5, students: [10] } }),
    );
    const r = runCli(['extract', cfg, '--out', path.join(tempDir(), 's'), '--json']);
    expect(r.status).toBe(1);
    const e = JSON.parse(r.stdout).error;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/bad\.json[\s\S]*data\.mpp/);
    expect(e.message).toMatch(/magnifications\.students\[0\]: student 10x must be below/);
  });

  it('verify on a folder that is not a store reports it instead of crashing', () => {
    const r = runCli(['store', 'verify', tempDir(), '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, samples: 0, problems: [expect.stringMatching(/not a store/)] });
  });
});
