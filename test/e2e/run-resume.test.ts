// Needs the addon with the extraction, training, eval and cost jobs registered (skipped until they are: the
// condition is checked with jobKinds()). A tiny SYNTHETIC experiment run straight through, and the same experiment
// SIGKILLed after its first finished run and then rerun, end with the same results.json metrics. Then
// `predict` classifies one of the synthetic slides (pyramidal TIFF through OpenSlide) with the finished students.
// A changed config into the finished --out is refused; a run whose output is a pipe prints each epoch as it ends,
// and Ctrl-C (SIGINT) says that rerunning resumes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from '../../src/experiment/plan.js';
import { readLog } from '../../src/experiment/rundir.js';
import { loadBinding } from '../../src/native/addon.js';
import { cli, runCli, tempDir } from '../support.js';

function registeredKinds(): string[] {
  try {
    return loadBinding()
      .jobKinds()
      .map((k) => k.kind);
  } catch {
    return [];
  }
}
const kinds = registeredKinds();
// cost.model is composed in TypeScript (src/experiment/executor.ts) from cost.count and cost.measure.
const needed = [...Object.values(JOB_KINDS).filter((k) => k !== 'cost.model'), 'cost.count', 'cost.measure', 'synth.cohort'];
const ready = needed.every((k) => kinds.includes(k));

const tiny = {
  name: 'resume-test (SYNTHETIC)',
  data: {
    source: 'synthetic',
    slidesPerClass: 6,
    seed: 0,
    unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 8 },
    splits: { train: 0.4, val: 0.3, test: 0.3, unlabeled: 0.25 },
  },
  magnifications: { teacher: 10, students: [2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 2, batchSize: 8 },
  student: { epochs: 2, batchSize: 8 },
  evaluation: { bootstrap: 200 },
  seeds: [0],
  device: 'cpu',
  threads: 2,
};

function metricsByKey(dir: string): Record<string, unknown> {
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as {
    runs: { key: string; metrics: unknown }[];
    complete: boolean;
  };
  expect(results.complete).toBe(true);
  return Object.fromEntries(results.runs.map((r) => [r.key, r.metrics]));
}

describe.skipIf(!ready)('resdistill run killed and resumed, then predict (CLI, addon with training and slide jobs)', () => {
  let straight = '';

  it('reaches the same results as an uninterrupted run', async () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    straight = path.join(root, 'straight');
    const r = runCli(['run', config, '--out', straight, '--json'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);

    const resumed = path.join(root, 'resumed');
    const child = spawn(process.execPath, [cli, 'run', config, '--out', resumed, '--quiet'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const done = existsSync(path.join(resumed, 'log.jsonl')) && readLog(resumed).filter((l) => l.event === 'run-done').length >= 2;
        if (done) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 50);
      child.once('exit', (code) => {
        clearInterval(timer);
        code === null ? resolve() : reject(new Error(`run exited (${code}) before it could be killed`));
      });
    });
    await new Promise((res) => (child.exitCode !== null || child.signalCode !== null ? res(null) : child.once('exit', res)));
    const again = runCli(['run', config, '--out', resumed, '--json'], { timeout: 900_000 });
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(JSON.parse(again.stdout).skipped).toBeGreaterThanOrEqual(2);
    expect(metricsByKey(resumed)).toEqual(metricsByKey(straight));
  }, 1_800_000);

  it('predict labels a slide with the KD student, writes tiles.csv and a heatmap over the thumbnail, and times the teacher', () => {
    expect(straight, 'the run above must finish first').not.toBe('');
    const plan = JSON.parse(readFileSync(path.join(straight, 'plan.json'), 'utf8')) as { storeDir: string };
    const slide = path.join(`${plan.storeDir}-cohort`, 'slide-000.tif');
    const out = path.join(tempDir(), 'pred');
    const r = runCli(['predict', slide, '--model', straight, '--out', out, '--json'], { timeout: 600_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const p = JSON.parse(r.stdout) as {
      tiles: number;
      classes: string[];
      model: { method: string; magnification: number };
      meanProbability: { label: string; probabilities: Record<string, number> };
      majority: { votes: Record<string, number> };
      teacher: { magnification: number } | null;
      agreement: number;
      files: { heatmap: string; csv: string };
    };
    expect(p.model).toMatchObject({ method: 'kd', magnification: 2.5 });
    expect(p.tiles).toBeGreaterThan(0);
    expect(p.classes).toContain(p.meanProbability.label);
    expect(Object.values(p.meanProbability.probabilities).reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    expect(Object.values(p.majority.votes).reduce((a, b) => a + b)).toBe(p.tiles);
    expect(p.teacher?.magnification).toBe(10);
    expect(p.agreement).toBeGreaterThanOrEqual(0);
    expect(readFileSync(p.files.heatmap).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(p.files.csv, 'utf8').trim().split('\n')).toHaveLength(p.tiles + 1);
  }, 600_000);

  it('a changed config into the same --out is refused with RUN_CONFIG_CHANGED, replacing nothing', () => {
    expect(straight, 'the run above must finish first').not.toBe('');
    const before = readFileSync(path.join(straight, 'results.json'), 'utf8');
    const changed = path.join(path.dirname(straight), 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...tiny, seeds: [1] }));
    const r = runCli(['run', changed, '--out', straight, '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'RUN_CONFIG_CHANGED',
      message: expect.stringMatching(/changed: seeds.*--force/),
    });
    expect(readFileSync(path.join(straight, 'results.json'), 'utf8')).toBe(before);
  });

  it('with output not a terminal, each epoch is a line on stderr and in log.jsonl as it ends; Ctrl-C says rerunning resumes', async () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    const out = path.join(root, 'interrupted');
    const child = spawn(process.execPath, [cli, 'run', config, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let epochsInLogAtFirstLine = -1;
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (epochsInLogAtFirstLine < 0 && / train epoch 1\/2 .*loss \d/.test(stderr)) {
        epochsInLogAtFirstLine = readLog(out).filter((l) => (l.job as { type?: string } | undefined)?.type === 'epoch').length;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    expect(stderr).toMatch(/running teacher 10x seed 0\n/);
    expect(stderr).toMatch(
      /teacher 10x seed 0 {2}train epoch 1\/2 {2}loss \d+\.\d{4} {2}val loss \d+\.\d{4} {2}val accuracy \d+\.\d% {2}ETA \d+s/,
    );
    expect(epochsInLogAtFirstLine).toBeGreaterThanOrEqual(1); // in log.jsonl already, while the run goes on
    expect(code).toBe(1);
    expect(stderr).toMatch(/CANCELLED: .*rerun the same command to resume/);
  }, 900_000);

  it('predict with a model path outside any experiment, or a missing slide, fails with a typed error', () => {
    const notRun = runCli(['predict', 'x.svs', '--model', tempDir(), '--json']);
    expect(notRun.status).toBe(1);
    expect(JSON.parse(notRun.stdout).error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('--model') });
    const noSlide = runCli(['predict', path.join(tempDir(), 'missing.svs'), '--model', straight, '--json', '--no-teacher']);
    expect(noSlide.status).toBe(1);
    expect(JSON.parse(noSlide.stdout).error.code).toBe('SLIDE_NOT_FOUND');
  });
});
