// The extract config schema and --part parsing (pure TypeScript, no addon).
import { describe, expect, it } from 'vitest';
import { parseExtractConfig, parsePart } from '../../src/store.js';

describe('extract config', () => {
  it('fills defaults for shards, split and threads', () => {
    const c = parseExtractConfig({ source: { kind: 'images', root: '/x', mpp: 0.5 }, magnifications: [20, 10] });
    expect(c).toMatchObject({ samplesPerShard: 32, split: { seed: 0, train: 0.7, val: 0.15, test: 0.15 }, threads: 0 });
  });

  it('names every bad field by its path, all at once', () => {
    let message = '';
    try {
      parseExtractConfig({ source: { kind: 'images', root: '/x', mpp: -1, colour: 1 }, magnifications: [5, 10], split: { seed: 'a' } }, 'cfg.json');
    } catch (e) {
      expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
      message = (e as Error).message;
    }
    expect(message).toMatch(/cfg\.json\.source\.mpp/);
    expect(message).toMatch(/cfg\.json\.source: .*colour/);
    expect(message).toMatch(/cfg\.json\.magnifications: must be strictly decreasing/);
    expect(message).toMatch(/cfg\.json\.split\.seed/);
  });

  it('needs exactly one of root or csv', () => {
    expect(() => parseExtractConfig({ source: { kind: 'images', mpp: 1 }, magnifications: [10] })).toThrow(/source\.root: give exactly one/);
  });

  it('--part is i/N, 1-based', () => {
    expect(parsePart('2/3')).toEqual({ index: 1, count: 3 });
    expect(() => parsePart('0/3')).toThrow(/--part/);
    expect(() => parsePart('4/3')).toThrow(/--part/);
    expect(() => parsePart('x')).toThrow(/--part/);
  });
});
