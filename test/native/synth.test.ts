// Needs the addon: the SYNTHETIC cohort generator (native job synth.cohort) behind generateCohort().
// OpenSlide checks use Debian's /usr/bin/python3 with openslide (the addon's own OpenSlide is not exposed to TS here).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/util/errors.js';
import type { JobEvent } from '../../src/native/job.js';
import { generateCohort, type SynthOptions } from '../../src/slide/synth.js';
import { pythonHas, repoRoot, tempDir } from '../support.js';

// Small slides keep the suite fast: 800 x 600 um at 0.25 um/px is 3200 x 2400 px, 5 pyramid levels.
const small: Omit<SynthOptions, 'out'> = { seed: 3, slidesPerClass: 2, slideSizeUm: [800, 600], threads: 2 };
const hasOpenSlide = pythonHas('openslide');

function tifs(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tif'))
    .sort();
}

function bytesOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  );
}

describe('synth.cohort: SYNTHETIC demo slides (addon)', () => {
  let dir = '';
  const events: JobEvent[] = [];
  beforeAll(async () => {
    dir = tempDir('resdistill-synth-');
    await generateCohort({ ...small, out: dir }, { onEvent: (e) => events.push(e) });
  });

  it('is byte-deterministic for a seed, and a different seed gives different slides', async () => {
    const again = tempDir('resdistill-synth-again-');
    await generateCohort({ ...small, out: again, threads: 1 });
    expect(bytesOf(again)).toEqual(bytesOf(dir));
    const other = tempDir('resdistill-synth-other-');
    await generateCohort({ ...small, seed: 4, slidesPerClass: 1, out: other });
    for (const f of tifs(other)) expect(readFileSync(path.join(other, f)).equals(readFileSync(path.join(dir, f)))).toBe(false);
  });

  it('runs the same from the C++ driver (native build): identical slides for the same seed', () => {
    const out = tempDir('resdistill-synth-driver-');
    const spec = JSON.stringify({ ...small, slidesPerClass: 1, out });
    const r = spawnSync(path.join(repoRoot, 'build', 'resdistill-driver'), ['run', 'synth.cohort', '-'], { input: spec, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ synthetic: true, slides: 3 });
    // Slides are numbered class-interleaved, so the first three of a 2-per-class cohort are these three.
    expect(tifs(out)).toEqual(['slide-000.tif', 'slide-001.tif', 'slide-002.tif']);
    for (const f of tifs(out)) expect(readFileSync(path.join(out, f)).equals(readFileSync(path.join(dir, f)))).toBe(true);
  });

  it('reports ordered progress that ends at done == total', () => {
    const done = events.map((e) => Number(e.done));
    expect(events.every((e) => e.type === 'progress' && e.total === events[0]!.total)).toBe(true);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(events[0]!.total);
  });

  it('writes cohort.csv listing every slide with balanced labels and patient groups', () => {
    const [header, ...rows] = readFileSync(path.join(dir, 'cohort.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('path,label,group');
    const parsed = rows.map((r) => r.split(','));
    expect(parsed.map((r) => r[0]).sort()).toEqual(tifs(dir));
    const perLabel = new Map<string, number>();
    for (const [, label] of parsed) perLabel.set(label!, (perLabel.get(label!) ?? 0) + 1);
    expect([...perLabel.entries()].sort()).toEqual([
      ['A', 2],
      ['B', 2],
      ['C', 2],
    ]);
    const labelOfGroup = new Map<string, string>();
    for (const [, label, group] of parsed) {
      expect(labelOfGroup.get(group!) ?? label).toBe(label); // a patient has one diagnosis
      labelOfGroup.set(group!, label!);
    }
    expect(labelOfGroup.size).toBe(3); // two slides per patient by default
    const manifest = JSON.parse(readFileSync(path.join(dir, 'cohort.json'), 'utf8'));
    expect(manifest).toMatchObject({ synthetic: true, seed: 3, mpp: 0.25 });
    expect(manifest.note).toMatch(/SYNTHETIC/);
    expect(manifest.classes.map((c: { label: string }) => c.label)).toEqual(['A', 'B', 'C']);
  });

  it.skipIf(!hasOpenSlide)('opens in OpenSlide as tiled generic TIFF with every level and the mpp tags (needs python3-openslide)', () => {
    const script = [
      'import json, sys, openslide',
      'out = []',
      'for p in sys.argv[1:]:',
      '    s = openslide.OpenSlide(p)',
      '    px = s.read_region((0, 0), 0, (8, 8)).convert("RGB").getpixel((4, 4))',
      '    thumb = s.get_thumbnail((200, 200)).convert("L")',
      '    dark = sum(1 for v in thumb.getdata() if v < 200) / (thumb.size[0] * thumb.size[1])',
      '    out.append(dict(vendor=openslide.OpenSlide.detect_format(p), dims=s.level_dimensions, ds=s.level_downsamples,',
      '        props=dict(s.properties), corner=px, tissue=dark))',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script, ...tifs(dir).map((f) => path.join(dir, f))], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const slides = JSON.parse(r.stdout) as {
      vendor: string;
      dims: number[][];
      ds: number[];
      props: Record<string, string>;
      corner: number[];
      tissue: number;
    }[];
    expect(slides).toHaveLength(6);
    for (const s of slides) {
      expect(s.vendor).toBe('generic-tiff');
      expect(s.dims).toEqual([
        [3200, 2400],
        [1600, 1200],
        [800, 600],
        [400, 300],
        [200, 150],
      ]);
      expect(s.ds).toEqual([1, 2, 4, 8, 16]);
      expect(s.props['tiff.ResolutionUnit']).toBe('centimeter');
      expect(1e4 / Number(s.props['tiff.XResolution'])).toBeCloseTo(0.25, 6);
      expect(1e4 / Number(s.props['tiff.YResolution'])).toBeCloseTo(0.25, 6);
      expect(s.props['tiff.ImageDescription']).toMatch(/SYNTHETIC/);
      expect(s.props['openslide.level[0].tile-width']).toBe('256');
      expect(Math.min(...s.corner)).toBeGreaterThan(215); // near-white background
      expect(s.tissue).toBeGreaterThan(0.05); // tissue pieces are there
      expect(s.tissue).toBeLessThan(0.8);
    }
  });

  it('stops on AbortSignal with CANCELLED, leaving no partial files and no cohort.csv', async () => {
    const out = tempDir('resdistill-synth-cancel-');
    const controller = new AbortController();
    const job = generateCohort(
      { ...small, slidesPerClass: 4, out },
      {
        signal: controller.signal,
        onEvent: () => controller.abort(),
      },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(path.join(out, 'cohort.csv'))).toBe(false);
  });

  it('rejects a bad spec with CONFIG_INVALID naming the field', async () => {
    const out = tempDir('resdistill-synth-bad-');
    const bad: [Record<string, unknown>, string][] = [
      [{ slidesPerClass: 0 }, 'spec.slidesPerClass'],
      [{ classes: 5 }, 'spec.classes'],
      [{ slideSizeUm: 'big' }, 'spec.slideSizeUm'],
      [{ mpp: -1 }, 'spec.mpp'],
      [{ tileSize: 100 }, 'spec.tileSize'],
      [{ compression: 'lzw' }, 'spec.compression'],
      [{ seed: 1.5 }, 'spec.seed'],
    ];
    for (const [field, name] of bad) {
      await expect(generateCohort({ out, ...field } as unknown as SynthOptions)).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(name),
      });
    }
    await expect(generateCohort({} as SynthOptions)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(readdirSync(out)).toEqual([]);
  });

  it('fails with IO_ERROR on an unwritable out folder and Node keeps working', async () => {
    const parent = tempDir('resdistill-synth-io-');
    const file = path.join(parent, 'a-file');
    writeFileSync(file, 'not a folder');
    await expect(generateCohort({ ...small, out: path.join(file, 'cohort') })).rejects.toMatchObject({ code: 'IO_ERROR' });
    const ok = tempDir('resdistill-synth-ok-');
    await expect(generateCohort({ ...small, slidesPerClass: 1, classes: 2, out: ok })).resolves.toMatchObject({
      synthetic: true,
      slides: 2,
    });
  });
});
