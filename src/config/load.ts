// Reading an experiment file (JSON or YAML) into a resolved config: every default filled in, paths absolute,
// and every problem reported at once as `path: message` in one CONFIG_INVALID error.
import { readTextInput } from '../util/text-input.js';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { type Experiment, ExperimentSchema, type ModelConfig, type TrainingConfig } from './schema.js';

/** A training block whose batch, accumulation and model fields are all explicit. */
export type ResolvedTraining = TrainingConfig & { batchSize: number; accumulate: number };
export type ResolvedModel = Required<Pick<ModelConfig, 'name' | 'norm'>> & Pick<ModelConfig, 'widths' | 'blocks'>;
export type ResolvedExperiment = Omit<Experiment, 'teacher' | 'student' | 'model'> & {
  teacher: ResolvedTraining;
  student: ResolvedTraining;
  model: ResolvedModel;
};

/** `data.unit.sizeUm`, `seeds[1]`: the form users read in their editor. */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out === '' ? '(root)' : out;
}

/** Fields that changed name (and unit): the new name, said where the old one is found. */
const RENAMED: Record<string, string> = {
  'evaluation.tolerance': 'renamed evaluation.margin, in points (1 = one percentage point; tolerance was a fraction, 0.01)',
};

/** One line per problem; unknown keys get one line each so every typo is named. */
export function issueLines(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = formatPath([...issue.path, key]);
        lines.push(`${at}: unknown field${RENAMED[at] ? ` (${RENAMED[at]})` : ''}`);
      }
    } else {
      lines.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

function configError(where: string, lines: string[]): ConfigError {
  return new ConfigError('CONFIG_INVALID', `invalid experiment config (${where}):\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** Pieces vary in size: batch 1 with 32-step accumulation (the authors'); tiles batch 16. */
function resolveTraining(t: TrainingConfig, unit: 'tiles' | 'pieces' | 'images'): ResolvedTraining {
  const pieces = unit === 'pieces';
  return { ...t, batchSize: t.batchSize ?? (pieces ? 1 : 16), accumulate: t.accumulate ?? (pieces ? 32 : 1) };
}

export function unitOf(data: Experiment['data']): 'tiles' | 'pieces' | 'images' {
  if (data.source === 'slides' || data.source === 'synthetic') return data.unit.kind;
  return data.source === 'images' ? 'images' : 'tiles';
}

function absolute(p: string, baseDir: string): string {
  return path.isAbsolute(p) ? p : path.resolve(baseDir, p);
}

/** Validates a parsed value and fills unit- and model-dependent defaults; relative paths resolve against baseDir. */
export function resolveExperiment(value: unknown, options: { baseDir?: string; where?: string } = {}): ResolvedExperiment {
  const where = options.where ?? 'inline';
  const parsed = ExperimentSchema.safeParse(value);
  if (!parsed.success) throw configError(where, issueLines(parsed.error.issues));
  const c = parsed.data;
  const data = c.data;
  const baseDir = options.baseDir ?? process.cwd();
  const resolvedData: Experiment['data'] =
    data.source === 'slides'
      ? { ...data, csv: absolute(data.csv, baseDir), ...(data.test ? { test: absolute(data.test, baseDir) } : {}) }
      : data.source === 'images'
        ? {
            ...data,
            ...(data.root ? { root: absolute(data.root, baseDir) } : {}),
            ...(data.csv ? { csv: absolute(data.csv, baseDir) } : {}),
            ...(data.test ? { test: absolute(data.test, baseDir) } : {}),
          }
        : data.source === 'store'
          ? { ...data, path: absolute(data.path, baseDir) }
          : data;
  const unit = unitOf(data);
  const model: ResolvedModel = {
    ...c.model,
    norm: c.model.norm ?? (c.model.name === 'gn_resnet' ? 'group' : 'batch'),
    ...(c.model.name === 'gn_resnet' ? { widths: c.model.widths ?? [32, 64, 128, 256], blocks: c.model.blocks ?? [1, 1, 1, 1] } : {}),
  };
  const teacher = resolveTraining(c.teacher, unit);
  if (teacher.weights) teacher.weights = absolute(teacher.weights, baseDir);
  return { ...c, data: resolvedData, model, teacher, student: resolveTraining(c.student, unit) };
}

/** Parses JSON, or YAML for .yaml/.yml files; syntax errors are CONFIG_INVALID with the position. */
export function parseExperimentText(text: string, file: string): unknown {
  const yaml = /\.ya?ml$/i.test(file);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw configError(file, [`(syntax): ${(e as Error).message.split('\n')[0]}`]);
  }
}

/** Reads and resolves an experiment file; paths inside it are relative to the file. */
export function loadExperiment(file: string): ResolvedExperiment {
  let text: string;
  try {
    text = readTextInput(file);
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', `cannot read experiment config ${file}: ${(e as Error).message}`);
  }
  return resolveExperiment(parseExperimentText(text, file), { baseDir: path.dirname(path.resolve(file)), where: file });
}
