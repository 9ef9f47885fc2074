// `resdistill report` (built CLI, no addon needed) answers with a test, not a point estimate: on generated
// results.json files with a known truth, a student whose interval reaches below -margin is not picked (the answer
// says why and names the closest candidate), one whose one-sided lower bound clears the margin is, and a teacher at
// chance has nothing to teach.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitmix32 } from '../../src/stats/bootstrap.js';
import { runCli, tempDir } from '../support.js';

const K = 5;

interface Truth {
  images: number;
  seeds: number;
  teacher: number;
  student: number;
  /** Probability that the student is right or wrong together with its teacher on an image. */
  agreement: number;
}

/** Predictions of `images` images (one per group: each image is its own unit) for one run. */
function samples(labels: number[], right: boolean[], next: () => number) {
  const probs = labels.map((y, i) => {
    const guess = right[i] ? y : (y + 1 + Math.floor(next() * (K - 1))) % K;
    return Array.from({ length: K }, (_, c) => (c === guess ? 0.6 : 0.1));
  });
  return { ids: labels.map((_, i) => i), groups: labels.map((_, i) => `img${i}`), labels, probs };
}

function run(method: string, magnification: number, seed: number, s: ReturnType<typeof samples>, flops: number | null) {
  const accuracy = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / s.labels.length;
  const metrics = { accuracy, balancedAccuracy: null, macroF1: null, macroPrecision: null, macroRecall: null, auc: null, ci: {} };
  return {
    method,
    magnification,
    seed,
    metrics,
    samples: s,
    cost: flops === null ? null : { macs: flops / 2, flops, imagesPerSecond: null },
  };
}

/** A results.json: teacher at 10x, kd at 5x, and the two references, from a seeded generator. */
function results(t: Truth, seed: number) {
  const next = splitmix32(seed);
  const labels = Array.from({ length: t.images }, () => (next() < 0.4 ? 0 : 1 + Math.floor(next() * (K - 1))));
  const runs = [];
  for (let s = 0; s < t.seeds; s++) {
    const teacherRight = labels.map(() => next() < t.teacher);
    const studentRight = teacherRight.map((r) => (next() < t.agreement ? r : next() < t.student));
    runs.push(run('teacher', 10, s, samples(labels, teacherRight, next), 4e9), run('kd', 5, s, samples(labels, studentRight, next), 1e9));
  }
  const majority = {
    ids: labels.map((_, i) => i),
    groups: labels.map((_, i) => `img${i}`),
    labels,
    probs: labels.map(() => [0.4, 0.15, 0.15, 0.15, 0.15]),
  };
  runs.push(
    run('majority-class', 10, 0, majority, null),
    run(
      'colour-reference',
      10,
      0,
      samples(
        labels,
        labels.map(() => next() < 0.3),
        next,
      ),
      null,
    ),
  );
  return { experiment: 'answer', statistics: { resamples: 400, seed: 0, margin: 1 }, runs };
}

function report(value: unknown): {
  answer: {
    pick: unknown;
    text: string;
    teacherOk: boolean | null;
    candidates: { difference: { value: number; lower: number; ci: [number, number] } }[];
  };
  md: string;
} {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(value));
  const r = runCli(['report', dir, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return { answer: JSON.parse(r.stdout).answer, md: readFileSync(path.join(dir, 'report.md'), 'utf8') };
}

describe('resdistill report: the answer is a non-inferiority test (built CLI)', () => {
  it('400 images, one seed: a point estimate above the teacher whose interval allows a loss beyond the margin is not picked', () => {
    const { answer, md } = report(results({ images: 400, seeds: 1, teacher: 0.8, student: 0.8, agreement: 0.6 }, 7));
    const d = answer.candidates[0]!.difference;
    expect(d.value).toBeGreaterThan(0); // +0.7 points: a point estimate would say "keeps"
    expect(d.ci[0]).toBeLessThan(-0.01); // the interval reaches below -1 point
    expect(d.lower).toBeLessThan(-0.01);
    expect(answer.pick).toBeNull();
    expect(answer.teacherOk).toBe(true);
    expect(answer.text).toMatch(
      /^No magnification is shown to keep the teacher's accuracy \(non-inferiority within 1 point .*Closest: kd \(the paper's method/,
    );
    expect(md).toMatch(/One seed: the run-to-run \(seed\) variance is unknown/);
    expect(md).toMatch(/Teacher − colour reference \(accuracy\): .* passed/);
  }, 60_000);

  it("2,000 images, three seeds: a student whose one-sided lower bound clears -1 point is picked and named as the paper's method", () => {
    const { answer, md } = report(results({ images: 2000, seeds: 3, teacher: 0.8, student: 0.8, agreement: 0.97 }, 2));
    const d = answer.candidates[0]!.difference;
    expect(d.lower).toBeGreaterThan(-0.01);
    expect(answer.pick).toMatchObject({ magnification: 5, method: 'kd', papers: true });
    expect(answer.text).toMatch(
      /^5x keeps the teacher's accuracy within 1 point: kd \(the paper's method, DiPalma et al\. 2021 §2\), 4\.0x fewer FLOPs; /,
    );
    expect(md).not.toMatch(/One seed: the run-to-run/);
  }, 120_000);

  it('a teacher at chance has nothing to teach, whatever its students do', () => {
    const { answer } = report(results({ images: 300, seeds: 1, teacher: 0.2, student: 0.2, agreement: 1 }, 3));
    expect(answer.teacherOk).toBe(false);
    expect(answer.pick).toBeNull();
    expect(answer.text).toMatch(/^No answer: the teacher has nothing to teach\. On accuracy, it does not beat the majority class/);
  }, 60_000);
});
