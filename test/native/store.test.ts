// The multi-resolution store: extraction from real image folders and CSVs, fields of view, labels, groups,
// splits, provenance, parts and merge, and the bad-manifest and config errors.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { extract, loadExtractConfig, merge, parseExtractConfig, readManifest, readView } from '../../src/store/store.js';
import { listSamples, storeInfo } from '../../src/store/info.js';
import { hasData, tempDir } from '../support.js';
import { crcDir, lymphomaConfig, lymphomaSubset, SHARDS, snapshot } from './store_fixtures.js';

describe.skipIf(!hasData)('store extraction (needs the addon and real data in ../shared/data)', () => {
  let root: string;
  let store: string;
  beforeAll(async () => {
    root = lymphomaSubset(10);
    store = path.join(tempDir('rd-store-'), 'store');
    await extract(loadExtractConfig(lymphomaConfig(root)), store, SHARDS);
  });

  it('stores every magnification with the same field of view: each view is the exact box mean of the top view', () => {
    const samples = listSamples(store);
    expect(samples).toHaveLength(30);
    for (const s of samples.slice(0, 6)) {
      expect(s.sample.views.map((v) => v.shape)).toEqual([
        [312, 416, 3],
        [156, 208, 3],
        [78, 104, 3],
      ]);
      const top = readView(store, s.shard, s.sample.views[0]!);
      for (const [k, f] of [
        [1, 2],
        [2, 4],
      ] as const) {
        const low = readView(store, s.shard, s.sample.views[k]!);
        for (let y = 0; y < low.h; y += 7) {
          for (let x = 0; x < low.w; x += 5) {
            for (let c = 0; c < 3; c++) {
              let sum = 0;
              for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += top.pixels[((y * f + dy) * top.w + x * f + dx) * 3 + c]!;
              expect(low.pixels[(y * low.w + x) * 3 + c]).toBe(Math.floor((sum + (f * f) / 2) / (f * f)));
            }
          }
        }
      }
    }
  });

  it('labels each sample with its class folder and records provenance (sha256 of the source, mpp source, kernel)', () => {
    const m = readManifest(store);
    expect(m.classes).toEqual(['CLL', 'FL', 'MCL']);
    for (const s of listSamples(store)) {
      const shard = readFileSync(path.join(store, s.shard));
      const json = JSON.parse(shard.subarray(s.sample.json.offset, s.sample.json.offset + s.sample.json.size).toString('utf8'));
      const src = json.provenance.source.path as string;
      expect(m.classes[json.label]).toBe(path.basename(path.dirname(src)));
      expect(json.group).toBe(`${path.basename(path.dirname(src))}/${path.basename(src, '.png')}`);
      expect(json.provenance.source.sha256).toBe(createHash('sha256').update(readFileSync(src)).digest('hex'));
      expect(json.provenance.mppSource).toMatch(/user/);
      expect(json.provenance.views.map((v: { effectiveMpp: number }) => v.effectiveMpp)).toEqual([1.6, 3.2, 6.4]);
      expect(json.provenance.views[1].kernel).toMatch(/box/);
    }
  });

  it('splits are stratified by label, disjoint, and cover every sample', () => {
    const info = storeInfo(store);
    const m = readManifest(store);
    const all = [...m.splits.train, ...m.splits.val, ...m.splits.test, ...m.splits.unlabeled].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const cls of ['CLL', 'FL', 'MCL']) {
      expect(info.splits.train!.perClass[cls]).toBe(7);
      expect(info.splits.val!.perClass[cls]! + info.splits.test!.perClass[cls]!).toBe(3);
    }
  });

  it('a rerun with the same config changes nothing; a different config in the same folder is refused', async () => {
    const before = snapshot(store);
    const r = await extract(loadExtractConfig(lymphomaConfig(root)), store, SHARDS);
    expect(r.shardsWritten).toBe(0);
    expect(snapshot(store)).toEqual(before);
    await expect(extract(loadExtractConfig(lymphomaConfig(root)), store, { samplesPerShard: 5 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('--part 1/2 and 2/2 merged give a store byte-identical to a single run', async () => {
    const base = tempDir('rd-parts-');
    const cfg = loadExtractConfig(lymphomaConfig(root));
    const p1 = await extract(cfg, path.join(base, 'p1'), { ...SHARDS, part: { index: 0, count: 2 } });
    const p2 = await extract(cfg, path.join(base, 'p2'), { ...SHARDS, part: { index: 1, count: 2 } });
    expect(p1.complete).toBe(false);
    expect(p1.partSamples + p2.partSamples).toBe(30);
    await merge(path.join(base, 'merged'), [path.join(base, 'p2'), path.join(base, 'p1')]);
    expect(snapshot(path.join(base, 'merged'))).toEqual(snapshot(store));
  });
});

describe.skipIf(!hasData)('store from a CSV manifest (needs the addon and real data in ../shared/data)', () => {
  it('parses path,label,group rows: classes from labels, empty label = unlabeled pool, no group crosses splits', async () => {
    const names = readdirSync(crcDir)
      .filter((n) => n.endsWith('.jpg'))
      .sort();
    const rows = names.map((n, i) => {
      const label = n.split('___')[0]!;
      return i % 10 === 9 ? `${n},,unlabeled-${i}` : `${n},${label},${label}-p${i % 3}`;
    });
    const dir = tempDir('rd-csv-');
    const csv = path.join(dir, 'images.csv');
    // Paths relative to the CSV's folder: point them at the data.
    writeFileSync(csv, ['path,label,group', ...rows.map((r) => path.join(path.relative(dir, crcDir), r))].join('\n'));
    const out = path.join(dir, 'store');
    const cfg = parseExtractConfig({
      data: { source: 'images', csv, mpp: 0.5, splits: { train: 0.7, val: 0.15, test: 0.15 } },
      magnifications: { teacher: 20, students: [10] },
    });
    await extract(cfg, out, { samplesPerShard: 16 });
    const m = readManifest(out);
    expect(m.classes).toEqual(['ADI', 'LYM', 'MUC', 'MUS', 'NORM', 'STR', 'TUM']);
    expect(m.splits.unlabeled).toHaveLength(7);
    const samples = listSamples(out);
    expect(samples[0]!.sample.views.map((v) => v.shape)).toEqual([
      [224, 224, 3],
      [112, 112, 3],
    ]);
    const splitOf = new Map<string, string>();
    for (const name of ['train', 'val', 'test', 'unlabeled'] as const) {
      for (const id of m.splits[name]) {
        const g = samples[id]!.sample.group;
        if (name !== 'unlabeled') expect(splitOf.get(g) ?? name).toBe(name);
        splitOf.set(g, name);
        if (name === 'unlabeled') expect(samples[id]!.sample.label).toBeNull();
      }
    }
    expect(samples.filter((s) => s.sample.label !== null).every((s) => m.classes[s.sample.label!] === s.sample.group.split('-')[0])).toBe(
      true,
    );
  });

  it('rejects a manifest with an unknown path and an unknown label mixed with good rows, listing ALL problems', async () => {
    const dir = tempDir('rd-badcsv-');
    const csv = path.join(dir, 'bad.csv');
    writeFileSync(
      csv,
      [
        'path,label,group',
        `${path.join(crcDir, 'ADI___ADI-TCGA-ALPPQLSF_106.jpg')},ADI,a`,
        `${path.join(dir, 'no-such-image.png')},ADI,b`,
        `${path.join(crcDir, 'ADI___ADI-TCGA-AYIFLFLY_104.jpg')},CANCER,c`,
      ].join('\n'),
    );
    // The native source's `classes` (a fixed label list) has no config field: the job is called directly.
    const spec = {
      source: { kind: 'images', csv, mpp: 0.5, classes: ['ADI', 'TUM'] },
      magnifications: [20],
      splits: { train: 0.7, val: 0.15, test: 0.15 },
      out: path.join(dir, 'store'),
    };
    const err = await runJob('store.extract', spec).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(err.message).toMatch(/2 problem/);
    expect(err.message).toMatch(/line 3: file not found: '.*no-such-image\.png'/);
    expect(err.message).toMatch(/unknown label 'CANCER'/);
  });
});
