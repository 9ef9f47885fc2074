// The group bootstrap: intervals that resample the independent unit (patient, else slide, else image) with all of
// its samples, pooling the predictions of every seed, and the paired version for differences between methods.
// Each unit is reduced to a confusion matrix, so a resample is a sum of matrices: exact and fast.

/** Predictions of one evaluated run: one entry per test sample. */
export interface RunSamples {
  ids: number[];
  groups: string[];
  labels: number[];
  probs: number[][];
}

export const INTERVAL_METRICS = ['accuracy', 'balancedAccuracy', 'macroF1'] as const;
export type IntervalMetric = (typeof INTERVAL_METRICS)[number];
export type MetricValues = Record<IntervalMetric, number>;

/** Per unit (group), the confusion matrix [true][predicted] summed over the runs given. */
export interface Units {
  names: string[];
  classes: number;
  confusion: number[][][];
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) > (xs[best] as number)) best = i;
  return best;
}

/** Sample level: every sample of every run counts once, in its group's matrix. */
export function sampleUnits(runs: RunSamples[], classes: number): Units {
  const index = new Map<string, number>();
  const confusion: number[][][] = [];
  for (const r of runs) {
    r.labels.forEach((label, i) => {
      const g = r.groups[i] || `#${r.ids[i]}`; // a sample without a group is its own unit
      if (!index.has(g)) index.set(g, confusion.push(Array.from({ length: classes }, () => new Array<number>(classes).fill(0))) - 1);
      (confusion[index.get(g) as number] as number[][])[label]![argmax(r.probs[i] as number[])]! += 1;
    });
  }
  return { names: [...index.keys()], classes, confusion };
}

/**
 * Group level (slide or patient): per run, one prediction per group from the mean probability of its samples,
 * against the group's majority label; every run's group prediction counts once in that group's matrix.
 */
export function groupUnits(runs: RunSamples[], classes: number): Units {
  const perRun: RunSamples[] = runs.map((r) => {
    const byGroup = new Map<string, { sum: number[]; votes: number[] }>();
    r.labels.forEach((label, i) => {
      const g = r.groups[i] || `#${r.ids[i]}`;
      const e = byGroup.get(g) ?? { sum: new Array<number>(classes).fill(0), votes: new Array<number>(classes).fill(0) };
      (r.probs[i] as number[]).forEach((p, c) => (e.sum[c]! += p));
      e.votes[label]! += 1;
      byGroup.set(g, e);
    });
    const groups = [...byGroup.keys()];
    return {
      ids: groups.map((_, i) => i),
      groups,
      labels: groups.map((g) => argmax(byGroup.get(g)!.votes)),
      probs: groups.map((g) => byGroup.get(g)!.sum),
    };
  });
  return sampleUnits(perRun, classes);
}

/** Accuracy, balanced accuracy (mean recall over present classes) and macro F1 of a confusion matrix. */
export function metricsOf(m: number[][]): MetricValues {
  const k = m.length;
  let total = 0;
  let correct = 0;
  let recallSum = 0;
  let present = 0;
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    const row = m[c] as number[];
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < k; t++) predicted += (m[t] as number[])[c] as number;
    const tp = row[c] as number;
    total += support;
    correct += tp;
    if (support > 0) {
      recallSum += tp / support;
      present += 1;
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  return { accuracy: total ? correct / total : NaN, balancedAccuracy: present ? recallSum / present : NaN, macroF1: f1Sum / k };
}

function sumOf(units: Units, picks: ArrayLike<number>): number[][] {
  const k = units.classes;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < picks.length; i++) {
    const u = units.confusion[picks[i] as number] as number[][];
    for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) (m[t] as number[])[p]! += (u[t] as number[])[p] as number;
  }
  return m;
}

/** SplitMix32: a small seeded generator, so every interval is reproducible from (seed, resamples). */
function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** `resamples` draws of n unit indices with replacement (row r of the result is resample r). */
export function resampleIndices(n: number, resamples: number, seed: number): Uint32Array[] {
  const next = splitmix32(seed);
  return Array.from({ length: resamples }, () => {
    const picks = new Uint32Array(n);
    for (let i = 0; i < n; i++) picks[i] = Math.floor(next() * n);
    return picks;
  });
}

/** The percentile interval of the C++ evaluation: sorted values at round(q * (n - 1)). */
export function percentile95(values: number[]): [number, number] | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const at = (q: number) => v[Math.min(v.length - 1, Math.round(q * (v.length - 1)))] as number;
  return [at(0.025), at(0.975)];
}

export interface Estimate {
  value: number;
  ci: [number, number] | null;
}

/** Point estimates on all units and 95% group-bootstrap intervals for each metric. */
export function bootstrapMetrics(units: Units, resamples: number, seed: number): Record<IntervalMetric, Estimate> {
  const point = metricsOf(sumOf(units, units.confusion.map((_, i) => i)));
  const draws = resampleIndices(units.names.length, resamples, seed).map((p) => metricsOf(sumOf(units, p)));
  return Object.fromEntries(
    INTERVAL_METRICS.map((m) => [m, { value: point[m], ci: resamples > 0 ? percentile95(draws.map((d) => d[m])) : null }]),
  ) as Record<IntervalMetric, Estimate>;
}

export interface Difference extends Estimate {
  /** Two-sided bootstrap p-value: twice the smaller share of resampled differences on either side of 0, at most 1. */
  p: number | null;
}

/**
 * A - B with both resampled on the same units (paired): the units must be the same groups (the same test set).
 * Units present in only one of the two are dropped, and their count is returned.
 */
export function pairedDifference(a: Units, b: Units, resamples: number, seed: number): Record<IntervalMetric, Difference> & { units: number; unmatched: number } {
  const shared = a.names.filter((n) => b.names.includes(n));
  const pick = (u: Units): Units => ({ names: shared, classes: u.classes, confusion: shared.map((n) => u.confusion[u.names.indexOf(n)] as number[][]) });
  const ua = pick(a);
  const ub = pick(b);
  const all = shared.map((_, i) => i);
  const pa = metricsOf(sumOf(ua, all));
  const pb = metricsOf(sumOf(ub, all));
  const draws = resampleIndices(shared.length, resamples, seed).map((p) => {
    const ma = metricsOf(sumOf(ua, p));
    const mb = metricsOf(sumOf(ub, p));
    return Object.fromEntries(INTERVAL_METRICS.map((m) => [m, ma[m] - mb[m]])) as MetricValues;
  });
  const out = { units: shared.length, unmatched: a.names.length + b.names.length - 2 * shared.length } as Record<IntervalMetric, Difference> & {
    units: number;
    unmatched: number;
  };
  for (const m of INTERVAL_METRICS) {
    const d = draws.map((x) => x[m]).filter(Number.isFinite);
    const below = d.filter((x) => x <= 0).length / d.length;
    const above = d.filter((x) => x >= 0).length / d.length;
    out[m] = {
      value: pa[m] - pb[m],
      ci: resamples > 0 ? percentile95(d) : null,
      p: d.length > 0 ? Math.min(1, 2 * Math.min(below, above)) : null,
    };
  }
  return out;
}
