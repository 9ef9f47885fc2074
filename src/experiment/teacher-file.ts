// A teacher brought as a weights file (teacher.weights): read once before planning, so a file at another
// magnification is refused before any work, and the runs it teaches are keyed by its content.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ResolvedExperiment } from '../config/load.js';
import { ConfigError } from '../util/errors.js';
import { sameMagnification } from '../util/magnification.js';
import { readSafetensorsMetadata } from '../weights/weights.js';
import { readManifest } from '../store/store.js';

export interface TeacherFile {
  path: string;
  /** SHA-256 of the file: a replaced teacher re-runs everything it taught. */
  sha256: string;
  magnification: number;
}

/** The config's teacher file, checked against magnifications.teacher; undefined when the teacher is trained. */
export function readTeacherFile(c: ResolvedExperiment): TeacherFile | undefined {
  const file = c.teacher.weights;
  if (!file) return undefined;
  if (!existsSync(file)) throw new ConfigError('CONFIG_INVALID', `teacher.weights: no file at ${file}`);
  const metadata = readSafetensorsMetadata(file);
  const magnification = Number(metadata.magnification);
  if (!(magnification > 0))
    throw new ConfigError('CONFIG_INVALID', `teacher.weights: ${file} does not say its magnification (not a resdistill weights file?)`);
  if (!sameMagnification(magnification, c.magnifications.teacher))
    throw new ConfigError(
      'CONFIG_INVALID',
      `teacher.weights: ${file} is a ${magnification}x model (${10 / magnification} um/px), and magnifications.teacher is ${c.magnifications.teacher}x: set magnifications.teacher to ${magnification}`,
    );
  checkPixelLossFits(c, file, JSON.parse(metadata.architecture ?? '{}') as { name?: string; widths?: number[] });
  checkStainFits(c, file, metadata.stain);
  return { path: file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), magnification };
}

/** Channels of a network's last feature map: the last stage's width (resnet18/34: 512, resnet50: 4 x 512). */
function featureChannels(a: { name?: string; widths?: number[] }): number | undefined {
  if (a.name === 'gn_resnet') return (a.widths ?? [32, 64, 128, 256]).at(-1);
  return a.name === 'resnet50' ? 2048 : a.name === 'resnet18' || a.name === 'resnet34' ? 512 : undefined;
}

/** The paper's pixel loss compares the two last maps channel by channel: a teacher from elsewhere must match the student. */
function checkPixelLossFits(c: ResolvedExperiment, file: string, teacher: { name?: string; widths?: number[] }): void {
  const [t, s] = [featureChannels(teacher), featureChannels(c.model)];
  if (c.loss.wPx === 0 || t === undefined || s === undefined || t === s) return;
  throw new ConfigError(
    'CONFIG_INVALID',
    `teacher.weights: ${file} is a ${teacher.name} whose last feature map has ${t} channels, the student's ${c.model.name} has ${s}; the pixel loss (loss.wPx ${c.loss.wPx}) compares them channel by channel: use a student whose last stage has ${t} channels (model ${teacher.name}, or gn_resnet widths ending in ${t}), or set loss.wPx to 0`,
  );
}

/**
 * A teacher trained on stain-normalised pixels (docs/stain.md) saw every image mapped to its own store's reference;
 * the store here is fitted on this experiment's pool. The same method at least gives it the colour space it learnt
 * in; pixels as read, or the other method, would not.
 */
function checkStainFits(c: ResolvedExperiment, file: string, stain: string | undefined): void {
  const teacher = stainMethod(stain, `teacher.weights: ${file}: its 'stain' metadata`);
  const ours =
    c.data.source === 'store' ? stainMethod(storeStain(c.data.path), `data.path: ${c.data.path}: its manifest's stain`) : c.data.stain;
  if (teacher === ours) return;
  const change = c.data.source === 'store' ? `use a store extracted with data.stain ${teacher}` : `set data.stain to ${teacher}`;
  throw new ConfigError(
    'CONFIG_INVALID',
    `teacher.weights: ${file} was trained on ${teacher === 'none' ? 'pixels without stain normalisation' : `${teacher} stain-normalised pixels`}, and the store's pixels are ${ours === 'none' ? 'not stain-normalised' : `${ours} stain-normalised`}: ${change}`,
  );
}

/** The method of a stain reference given as JSON text (weights metadata) or object (a manifest); none when absent. */
function stainMethod(stain: unknown, where: string): string {
  if (stain === undefined || stain === null) return 'none';
  try {
    const method = (typeof stain === 'string' ? (JSON.parse(stain) as unknown) : stain) as { method?: unknown } | null;
    if (method && typeof method.method === 'string') return method.method;
  } catch {
    // reported below
  }
  throw new ConfigError('CONFIG_INVALID', `${where} is not a stain reference (docs/stain.md)`);
}

function storeStain(dir: string): unknown {
  try {
    return (readManifest(dir) as { stain?: unknown }).stain;
  } catch {
    return undefined; // an unreadable store is reported by the first job that opens it
  }
}
