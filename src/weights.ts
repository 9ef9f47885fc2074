// A trained model's weights file described by itself: the safetensors metadata every best/final.safetensors carries
// (native/core/models/weights_metadata.h), checked natively against the file's tensors, and the raw tensors for export.
import { readFileSync } from 'node:fs';
import { ResdistillError } from './errors.js';
import { runNative } from './jobs.js';

/** The architecture a weights file names (resnetNN fix their own stage widths and depths). */
export interface Architecture {
  name: 'gn_resnet' | 'resnet18' | 'resnet34' | 'resnet50';
  norm: 'group' | 'batch';
  groups: number;
  widths?: number[];
  blocks?: number[];
}

/** What `weights.describe` returns: everything needed to use the file with nothing beside it. */
export interface WeightsDescription {
  path: string;
  format: string;
  version: string;
  architecture: Architecture;
  classes: string[];
  magnification: number;
  mpp: number;
  unit: 'tiles' | 'pieces';
  /** [height, width] in pixels of a training input (tiles); null for whole tissue pieces. */
  inputSize: [number, number] | null;
  fieldOfViewUm: [number, number] | null;
  maxSizeUm: number | null;
  input: { normalize: 'dataset' | 'none'; mean: number[]; std: number[] };
  preprocessing: string;
  method: string;
  runId: string;
  synthetic: boolean;
  teacherMagnification: number | null;
  epoch: number;
  params: number;
  tensors: number;
}

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

/** The raw header (tensors and __metadata__) of a safetensors file; WEIGHTS_INVALID when it is not one. */
export function readSafetensors(file: string): { metadata: Record<string, string>; tensors: Map<string, RawTensor> } {
  const bytes = readFileSync(file);
  const bad = (why: string): never => {
    throw new ResdistillError('WEIGHTS_INVALID', `${file}: ${why}`);
  };
  if (bytes.length < 8) bad('not a safetensors file (too short)');
  const n = Number(bytes.readBigUInt64LE(0));
  if (n > bytes.length - 8) bad('not a safetensors file (bad header length)');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as typeof header;
  } catch {
    return bad('malformed safetensors header');
  }
  const base = 8 + n;
  const tensors = new Map<string, RawTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: [a, b] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype === 'I64' && name.endsWith('num_batches_tracked')) continue; // BatchNorm's step counter: unused at inference
    if (dtype !== 'F32') bad(`tensor '${name}' is ${dtype}; export reads F32 weights only`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`tensor '${name}' has a malformed shape`);
    const count = shape.reduce((p, d) => p * d, 1);
    if (!(a >= 0) || b - a !== count * 4 || base + b > bytes.length) bad(`tensor '${name}' has offsets outside the file (truncated?)`);
    // Copied: the file's offsets need not be 4-byte aligned inside Node's pooled buffer.
    const data = new Float32Array(count);
    Buffer.from(data.buffer).set(bytes.subarray(base + a, base + b));
    tensors.set(name, { shape, data });
  }
  return { metadata, tensors };
}
