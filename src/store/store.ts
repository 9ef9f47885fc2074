// The multi-resolution store from TypeScript: the extract config (an experiment config's data section), extraction, verification, merging
// (all native jobs), and the pure-TS readers behind `store info` and `store preview`.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, makeError } from '../util/errors.js';
import type { JobOptions } from '../native/job.js';
import { runNative } from '../native/jobs.js';
import { parseExperimentText, resolveExperiment, type ResolvedExperiment } from '../config/load.js';
import { extractSteps } from './extract-steps.js';
import { readTextInput } from '../util/text-input.js';
import type { Part, ExtractResult, VerifyReport } from '../native/job-types.js';
export type { Part, ExtractResult, VerifyReport } from '../native/job-types.js';

/**
 * The extract config is an experiment config: its `data` and `magnifications` sections (every other section is
 * ignored here), JSON or YAML. A bare data section (an object with `source` at the top) works too.
 */
export interface ExtractConfig {
  data: Exclude<ResolvedExperiment['data'], { source: 'store' }>;
  /** Teacher first, then the students, highest first. */
  magnifications: number[];
  threads?: number;
}

/** Validates an extract config; every bad field is named by its path, all at once; relative paths resolve against baseDir. */
export function parseExtractConfig(raw: unknown, where = 'config', baseDir = process.cwd()): ExtractConfig {
  const value = raw !== null && typeof raw === 'object' && 'source' in raw ? { data: raw } : raw;
  const c = resolveExperiment(value, { baseDir, where });
  if (c.data.source === 'store')
    throw new ConfigError('CONFIG_INVALID', `${where}: data.source is "store": that is already a store, there is nothing to extract`);
  return {
    data: c.data,
    magnifications: [c.magnifications.teacher, ...c.magnifications.students],
    ...(c.threads ? { threads: c.threads } : {}),
  };
}

/** Reads a JSON or YAML config file (an experiment config, or its data section); relative paths resolve against the file's folder. */
export function loadExtractConfig(file: string): ExtractConfig {
  let text: string;
  try {
    text = readTextInput(file);
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', `cannot read config '${file}': ${(e as Error).message}`);
  }
  return parseExtractConfig(parseExperimentText(text, file), file, path.dirname(path.resolve(file)));
}

/** "i/N", 1-based as people say it ("part 1 of 2"); returns the 0-based index the core uses. */
export function parsePart(text: string): Part {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN,
    n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new ConfigError('CONFIG_INVALID', `--part: expected i/N with 1 <= i <= N, got '${text}'`);
  return { index: i - 1, count: n };
}

export interface ExtractOptions extends JobOptions {
  part?: Part;
  /** Samples per tar shard (the store's unit of resumption). */
  samplesPerShard?: number;
}

/** Extracts (or resumes) a store; a rerun after a kill finishes it with the same bytes. Synthetic data is generated first, beside the store. */
export async function extract(config: ExtractConfig, out: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const { part, samplesPerShard, ...run } = options;
  const steps = extractSteps(config.data, config.magnifications, path.resolve(out));
  let result: ExtractResult | null = null;
  for (const step of steps) {
    if (step.kind === 'synth.cohort') {
      await runNative(step.kind, step.spec, run);
      continue;
    }
    const spec = {
      ...step.spec,
      ...(samplesPerShard ? { samplesPerShard } : {}),
      ...(config.threads ? { threads: config.threads } : {}),
      ...(part && part.count > 1 ? { part } : {}),
    };
    result = await runNative(step.kind, spec, run);
  }
  if (!result) throw makeError('INTERNAL', 'the extract plan has no store.extract step');
  return result;
}

/** Checks every shard, index and member checksum; a store that cannot even be opened is reported, not thrown. */
export async function verify(store: string, options: JobOptions = {}): Promise<VerifyReport> {
  try {
    const r = await runNative('store.verify', { store: path.resolve(store) }, options);
    return { ok: r.ok, samples: r.samples, magnifications: r.magnifications, problems: r.problems };
  } catch (e) {
    if ((e as { code?: string }).code !== 'STORE_CORRUPT') throw e;
    return { ok: false, samples: 0, magnifications: [], problems: [(e as Error).message] };
  }
}

export function merge(out: string, parts: string[], options: JobOptions = {}): Promise<{ out: string; samples: number; shards: number }> {
  return runNative('store.merge', { out: path.resolve(out), parts: parts.map((p) => path.resolve(p)) }, options);
}

export interface Manifest {
  format: string;
  version: number;
  complete: boolean;
  fingerprint: string;
  source: Record<string, unknown>;
  magnifications: { index: number; name: string; magnification: number; mpp: number }[];
  classes: string[];
  samples: number;
  samplesPerShard: number;
  shards: { name: string; index: string; first: number; samples: number; bytes?: number }[];
  splits: { seed: number; fractions: Record<string, number>; train: number[]; val: number[]; test: number[]; unlabeled: number[] };
  part?: Part;
}

export function readManifest(store: string): Manifest {
  const file = path.join(store, 'manifest.json');
  if (!existsSync(file)) throw makeError('STORE_CORRUPT', `'${store}' is not a store: no manifest.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw makeError('STORE_CORRUPT', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface IndexSample {
  key: string;
  label: number | null;
  group: string;
  json: { name: string; offset: number; size: number; crc32: number };
  views: { name: string; offset: number; size: number; crc32: number; shape: [number, number, number] }[];
}

export function readIndex(store: string, shard: Manifest['shards'][number]): IndexSample[] {
  const plain = (name: string) => /^[^/\\]+$/.test(name) && name !== '..' && name !== '.';
  if (!plain(shard.name) || !plain(shard.index)) {
    throw makeError('STORE_CORRUPT', `shard ${shard.name}: its name or index name (${shard.index}) points outside the store folder`);
  }
  const file = path.join(store, shard.index);
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { samples: IndexSample[] }).samples;
  } catch (e) {
    throw makeError('STORE_CORRUPT', `shard ${shard.name}: cannot read its index ${shard.index}: ${(e as Error).message}`);
  }
}

/** The uint8 HWC pixels of one view, read straight from the tar at the indexed offset. */
export function readView(
  store: string,
  shard: string,
  view: IndexSample['views'][number],
): { pixels: Buffer; h: number; w: number; c: number } {
  const [h, w, c] = view.shape;
  // The index is checked against the member before anything is allocated from it: the .npy header is 64-byte aligned.
  const payload = h * w * c;
  if (
    ![h, w, c].every((d) => Number.isInteger(d) && d > 0) ||
    c > 4 ||
    !(view.size > payload) ||
    (view.size - payload) % 64 !== 0 ||
    view.size - payload > 4096
  ) {
    throw makeError(
      'STORE_CORRUPT',
      `shard ${shard}: member ${view.name}: index shape ${JSON.stringify(view.shape)} does not fit its ${view.size} bytes (run \`resdistill store verify\`)`,
    );
  }
  const fd = openSync(path.join(store, shard), 'r');
  try {
    const pixels = Buffer.alloc(h * w * c);
    const header = view.size - pixels.length;
    const n = readSync(fd, pixels, 0, pixels.length, view.offset + header);
    if (n !== pixels.length) throw makeError('STORE_CORRUPT', `shard ${shard}: member ${view.name} is truncated`);
    return { pixels, h, w, c };
  } finally {
    closeSync(fd);
  }
}
