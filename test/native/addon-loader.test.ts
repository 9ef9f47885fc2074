// Needs the built addon: src/native/addon.ts finds it in build/ or prebuilds/, and fails with one actionable message.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../support.js';

const platformDir = `${process.platform}-${process.arch}`;
const builtAddon = path.join(repoRoot, 'build', 'Release', 'resdistill.node');
const realPrebuild = path.join(repoRoot, 'prebuilds', platformDir);

/** A copy of the installed package (dist + package.json + node_modules link) with no build/ folder. */
function packageCopy(): string {
  const dir = tempDir('resdistill-pkg-');
  cpSync(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), { recursive: true });
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Loads the binding in a fresh Node process from `dir`; returns its torch version or the error it threw. */
function loadIn(dir: string, env: NodeJS.ProcessEnv = {}) {
  const script = `import(${JSON.stringify(path.join(dir, 'dist', 'native', 'addon.js'))}).then(m => {
    try { console.log(JSON.stringify({ ok: m.loadBinding().torchVersion })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
  })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, RESDISTILL_ADDON: '', ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as { ok?: string; code?: string; message?: string };
}

/** Installs a prebuild into the copy: the real `npm run prebuild` output when present, else the built addon. */
function addPrebuild(dir: string, torchVersion?: string): void {
  const target = path.join(dir, 'prebuilds', platformDir);
  if (existsSync(realPrebuild)) cpSync(realPrebuild, target, { recursive: true });
  else {
    mkdirSync(target, { recursive: true });
    copyFileSync(builtAddon, path.join(target, 'resdistill.napi.node'));
  }
  if (torchVersion) writeFileSync(path.join(target, 'libtorch.json'), JSON.stringify({ version: torchVersion }));
}

describe('native loader (needs the built addon)', () => {
  it('with no build and no prebuild, throws one NATIVE_LOAD_FAILED listing every path tried and the fix', () => {
    const r = loadIn(packageCopy());
    expect(r.code).toBe('NATIVE_LOAD_FAILED');
    expect(r.message).toContain(path.join('build', 'Release', 'resdistill.node'));
    expect(r.message).toContain(path.join('prebuilds', platformDir));
    expect(r.message).toContain('npx resdistill setup');
  });

  it('names an explicit RESDISTILL_ADDON path that does not load', () => {
    const r = loadIn(packageCopy(), { RESDISTILL_ADDON: '/nonexistent/resdistill.node' });
    expect(r.code).toBe('NATIVE_LOAD_FAILED');
    expect(r.message).toContain('/nonexistent/resdistill.node');
  });

  it('loads a prebuild through node-gyp-build in a copy of the package without build/', () => {
    const dir = packageCopy();
    const torch = loadIn(path.resolve(repoRoot)).ok;
    addPrebuild(dir);
    expect(loadIn(dir).ok).toBe(torch);
  });

  it('refuses a prebuild whose recorded LibTorch differs from the one it reports (LIBTORCH_MISMATCH)', () => {
    const dir = packageCopy();
    addPrebuild(dir, '0.0.1-not-this-one');
    const r = loadIn(dir);
    expect(r.code).toBe('LIBTORCH_MISMATCH');
    expect(r.message).toContain('0.0.1-not-this-one');
    expect(r.message).toContain('npx resdistill setup');
  });
});
