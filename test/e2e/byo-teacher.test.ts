// Needs the addon (synth, extraction, training, eval and cost jobs), the built CLI and /usr/bin/python3 with torch,
// torchvision and numpy. Bring your own teacher: a torchvision ResNet-18 made in PyTorch (test/python/byo_teacher.py)
// and saved with python/resdistill_models.py teaches the students of a tiny SYNTHETIC experiment through
// `teacher.weights`: no teacher is trained, the teacher rows are its evaluation, and the students distil from the file
// with its own architecture and ImageNet normalisation. A file at another magnification, or whose last map cannot be
// compared with the student's by the pixel loss, or trained without the store's stain normalisation, is refused before any work, one with other classes when the first
// job opens the store; each error names what to change.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonHasJob, pythonHas, repoRoot, runCli, tempDir } from '../support.js';

const tiny = {
  name: 'byo-teacher-test (SYNTHETIC)',
  data: {
    source: 'synthetic',
    slidesPerClass: 6,
    seed: 0,
    unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 8 },
    splits: { train: 0.5, val: 0.25, test: 0.25 },
  },
  magnifications: { teacher: 10, students: [2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  student: { epochs: 2, batchSize: 8 },
  evaluation: { bootstrap: 200 },
  seeds: [0],
  device: 'cpu',
};

/** A PyTorch teacher for `classes` at `mpp` um/px, written by resdistill_models.save(). */
function pytorchTeacher(dir: string, classes: string, mpp: number): string {
  const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'python', 'byo_teacher.py'), dir, classes, String(mpp)], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { weights: string }).weights;
}

function run(root: string, config: object): { status: number | null; stdout: string; stderr: string; out: string } {
  const file = path.join(root, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const out = path.join(root, path.basename(file, '.json'));
  return { ...runCli(['run', file, '--out', out, '--json', '--threads', '2'], { timeout: 900_000 }), out };
}

describe.skipIf(!addonHasJob('train.distill') || !pythonHas('torch', 'torchvision', 'numpy'))(
  'teacher.weights (CLI, addon, python3 with torchvision)',
  () => {
    it('distils students from a PyTorch ResNet-18 without training a teacher; the teacher rows are its evaluation', () => {
      const root = tempDir();
      const weights = pytorchTeacher(root, 'A,B,C', 1.0); // 10x, the synthetic cohort's classes
      // The paper's pixel loss needs the teacher's channels: a resnet18 student (GroupNorm, ours) fits a resnet18 teacher.
      const mismatch = run(root, { ...tiny, teacher: { weights } });
      expect(JSON.parse(mismatch.stdout).error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining("last feature map has 512 channels, the student's gn_resnet has 32"),
      });
      const r = run(root, { ...tiny, model: { name: 'resnet18', norm: 'group' }, teacher: { weights } });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const plan = JSON.parse(readFileSync(path.join(r.out, 'plan.json'), 'utf8')) as {
        runs: { method?: string; kind: string; steps: { kind: string; spec: Record<string, any> }[] }[];
      };
      const teacher = plan.runs.filter((x) => x.method === 'teacher');
      expect(teacher.map((x) => x.steps.map((s) => s.kind))).toEqual([['eval']]);
      expect(teacher[0]!.steps[0]!.spec.weights).toBe(weights);
      const kd = plan.runs.find((x) => x.method === 'kd')!;
      expect(kd.steps[0]!.spec.teacher).toEqual({ magnification: 10, weights });
      const results = JSON.parse(readFileSync(path.join(r.out, 'results.json'), 'utf8')) as {
        complete: boolean;
        runs: { method: string; metrics: { accuracy: number } }[];
      };
      expect(results.complete).toBe(true);
      expect(results.runs.map((x) => x.method).sort()).toEqual(['baseline', 'colour-reference', 'kd', 'majority-class', 'teacher']);
    });

    it('refuses a teacher at another magnification before any work, and one with other classes naming both lists', () => {
      const root = tempDir();
      const at20x = pytorchTeacher(path.join(root), 'A,B,C', 0.5);
      const wrongMag = run(root, { ...tiny, teacher: { weights: at20x } });
      expect(wrongMag.status).not.toBe(0);
      expect(JSON.parse(wrongMag.stdout).error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('set magnifications.teacher to 20'),
      });
      expect(existsSync(path.join(wrongMag.out, 'runs'))).toBe(false);

      // Trained on pixels as read: a stain-normalised store would show it colours it never saw (docs/stain.md).
      const at10x = pytorchTeacher(path.join(root), 'A,B,C', 1.0);
      const stained = run(root, { ...tiny, loss: { wPx: 0 }, data: { ...tiny.data, stain: 'macenko' }, teacher: { weights: at10x } });
      expect(JSON.parse(stained.stdout).error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(
          "trained on pixels without stain normalisation, and the store's pixels are macenko stain-normalised: set data.stain to none",
        ),
      });
      expect(existsSync(path.join(stained.out, 'runs'))).toBe(false);

      const otherClasses = pytorchTeacher(root, 'benign,tumour,other', 1.0);
      const wrongClasses = run(root, { ...tiny, loss: { wPx: 0 }, teacher: { weights: otherClasses } });
      expect(wrongClasses.status).not.toBe(0);
      expect(JSON.parse(wrongClasses.stdout).error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/classifies \[benign, tumour, other\], the store holds \[A, B, C\]/),
      });
    });
  },
);
