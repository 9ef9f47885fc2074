// Pure TS: the group bootstrap resamples whole groups (patients or slides) with all their samples and pools the
// seeds; the paired version resamples the same groups for both methods. Checked on hand-computable cases and
// against numpy on the same resampled indices (needs Debian's /usr/bin/python3 with numpy; skipped without).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  bootstrapMetrics,
  groupUnits,
  metricsOf,
  pairedDifference,
  percentile95,
  resampleIndices,
  type RunSamples,
  sampleUnits,
} from '../../src/stats/group-bootstrap.js';
import { pythonHas } from '../support.js';

/** A run whose sample i has label labels[i] and is predicted pred[i] (one-hot-ish probabilities). */
function run(groups: string[], labels: number[], pred: number[]): RunSamples {
  return { ids: labels.map((_, i) => i), groups, labels, probs: pred.map((p) => [0, 1, 2].map((c) => (c === p ? 0.8 : 0.1))) };
}

describe('group bootstrap (pure TS)', () => {
  it('scores a confusion matrix: accuracy, balanced accuracy, macro F1', () => {
    // true 0: 3 right, 1 as class 1; true 1: 1 right, 1 as class 0
    const m = metricsOf([[3, 1], [1, 1]]);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.balancedAccuracy).toBeCloseTo((3 / 4 + 1 / 2) / 2, 12);
    expect(m.macroF1).toBeCloseTo(((2 * 0.75 * 0.75) / 1.5 + (2 * 0.5 * 0.5) / 1) / 2, 12);
  });

  it('with two groups the resampled accuracy takes exactly the hand-computed values', () => {
    // Group a: 4 samples, all right. Group b: 1 sample, wrong. Resamples: {a,a} 1, {a,b} 4/5, {b,b} 0.
    const r = run(['a', 'a', 'a', 'a', 'b'], [0, 0, 1, 1, 0], [0, 0, 1, 1, 1]);
    const units = sampleUnits([r], 3);
    expect(units.names).toEqual(['a', 'b']);
    const seen = new Set(resampleIndices(2, 2000, 7).map((p) => metricsOf(units.confusion[p[0]!]!.map((row, t) => row.map((v, c) => v + units.confusion[p[1]!]![t]![c]!))).accuracy));
    expect([...seen].sort()).toEqual([0, 0.8, 1]);
    const est = bootstrapMetrics(units, 4000, 1);
    expect(est.accuracy.value).toBeCloseTo(0.8, 12);
    expect(est.accuracy.ci).toEqual([0, 1]); // P({b,b}) = P({a,a}) = 1/4: both ends are reached
  });

  it('pools seeds: every seed of a group travels with it, so two identical seeds give the one-seed interval', () => {
    const r = run(['p1', 'p1', 'p2', 'p2', 'p3', 'p3', 'p4', 'p4'], [0, 1, 0, 1, 0, 1, 0, 1], [0, 1, 1, 1, 0, 0, 0, 1]);
    const one = bootstrapMetrics(sampleUnits([r], 3), 3000, 5).accuracy;
    const two = bootstrapMetrics(sampleUnits([r, r], 3), 3000, 5).accuracy;
    expect(two).toEqual(one);
  });

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
    const grouped = bootstrapMetrics(sampleUnits([r], 3), 4000, 3).accuracy.ci!;
    // Treating every tile as its own unit (what a naive tile bootstrap does):
    const naive = bootstrapMetrics(sampleUnits([{ ...r, groups: groups.map((_, i) => `tile${i}`) }], 3), 4000, 3).accuracy.ci!;
    expect(grouped[1] - grouped[0]).toBeGreaterThan(1.8 * (naive[1] - naive[0]));
    // One prediction per patient: 4 of 6 right.
    expect(bootstrapMetrics(groupUnits([r], 3), 100, 3).accuracy.value).toBeCloseTo(4 / 6, 12);
  });

  it('paired differences resample the same groups for both sides: a method against itself is exactly 0', () => {
    const r = run(['a', 'a', 'b', 'b', 'c', 'c'], [0, 1, 0, 1, 2, 2], [0, 1, 1, 1, 2, 0]);
    const d = pairedDifference(sampleUnits([r], 3), sampleUnits([r], 3), 1000, 2);
    expect(d.accuracy).toEqual({ value: 0, ci: [0, 0], p: 1 });
    const better = run(['a', 'a', 'b', 'b', 'c', 'c'], [0, 1, 0, 1, 2, 2], [0, 1, 0, 1, 2, 2]);
    const e = pairedDifference(sampleUnits([better], 3), sampleUnits([r], 3), 2000, 2);
    expect(e.accuracy.value).toBeCloseTo(2 / 6, 12);
    expect(e.accuracy.ci![0]).toBeGreaterThanOrEqual(0); // never worse on any resample: paired, not independent
    expect(e.units).toBe(3);
  });

  it('percentile95 takes the sorted values at round(q * (n - 1)), like the C++ evaluation', () => {
    const v = Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(percentile95(v)).toEqual([3, 98]);
    expect(percentile95([])).toBeNull();
  });
});

