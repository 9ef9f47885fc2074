// One process per run directory: an exclusive lock file, taken over only when its owner is provably dead.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { makeError } from '../util/errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface HeldLock {
  file: string;
  owner: LockOwner;
  /** The stale owner this lock replaced, if any. */
  tookOverFrom: LockOwner | null;
  release(): void;
}

/** True unless the OS says there is no such process (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? (o as LockOwner) : null;
  } catch {
    return null;
  }
}

/** Writes the owner record to a private temp file, then hard-links it into place: complete content or EEXIST. */
function tryCreate(file: string, owner: LockOwner): boolean {
  const temp = `${file}.${owner.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(owner)}\n`);
  try {
    linkSync(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Takes the lock or throws RUN_LOCKED naming the owner. A lock left by a dead process on this host is taken over;
 * one from another host is never guessed about (the message says how to remove it).
 */
export function acquireLock(file: string, command = process.argv.slice(1).join(' ')): HeldLock {
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, owner)) {
      let released = false;
      return {
        file,
        owner,
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          const current = readOwner(file);
          if (current?.pid === owner.pid && current.host === owner.host) unlinkSync(file);
        },
      };
    }
    const existing = readOwner(file);
    if (existing && existing.pid === process.pid && existing.host === owner.host) {
      throw makeError('RUN_LOCKED', `${file} is already held by this process (a second run in the same directory)`);
    }
    if (existing && (existing.host !== owner.host || pidAlive(existing.pid))) {
      const where = existing.host === owner.host ? `process ${existing.pid}` : `process ${existing.pid} on host ${existing.host}`;
      throw makeError(
        'RUN_LOCKED',
        `another resdistill run (${where}, started ${existing.startedAt}) holds ${file}; wait for it to finish, ` +
          `or delete the lock file if you are sure it is gone`,
      );
    }
    // Dead owner (or an unreadable record): move it aside atomically, keep it for the log, and retry.
    tookOverFrom = existing;
    try {
      renameSync(file, `${file}.stale-${process.pid}`);
      unlinkSync(`${file}.stale-${process.pid}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw makeError('RUN_LOCKED', `could not take ${file}: other processes keep creating it`);
}
