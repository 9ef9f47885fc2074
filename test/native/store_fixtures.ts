import { createHash } from 'node:crypto';
// Fixtures for the store tests: small real-data sources (symlinked subsets of ../shared/data) and byte-level helpers.
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, lymphomaDir, tempDir } from '../support.js';

export const crcDir = path.join(dataDir, 'patches', 'crc-val-he-7k');

/** A class-folder copy of lymphoma-iicbu2008 holding the first `perClass` images of each class (as symlinks). */
export function lymphomaSubset(perClass: number): string {
  const root = tempDir('rd-lym-');
  for (const cls of ['CLL', 'FL', 'MCL']) {
    mkdirSync(path.join(root, cls));
    const files = readdirSync(path.join(lymphomaDir, cls)).sort().slice(0, perClass);
    for (const f of files) symlinkSync(path.join(lymphomaDir, cls, f), path.join(root, cls, f));
  }
  return root;
}

/**
 * Writes an extract config (an experiment config's data and magnifications) for a lymphoma subset at 6.25x (its
 * ~1.6 um/px), 3.125x and 1.5625x; splits 0.7/0.15/0.15 with seed 7 unless `splits` says otherwise.
 */
export function lymphomaConfig(
  root: string,
  extra: { splits?: Record<string, number>; magnifications?: number[]; threads?: number } = {},
): string {
  const file = path.join(tempDir('rd-cfg-'), 'extract.json');
  const [teacher, ...students] = extra.magnifications ?? [6.25, 3.125, 1.5625];
  const config = {
    data: { source: 'images', root, mpp: 1.6, splits: { seed: 7, train: 0.7, val: 0.15, test: 0.15, ...extra.splits } },
    magnifications: { teacher, students },
    threads: extra.threads ?? 2,
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The store tests' shard size: small, so a few dozen images make several shards (resume, parts, damage). */
export const SHARDS = { samplesPerShard: 4 } as const;

/** Every file of a folder with the sha256 of its bytes, for byte-identity checks (cheap to compare). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) continue;
    out[name] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

/** Reads a float32 .npy written by the data.peek job. */
export function readNpyF32(file: string): { shape: number[]; data: Float32Array } {
  const buf = readFileSync(file);
  const len = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + len).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const body = buf.subarray(10 + len);
  const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
  return { shape, data };
}
