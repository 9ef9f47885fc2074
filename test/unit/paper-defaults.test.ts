// Pure TS: a config with every default plans the paper's method. Each expectation cites where the default comes
// from (the paper, DiPalma et al. 2021, or the authors' code, jdipalma2/ResolutionDistillation); extensions of
// ours are off unless asked for, and kd+init, kd+at and kd-progressive are methods of their own.
import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../../src/config/load.js';
import { planExperiment } from '../../src/experiment/plan.js';

const minimal = { data: { source: 'images', root: 'imgs', mpp: 0.5 } };

function plan(value: unknown) {
  return planExperiment(resolveExperiment(value, { baseDir: '/data' }), { outDir: '/out', device: 'cpu' });
}

/** [what, expected, source]: one line per default of the method a reviewer checks. */
const CITED: [string, (spec: Record<string, unknown>) => unknown, unknown, string][] = [
  ['student starts from scratch', (s) => s.initFromTeacher, undefined, "authors' model/factory.py: only the teacher loads a checkpoint"],
  ['horizontal and vertical flips', (s) => (s.augment as any).flips, true, "authors' datasets/factory.py"],
  ['no quarter turns', (s) => (s.augment as any).rot90, false, "authors' datasets/factory.py (none)"],
  [
    'colour jitter 0.5/0.5/0.5/0.2 (the loader applies the four in a random order per sample)',
    (s) => ['brightness', 'contrast', 'saturation', 'hue'].map((k) => (s.augment as any).jitter[k]),
    [0.5, 0.5, 0.5, 0.2],
    "authors' config.py and datasets/factory.py (torchvision ColorJitter)",
  ],
  ['inputs standardised by the dataset mean/std', (s) => s.normalize, 'dataset', "authors' main.py ({dataset}_image_stats.pickle)"],
  ['Adam, lr 1e-3, weight decay 1e-4', (s) => s.optimizer, { name: 'adam', lr: 1e-3, weightDecay: 1e-4 }, "authors' config.py, main.py"],
  ['100 epochs', (s) => s.epochs, 100, "authors' config.py"],
  ['no learning-rate decay', (s) => s.schedule, { name: 'constant' }, "authors' config.py (--gamma 1.0)"],
  [
    'wKd = wPx = 1, wCe = 0, temperature 1, l2 pixel loss, max-pool resize',
    (s) => s.loss,
    { wKd: 1, wPx: 1, wCe: 0, temperature: 1, pixel: 'l2', resize: 'maxpool' },
    'paper §2',
  ],
  [
    'GroupNorm ResNet 32-64-128-256, one block per stage',
    (s) => s.model,
    { name: 'gn_resnet', norm: 'group', widths: [32, 64, 128, 256], blocks: [1, 1, 1, 1] },
    "authors' model/factory.py",
  ],
];

