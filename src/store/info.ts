// `store info` and `store preview`: read the manifest, the indexes and raw views without the native addon (the
// preview's labels are drawn by resvg, as predict's heatmap figure).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { readIndex, readManifest, readView, type IndexSample, type Manifest } from './store.js';

export interface StoreInfo {
  store: string;
  complete: boolean;
  part: Manifest['part'] | null;
  samples: number;
  magnifications: { name: string; magnification: number; mpp: number; shape: number[] | null }[];
  classes: string[];
  source: Record<string, unknown>;
  shards: number;
  bytes: number;
  /** Per split: its samples, their groups and classes; `unreadable` counts samples whose shard index cannot be read
   *  (their class is unknown, so they are in no perClass count). */
  splits: Record<string, { samples: number; groups: number; perClass: Record<string, number>; unreadable: number }>;
  /** Why some samples could not be read (a missing or damaged index), one line per shard. */
  problems: string[];
  fingerprint: string;
}

interface Located {
  id: number;
  shard: string;
  sample: IndexSample;
}

/** Every indexed sample with its shard, in id order (shards missing from a part store are skipped; each
 *  unreadable index adds a line to `problems` when given). */
export function listSamples(store: string, manifest = readManifest(store), problems: string[] = []): Located[] {
  const out: Located[] = [];
  for (const shard of manifest.shards) {
    let samples: IndexSample[];
    try {
      samples = readIndex(store, shard);
    } catch (e) {
      problems.push(`${(e as Error).message} (samples ${shard.first} to ${shard.first + shard.samples - 1} are not counted by class)`);
      continue;
    }
    for (const s of samples) out.push({ id: Number(s.key), shard: shard.name, sample: s });
  }
  return out.sort((a, b) => a.id - b.id);
}

export function storeInfo(store: string): StoreInfo {
  const m = readManifest(store);
  const problems: string[] = [];
  const samples = listSamples(store, m, problems);
  const byId = new Map(samples.map((s) => [s.id, s.sample]));
  const splits: StoreInfo['splits'] = {};
  for (const name of ['train', 'val', 'test', 'unlabeled'] as const) {
    const ids = m.splits[name] ?? [];
    const perClass = new Map<string, number>(); // a Map: class names such as __proto__ are data, not keys of an object
    const groups = new Set<string>();
    let unreadable = 0;
    for (const id of ids) {
      const s = byId.get(id);
      if (!s) {
        unreadable++;
        continue;
      }
      groups.add(s.group);
      const cls = s.label === null ? '(unlabeled)' : (m.classes[s.label] ?? String(s.label));
      perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
    }
    splits[name] = { samples: ids.length, groups: groups.size, perClass: Object.fromEntries(perClass), unreadable };
  }
  const first = samples[0]?.sample;
  return {
    store: path.resolve(store),
    complete: m.complete,
    part: m.part ?? null,
    samples: m.samples,
    magnifications: m.magnifications.map((g, i) => ({
      name: g.name,
      magnification: g.magnification,
      mpp: g.mpp,
      shape: first?.views[i]?.shape ?? null,
    })),
    classes: m.classes,
    source: m.source,
    shards: m.shards.length,
    bytes: m.shards.reduce((a, s) => a + (s.bytes ?? 0), 0),
    splits,
    problems,
    fingerprint: m.fingerprint,
  };
}

export interface PreviewOptions {
  samples?: number; // rows (default 8), spread evenly over the chosen split
  split?: string; // train | val | test | unlabeled | all (default all)
  gap?: number;
}

const escapeXml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Room for the labels: a header row (magnifications) and a left column (sample, class, split, group). */
const LABELS = { left: 190, top: 30, minRow: 46 } as const;

/** Which split a sample is in, by the manifest's lists. */
function splitOf(m: Manifest, id: number): string {
  for (const name of ['train', 'val', 'test', 'unlabeled'] as const) if ((m.splits[name] ?? []).includes(id)) return name;
  return 'no split';
}

