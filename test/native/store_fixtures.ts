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

/** Writes an extract config for a lymphoma subset at 6.25x (its ~1.6 um/px), 3.125x and 1.5625x. */
export function lymphomaConfig(root: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(tempDir('rd-cfg-'), 'extract.json');
  const config = {
    source: { kind: 'images', root, mpp: 1.6 },
    magnifications: [6.25, 3.125, 1.5625],
    samplesPerShard: 4,
    split: { seed: 7 },
    threads: 2,
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

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
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(10 + len);
  const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
  return { shape, data };
}
