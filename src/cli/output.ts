// How every command reports: human text by default, exactly one JSON object with --json, typed errors either way.
import { fromNative } from '../util/errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a failure as `{ error: { code, message } }` (--json) or a one-line error; exit code 2 for a usage error, else 1. */
export function reportError(json: boolean, e: unknown): void {
  const error = fromNative(e);
  if (json) printJson({ error: { code: error.code, message: error.message } });
  else process.stderr.write(`resdistill: ${error.code}: ${error.message}\n`);
  process.exitCode = error.code === 'USAGE' ? 2 : 1;
}

/** Runs a command body; on failure reports it as a typed error, exit 1. */
export async function runCommand(json: boolean, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    reportError(json, e);
  }
}
