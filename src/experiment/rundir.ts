// The run directory: config and version snapshots, the lock, one folder per run with atomically written
// step results and done.json, and a JSON-lines log. Everything a rerun needs to skip or resume is here.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { fromNative } from '../util/errors.js';
import { nativeVersions as readNativeVersions, packageRoot } from '../native/addon.js';
import { acquireLock, type HeldLock } from './lock.js';
import type { PlannedRun } from './plan.js';
import { adoptOldRunFolder, doneFile, logFile, type RunName, runDir, stepFile } from './layout.js';

export const LOCK_FILE = 'resdistill.lock';

/** What a finished run leaves behind: enough to rebuild results.json without rerunning anything. */
export interface DoneRecord extends Pick<
  PlannedRun,
  'key' | 'label' | 'kind' | 'method' | 'magnification' | 'seed' | 'unlabeledFraction' | 'identity'
> {
  /** Each step's job result, by step name (train, eval, extract, cost). */
  results: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The git commit of the resdistill checkout, when it is one (null for an npm install). */
function gitInfo(): { sha: string; dirty: boolean } | null {
  try {
    const opts = { cwd: packageRoot, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return { sha, dirty };
  } catch {
    return null;
  }
}

/** resdistill, Node, LibTorch/CUDA/OpenSlide (from the addon when it loads, else the reason) and the git SHA. */
export function collectVersions(): Record<string, unknown> {
  const pkg = readJson<{ version: string }>(path.join(packageRoot, 'package.json'));
  let nativeVersions: unknown;
  try {
    nativeVersions = readNativeVersions();
  } catch (e) {
    nativeVersions = { error: fromNative(e).message.split('\n')[0] };
  }
  return {
    resdistill: pkg?.version ?? null,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    host: os.hostname(),
    cpus: os.cpus().length,
    native: nativeVersions,
    git: gitInfo(),
    recordedAt: new Date().toISOString(),
  };
}

export class RunDir {
  readonly root: string;
  private readonly lock: HeldLock;

  private constructor(root: string, lock: HeldLock) {
    this.root = root;
    this.lock = lock;
  }

  /** Creates the directory if needed and takes its lock (RUN_LOCKED when another live run holds it). */
  static open(root: string): RunDir {
    mkdirSync(root, { recursive: true });
    const lock = acquireLock(path.join(root, LOCK_FILE));
    const dir = new RunDir(root, lock);
    dir.log({ event: 'session', pid: process.pid, tookOverStaleLock: lock.tookOverFrom });
    return dir;
  }

  runDir(run: RunName): string {
    return runDir(this.root, run);
  }

  /** The finished record of a run, or null when it is missing, unreadable or belongs to another key. */
  done(run: RunName): DoneRecord | null {
    adoptOldRunFolder(this.root, run);
    return doneRecord(this.root, run);
  }

  markDone(run: RunName, record: DoneRecord): void {
    writeJsonAtomic(doneFile(this.runDir(run)), record);
  }

  /** A finished step's result inside an unfinished run (so an interrupted run redoes only what is left). */
  stepResult(run: RunName, step: string): unknown {
    return savedStepResult(this.root, run, step);
  }

  saveStepResult(run: RunName, step: string, result: unknown): void {
    writeJsonAtomic(stepFile(this.runDir(run), step), { step, finishedAt: new Date().toISOString(), result });
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(path.join(this.root, name), value);
  }

  /** Appends one JSON line; a line is a single write, so a kill leaves at most one truncated last line. */
  log(entry: Record<string, unknown>): void {
    appendFileSync(logFile(this.root), `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }

  close(): void {
    this.lock.release();
  }
}

/** done(), read only (no lock, no renaming): what another machine of a multi-node run sees. */
export function doneRecord(root: string, run: RunName): DoneRecord | null {
  const record = readJson<DoneRecord>(doneFile(runDir(root, run)));
  return record && record.key === run.key ? record : null;
}

/** stepResult(), read only. */
export function savedStepResult(root: string, run: RunName, step: string): unknown {
  return readJson<{ result: unknown }>(stepFile(runDir(root, run), step))?.result ?? null;
}

/** Reads log.jsonl, skipping a truncated last line left by a killed process. */
export function readLog(root: string): Record<string, unknown>[] {
  const file = logFile(root);
  if (!existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a partial line from a kill */
    }
  }
  return out;
}
