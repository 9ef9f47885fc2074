// Needs the addon, the C++ driver and real data (a lymphoma-iicbu2008 subset): teacher, distillation and
// evaluation jobs; determinism; resume after SIGKILL is bitwise equal on CPU; NaN losses and cancellation.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob, type JobEvent } from '../../src/native/job.js';
import { hasData, repoRoot, tempDir } from '../support.js';
import { lymphomaSubset } from './store_fixtures.js';

const driver = path.join(repoRoot, 'build', 'resdistill-driver');
// A small net keeps the CPU cost down; the code path is the paper's.
const model = { name: 'gn_resnet', widths: [32, 32, 64, 64] };
let store = '';
let teacher = '';

interface TrainResult {
  bestCheckpoint: string;
  finalCheckpoint: string;
  bestEpoch: number;
  history: JobEvent[];
}

function common(outDir: string, extra: Record<string, unknown> = {}) {
  return { store, model, epochs: 2, batchSize: 8, seed: 3, out: outDir, augment: {}, ...extra };
}

/** Runs a job in the C++ driver; resolves with its exit code once it exits, or kills it at the first matching event. */
function driverRun(kind: string, spec: object, killWhen?: (e: JobEvent) => boolean): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(driver, ['run', kind, '-', '--threads', '2'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (killWhen?.(JSON.parse(line) as JobEvent)) child.kill('SIGKILL');
    });
    child.on('exit', (code) => resolve(code));
    child.stdin.end(JSON.stringify(spec));
  });
}

