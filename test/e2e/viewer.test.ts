// What the student sees, outside resdistill: predict's tiles.geojson is RFC 7946 GeoJSON in QuPath's conventions
// holding exactly tiles.csv's classes and probabilities; `resdistill view` serves the CMU slide as an exact Deep Zoom
// pyramid with the overlay (transparent off tissue), only on 127.0.0.1, refusing every path outside its routes; in
// headless Chromium the page loads level-0 tiles, shows the overlay, the legend, the student/teacher/disagreement
// switch and, under the pointer, a tile's probabilities as tiles.csv has them.
// Needs the addon and real data (a lymphoma subset to train a small student and teacher, the CMU slide), and Debian's
// /usr/bin/chromium for the browser part. RESDISTILL_VIEWER_SCREENSHOT=docs/viewer.png regenerates docs' picture.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/util/csv.js';
import { runJob } from '../../src/native/job.js';
import { predictSlide, type SlidePrediction } from '../../src/predict/predict.js';
import { resolveModelRef } from '../../src/predict/model-ref.js';
import { openSlide } from '../../src/slide/slide.js';
import { cli, cmuSlide, hasData, repoRoot, runCli, tempDir } from '../support.js';
import { lymphomaSubset } from '../native/store_fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STUDENT_MAG = 0.78125;
const TEACHER_MAG = 3.125;
const TILE = { sizeUm: 160, minTissue: 0.1 };

let student = '';
let teacher = '';
let out = ''; // predict with the teacher (library), default tiles.geojson
let prediction: SlidePrediction;

interface CsvTiles {
  header: string[];
  rows: string[][];
}
const readCsv = (file: string): CsvTiles => {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return { header: header!, rows };
};

