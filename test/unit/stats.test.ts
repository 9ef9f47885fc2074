// Pure TS: the metrics and the two-level intervals of src/stats on hand-computable cases, and the metrics against
// scikit-learn and the t quantiles against scipy (needs Debian's /usr/bin/python3 with sklearn; skipped without).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bootstrapMetrics, groupDesign, pairedDifference, pointMetrics, type RunSamples, sampleDesign } from '../../src/stats/bootstrap.js';
import { confusionMetrics, macroAuc, rankScores } from '../../src/stats/metrics.js';
import { holm } from '../../src/report/answer.js';
import { pythonHas } from '../support.js';

/** A run whose sample i has label labels[i] and is predicted pred[i] (one-hot-ish probabilities). */
function run(groups: string[], labels: number[], pred: number[]): RunSamples {
  return { ids: labels.map((_, i) => i), groups, labels, probs: pred.map((p) => [0, 1, 2].map((c) => (c === p ? 0.8 : 0.1))) };
}

const design = (runs: RunSamples[], seeds = runs.map((_, i) => i)) => sampleDesign(runs, seeds, 3);

describe('metrics (pure TS)', () => {
  it('scores a confusion matrix: accuracy, balanced accuracy, macro F1, precision and recall', () => {
    // true 0: 3 right, 1 as class 1; true 1: 1 right, 1 as class 0
    const m = confusionMetrics([3, 1, 1, 1], 2);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.balancedAccuracy).toBeCloseTo((3 / 4 + 1 / 2) / 2, 12);
    expect(m.macroF1).toBeCloseTo(((2 * 0.75 * 0.75) / 1.5 + (2 * 0.5 * 0.5) / 1) / 2, 12);
    expect(m.macroPrecision).toBeCloseTo((3 / 4 + 1 / 2) / 2, 12);
    expect(m.macroRecall).toBeCloseTo((3 / 4 + 1 / 2) / 2, 12);
  });

  it('macro averages skip a class absent from both truth and predictions (a resample without it), but keep one that is only predicted', () => {
    // 3 classes, class 2 never seen nor predicted: the same as the 2-class matrix.
    expect(confusionMetrics([3, 1, 0, 1, 1, 0, 0, 0, 0], 3).macroF1).toBeCloseTo(confusionMetrics([3, 1, 1, 1], 2).macroF1, 12);
    // class 2 predicted once for a class-0 sample: it counts, with F1 0.
    const m = confusionMetrics([2, 1, 1, 1, 1, 0, 0, 0, 0], 3);
    expect(m.macroF1).toBeCloseTo(((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5) + 0.5 + 0) / 3, 12);
    expect(m.balancedAccuracy).toBeCloseTo((0.5 + 0.5) / 2, 12); // recall over the classes in the truth
  });

  it('AUC: Mann-Whitney with ties as one half, and a weight of 2 is a sample counted twice', () => {
    const scores = [0.1, 0.4, 0.4, 0.8];
    const positive = [false, false, true, true];
    const r = rankScores(scores, positive);
    // pairs (pos, neg): (0.4, 0.1) 1, (0.4, 0.4) 1/2, (0.8, 0.1) 1, (0.8, 0.4) 1 -> 3.5 / 4
    expect(macroAuc([r], [1, 1, 1, 1])).toBeCloseTo(3.5 / 4, 12);
    const twice = rankScores([...scores, 0.4], [...positive, true]);
    expect(macroAuc([r], [1, 1, 2, 1])).toBeCloseTo(macroAuc([twice], [1, 1, 1, 1, 1]), 12);
  });
});

