// Text inputs with a UTF-8 byte-order mark (as Notepad and Excel write them) are read as if it were not there:
// an extract config (JSON), an experiment config (JSON) and an image manifest (CSV, read natively).
// The CSV case needs the addon and real data; the configs are pure TS.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { extract, loadExtractConfig, readManifest } from '../../src/store/store.js';
import { hasData, tempDir } from '../support.js';
import { crcDir } from './store_fixtures.js';

const BOM = '\uFEFF';

describe('JSON configs with a BOM (pure TS)', () => {
  it('an extract config with a BOM parses like the same file without', () => {
    const dir = tempDir('rd-bom-');
    const config = { data: { source: 'images', root: 'imgs', mpp: 1.6 }, magnifications: { teacher: 6.25, students: [3.125] } };
    writeFileSync(path.join(dir, 'with.json'), BOM + JSON.stringify(config));
    writeFileSync(path.join(dir, 'without.json'), JSON.stringify(config));
    expect(loadExtractConfig(path.join(dir, 'with.json'))).toEqual(loadExtractConfig(path.join(dir, 'without.json')));
  });

  it('an experiment config with a BOM parses like the same file without', () => {
    const dir = tempDir('rd-bom-');
    const config = { data: { source: 'images', root: 'imgs', mpp: 1.6 } };
    writeFileSync(path.join(dir, 'with.json'), BOM + JSON.stringify(config));
    writeFileSync(path.join(dir, 'without.json'), JSON.stringify(config));
    expect(loadExperiment(path.join(dir, 'with.json'))).toEqual(loadExperiment(path.join(dir, 'without.json')));
  });
});

describe.skipIf(!hasData)('a CSV image manifest with a BOM (needs the addon and real data)', () => {
  it('its header is read as path,label,group and the store is extracted', async () => {
    const dir = tempDir('rd-bom-csv-');
    const csv = path.join(dir, 'images.csv');
    const names = readdirSync(crcDir)
      .filter((n) => n.endsWith('.jpg'))
      .sort()
      .slice(0, 6);
    writeFileSync(
      csv,
      BOM + ['path,label,group', ...names.map((n, i) => `${path.join(crcDir, n)},${n.split('___')[0]},g${i}`)].join('\r\n'),
    );
    const out = path.join(dir, 'store');
    writeFileSync(
      path.join(dir, 'extract.json'),
      JSON.stringify({ data: { source: 'images', csv, mpp: 0.5 }, magnifications: { teacher: 10, students: [5] } }),
    );
    await extract(loadExtractConfig(path.join(dir, 'extract.json')), out);
    expect(readManifest(out).samples).toBe(6);
  });
});
