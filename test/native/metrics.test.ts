// Needs the addon: the core's evaluation metrics (eval.metrics job) against independent reference computations.
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { pointMetrics } from '../../src/stats/bootstrap.js';

interface Metrics {
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  auc: number;
  confusion: number[][];
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  ci: { accuracy: [number, number]; auc: [number, number]; resamples: number; unit: string; units: number };
  slide?: { groups: number; mean: { accuracy: number }; majority: { accuracy: number } };
}

// Pairwise (O(n^2)) one-vs-rest AUC with ties counted 1/2: an independent check of the core's rank-based AUC.
function pairwiseAuc(labels: number[], probs: number[][], k: number): number {
  let sum = 0;
  let used = 0;
  for (let c = 0; c < k; c++) {
    let wins = 0;
    let pairs = 0;
    labels.forEach((yi, i) =>
      labels.forEach((yj, j) => {
        if (yi === c && yj !== c) {
          pairs++;
          const a = probs[i]![c]!;
          const b = probs[j]![c]!;
          wins += a > b ? 1 : a === b ? 0.5 : 0;
        }
      }),
    );
    if (pairs > 0) {
      sum += wins / pairs;
      used++;
    }
  }
  return sum / used;
}

const labels = [0, 1, 2, 1, 0, 2, 2, 1];
const probs = [
  [0.8, 0.1, 0.1],
  [0.2, 0.7, 0.1],
  [0.1, 0.2, 0.7],
  [0.6, 0.3, 0.1],
  [0.5, 0.4, 0.1],
  [0.3, 0.3, 0.4],
  [0.2, 0.5, 0.3],
  [0.1, 0.8, 0.1],
];

describe('eval.metrics (addon)', () => {
  it('computes accuracy, balanced accuracy, per-class P/R/F1, confusion and AUC exactly', async () => {
    const m = await runJob<Metrics>('eval.metrics', { labels, probs, labelNames: ['a', 'b', 'c'], bootstrap: 0 });
    // predictions: 0,1,2,0,0,2,1,1 -> confusion[true][pred]
    expect(m.confusion).toEqual([
      [2, 0, 0],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(m.accuracy).toBeCloseTo(6 / 8, 12);
    expect(m.balancedAccuracy).toBeCloseTo((1 + 2 / 3 + 2 / 3) / 3, 12);
    const precision = [2 / 3, 2 / 3, 1];
    const recall = [1, 2 / 3, 2 / 3];
    const f1 = precision.map((p, i) => (2 * p * recall[i]!) / (p + recall[i]!));
    m.perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(precision[i]!, 12);
      expect(c.recall).toBeCloseTo(recall[i]!, 12);
      expect(c.f1).toBeCloseTo(f1[i]!, 12);
    });
    expect(m.macroF1).toBeCloseTo(f1.reduce((a, b) => a + b) / 3, 12);
    expect(m.auc).toBeCloseTo(pairwiseAuc(labels, probs, 3), 12);
  });

  it('gives seeded, reproducible bootstrap intervals that contain the point estimate', async () => {
    const a = await runJob<Metrics>('eval.metrics', { labels, probs, bootstrap: 2000, seed: 7 });
    const b = await runJob<Metrics>('eval.metrics', { labels, probs, bootstrap: 2000, seed: 7 });
    expect(a.ci).toEqual(b.ci);
    expect(a.ci.resamples).toBe(2000);
    expect(a.ci.accuracy[0]).toBeLessThanOrEqual(a.accuracy);
    expect(a.ci.accuracy[1]).toBeGreaterThanOrEqual(a.accuracy);
    expect(a.ci.accuracy[0]).toBeLessThan(a.ci.accuracy[1]);
  });

  it('aggregates samples that share a group into slide-level results (mean probability and majority)', async () => {
    const groups = ['s1', 's1', 's2', 's2', 's3', 's3', 's4', 's4'];
    // one label per slide
    const slideLabels = [0, 0, 1, 1, 2, 2, 1, 1];
    const m = await runJob<Metrics>('eval.metrics', { labels: slideLabels, probs, groups, bootstrap: 0 });
    expect(m.slide?.groups).toBe(4);
    // mean probs: s1 [.5,.4,.1]->0 ok; s2 [.35,.25,.4]->2 wrong; s3 [.4,.35,.25]->0 wrong; s4 [.15,.65,.2]->1 ok
    expect(m.slide?.mean.accuracy).toBeCloseTo(0.5, 12);
  });

  it('macro averages run over the classes present, as the report (src/stats) computes them', async () => {
    // Class 2 neither in the truth nor predicted; class 1 predicted once for a class-0 sample.
    const ys = [0, 0, 0, 1, 1];
    const ps = [
      [0.9, 0.05, 0.05],
      [0.2, 0.7, 0.1],
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.6, 0.3, 0.1],
    ];
    const m = await runJob<Metrics>('eval.metrics', { labels: ys, probs: ps, bootstrap: 0 });
    const ts = pointMetrics([{ ids: ys.map((_, i) => i), groups: ys.map(() => ''), labels: ys, probs: ps }], 3);
    for (const k of ['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'auc'] as const)
      expect(m[k], k).toBeCloseTo(ts[k], 12);
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12); // class 0 F1 2/3, class 1 F1 1/2; class 2 not averaged in
  });

  it("resamples groups, not samples: a run's interval is wider when each group's samples are right or wrong together", async () => {
    // 10 groups of 6 samples; groups 0-6 all right, 7-9 all wrong.
    const n = 60;
    const ys = Array.from({ length: n }, (_, i) => i % 3);
    const ps = ys.map((y, i) => [0, 1, 2].map((c) => (c === (Math.floor(i / 6) < 7 ? y : (y + 1) % 3) ? 0.8 : 0.1)));
    const grouped = await runJob<Metrics>('eval.metrics', {
      labels: ys,
      probs: ps,
      groups: ys.map((_, i) => `g${Math.floor(i / 6)}`),
      bootstrap: 2000,
      seed: 1,
    });
    const alone = await runJob<Metrics>('eval.metrics', { labels: ys, probs: ps, bootstrap: 2000, seed: 1 });
    expect(grouped.ci).toMatchObject({ unit: 'group', units: 10 });
    expect(alone.ci.units).toBe(60); // without groups each sample is its own unit
    const width = (m: Metrics) => m.ci.accuracy[1] - m.ci.accuracy[0];
    expect(width(grouped)).toBeGreaterThan(1.8 * width(alone));
  });

  it('rejects malformed predictions with CONFIG_INVALID naming the field', async () => {
    await expect(
      runJob('eval.metrics', {
        bootstrap: 0,
        labels: [0, 5],
        probs: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('spec.labels'),
    });
    await expect(
      runJob('eval.metrics', {
        bootstrap: 0,
        labels: [0],
        probs: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