describe('two-level intervals (pure TS)', () => {
  it('a patient-level interval is wider than the tile-level one when tiles of a patient agree', () => {
    // 6 patients x 10 tiles; each patient's tiles are all right or all wrong (4 right, 2 wrong).
    const groups: string[] = [];
    const labels: number[] = [];
    const pred: number[] = [];
    for (let p = 0; p < 6; p++) {
      for (let t = 0; t < 10; t++) {
        groups.push(`patient${p}`);
        labels.push(p % 3);
        pred.push(p < 4 ? p % 3 : (p + 1) % 3);
      }
    }
    const r = run(groups, labels, pred);
    const grouped = bootstrapMetrics(design([r]), 4000, 3).accuracy;
    const naive = bootstrapMetrics(design([{ ...r, groups: groups.map((_, i) => `tile${i}`) }]), 4000, 3).accuracy;
    expect(grouped.ci![1] - grouped.ci![0]).toBeGreaterThan(1.8 * (naive.ci![1] - naive.ci![0]));
    expect(grouped.seedVariance).toBe(false); // one run: the seed part is unknown
    expect(grouped.df).toBe(5); // 6 groups
    // One prediction per patient: 4 of 6 right.
    expect(bootstrapMetrics(groupDesign([r], [0], 3), 100, 3).accuracy.value).toBeCloseTo(4 / 6, 12);
  });

  it('seeds that disagree widen the interval: the seed spread adds to the group bootstrap', () => {
    const groups = Array.from({ length: 40 }, (_, i) => `p${i}`);
    const labels = groups.map((_, i) => i % 3);
    const good = run(
      groups,
      labels,
      labels.map((y, i) => (i % 10 < 9 ? y : (y + 1) % 3)),
    );
    const bad = run(
      groups,
      labels,
      labels.map((y, i) => (i % 10 < 6 ? y : (y + 1) % 3)),
    );
    const agree = bootstrapMetrics(design([good, good]), 2000, 1).accuracy;
    const disagree = bootstrapMetrics(design([good, bad]), 2000, 1).accuracy;
    expect(agree.seedVariance).toBe(true);
    expect(disagree.ci![1] - disagree.ci![0]).toBeGreaterThan(3 * (agree.ci![1] - agree.ci![0]));
    expect(disagree.df!).toBeLessThan(3); // dominated by the seed part, on 1 degree of freedom
  });

  it('paired differences resample the same groups for both sides: a method against itself is exactly 0', () => {
    const r = run(['a', 'a', 'b', 'b', 'c', 'c'], [0, 1, 0, 1, 2, 2], [0, 1, 1, 1, 2, 0]);
    const d = pairedDifference({ runs: [r], seeds: [0] }, { runs: [r], seeds: [0] }, design, 1000, 2, { margin: 0.01 });
    expect(d.metrics.accuracy).toMatchObject({ value: 0, ci: [0, 0], p: 1, pNonInferior: 0 });
    const better = run(['a', 'a', 'b', 'b', 'c', 'c'], [0, 1, 0, 1, 2, 2], [0, 1, 0, 1, 2, 2]);
    const e = pairedDifference({ runs: [better], seeds: [0] }, { runs: [r], seeds: [0] }, design, 2000, 2);
    expect(e.metrics.accuracy.value).toBeCloseTo(2 / 6, 12);
    expect(e.units).toBe(3);
    expect(e.pairedSeeds).toBe(true);
  });

  it('pairs seeds by value when both sides have the same seeds, and treats them as independent otherwise', () => {
    const r = run(['a', 'b', 'c', 'd'], [0, 1, 2, 0], [0, 1, 2, 1]);
    expect(pairedDifference({ runs: [r, r], seeds: [3, 5] }, { runs: [r, r], seeds: [5, 3] }, design, 100, 1).pairedSeeds).toBe(true);
    expect(pairedDifference({ runs: [r, r], seeds: [3, 5] }, { runs: [r], seeds: [0] }, design, 100, 1).pairedSeeds).toBe(false);
  });

  it("Holm's step-down: adjusted p-values are monotone and never below the raw ones", () => {
    expect(holm([0.01, 0.04, null, 0.03])).toEqual([0.03, 0.06, null, 0.06]);
    expect(holm([0.5])).toEqual([0.5]);
  });
});

describe.skipIf(!pythonHas('sklearn', 'scipy'))(
  'metrics and t quantiles against scikit-learn and scipy (needs /usr/bin/python3 with sklearn)',
  () => {
    it('accuracy, balanced accuracy, macro F1/precision/recall and one-vs-rest macro AUC equal scikit-learn; the interval uses scipy t quantiles', () => {
      const n = 90;
      const labels = Array.from({ length: n }, (_, i) => (i * 7) % 3);
      const probs = labels.map((y, i) => {
        const raw = [0, 1, 2].map((c) => ((i * 13 + c * 5) % 11) / 11 + (c === y ? 0.35 : 0));
        const s = raw.reduce((a, b) => a + b, 0);
        return raw.map((v) => Math.round((v / s) * 1e6) / 1e6);
      });
      const r: RunSamples = { ids: labels.map((_, i) => i), groups: labels.map((_, i) => `g${i % 30}`), labels, probs };
      const ours = pointMetrics([r], 3);
      const script = `
import json, sys, numpy as np
from sklearn import metrics as m
from scipy import stats
d = json.load(sys.stdin)
y = np.array(d['labels']); p = np.array(d['probs']); pred = p.argmax(1)
print(json.dumps({'accuracy': m.accuracy_score(y, pred), 'balancedAccuracy': m.balanced_accuracy_score(y, pred),
  'macroF1': m.f1_score(y, pred, average='macro', zero_division=0), 'macroPrecision': m.precision_score(y, pred, average='macro', zero_division=0),
  'macroRecall': m.recall_score(y, pred, average='macro', zero_division=0),
  'auc': float(np.mean([m.roc_auc_score(y == c, p[:, c]) for c in range(3)])), 't': stats.t.ppf(0.975, d['df'])}))`;
      const est = bootstrapMetrics(
        design([r, { ...r, probs: probs.map((q, i) => (i % 9 === 0 ? [...q].reverse() : q)) }]),
        300,
        4,
      ).accuracy;
      const py = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ labels, probs, df: est.df }), encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      const ref = JSON.parse(py.stdout) as Record<string, number>;
      for (const k of ['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'auc'] as const)
        expect(ours[k], k).toBeCloseTo(ref[k]!, 10);
      expect((est.ci![1] - est.value) / est.se!).toBeCloseTo(ref.t!, 8);
    });
  },
);
