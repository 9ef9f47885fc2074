// A trained model's weights file described by itself: the safetensors metadata every best/final.safetensors carries
// (native/core/models/weights_metadata.h), checked natively against the file's tensors, and the raw tensors for export.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { ResdistillError } from '../util/errors.js';
import { runNative } from '../native/jobs.js';
import type { Architecture, WeightsDescription } from '../native/job-types.js';
export type { Architecture, WeightsDescription } from '../native/job-types.js';

/**
 * Reads and checks a weights file's own description (needs the addon). Throws WEIGHTS_INVALID naming every missing or
 * malformed key, or the first tensor that disagrees with the architecture the metadata names.
 */
export function describeWeights(file: string): Promise<WeightsDescription> {
  return runNative('weights.describe', { path: file });
}

/** One tensor of a safetensors file as float32 (the only dtype our models are saved in). */
export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

/** The largest header we read, as the safetensors library bounds it: a bigger one is hostile, not a model. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const BYTES_OF: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/**
 * A safetensors header checked as the format requires: an object of entries { dtype, shape, data_offsets } and an
 * optional __metadata__ of strings; every range inside the data section, its size the shape's, and the ranges
 * covering the section without overlaps or holes. WEIGHTS_INVALID naming the first problem otherwise.
 */
export function parseSafetensorsHeader(
  file: string,
  headerText: string,
  dataSize: number,
): { metadata: Record<string, string>; entries: Map<string, HeaderEntry> } {
  const bad = (why: string): never => {
    throw new ResdistillError('WEIGHTS_INVALID', `${file}: ${why}`);
  };
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    return bad('malformed safetensors header');
  }
  if (!isObject(header)) return bad('malformed safetensors header (not a JSON object)');
  const metadata = new Map<string, string>(); // a Map: keys such as __proto__ are data here
  const entries = new Map<string, HeaderEntry>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(entry)) bad('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as object)) {
        if (typeof v !== 'string') bad(`__metadata__.${k} must be a string`);
        metadata.set(k, v as string);
      }
      continue;
    }
    if (!isObject(entry)) return bad(`tensor '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES_OF)) return bad(`tensor '${name}' has no known dtype`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      return bad(`tensor '${name}' has a malformed shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      return bad(`tensor '${name}' has no data_offsets [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const bytes = (shape as number[]).reduce((p, d) => p * d, BYTES_OF[dtype]!);
    if (end < begin || end > dataSize || end - begin !== bytes) bad(`tensor '${name}' has offsets outside the file (truncated?)`);
    entries.set(name, { dtype, shape: shape as number[], begin, end });
  }
  // The format forbids overlapping ranges and holes: a range shared by two tensors hides one of them.
  let at = 0;
  for (const [name, e] of [...entries].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end)) {
    if (e.begin < at) bad(`tensor '${name}' overlaps another tensor's bytes (the format forbids overlapping ranges)`);
    if (e.begin > at) bad(`tensor '${name}' leaves a hole before it in the data (the format forbids holes)`);
    at = e.end;
  }
  if (at !== dataSize) bad(`the data section has ${dataSize - at} bytes no tensor names (the format forbids holes)`);
  return { metadata: Object.fromEntries(metadata), entries };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The header length a safetensors file declares, checked against its size. */
function headerLength(file: string, head: Buffer, fileSize: number): number {
  const bad = (why: string): never => {
    throw new ResdistillError('WEIGHTS_INVALID', `${file}: ${why}`);
  };
  if (fileSize < 8 || head.length < 8) bad('not a safetensors file (too short)');
  const n = head.readBigUInt64LE(0);
  if (n > BigInt(fileSize - 8)) bad('not a safetensors file (bad header length)');
  if (n > BigInt(MAX_HEADER_BYTES)) bad(`safetensors header of ${n} bytes exceeds ${MAX_HEADER_BYTES}`);
  return Number(n);
}

/** Only the __metadata__ of a safetensors file, reading its header and none of its tensors. */
export function readSafetensorsMetadata(file: string): Record<string, string> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const n = headerLength(file, head, size);
    const text = Buffer.alloc(n);
    if (readSync(fd, text, 0, n, 8) !== n) throw new ResdistillError('WEIGHTS_INVALID', `${file}: truncated header`);
    return parseSafetensorsHeader(file, text.toString('utf8'), size - 8 - n).metadata;
  } finally {
    closeSync(fd);
  }
}

/** The raw header (tensors and __metadata__) of a safetensors file; WEIGHTS_INVALID when it is not one. */
export function readSafetensors(file: string): { metadata: Record<string, string>; tensors: Map<string, RawTensor> } {
  const bytes = readFileSync(file);
  const n = headerLength(file, bytes, bytes.length);
  const base = 8 + n;
  const { metadata, entries } = parseSafetensorsHeader(file, bytes.subarray(8, base).toString('utf8'), bytes.length - base);
  const tensors = new Map<string, RawTensor>();
  for (const [name, { dtype, shape, begin, end }] of entries) {
    if (dtype === 'I64' && name.endsWith('num_batches_tracked')) continue; // BatchNorm's step counter: unused at inference
    if (dtype !== 'F32')
      throw new ResdistillError('WEIGHTS_INVALID', `${file}: tensor '${name}' is ${dtype}; export reads F32 weights only`);
    // Copied: the file's offsets need not be 4-byte aligned inside Node's pooled buffer.
    const data = new Float32Array((end - begin) / 4);
    Buffer.from(data.buffer).set(bytes.subarray(base + begin, base + end));
    if (!data.every(Number.isFinite))
      throw new ResdistillError('WEIGHTS_INVALID', `${file}: tensor '${name}' holds NaN or infinite values`);
    tensors.set(name, { shape, data });
  }
  return { metadata, tensors };
}

/** What changes when a file is rewritten or replaced: device, inode, size, modification and change times. */
export function fileIdentity(file: string): string {
  const s = statSync(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** WEIGHTS_INVALID when `file` is no longer the file `identity` was taken of (replaced or rewritten during a run). */
export function checkUnchanged(file: string, identity: string): void {
  let now: string | null = null;
  try {
    now = fileIdentity(file);
  } catch {
    // gone: changed as much as a file can
  }
  if (now !== identity) {
    throw new ResdistillError(
      'WEIGHTS_INVALID',
      `${file} changed while it was in use (replaced or rewritten): its class names and outputs may come from different versions; run again`,
    );
  }
}
