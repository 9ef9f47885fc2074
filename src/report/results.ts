// results.json: the one input of every report. Validated with zod so a hand-edited file fails with named paths.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import { issueLines } from '../config/load.js';
import { readTextInput } from '../util/text-input.js';
import { resultsProblems } from './results-check.js';
import { ResultsSchema, type Results } from './results-schema.js';

export * from './results-schema.js';

export function parseResults(value: unknown, where = 'results.json'): Results {
  const parsed = ResultsSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `invalid ${where}:\n${issueLines(parsed.error.issues)
        .map((l) => `  ${l}`)
        .join('\n')}`,
    );
  }
  const problems = resultsProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError('CONFIG_INVALID', `invalid ${where}:\n${problems.map((l) => `  ${l}`).join('\n')}`);
  return parsed.data;
}

/** Reads results.json, or `<dir>/results.json` when given an experiment's output folder (as the CLI takes). */
export function readResults(fileOrDir: string): Results {
  const file = existsSync(fileOrDir) && statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, 'results.json') : fileOrDir;
  let text: string;
  try {
    text = readTextInput(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseResults(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('CONFIG_INVALID', `${file} is not JSON: ${(e as Error).message}`);
  }
}
