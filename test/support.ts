// Shared test fixtures: where the real data lives, the built CLI, and which optional peers exist.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBinding } from '../src/native/addon.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The workplace's shared folder (real data and peer baselines) beside the checkout; RESDISTILL_SHARED overrides. */
export const sharedDir = process.env.RESDISTILL_SHARED ?? path.resolve(repoRoot, '..', 'shared');
/** Real slides and patches (../shared/data, see its SOURCES.md); RESDISTILL_DATA overrides. */
export const dataDir = process.env.RESDISTILL_DATA ?? path.join(sharedDir, 'data');
/** The peer reference implementations (../shared/bench/peers), e.g. the paper's GN ResNet in PyTorch. */
export const peersDir = process.env.RESDISTILL_PEERS ?? path.join(sharedDir, 'bench', 'peers');
export const hasPeers = existsSync(path.join(peersDir, 'gn_resnet.py'));
export const cmuSlide = path.join(dataDir, 'slides', 'CMU-1-Small-Region.svs');
export const lymphomaDir = path.join(dataDir, 'patches', 'lymphoma-iicbu2008');
export const hasData = existsSync(cmuSlide) && existsSync(lymphomaDir);
export const cli = path.join(repoRoot, 'bin', 'resdistill.js');

/** True when Debian's /usr/bin/python3 can import the given modules (the peer reference implementations). */
/** Whether the addon loads and registers the job `kind` (tests that need it skip, saying so, without). */
export function addonHasJob(kind: string): boolean {
  try {
    return loadBinding()
      .jobKinds()
      .some((k) => k.kind === kind);
  } catch {
    return false;
  }
}

export function pythonHas(...modules: string[]): boolean {
  if (!existsSync('/usr/bin/python3')) return false;
  const r = spawnSync('/usr/bin/python3', ['-c', modules.map((m) => `import ${m}`).join(';')], { stdio: 'ignore' });
  return r.status === 0;
}

export function tempDir(prefix = 'resdistill-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the built CLI; returns status, stdout and stderr. */
/** runCli without blocking: for several CLI processes that must run at once (the machines of a multi-node run). */
export function runCliAsync(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...options.env },
      cwd: repoRoot,
      timeout: options.timeout ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? repoRoot,
    timeout: options.timeout ?? 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
