// The one owner of an experiment directory's layout: where each run, store and checkpoint lives. Run folders are
// named so a user finds a run by eye (`runs/kd-2.5x-seed0-3f9c0a1b`); the short hash keeps names unique per identity.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The fields of a planned run its folder name is made of. */
export interface RunName {
  key: string;
  kind: string;
  method?: string;
  magnification?: number;
  seed?: number;
  unlabeledFraction?: number;
}

/** The checkpoint a training run keeps: the epoch its validation metric liked best. */
export const CHECKPOINT = 'best.safetensors';

/** `kd-2.5x-seed0-3f9c0a1b`, `kd-unlabeled-25pct-1.25x-seed1-…`, `extract-…`, `cost-5x-…`. */
export function runFolder(run: RunName): string {
  const short = run.key.slice(0, 8);
  const mag = run.magnification !== undefined ? `${run.magnification}x` : '';
  if (run.kind !== 'train') return [run.kind, mag, short].filter(Boolean).join('-');
  const method = (run.method ?? 'run').replace('+', '-');
  const fraction = run.unlabeledFraction !== undefined && run.unlabeledFraction < 1 ? `${Math.round(run.unlabeledFraction * 100)}pct` : '';
  return [method, fraction, mag, `seed${run.seed ?? 0}`, short].filter(Boolean).join('-');
}

export function runDir(outDir: string, run: RunName): string {
  return path.join(outDir, 'runs', runFolder(run));
}

export function checkpointOf(runDirectory: string): string {
  return path.join(runDirectory, CHECKPOINT);
}

/** A finished run's record: its key, results and checkpoint; a run without one is redone. */
export function doneFile(runDirectory: string): string {
  return path.join(runDirectory, 'done.json');
}

/** Finished steps of an unfinished run, one `<step>.json` each, so a rerun redoes only what is left. */
export function stepsDir(runDirectory: string): string {
  return path.join(runDirectory, 'steps');
}

export function stepFile(runDirectory: string, step: string): string {
  return path.join(stepsDir(runDirectory), `${step}.json`);
}

/** The experiment's JSON-lines log. */
export function logFile(outDir: string): string {
  return path.join(outDir, 'log.jsonl');
}

/** The majority-class and colour references of the store (src/experiment/colour-reference.ts), computed once. */
export function referencesFile(outDir: string): string {
  return path.join(outDir, 'references.json');
}

export function storeDir(outDir: string, extractKey: string): string {
  return path.join(outDir, 'stores', extractKey);
}

/** Where experiment directories written before readable names kept a run. */
export function oldRunDir(outDir: string, key: string): string {
  return path.join(outDir, 'runs', key);
}

/**
 * Moves a run from the old `runs/<key>` to its readable folder, so old experiment directories resume; the paths
 * its records hold (done.json, steps/*.json: the checkpoints the training job reported) move with it.
 */
export function adoptOldRunFolder(outDir: string, run: RunName): void {
  const old = oldRunDir(outDir, run.key);
  const now = runDir(outDir, run);
  if (old === now || !existsSync(old) || existsSync(now)) return;
  renameSync(old, now);
  const steps = stepsDir(now);
  const records = [doneFile(now), ...(existsSync(steps) ? readdirSync(steps).map((f) => path.join(steps, f)) : [])];
  for (const file of records.filter((f) => f.endsWith('.json') && existsSync(f))) {
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .split(`${JSON.stringify(old).slice(1, -1)}/`)
        .join(`${JSON.stringify(now).slice(1, -1)}/`),
    );
  }
}