describe.skipIf(!hasData)('GeoJSON for QuPath and resdistill view (addon, ../shared/data)', () => {
  beforeAll(async () => {
    const store = path.join(tempDir('rd-viewer-'), 'store');
    await runJob('store.extract', {
      source: { kind: 'images', root: lymphomaSubset(4), mpp: 1.6 },
      magnifications: [TEACHER_MAG, STUDENT_MAG],
      out: store,
      splits: { seed: 1, train: 0.6, val: 0.2, test: 0.2 },
    });
    const train = async (magnification: number, method: string) =>
      (
        await runJob<{ bestCheckpoint: string }>('train.supervised', {
          store,
          epochs: 1,
          batchSize: 8,
          seed: 3,
          augment: {},
          out: path.join(tempDir('rd-viewer-run-'), 'run'),
          magnification,
          model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
          weights: { method, runId: `viewer-${method}` },
        })
      ).bestCheckpoint;
    teacher = await train(TEACHER_MAG, 'teacher');
    student = await train(STUDENT_MAG, 'baseline');
    // predict, as the library runs it, with the teacher on the same tiles (a weights file alone has none beside it).
    out = path.join(tempDir('rd-viewer-predict-'), 'pred');
    const ref = { ...(await resolveModelRef(student)), teacher: await resolveModelRef(teacher) };
    prediction = await predictSlide(cmuSlide, ref, { out, ...TILE, device: 'cpu' });
  }, 600_000);

  it('predict --geojson writes RFC 7946 polygons within the slide, in QuPath conventions, equal to tiles.csv', () => {
    const dir = tempDir('rd-geojson-');
    const file = path.join(dir, 'qupath', 'cmu.geojson');
    const r = runCli(
      [
        'predict',
        cmuSlide,
        '--model',
        student,
        '--out',
        path.join(dir, 'pred'),
        '--geojson',
        file,
        '--size-um',
        String(TILE.sizeUm),
        '--min-tissue',
        String(TILE.minTissue),
        '--json',
      ],
      { timeout: 300_000 },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout) as SlidePrediction;
    expect(result.files.geojson).toBe(file);
    expect(existsSync(path.join(dir, 'pred', 'tiles.geojson'))).toBe(false); // --geojson replaces the default place

    const slide = openSlide(cmuSlide);
    const { width: W, height: H } = slide.info;
    slide.close();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      type: string;
      features: {
        type: string;
        geometry: { type: string; coordinates: number[][][] };
        properties: {
          objectType: string;
          name?: string;
          classification: { name: string; color: number[] };
          measurements: Record<string, number>;
        };
      }[];
    };
    expect(doc.type).toBe('FeatureCollection');
    for (const f of doc.features) {
      expect(f.type).toBe('Feature');
      expect(f.geometry.type).toBe('Polygon');
      expect(['tile', 'annotation']).toContain(f.properties.objectType);
      expect(result.classes).toContain(f.properties.classification.name);
      expect(f.properties.classification.color).toHaveLength(3);
      for (const c of f.properties.classification.color) expect(Number.isInteger(c) && c >= 0 && c <= 255).toBe(true);
      for (const ring of f.geometry.coordinates) {
        // A closed linear ring: 4+ positions, the last equal to the first, every position within the slide.
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[ring.length - 1]).toEqual(ring[0]);
        for (const [x, y] of ring) expect(x! >= 0 && x! <= W && y! >= 0 && y! <= H, `${x},${y}`).toBe(true);
        // The exterior ring follows the right-hand rule (positive signed area in x, y).
        const area = ring.slice(0, -1).reduce((s, [x, y], i) => s + x! * ring[i + 1]![1]! - ring[i + 1]![0]! * y!, 0) / 2;
        expect(area).toBeGreaterThan(0);
      }
    }
    const summary = doc.features.filter((f) => f.properties.objectType === 'annotation');
    expect(summary).toHaveLength(1);
    expect(summary[0]!.properties.classification.name).toBe(result.meanProbability.label);
    const shares = result.classes.map((c) => summary[0]!.properties.measurements[`share ${c}`]!);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    result.classes.forEach((c, i) => expect(shares[i]).toBeCloseTo(result.majority.votes[c]! / result.tiles, 4));

    // One tile feature per tiles.csv row, in order: the same rectangle, label and probabilities.
    const csv = readCsv(path.join(dir, 'pred', 'tiles.csv'));
    const col = (name: string) => csv.header.indexOf(name);
    const tiles = doc.features.filter((f) => f.properties.objectType === 'tile');
    expect(tiles).toHaveLength(csv.rows.length);
    expect(tiles.length).toBe(result.tiles);
    csv.rows.forEach((row, i) => {
      const f = tiles[i]!;
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(row[col(k)]));
      expect(f.geometry.coordinates[0]![0]).toEqual([Math.max(0, x!), Math.max(0, y!)]);
      expect(f.geometry.coordinates[0]![2]).toEqual([Math.min(W, x! + w!), Math.min(H, y! + h!)]);
      expect(f.properties.classification.name).toBe(row[col('label')]);
      for (const c of result.classes) expect(f.properties.measurements[`p_${c}`]).toBe(Number(row[col(`p_${c}`)]));
    });
  }, 300_000);

  describe('resdistill view', () => {
    let child: ChildProcessWithoutNullStreams;
    let url = '';
    beforeAll(async () => {
      // predict without --geojson puts it beside tiles.csv; with the teacher it also writes the teacher's tiles.
      expect(existsSync(path.join(out, 'tiles.geojson'))).toBe(true);
      expect(prediction.files.teacherCsv).toBe(path.join(out, 'teacher-tiles.csv'));
      child = spawn(process.execPath, [cli, 'view', out, '--json'], { cwd: repoRoot });
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) resolve(text.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`view exited ${code}`)));
      });
      url = (JSON.parse(line) as { url: string }).url;
    }, 60_000);
    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    const get = (pathname: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const u = new URL(url);
        const req = http.request({ host: u.hostname, port: u.port, path: pathname, method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });

    it('listens on 127.0.0.1 and refuses every path outside its routes, other hosts and other methods', async () => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await get('/openseadragon/openseadragon.min.js')).status).toBe(200);
      for (const p of [
        '/tiles.csv',
        '/prediction.json',
        '/openseadragon/../package.json',
        '/openseadragon/..%2f..%2fpackage.json',
        '/openseadragon/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
        '/openseadragon/..%5c..%5cpackage.json',
        `/openseadragon/${encodeURIComponent(path.join(repoRoot, 'package.json'))}`,
        '/slide_files/99/0_0.png',
        '/overlay/nothing.png',
        '//etc/passwd',
      ]) {
        expect((await get(p)).status, p).toBe(404);
      }
      const port = new URL(url).port;
      expect((await get('/', { host: `evil.example:${port}` })).status).toBe(403);
      expect((await get('/viewer.json', {}, 'POST')).status).toBe(405);
    });

    it('serves exact Deep Zoom tiles at every level, and overlays transparent where no tile is', async () => {
      const info = JSON.parse((await get('/viewer.json')).body.toString()) as {
        slide: { levels: number; width: number; height: number };
        layers: { name: string; width: number; height: number; scale: number }[];
      };
      expect(info.layers.map((l) => l.name)).toEqual(['student', 'teacher', 'disagreement']);
      const slide = openSlide(cmuSlide);
      try {
        const top = info.slide.levels - 1;
        expect(2 ** top).toBeGreaterThanOrEqual(Math.max(slide.info.width, slide.info.height));
        for (const [level, col, row] of [
          [top, 1, 2],
          [top - 1, 0, 1],
          [top - 3, 0, 0],
        ] as const) {
          const d = 2 ** (top - level);
          const png = PNG.sync.read((await get(`/slide_files/${level}/${col}_${row}.png`)).body);
          const want = slide.readRegion(
            { x: col * 256 * d, y: row * 256 * d, width: png.width * d, height: png.height * d },
            { mpp: slide.info.mpp.x * d },
          );
          expect([png.width, png.height]).toEqual([want.width, want.height]);
          const rgb = Buffer.alloc(png.width * png.height * 3);
          for (let i = 0; i < png.width * png.height; i++) png.data.copy(rgb, 3 * i, 4 * i, 4 * i + 3);
          expect(rgb.equals(want.data), `level ${level}`).toBe(true);
        }
      } finally {
        slide.close();
      }
      const layer = info.layers[0]!;
      const overlay = PNG.sync.read((await get('/overlay/student.png')).body);
      const csv = readCsv(path.join(out, 'tiles.csv'));
      const boxes = csv.rows.map((r) => r.slice(0, 4).map(Number) as [number, number, number, number]);
      let tinted = 0;
      let clear = 0;
      for (let y = 0; y < overlay.height; y += 3) {
        for (let x = 0; x < overlay.width; x += 3) {
          const [lx, ly] = [(x + 0.5) * layer.scale, (y + 0.5) * layer.scale];
          const covered = boxes.some(
            ([bx, by, bw, bh]) =>
              lx >= bx - layer.scale && lx <= bx + bw + layer.scale && ly >= by - layer.scale && ly <= by + bh + layer.scale,
          );
          const alpha = overlay.data[4 * (y * overlay.width + x) + 3]!;
          if (!covered) (expect(alpha, `${x},${y}`).toBe(0), clear++);
          else if (alpha > 0) tinted++;
        }
      }
      expect(tinted).toBeGreaterThan(100);
      expect(clear).toBeGreaterThan(100);
    });

    it.skipIf(!existsSync(CHROMIUM))(
      'in Chromium: level-0 tiles load, the overlay and legend show, hovering a tile shows its probabilities (needs /usr/bin/chromium)',
      async () => {
        const context = await chromium.launchPersistentContext(tempDir('resdistill-chromium-'), {
          executablePath: CHROMIUM,
          headless: true,
          args: FLAGS,
          viewport: { width: 1280, height: 800 },
        });
        try {
          // Everything the page loads comes from the viewer (no CDN): any other request is aborted and fails the test.
          const foreign: string[] = [];
          await context.route(
            (u) => !u.href.startsWith(url),
            (route) => {
              foreign.push(route.request().url());
              return route.abort();
            },
          );
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          await page.goto(url);
          type View = {
            ready: boolean;
            overlayLayer: string | null;
            levelsLoaded: number[];
            info: { slide: { levels: number } };
            viewer: { world: { getItemAt(i: number): { getFullyLoaded(): boolean } } };
          };
          await page.waitForFunction(
            () => {
              const v = (window as unknown as { rdView?: { ready: boolean; overlayLayer: string | null } }).rdView;
              return v?.ready && v.overlayLayer === 'student';
            },
            undefined,
            { timeout: 30_000 },
          );

          // The legend: every class with its colour; the opacity slider; the layer switch (the teacher ran).
          expect(await page.locator('#legend li').allTextContents()).toEqual(prediction.classes);
          expect(await page.locator('#opacity').isVisible()).toBe(true);
          expect(
            await page.locator('#layers input[type=radio]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
          ).toEqual(['student', 'teacher', 'disagreement']);
          await page.locator('#layers input[value=teacher]').check();
          await page.waitForFunction(() => (window as unknown as { rdView: { overlayLayer: string } }).rdView.overlayLayer === 'teacher');
          await page.locator('#layers input[value=disagreement]').check();
          await page.waitForFunction(
            () => (window as unknown as { rdView: { overlayLayer: string } }).rdView.overlayLayer === 'disagreement',
          );
          expect(await page.locator('#legend li').allTextContents()).toEqual([expect.stringMatching(/disagree/)]);
          await page.locator('#layers input[value=student]').check();
          await page.waitForFunction(() => (window as unknown as { rdView: { overlayLayer: string } }).rdView.overlayLayer === 'student');
          // The slider sets the overlay's opacity (the overlay is the second image of the world, the slide the first).
          await page.locator('#opacity').evaluate((e) => {
            (e as HTMLInputElement).value = '70';
            e.dispatchEvent(new Event('input'));
          });
          expect(
            await page.evaluate(() =>
              (
                window as unknown as { rdView: { viewer: { world: { getItemAt(i: number): { getOpacity(): number } } } } }
              ).rdView.viewer.world
                .getItemAt(1)
                .getOpacity(),
            ),
          ).toBeCloseTo(0.7, 5);

          // The tile nearest the slide's centre, hovered: its probabilities as tiles.csv (and teacher-tiles.csv) hold them.
          const csv = readCsv(path.join(out, 'tiles.csv'));
          const teacherCsv = readCsv(path.join(out, 'teacher-tiles.csv'));
          const col = (name: string) => csv.header.indexOf(name);
          const slide = openSlide(cmuSlide);
          const [cx, cy] = [slide.info.width / 2, slide.info.height / 2];
          slide.close();
          const centres = csv.rows.map(
            (r) => [Number(r[col('x')]) + Number(r[col('width')]) / 2, Number(r[col('y')]) + Number(r[col('height')]) / 2] as const,
          );
          const i = centres.reduce(
            (best, [x, y], k) => (Math.hypot(x - cx, y - cy) < Math.hypot(centres[best]![0] - cx, centres[best]![1] - cy) ? k : best),
            0,
          );
          const hover = async () => {
            const pos = await page.evaluate(
              ([x, y]) => (window as unknown as { rdView: { pageOf(x: number, y: number): { x: number; y: number } } }).rdView.pageOf(x, y),
              centres[i]!,
            );
            await page.mouse.move(pos.x + 3, pos.y + 3);
            await page.locator(`#tile-info[data-tile="${i}"]`).waitFor();
          };
          await page.waitForFunction(
            () => (window as unknown as { rdView: View }).rdView.viewer.world.getItemAt(0).getFullyLoaded(),
            undefined,
            { timeout: 30_000 },
          );
          await hover();
          const shot = await page.screenshot();
          if (process.env.RESDISTILL_VIEWER_SCREENSHOT) writeFileSync(process.env.RESDISTILL_VIEWER_SCREENSHOT, shot);

          // Level 0: one slide pixel per screen pixel, tiles of the last level loaded.
          await page.evaluate(
            ([x, y]) => (window as unknown as { rdView: { zoomToLevel0(x: number, y: number): void } }).rdView.zoomToLevel0(x, y),
            centres[i]!,
          );
          await page.waitForFunction(
            () => {
              const v = (window as unknown as { rdView: View }).rdView;
              return v.levelsLoaded.includes(v.info.slide.levels - 1) && v.viewer.world.getItemAt(0).getFullyLoaded();
            },
            undefined,
            { timeout: 30_000 },
          );
          // Away (a corner of the viewer: another tile or none), then back over the tile.
          const osd = (await page.locator('#osd').boundingBox())!;
          await page.mouse.move(osd.x + 5, osd.y + 5);
          await page.waitForFunction((k) => document.querySelector('#tile-info')?.getAttribute('data-tile') !== String(k), i);
          await hover();
          const cells = (source: string) =>
            page
              .locator(`#tile-info td[data-source=${source}]`)
              .evaluateAll((tds) => tds.map((td) => [(td as HTMLElement).dataset.class, Number((td as HTMLElement).dataset.p)]));
          expect(await cells('student')).toEqual(prediction.classes.map((c) => [c, Number(csv.rows[i]![col(`p_${c}`)])]));
          expect(await cells('teacher')).toEqual(prediction.classes.map((c) => [c, Number(teacherCsv.rows[i]![col(`p_${c}`)])]));
          expect(await page.locator('#tile-info tr.top td').first().textContent()).toBe(csv.rows[i]![col('label')]);

          // The picture is a real one: many colours (tissue under the tint), not a blank page.
          const level0 = await page.screenshot();
          const png = PNG.sync.read(level0);
          const colours = new Set<number>();
          for (let p = 0; p < png.data.length; p += 4 * 11) colours.add((png.data[p]! << 16) | (png.data[p + 1]! << 8) | png.data[p + 2]!);
          expect(colours.size).toBeGreaterThan(500);
          expect(errors).toEqual([]);
          expect(foreign).toEqual([]);
        } finally {
          await context.close();
        }
      },
      180_000,
    );

    it('Ctrl-C stops it: exit 0', async () => {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    });
  });
});
