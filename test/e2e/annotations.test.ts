// QuPath region annotations as training labels: a slides CSV's `annotations` column names a GeoJSON file per slide;
// extract labels each tile with the class of the (smallest) region covering its centre, holes excluded, and drops
// tiles outside every region; unclassified features and points label nothing. Bad combinations are CONFIG_INVALID.
// Needs the addon with the synth and extract jobs (a SYNTHETIC slide, generated here).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { loadBinding } from '../../src/native/addon.js';
import { openSlide } from '../../src/slide/slide.js';
import { readManifest } from '../../src/store/store.js';
import { listSamples } from '../../src/store/info.js';
import { tempDir } from '../support.js';

function hasJobs(): boolean {
  try {
    const kinds = loadBinding()
      .jobKinds()
      .map((k) => k.kind);
    return ['synth.cohort', 'store.extract'].every((k) => kinds.includes(k));
  } catch {
    return false;
  }
}

type Box = [number, number, number, number]; // x0, y0, x1, y1 in level-0 pixels
const ring = ([x0, y0, x1, y1]: Box) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const inside = ([x0, y0, x1, y1]: Box, x: number, y: number) => x > x0 && x < x1 && y > y0 && y < y1;

describe.skipIf(!hasJobs())('extract labels tiles from GeoJSON region annotations (addon with synth and extract)', () => {
  it('a tile takes the class of the smallest region covering its centre; tiles outside every region are dropped', async () => {
    const dir = tempDir('rd-annotations-');
    await runJob('synth.cohort', { out: dir, seed: 0, slidesPerClass: 1 });
    const slidePath = path.join(dir, readFileSync(path.join(dir, 'cohort.csv'), 'utf8').split('\n')[1]!.split(',')[0]!);
    const slide = openSlide(slidePath);
    const { width: W, height: H } = slide.info;
    const grid = await slide.tiles({ sizeUm: 128, minTissue: 0.5 });
    slide.close();

    // Tumour: the lower left, with a hole; necrosis nested inside it; stroma: two bands of the right half (a MultiPolygon).
    const tumour: Box = [0, H * 0.25 + 37, W * 0.5 + 11, H];
    const hole: Box = [W * 0.1 + 13, H * 0.55 + 17, W * 0.22 + 5, H * 0.8 + 3];
    const necrosis: Box = [W * 0.28 + 7, H * 0.3 + 19, W * 0.46 + 3, H * 0.52 + 9];
    const stroma: Box[] = [
      [W * 0.5 + 11, H * 0.25 + 37, W, H * 0.5 + 29],
      [W * 0.5 + 11, H * 0.62 + 41, W, H],
    ];
    const geojson = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring([0, 0, W, H])] }, properties: { objectType: 'annotation' } }, // unclassified
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring(tumour), ring(hole)] },
          properties: { objectType: 'annotation', classification: { name: 'tumour', color: [200, 0, 0] } },
        },
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring(necrosis)] },
          properties: { objectType: 'annotation', classification: { name: 'necrosis', color: [0, 0, 0] } },
        },
        {
          type: 'Feature',
          geometry: { type: 'MultiPolygon', coordinates: stroma.map((b) => [ring(b)]) },
          properties: { objectType: 'annotation', classification: { name: 'stroma', color: [0, 150, 0] } },
        },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [10, 10] }, properties: { classification: { name: 'tumour' } } },
      ],
    };
    const annotations = path.join(dir, 'slide.geojson');
    writeFileSync(annotations, JSON.stringify(geojson));
    const csv = path.join(dir, 'annotated.csv');
    writeFileSync(csv, `path,label,group,annotations\n${slidePath},,s0,slide.geojson\n`);

    const expected = (x: number, y: number): string | null => {
      if (inside(necrosis, x, y)) return 'necrosis';
      if (inside(tumour, x, y) && !inside(hole, x, y)) return 'tumour';
      if (stroma.some((b) => inside(b, x, y))) return 'stroma';
      return null;
    };
    const want = new Map<string, string>();
    for (const t of grid) {
      const cls = expected(t.x + t.width / 2, t.y + t.height / 2);
      if (cls) want.set(`${Math.round(t.x)},${Math.round(t.y)}`, cls);
    }
    // The layout puts tiles in every class and leaves some out, or the test would pin nothing.
    expect(new Set(want.values())).toEqual(new Set(['tumour', 'necrosis', 'stroma']));
    expect(want.size).toBeLessThan(grid.length);

    const store = path.join(dir, 'store');
    await runJob('store.extract', {
      source: { kind: 'slides', csv, unit: 'tiles', sizeUm: 128, minTissue: 0.5 },
      magnifications: [10, 2.5],
      out: store,
      splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
    });
    const manifest = readManifest(store);
    expect(manifest.classes).toEqual(['necrosis', 'stroma', 'tumour']);
    const got = new Map<string, string>();
    for (const s of listSamples(store, manifest)) {
      const member = readFileSync(path.join(store, s.shard)).subarray(s.sample.json.offset, s.sample.json.offset + s.sample.json.size);
      const record = JSON.parse(member.toString('utf8')) as { class: string; provenance: { where: { x: number; y: number } } };
      expect(record.class).toBe(manifest.classes[s.sample.label!]);
      got.set(`${Math.round(record.provenance.where.x)},${Math.round(record.provenance.where.y)}`, record.class);
    }
    expect(got).toEqual(want);
  }, 300_000);

  it('refuses a label and annotations on one row, a missing file, a class outside the declared ones, and a file without regions', async () => {
    const dir = tempDir('rd-annotations-bad-');
    await runJob('synth.cohort', { out: dir, seed: 1, slidesPerClass: 1 });
    const slidePath = path.join(dir, readFileSync(path.join(dir, 'cohort.csv'), 'utf8').split('\n')[1]!.split(',')[0]!);
    const region = {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring([0, 0, 100, 100])] },
      properties: { classification: { name: 'tumour' } },
    };
    writeFileSync(path.join(dir, 'one.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [region] }));
    writeFileSync(path.join(dir, 'none.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ ...region, properties: {} }] }));
    const extract = (rows: string, classes?: string[]) => {
      const csv = path.join(dir, `c${Math.random().toString(36).slice(2)}.csv`);
      writeFileSync(csv, `path,label,group,annotations\n${rows}\n`);
      return runJob('store.extract', {
        source: { kind: 'slides', csv, unit: 'tiles', sizeUm: 128, minTissue: 0.5, ...(classes ? { classes } : {}) },
        magnifications: [10, 2.5],
        out: path.join(tempDir('rd-ann-store-'), 's'),
        splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
      });
    };
    await expect(extract(`${slidePath},tumour,s0,one.geojson`)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/a label or annotations, not both/),
    });
    await expect(extract(`${slidePath},,s0,missing.geojson`)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/annotations file not found/),
    });
    await expect(extract(`${slidePath},,s0,one.geojson`, ['stroma'])).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/class 'tumour' is not among/),
    });
    await expect(extract(`${slidePath},,s0,none.geojson`)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/no Polygon or MultiPolygon feature/),
    });
  }, 300_000);
});