/**
 * A PNG contact sheet: one row per sample, one column per magnification, each view at its stored pixel size; a
 * header names each column's magnification and um/px, and each row its sample id, class, split and group.
 */
export function preview(
  store: string,
  out: string,
  options: PreviewOptions = {},
): { out: string; rows: number[]; columns: number; width: number; height: number } {
  const m = readManifest(store);
  const all = listSamples(store, m);
  const split = options.split ?? 'all';
  const allowed = split === 'all' ? null : new Set(m.splits[split as 'train'] ?? []);
  const pool = allowed ? all.filter((s) => allowed.has(s.id)) : all;
  const n = Math.min(options.samples ?? 8, pool.length);
  const rows = Array.from({ length: n }, (_, k) => pool[Math.floor((k * pool.length) / n)]!);
  const gap = options.gap ?? 4;
  const cols = m.magnifications.length;
  const colW = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => r.sample.views[c]!.shape[1])));
  const rowH = rows.map((r) => Math.max(LABELS.minRow, ...r.sample.views.map((v) => v.shape[0])));
  const sheetW = colW.reduce((a, b) => a + b, 0) + gap * (cols + 1);
  const sheetH = rowH.reduce((a, b) => a + b, 0) + gap * (n + 1);
  const png = new PNG({ width: sheetW, height: sheetH });
  png.data.fill(255);
  const rowY: number[] = [];
  let y = gap;
  rows.forEach((r, ri) => {
    rowY.push(y);
    let x = gap;
    r.sample.views.forEach((v, c) => {
      const img = readView(store, r.shard, v);
      for (let yy = 0; yy < img.h; yy++) {
        for (let xx = 0; xx < img.w; xx++) {
          const src = (yy * img.w + xx) * img.c,
            dst = ((y + yy) * sheetW + x + xx) * 4;
          png.data[dst] = img.pixels[src]!;
          png.data[dst + 1] = img.pixels[src + (img.c > 1 ? 1 : 0)]!;
          png.data[dst + 2] = img.pixels[src + (img.c > 2 ? 2 : 0)]!;
          png.data[dst + 3] = 255;
        }
      }
      x += colW[c]! + gap;
    });
    y += rowH[ri]! + gap;
  });
  const width = LABELS.left + sheetW;
  const height = LABELS.top + sheetH;
  const colX: number[] = [];
  colW.reduce((x, w) => (colX.push(x), x + w + gap), gap);
  const header = m.magnifications
    .map(
      (v, c) =>
        `<text x="${LABELS.left + colX[c]!}" y="20" font-size="12" font-weight="bold">${escapeXml(`${v.magnification}x`)}<tspan dx="6" font-weight="normal" fill="#59636e">${v.mpp.toFixed(2)} um/px</tspan></text>`,
    )
    .join('\n');
  const labels = rows
    .map((r, ri) => {
      const top = LABELS.top + rowY[ri]!;
      const cls = r.sample.label === null ? 'unlabeled' : (m.classes[r.sample.label] ?? `class ${r.sample.label}`);
      const group = r.sample.group.length > 24 ? `${r.sample.group.slice(0, 23)}…` : r.sample.group;
      return (
        `<text x="8" y="${top + 15}" font-size="12" font-weight="bold">${escapeXml(`#${r.id} ${cls}`)}</text>` +
        `<text x="8" y="${top + 32}" font-size="11" fill="#59636e">${escapeXml(`${splitOf(m, r.id)} · ${group}`)}</text>`
      );
    })
    .join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" fill="#1f2328">
<rect width="${width}" height="${height}" fill="#ffffff"/>
<image x="${LABELS.left}" y="${LABELS.top}" width="${sheetW}" height="${sheetH}" xlink:href="data:image/png;base64,${PNG.sync.write(png).toString('base64')}"/>
${header}
${labels}
</svg>`;
  writeFileSync(
    out,
    new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render().asPng(),
  );
  return { out: path.resolve(out), rows: rows.map((r) => r.id), columns: cols, width, height };
}