describe("a config with every default plans the paper's method (pure TS)", () => {
  const p = plan(minimal);
  const kd = p.runs.find((r) => r.method === 'kd')?.steps[0]?.spec as Record<string, unknown>;

  for (const [what, read, expected, source] of CITED) {
    it(`${what} (${source})`, () => {
      expect(read(kd)).toEqual(expected);
    });
  }

  it('plans teacher, baseline and kd only: no extension runs unless asked for', () => {
    expect(new Set(p.runs.filter((r) => r.kind === 'train').map((r) => r.method))).toEqual(new Set(['teacher', 'baseline', 'kd']));
  });

  it('every training and evaluation step normalises the same way', () => {
    for (const r of p.runs.filter((x) => x.kind === 'train')) for (const s of r.steps) expect(s.spec.normalize, r.label).toBe('dataset');
  });

  it("student.initFromTeacher adds kd+init runs beside kd, starting from the teacher's checkpoint; kd is unchanged", () => {
    const q = plan({ ...minimal, student: { initFromTeacher: true } });
    const init = q.runs.filter((r) => r.method === 'kd+init');
    expect(init.map((r) => r.label)).toEqual(['kd+init 5x seed 0', 'kd+init 2.5x seed 0', 'kd+init 1.25x seed 0']);
    expect(init[0]?.steps[0]?.spec).toMatchObject({ initFromTeacher: true });
    const kdKeys = (x: typeof p) => x.runs.filter((r) => r.method === 'kd').map((r) => r.key);
    expect(kdKeys(q)).toEqual(kdKeys(p));
  });

  it("loss.attention adds kd+at runs whose loss carries attention transfer (beta 1000, p 2 by default); kd keeps the paper's loss and key", () => {
    const q = plan({ ...minimal, loss: { attention: {} } });
    const at = q.runs.filter((r) => r.method === 'kd+at');
    expect(at.map((r) => r.label)).toEqual(['kd+at 5x seed 0', 'kd+at 2.5x seed 0', 'kd+at 1.25x seed 0']);
    expect(at[0]?.steps[0]?.spec).toMatchObject({ loss: { wKd: 1, wPx: 1, attention: { weight: 1000, power: 2 } } });
    const kd = q.runs.filter((r) => r.method === 'kd');
    expect((kd[0]?.steps[0]?.spec as { loss?: object }).loss).not.toHaveProperty('attention');
    const kdKeys = (x: typeof p) => x.runs.filter((r) => r.method === 'kd').map((r) => r.key);
    expect(kdKeys(q)).toEqual(kdKeys(p));
  });

  it('student.progressive chains kd-progressive students down the magnifications: 2.5x learns from kd 5x, 1.25x from kd-progressive 2.5x; kd is unchanged', () => {
    const q = plan({ ...minimal, student: { progressive: true } });
    const run = (method: string, mag: number) => q.runs.find((r) => r.method === method && r.magnification === mag)!;
    expect(q.runs.filter((r) => r.method === 'kd-progressive').map((r) => r.label)).toEqual([
      'kd-progressive 2.5x seed 0',
      'kd-progressive 1.25x seed 0',
    ]);
    for (const [mag, from] of [
      [2.5, run('kd', 5)],
      [1.25, run('kd-progressive', 2.5)],
    ] as const) {
      const r = run('kd-progressive', mag);
      expect(r.dependsOn).toContain(from.key);
      expect(r.steps[0]?.spec).toMatchObject({
        teacher: { magnification: from.magnification, checkpoint: expect.stringContaining(from.key.slice(0, 8)) },
      });
    }
    const kdKeys = (x: typeof p) => x.runs.filter((r) => r.method === 'kd').map((r) => r.key);
    expect(kdKeys(q)).toEqual(kdKeys(p));
  });

  it('teacher.weights: the teacher is evaluated from the file, not trained (one eval-only run per seed), and the students distil from the file', () => {
    const c = resolveExperiment({ ...minimal, seeds: [0, 1], teacher: { weights: 'teacher.safetensors' } }, { baseDir: '/data' });
    const teacherFile = { path: '/data/teacher.safetensors', sha256: 'a'.repeat(64), magnification: 10 };
    const q = planExperiment(c, { outDir: '/out', device: 'cpu', teacherFile });
    const teachers = q.runs.filter((r) => r.method === 'teacher');
    expect(teachers.map((r) => r.steps.map((s) => `${s.kind} ${(s.spec as { weights?: string }).weights}`))).toEqual([
      ['eval /data/teacher.safetensors'],
      ['eval /data/teacher.safetensors'],
    ]);
    expect(q.runs.some((r) => r.steps.some((s) => s.kind === 'train.supervised' && r.method === 'teacher'))).toBe(false);
    const kd = q.runs.find((r) => r.method === 'kd')!;
    expect(kd.steps[0]?.spec).toMatchObject({ teacher: { magnification: 10, weights: '/data/teacher.safetensors' } });
    expect(kd.dependsOn).toContain(teachers[0]!.key);
    const other = planExperiment(c, { outDir: '/out', device: 'cpu', teacherFile: { ...teacherFile, sha256: 'b'.repeat(64) } });
    expect(other.runs.find((r) => r.method === 'kd')!.key).not.toBe(kd.key); // another file, other students
  });

  it('normalize: none reaches every step, and quarter turns are an option', () => {
    const q = plan({ ...minimal, normalize: 'none', augment: { rot90: true } });
    const spec = q.runs.find((r) => r.method === 'baseline')?.steps[0]?.spec as Record<string, any>;
    expect(spec.normalize).toBe('none');
    expect(spec.augment.rot90).toBe(true);
  });
});
