// The only file that loads the .node addon. Everything else imports the typed binding from here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeError, ResdistillError } from '../util/errors.js';

/** Opaque flag shared with a running native job. */
export interface CancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

/** An open slide handle (native/addon/slide_wrap.cc); src/slide/slide.ts wraps it. */
export interface NativeSlide {
  info(): string;
  readRegion(x: number, y: number, width: number, height: number, targetMpp: number): { info: string; data: Buffer };
  readMulti(x: number, y: number, width: number, height: number, mpps: number[]): { info: string; data: Buffer }[];
  associatedImage(name: string): { width: number; height: number; data: Buffer };
  close(): void;
}

/** What the core reports of itself (native/core/util/versions.cc); read it with nativeVersions(). */
export interface NativeVersions {
  libtorch: { version: string; cuda: { compiled: boolean; available: boolean; cudnn: number | null; devices: string[] } };
  openslide: string | null;
  threads: number;
  usableCores: number;
  parallelForThreads: number;
  /** Every error code the core raises (native/core/util/error.h). */
  errorCodes: string[];
  /** c10d backends this build can train data-parallel with (native/core/train/distributed.h). */
  distributed: { gloo: boolean; nccl: boolean };
}

/** The binding exported by native/addon. Keep in step with the *_wrap.cc doc comments. */
export interface NativeBinding {
  /** JSON string of NativeVersions: use nativeVersions(). */
  versions(): string;
  setThreads(n: number): number;
  /** The memory budget in bytes (RESDISTILL_MAX_MEMORY, else a share of physical memory); CONFIG_INVALID when that is not a size. */
  memoryBudget(): number;
  jobKinds(): { kind: string; summary: string }[];
  /** LibTorch version this binary was compiled against. */
  readonly torchVersion: string;
  CancelToken: new () => CancelToken;
  /** Resolves with the job's result JSON; rejects with an Error carrying `code`. */
  runJob(kind: string, specJson: string, onEvent: (eventJson: string) => void, token: CancelToken): Promise<string>;
  /** Opens a slide synchronously; absent when built without OpenSlide. */
  Slide: new (path: string, mpp?: number, forceMpp?: boolean) => NativeSlide;
}

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** The set-up command that works from any project that installed resdistill. */
export const SETUP_COMMAND = 'npx resdistill setup';

interface Attempt {
  where: string;
  problem: string;
}

function prebuildDir(root: string): string {
  return path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
}

/** A prebuild records the LibTorch it links; a binary built against another one must not load silently. */
function checkPrebuildRecord(root: string, binding: NativeBinding, loadedFrom: string): void {
  const record = path.join(prebuildDir(root), 'libtorch.json');
  if (!loadedFrom.startsWith(prebuildDir(root)) || !existsSync(record)) return;
  const wanted = (JSON.parse(readFileSync(record, 'utf8')) as { version: string }).version;
  if (wanted !== binding.torchVersion) {
    throw makeError(
      'LIBTORCH_MISMATCH',
      `the prebuild in ${prebuildDir(root)} records LibTorch ${wanted} but the binary reports ${binding.torchVersion}; ` +
        `rebuild from source with \`${SETUP_COMMAND}\``,
    );
  }
}

function describeLoadFailure(root: string, attempts: Attempt[]): ResdistillError {
  const lines = attempts.map((a) => `  - ${a.where}: ${a.problem}`);
  const record = path.join(prebuildDir(root), 'libtorch.json');
  const recorded = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { version: string }).version : null;
  const text = attempts.map((a) => a.problem).join('\n');
  const fixes: string[] = [];
  if (/libtorch|libc10|libopenslide|cannot open shared object/.test(text)) {
    fixes.push(
      `a system library is missing: \`sudo ${SETUP_COMMAND}\` installs the Debian packages and builds the addon (without root it prints the apt-get command)`,
    );
    if (recorded)
      fixes.push(
        `the prebuild was built against LibTorch ${recorded}; install that version or rebuild from source with \`${SETUP_COMMAND}\``,
      );
  }
  if (/No native build|not found|ENOENT|Cannot find module/i.test(text)) {
    fixes.push(`no build yet: run \`${SETUP_COMMAND}\` (system packages, then the addon built from source with cmake-js)`);
    fixes.push(
      "npm 11 skips a dependency's install step (prebuild check or source build) until `npm install-scripts approve resdistill`, then `npm rebuild resdistill`",
    );
  }
  fixes.push('in a clone of the repository: `npm run setup`; see README.md, "Use it from your own project"');
  return makeError(
    'NATIVE_LOAD_FAILED',
    ['resdistill could not load its native addon.', 'Tried:', ...lines, 'Likely fixes:', ...fixes.map((f) => `  - ${f}`)].join('\n'),
  );
}

/** Loads the addon: RESDISTILL_ADDON if set, else node-gyp-build (build/Release, then prebuilds/). */
export function loadBinding(root = packageRoot): NativeBinding {
  const attempts: Attempt[] = [];
  const explicit = process.env.RESDISTILL_ADDON;
  if (explicit) {
    try {
      return require(path.resolve(explicit)) as NativeBinding;
    } catch (e) {
      attempts.push({ where: `RESDISTILL_ADDON=${explicit}`, problem: (e as Error).message.split('\n')[0] ?? '' });
      throw describeLoadFailure(root, attempts);
    }
  }
  const nodeGypBuild = require('node-gyp-build') as ((dir: string) => unknown) & { resolve?: (dir: string) => string };
  let resolved = '';
  try {
    resolved = nodeGypBuild.resolve ? nodeGypBuild.resolve(root) : '';
    const binding = nodeGypBuild(root) as NativeBinding;
    checkPrebuildRecord(root, binding, resolved);
    return binding;
  } catch (e) {
    if (e instanceof ResdistillError) throw e;
    const release = path.join(root, 'build', 'Release', 'resdistill.node');
    attempts.push({ where: release, problem: existsSync(release) ? firstLine(e) : 'not found (no native build yet)' });
    const dir = prebuildDir(root);
    const prebuilt = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
    attempts.push({
      where: dir,
      problem: prebuilt.length === 0 ? 'no prebuild for this platform' : `${prebuilt.join(', ')}: ${firstLine(e)}`,
    });
    throw describeLoadFailure(root, attempts);
  }
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0] ?? '';
}

let cached: NativeBinding | undefined;

/** The process-wide binding, loaded on first use so commands that need no native code still run. */
export function native(): NativeBinding {
  cached ??= loadBinding();
  return cached;
}

/** The one typed reader of the core's versions() (loads the addon; throws its typed load error). */
export function nativeVersions(): NativeVersions {
  return JSON.parse(native().versions()) as NativeVersions;
}
