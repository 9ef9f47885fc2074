// Needs the addon and npm with its cache; makes the prebuild itself (`npm run prebuild`, an incremental build of the
// clone's addon, seconds when build/ is current) when the clone has none, so a fresh clone tests the packed install
// with or without CI set. The packed tarball installs into an empty project, uses the linux-x64 prebuild, runs the
// README's typed example and `npx resdistill doctor`.
// The example's counts must equal the repository's own. The from-source install (no prebuild) takes minutes: `npm run bench:install-from-source`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAndRun, doctorIn, installInto, pack, runExample } from '../../scripts/consumer-project.mjs';
import { costLadder, planLadder } from '../../src/cost/cost.js';
import { cmuSlide, hasData, repoRoot, tempDir } from '../support.js';

const platformDir = `${process.platform}-${process.arch}`;
const prebuild = path.join(repoRoot, 'prebuilds', platformDir);

/** The prebuild the package ships, made here when missing (CI's .ci/run makes it before the tests). */
function ensurePrebuild(): void {
  if (existsSync(path.join(prebuild, 'libtorch.json'))) return;
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'prebuild.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 1_200_000,
  });
  if (r.status !== 0) throw new Error(`npm run prebuild failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}
ensurePrebuild();

/** Every file package.json's "exports" points at (types and code), so a moved module cannot leave a dead entry. */
function exportedFiles(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v as object)));
  return (targets as string[]).map((f) => f.replace(/^\.\//, ''));
}

describe('the install step in a clone of the repository', () => {
  it('does nothing (scripts/setup.mjs builds here), so `npm ci` never builds or loads the addon', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'install.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, RESDISTILL_BUILD_FROM_SOURCE: '1' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });
});

/** The install step as installed in a project (package.json + scripts, no src/), run with only `node` on PATH. */
function installStepWithoutTools(prebuildRecord?: string) {
  const dir = tempDir('resdistill-install-step-');
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  cpSync(path.join(repoRoot, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  if (prebuildRecord) {
    cpSync(prebuild, path.join(dir, 'prebuilds', platformDir), { recursive: true });
    writeFileSync(path.join(dir, 'prebuilds', platformDir, 'libtorch.json'), JSON.stringify({ version: prebuildRecord }));
  }
  const bin = path.join(dir, 'bin-only-node');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.mjs')], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: bin, HOME: dir },
  });
  const built = existsSync(path.join(dir, 'build'));
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr, built };
}

describe('the install step in a project, when it must build from source and cannot', () => {
  it('with no prebuild and no cmake or compiler, fails naming the exact apt-get command and the CUDA LibTorch route, building nothing', () => {
    const r = installStepWithoutTools();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no prebuild for ${platformDir}; building from source`);
    expect(r.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends cmake g++');
    expect(r.stderr).toContain('LIBTORCH=/opt/libtorch');
    expect(r.built).toBe(false);
  });

  it('a prebuild whose libtorch.json records another LibTorch is not used', () => {
    const r = installStepWithoutTools('0.0.1-not-this-one');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the prebuild reports LibTorch \S+, its record says 0\.0\.1-not-this-one; building from source/);
  });
});

describe(`npm pack + npm install into a new project (with prebuilds/${platformDir})`, () => {
  let packed: { tarball: string; files: string[] };
  let project: string;
  let install: { stdout: string; stderr: string; seconds: number };
  let dir = '';

  beforeAll(() => {
    dir = tempDir('resdistill-pack-');
    packed = pack(dir);
    project = path.join(dir, 'consumer');
    install = installInto(project, packed.tarball);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true })); // two projects with node_modules: ~100 MB

  it('packs dist with its .d.ts (every file package.json exports), the prebuild with its libtorch.json, the sources to build from, and no tests or build dirs', () => {
    const files: string[] = packed.files;
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/entry/experiment.d.ts',
      'dist/cost/cost.d.ts',
      'bin/resdistill.js',
      'LICENSE',
      'README.md',
      `prebuilds/${platformDir}/libtorch.json`,
      'scripts/install.mjs',
      'CMakeLists.txt',
      'cmake/ResdistillTorch.cmake',
      'native/addon/module.cc',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith(`prebuilds/${platformDir}/`) && f.endsWith('.node'))).toBe(true);
    expect(exportedFiles().filter((f) => !files.includes(f))).toEqual([]);
    expect(files.filter((f) => /^(src|test|build|bench|node_modules)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('the install uses the prebuild and says so in one line, building nothing', () => {
    expect(install.stdout + install.stderr).toContain(`resdistill: using the prebuilt addon for ${platformDir}`);
    const installed = path.join(project, 'node_modules', 'resdistill');
    expect(existsSync(path.join(installed, 'build'))).toBe(false);
    expect(existsSync(path.join(installed, 'prebuilds', platformDir, 'libtorch.json'))).toBe(true);
  });

  it("the README's typed example compiles against the package's types and counts the paper's model at 224 px", async () => {
    const r = runExample(project, hasData ? [cmuSlide] : []);
    const out = r.stdout as string;
    const here = await costLadder({ model: 'gn_resnet' }, planLadder(10, [5, 2.5], 224), { measure: false });
    expect(out).toContain(`10x 224 px: ${(here.rows[0]!.flops / 1e9).toFixed(2)} GFLOPs\n`);
    expect(out).toContain(
      `5x 112 px: ${(here.rows[1]!.flops / 1e9).toFixed(2)} GFLOPs (1/${here.rows[1]!.macsReduction!.toFixed(1)} of the teacher)`,
    );
    expect(out).toMatch(/^2\.5x 56 px: \d+\.\d+ GFLOPs/m);
    if (hasData) expect(out).toMatch(/CMU-1-Small-Region\.svs: 2220 x 2967 px at 20(\.\d+)?x/);
  });

  it("every entry point in package.json's exports resolves, with types, from the project", () => {
    const source = [
      "import { doctor, costLadder } from 'resdistill';",
      "import { loadExperiment, planExperiment, runExperiment, writeReport } from 'resdistill/experiment';",
      "import { runJob, type JobEvent } from 'resdistill/job';",
      "import { openSlide, type SlideInfo } from 'resdistill/slide';",
      "import { extract, verify, merge, storeInfo } from 'resdistill/store';",
      "import { planLadder, type CostReport } from 'resdistill/cost';",
      'const fns: Function[] = [doctor, costLadder, loadExperiment, planExperiment, runExperiment, writeReport, runJob, openSlide, extract, verify, merge, storeInfo, planLadder];',
      'type Used = [JobEvent, SlideInfo, CostReport];',
      "console.log(fns.every((f) => typeof f === 'function'));",
    ].join('\n');
    expect(compileAndRun(project, 'entries', source).stdout.trim()).toBe('true');
  });

  it('`npx resdistill doctor --json` in the project reports the addon loaded with the recorded LibTorch', () => {
    const { report, stderr } = doctorIn(project);
    const recorded = (JSON.parse(readFileSync(path.join(prebuild, 'libtorch.json'), 'utf8')) as { version: string }).version;
    expect(report.addon, stderr).toEqual({ loaded: true });
    expect(report.libtorch.version.startsWith(recorded.split('+')[0]!)).toBe(true);
    expect(report.matmul.gflops).toBeGreaterThan(0);
  });

  it("with npm 11's default (a dependency's install step skipped until approved) the prebuild still loads at run time", () => {
    const other = path.join(path.dirname(project), 'unapproved');
    installInto(other, packed.tarball, { approve: false });
    const { report, stderr } = doctorIn(other);
    expect(report.addon, stderr).toEqual({ loaded: true });
  });
});
