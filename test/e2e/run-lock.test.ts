// Needs the built dist/ (npm run build:ts); the CLI case also needs the addon: a run directory held by another live
// process is refused with RUN_LOCKED naming that process; once the holder is SIGKILLed, its stale lock is taken over.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/experiment/lock.js';
import { RunDir, readLog } from '../../src/experiment/rundir.js';
import { repoRoot, runCli, tempDir } from '../support.js';

/** Starts a separate Node process that takes the lock through the built code and holds it until killed. */
async function holder(lockFile: string) {
  const lockJs = pathToFileURL(path.join(repoRoot, 'dist', 'experiment', 'lock.js')).href;
  const code = `import(${JSON.stringify(lockJs)}).then((m) => { m.acquireLock(${JSON.stringify(lockFile)}); console.log('held'); setInterval(() => {}, 1000); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (c) => reject(new Error(`holder exited early (${c})`)));
  });
  return child;
}

describe('run directory lock across processes (built dist/)', () => {
  it('refuses while the holder lives, takes over after it is killed', async () => {
    const out = tempDir();
    const child = await holder(path.join(out, 'resdistill.lock'));
    try {
      let error: unknown;
      try {
        RunDir.open(out);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'RUN_LOCKED' });
      expect((error as Error).message).toContain(`process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const dir = RunDir.open(out);
    dir.close();
    expect(readLog(out).find((l) => l.event === 'session')).toMatchObject({ tookOverStaleLock: { pid: child.pid } });
    const again = acquireLock(path.join(out, 'resdistill.lock'));
    expect(again.tookOverFrom).toBeNull();
    again.release();
  });
});

describe('resdistill run in a locked directory (CLI, addon)', () => {
  it('--json answers RUN_LOCKED naming the live holder, and leaves its lock alone', async () => {
    const out = tempDir();
    const child = await holder(path.join(out, 'resdistill.lock'));
    try {
      const r = runCli(['run', path.join(repoRoot, 'experiments', 'demo.json'), '--out', out, '--json']);
      expect(r.status).toBe(1);
      const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('RUN_LOCKED');
      expect(error.message).toContain(`process ${child.pid}`);
      expect(JSON.parse(readFileSync(path.join(out, 'resdistill.lock'), 'utf8')).pid).toBe(child.pid);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