describe.skipIf(!pythonHas('numpy'))('group bootstrap against numpy on the same indices (needs /usr/bin/python3 with numpy)', () => {
  it('pooled interval and paired difference equal an independent numpy computation', () => {
    // Two seeds of two methods on 9 patients with 1 to 4 tiles each.
    const groups: string[] = [];
    const labels: number[] = [];
    for (let p = 0; p < 9; p++) for (let t = 0; t <= p % 4; t++) groups.push(`pt${p}`), labels.push((p + t) % 3);
    const predict = (seed: number, skill: number) => labels.map((y, i) => ((i * 7 + seed * 3) % 10 < skill ? y : (y + 1 + (i % 2)) % 3));
    const a = [run(groups, labels, predict(0, 8)), run(groups, labels, predict(1, 7))];
    const b = [run(groups, labels, predict(0, 5)), run(groups, labels, predict(1, 6))];
    const resamples = 500;
    const seed = 11;
    const ua = sampleUnits(a, 3);
    const ub = sampleUnits(b, 3);
    const est = bootstrapMetrics(ua, resamples, seed);
    const diff = pairedDifference(ua, ub, resamples, seed);
    const indices = resampleIndices(ua.names.length, resamples, seed).map((p) => Array.from(p));
    const script = `
import json, sys, numpy as np
d = json.load(sys.stdin)
names = d['names']
def correct(runs):  # per patient: [right, total] over every seed's tiles
    out = np.zeros((len(names), 2))
    for r in runs:
        for g, y, p in zip(r['groups'], r['labels'], r['probs']):
            out[names.index(g)] += [int(np.argmax(p) == y), 1]
    return out
ca, cb = correct(d['a']), correct(d['b'])
acc = lambda c, idx: c[idx, 0].sum() / c[idx, 1].sum()
idx = np.array(d['indices'])
va = np.array([acc(ca, i) for i in idx]); vd = va - np.array([acc(cb, i) for i in idx])
q = lambda v: [float(np.sort(v)[int(min(len(v) - 1, np.floor(x * (len(v) - 1) + 0.5)))]) for x in (0.025, 0.975)]
p = min(1.0, 2 * min((vd <= 0).mean(), (vd >= 0).mean()))
print(json.dumps({'point': acc(ca, np.arange(len(names))), 'ci': q(va), 'diff': acc(ca, np.arange(len(names))) - acc(cb, np.arange(len(names))), 'diffCi': q(vd), 'p': p}))`;
    const py = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ names: ua.names, a, b, indices }), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const ref = JSON.parse(py.stdout) as { point: number; ci: [number, number]; diff: number; diffCi: [number, number]; p: number };
    expect(est.accuracy.value).toBeCloseTo(ref.point, 12);
    expect(est.accuracy.ci![0]).toBeCloseTo(ref.ci[0], 12);
    expect(est.accuracy.ci![1]).toBeCloseTo(ref.ci[1], 12);
    expect(diff.accuracy.value).toBeCloseTo(ref.diff, 12);
    expect(diff.accuracy.ci![0]).toBeCloseTo(ref.diffCi[0], 12);
    expect(diff.accuracy.ci![1]).toBeCloseTo(ref.diffCi[1], 12);
    expect(diff.accuracy.p).toBeCloseTo(ref.p, 12);
  });
});
