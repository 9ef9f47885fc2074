// The extract config is an experiment config's data (+ magnifications) section, JSON or YAML; --part parsing.
// Pure TypeScript, no addon.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadExtractConfig, parseExtractConfig, parsePart } from '../../src/store/store.js';
import { lymphomaDir, repoRoot, tempDir } from '../support.js';

describe('extract config', () => {
  it("an experiment config's data section, saved as its own file, is a valid extract config, in JSON and in YAML", () => {
    const experiment = JSON.parse(readFileSync(path.join(repoRoot, 'experiments', 'lymphoma.json'), 'utf8')) as {
      data: Record<string, unknown>;
    };
    const dir = tempDir('rd-extract-cfg-');
    const data = { ...experiment.data, root: lymphomaDir };
    writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ data }));
    writeFileSync(path.join(dir, 'data.yaml'), toYaml({ data }));
    writeFileSync(path.join(dir, 'bare.json'), JSON.stringify(data));
    const json = loadExtractConfig(path.join(dir, 'data.json'));
    expect(loadExtractConfig(path.join(dir, 'data.yaml'))).toEqual(json);
    expect(loadExtractConfig(path.join(dir, 'bare.json'))).toEqual(json);
    expect(json.data).toMatchObject({ source: 'images', splits: { train: 0.6, val: 0.2, test: 0.2, unlabeled: 0, seed: 0 } });
    expect(json.magnifications).toEqual([10, 5, 2.5, 1.25]);
  });

  it('a whole experiment config works too: extract takes its data and magnifications and ignores the rest', () => {
    const dir = tempDir('rd-extract-cfg-');
    const experiment = {
      data: { source: 'images', root: 'imgs', mpp: 1.6 },
      magnifications: { teacher: 6.25, students: [3.125] },
      seeds: [0, 1],
      loss: { temperature: 2 },
    };
    writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify(experiment));
    const c = loadExtractConfig(path.join(dir, 'experiment.json'));
    expect(c.magnifications).toEqual([6.25, 3.125]);
    expect(c.data).toMatchObject({ source: 'images', root: path.join(dir, 'imgs'), mpp: 1.6 });
  });

  it('names every bad field by its path, all at once', () => {
    let message = '';
    try {
      parseExtractConfig(
        {
          data: { source: 'images', root: '/x', mpp: -1, colour: 1, splits: { seed: 'a' } },
          magnifications: { teacher: 5, students: [10] },
        },
        'cfg.json',
      );
    } catch (e) {
      expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
      message = (e as Error).message;
    }
    expect(message).toMatch(/data\.mpp/);
    expect(message).toMatch(/data\.colour: unknown field/);
    expect(message).toMatch(/magnifications\.students\[0\]: student 10x must be below/);
    expect(message).toMatch(/data\.splits\.seed/);
  });

  it('needs exactly one of root or csv, and refuses a store as its source', () => {
    expect(() => parseExtractConfig({ data: { source: 'images', mpp: 1 } })).toThrow(/data\.root: give exactly one/);
    expect(() => parseExtractConfig({ data: { source: 'store', path: '/s' } })).toThrow(/already a store/);
  });

  it('--part is i/N, 1-based', () => {
    expect(parsePart('2/3')).toEqual({ index: 1, count: 3 });
    expect(() => parsePart('0/3')).toThrow(/--part/);
    expect(() => parsePart('4/3')).toThrow(/--part/);
    expect(() => parsePart('x')).toThrow(/--part/);
  });
});