describe.skipIf(!hasData)('training jobs on real lymphoma patches (addon, driver, ../shared/data)', () => {
  beforeAll(async () => {
    store = path.join(tempDir('rd-train-'), 'store');
    // 3.125x teacher view (208x156) and 0.78125x student view (52x39): 1/4 of the size, 16x fewer pixels.
    await runJob('store.extract', {
      source: { kind: 'images', root: lymphomaSubset(10), mpp: 1.6 },
      magnifications: [3.125, 0.78125],
      out: store,
      splits: { seed: 1, train: 0.6, val: 0.2, test: 0.2 },
    });
    const t = await runJob<TrainResult>('train.supervised', { ...common(path.join(tempDir('rd-teacher-'), 'run')), magnification: 3.125 });
    teacher = t.bestCheckpoint;
  });

  it('trains a teacher with per-epoch validation, events and a best checkpoint in safetensors', async () => {
    const events: JobEvent[] = [];
    const out = path.join(tempDir('rd-t-'), 'run');
    const r = await runJob<TrainResult>(
      'train.supervised',
      { ...common(out), magnification: 3.125, epochs: 1 },
      { onEvent: (e) => events.push(e) },
    );
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(1);
    expect(epochs[0]).toMatchObject({ epoch: 1, epochs: 1, terms: { ce: expect.any(Number) }, val: { accuracy: expect.any(Number) } });
    expect(events.some((e) => e.type === 'step')).toBe(true);
    expect(readFileSync(r.bestCheckpoint).subarray(8, 9).toString()).toBe('{'); // safetensors: u64 length, then JSON
    expect(existsSync(path.join(out, 'checkpoint.pt'))).toBe(true);
  });

  it('distils label-free: the same seed gives bitwise-identical weights', async () => {
    const spec = (dir: string) => ({
      ...common(dir),
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
    });
    const a = await runJob<TrainResult>('train.distill', spec(path.join(tempDir('rd-a-'), 'run')));
    const b = await runJob<TrainResult>('train.distill', spec(path.join(tempDir('rd-b-'), 'run')));
    expect(a.history[0]!.terms).toMatchObject({ kd: expect.any(Number), px: expect.any(Number), ce: 0 });
    expect(readFileSync(a.finalCheckpoint).equals(readFileSync(b.finalCheckpoint))).toBe(true);
  });

  it('resumes a distillation killed (SIGKILL) mid-epoch to weights bitwise equal to an uninterrupted run', async () => {
    const spec = (dir: string) => ({
      ...common(dir),
      epochs: 3,
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
    });
    const straight = path.join(tempDir('rd-straight-'), 'run');
    expect(await driverRun('train.distill', spec(straight))).toBe(0);
    const killed = path.join(tempDir('rd-killed-'), 'run');
    const code = await driverRun('train.distill', spec(killed), (e) => e.type === 'step' && e.epoch === 2);
    expect(code).not.toBe(0);
    expect(existsSync(path.join(killed, 'final.safetensors'))).toBe(false);
    expect(readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await driverRun('train.distill', spec(killed))).toBe(0);
    expect(readFileSync(path.join(killed, 'final.safetensors')).equals(readFileSync(path.join(straight, 'final.safetensors')))).toBe(true);
  });

  it('caches the teacher per sample and flip: losses match the uncached run and the teacher only runs while filling', async () => {
    const flipsOnly = { flips: true, rot90: false, jitter: null };
    const spec = (dir: string, teacherCache: boolean) => ({
      ...common(dir),
      augment: flipsOnly,
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
      teacherCache,
    });
    type Cached = TrainResult & { trainSamples: number; teacherCache?: { entries: number; hits: number; misses: number; bytes: number } };
    const plain = await runJob<Cached>('train.distill', spec(path.join(tempDir('rd-nocache-'), 'run'), false));
    const events: JobEvent[] = [];
    const cached = await runJob<Cached>('train.distill', spec(path.join(tempDir('rd-cache-'), 'run'), true), {
      onEvent: (e) => events.push(e),
    });
    // Two flips -> four variants per sample, all computed up front; training never misses.
    expect(cached.teacherCache).toMatchObject({ entries: 4 * cached.trainSamples, misses: 0, hits: 2 * cached.trainSamples });
    expect(events.some((e) => e.type === 'teacherCache')).toBe(true);
    // Same loss terms as running the teacher every step (batched convolutions may differ in the last bits).
    for (const [i, epoch] of plain.history.entries()) {
      const terms = epoch.terms as Record<string, number>;
      const other = cached.history[i]!.terms as Record<string, number>;
      expect(other.kd).toBeCloseTo(terms.kd!, 4);
      expect(other.px).toBeCloseTo(terms.px!, 4);
    }
  });

  it("initFromTeacher starts the student from the teacher's weights (with a vanishing lr it stays the teacher), same architecture only", async () => {
    const spec = (dir: string, extra: object) => ({
      ...common(dir),
      epochs: 1,
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
      ...extra,
    });
    const frozen = await runJob<TrainResult>(
      'train.distill',
      spec(path.join(tempDir('rd-init-'), 'run'), { initFromTeacher: true, optimizer: { name: 'sgd', lr: 1e-30, weightDecay: 0 } }),
    );
    const evalAt = (checkpoint: string) =>
      runJob<{ accuracy: number; loss: number }>('eval', { store, split: 'val', magnification: 0.78125, model, checkpoint, bootstrap: 0 });
    expect(await evalAt(frozen.finalCheckpoint)).toMatchObject(await evalAt(teacher));
    await expect(
      runJob('train.distill', spec(tempDir(), { initFromTeacher: true, model: { name: 'gn_resnet', widths: [32, 32, 32, 32] } })),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.initFromTeacher'),
    });
  });

  it('selectBy distillLoss keeps the epoch with the lowest validation distillation loss (the choice reads no label); a teacher refuses it', async () => {
    const spec = {
      ...common(path.join(tempDir('rd-select-'), 'run')),
      epochs: 3,
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
      selectBy: 'distillLoss',
    };
    const r = await runJob<TrainResult>('train.distill', spec);
    const losses = r.history.map((e) => (e as { val: { distillLoss: number } }).val.distillLoss);
    expect(losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(r.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    await expect(runJob('train.supervised', { ...common(tempDir()), magnification: 3.125, selectBy: 'distillLoss' })).rejects.toMatchObject(
      {
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('spec.selectBy'),
      },
    );
  });

  it('refuses the teacher cache when colour jitter is on, naming the field', async () => {
    const spec = {
      ...common(tempDir()),
      magnification: 0.78125,
      teacher: { magnification: 3.125, checkpoint: teacher, model },
      teacherCache: true,
    };
    await expect(runJob('train.distill', spec)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.teacherCache'),
    });
    await expect(runJob('train.distill', { ...spec, teacherCache: false, augment: { mirror: true } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.augment.mirror: unknown option'),
    });
  });

  it('evaluates a checkpoint with bootstrap confidence intervals', async () => {
    const r = await runJob<{ n: number; accuracy: number; ci: { accuracy: [number, number] }; confusion: number[][] }>('eval', {
      store,
      split: 'test',
      magnification: 3.125,
      model,
      checkpoint: teacher,
      bootstrap: 500,
      seed: 0,
    });
    expect(r.n).toBeGreaterThan(0);
    expect(r.confusion.flat().reduce((a, b) => a + b)).toBe(r.n);
    expect(r.ci.accuracy[0]).toBeLessThanOrEqual(r.accuracy);
    expect(r.ci.accuracy[1]).toBeGreaterThanOrEqual(r.accuracy);
  });

  it('stops on a non-finite loss with LOSS_NOT_FINITE, claims no checkpoint that is not there, and writes none from the bad epoch', async () => {
    const out = path.join(tempDir('rd-nan-'), 'run');
    const spec = { ...common(out), magnification: 3.125, optimizer: { name: 'sgd', lr: 1e12, momentum: 0.9 }, epochs: 3 };
    const err = (await runJob('train.supervised', spec).catch((e: Error) => e)) as Error & { code: string };
    expect(err.code).toBe('LOSS_NOT_FINITE');
    // The message names a checkpoint only when one is on disk; this run diverges before its first one.
    if (existsSync(path.join(out, 'checkpoint.pt')))
      expect(err.message).toMatch(/last good checkpoint \(epoch [1-9]\d*\) is kept in .*checkpoint\.pt/);
    else expect(err.message).toContain('no checkpoint was written before it');
    // Nothing half-written is left, and no final weights claim the run finished.
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(path.join(out, 'final.safetensors'))).toBe(false);
  });

  it('cancels a training job with CANCELLED and names bad fields with CONFIG_INVALID', async () => {
    const controller = new AbortController();
    const job = runJob(
      'train.supervised',
      { ...common(path.join(tempDir('rd-c-'), 'run')), magnification: 3.125, epochs: 50 },
      {
        signal: controller.signal,
        onEvent: (e) => e.type === 'step' && controller.abort(),
      },
    );
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(runJob('train.supervised', { ...common(tempDir()), magnification: 7 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.magnification'),
    });
    await expect(
      runJob('train.supervised', { ...common(tempDir()), magnification: 3.125, optimizer: { name: 'rmsprop' } }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.optimizer.name'),
    });
  });

  it.skipIf(!canMountTmpfs())(
    'a full disk while writing checkpoints is DISK_FULL naming the file, and leaves no temp file (needs root for a tmpfs)',
    async () => {
      const mnt = tempDir('rd-full-train-');
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]).status).toBe(0);
      try {
        const out = path.join(mnt, 'run');
        const err = (await runJob('train.supervised', { ...common(out), magnification: 3.125, epochs: 1 }).catch(
          (e: Error) => e,
        )) as Error & { code: string };
        expect(err.code).toBe('DISK_FULL');
        expect(err.message).toMatch(/run\/[\w.]+\.tmp.*No space left/);
        expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      } finally {
        spawnSync('umount', [mnt]);
      }
    },
  );
});

function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  const probe = tempDir('rd-tmpfs-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok;
}
