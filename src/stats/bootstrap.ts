// The two-level intervals: runs (seeds) and groups (patients, else slides, else images) are crossed (every seed
// predicts every group), and both vary. The group part comes from a group bootstrap of every seed's predictions
// pooled (each resample draws groups with replacement, all their samples with them); the seed part from the spread
// of the per-seed values (paired by seed: student and teacher of the same seed). The two variances add, and the
// interval is a t interval with Welch-Satterthwaite degrees of freedom, so three seeds widen it as they should.
// Simulated (test/unit/two-level-bootstrap.test.ts, 3 seeds), a two-sided 5% test rejects 7.25% and the one-sided
// one 5.25%, where a percentile bootstrap over seeds and groups (Owen 2007's pigeonhole bootstrap) reaches 12%; with one seed only the group
// part is known and callers say that the seed variance is unknown. A run's own noise on each group enters both
// parts, so the interval is conservative when the seeds agree (1.5% instead of 5% in the same simulation).
// Each (seed, group) cell is reduced to a confusion matrix, and each run's scores are ranked once, so a resample is
// a weighted sum.
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { confusionMetrics, type Metric, METRICS, macroAuc, type MetricValues, rankScores, type RankedScores } from './metrics.js';

/** Predictions of one evaluated run: one entry per test sample. */
export interface RunSamples {
  ids: number[];
  groups: string[];
  labels: number[];
  probs: number[][];
}

/** Runs x units: the crossed design one bootstrap resamples. */
export interface Design {
  classes: number;
  /** The seed of each run, for pairing two designs run by run. */
  seeds: number[];
  units: string[];
  /** Cell (run r, unit u) at r * units + u: its k x k confusion matrix, flat. */
  confusion: Float64Array[];
  /** Per run: each sample's unit, and per class its scores ranked once (AUC is a run's own ranking, then averaged
   * over runs: seeds whose scores are calibrated differently are not ranked against each other). */
  sampleUnits: Uint32Array[];
  ranked: RankedScores[][];
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) > (xs[best] as number)) best = i;
  return best;
}

/** A sample without a group is its own unit. */
const unitOf = (r: RunSamples, i: number) => r.groups[i] || `#${r.ids[i]}`;

/** The units of a run, in first-seen order. */
export function unitNames(runs: RunSamples[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) r.labels.forEach((_, i) => seen.add(unitOf(r, i)));
  return [...seen];
}

/** Sample level: every sample counts once, in its (run, group) cell. `units` restricts and orders the groups. */
export function sampleDesign(runs: RunSamples[], seeds: number[], classes: number, units = unitNames(runs)): Design {
  const index = new Map(units.map((u, i) => [u, i]));
  const confusion = Array.from({ length: runs.length * units.length }, () => new Float64Array(classes * classes));
  const unitsOf: Uint32Array[] = [];
  const ranked: RankedScores[][] = [];
  runs.forEach((r, run) => {
    const own: number[] = [];
    const scores: number[][] = Array.from({ length: classes }, () => []);
    const positive: boolean[][] = Array.from({ length: classes }, () => []);
    r.labels.forEach((label, i) => {
      const u = index.get(unitOf(r, i));
      if (u === undefined) return;
      const probs = r.probs[i] as number[];
      (confusion[run * units.length + u] as Float64Array)[label * classes + argmax(probs)]! += 1;
      own.push(u);
      for (let c = 0; c < classes; c++) {
        (scores[c] as number[]).push(probs[c] ?? 0);
        (positive[c] as boolean[]).push(label === c);
      }
    });
    unitsOf.push(Uint32Array.from(own));
    ranked.push(scores.map((sc, c) => rankScores(sc, positive[c] as boolean[])));
  });
  return { classes, seeds, units, confusion, sampleUnits: unitsOf, ranked };
}

/** One prediction per group and run: the mean probability of its samples, against the group's majority label. */
export function perGroup(r: RunSamples, classes: number): RunSamples {
  const byGroup = new Map<string, { sum: number[]; votes: number[]; n: number }>();
  r.labels.forEach((label, i) => {
    const g = unitOf(r, i);
    const e = byGroup.get(g) ?? { sum: new Array<number>(classes).fill(0), votes: new Array<number>(classes).fill(0), n: 0 };
    (r.probs[i] as number[]).forEach((p, c) => (e.sum[c]! += p));
    e.votes[label]! += 1;
    e.n += 1;
    byGroup.set(g, e);
  });
  const groups = [...byGroup.keys()];
  return {
    ids: groups.map((_, i) => i),
    groups,
    labels: groups.map((g) => argmax(byGroup.get(g)!.votes)),
    probs: groups.map((g) => byGroup.get(g)!.sum.map((s) => s / byGroup.get(g)!.n)),
  };
}

/** Group level (slide or patient): the design of one prediction per group and run. */
export function groupDesign(runs: RunSamples[], seeds: number[], classes: number, units = unitNames(runs)): Design {
  return sampleDesign(
    runs.map((r) => perGroup(r, classes)),
    seeds,
    classes,
    units,
  );
}

/** SplitMix32: a small seeded generator, so every interval is reproducible from (seed, resamples). */
export function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** How often each of n items is drawn in n draws with replacement. */
export function drawCounts(n: number, next: () => number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[Math.floor(next() * n)]! += 1;
  return w;
}

const ONES = (n: number) => new Float64Array(n).fill(1);

/** Every metric of a design under run weights and unit weights (all ones: the point estimate). */
export function metricsAt(d: Design, runWeight: Float64Array, unitWeight: Float64Array, withAuc = true): MetricValues {
  const k = d.classes;
  const u = d.units.length;
  const sum = new Float64Array(k * k);
  for (let r = 0; r < d.seeds.length; r++) {
    const wr = runWeight[r] as number;
    if (wr === 0) continue;
    for (let g = 0; g < u; g++) {
      const w = wr * (unitWeight[g] as number);
      if (w === 0) continue;
      const m = d.confusion[r * u + g] as Float64Array;
      for (let j = 0; j < k * k; j++) sum[j]! += w * (m[j] as number);
    }
  }
  let auc = NaN;
  if (withAuc) {
    let sumAuc = 0;
    let runs = 0;
    d.sampleUnits.forEach((units, r) => {
      const wr = runWeight[r] as number;
      if (wr === 0) return;
      const a = macroAuc(
        d.ranked[r] as RankedScores[],
        Float64Array.from(units, (g) => unitWeight[g] as number),
      );
      if (Number.isFinite(a)) ((sumAuc += wr * a), (runs += wr));
    });
    if (runs > 0) auc = sumAuc / runs;
  }
  return { ...confusionMetrics(sum, k), auc };
}

/** Every metric of runs on all their samples, pooled (a run's own values: pass one run). */
export function pointMetrics(runs: RunSamples[], classes: number): MetricValues {
  const d = sampleDesign(
    runs,
    runs.map((_, i) => i),
    classes,
  );
  return metricsAt(d, ONES(runs.length), ONES(d.units.length));
}

/** AUC ranks every sample in every resample: beyond this many sample-visits its group bootstrap uses fewer resamples. */
const AUC_BUDGET = 2e8;

function aucResamples(d: Design, resamples: number): number {
  const samples = d.sampleUnits.reduce((a, u) => a + u.length, 0);
  return Math.min(resamples, Math.max(200, Math.floor(AUC_BUDGET / Math.max(1, samples * d.classes))));
}

function variance(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** Group resamples of every metric (all runs pooled, the same unit draws for every design given). */
function groupDraws(designs: Design[], resamples: number, seed: number, auc: boolean): MetricValues[][] {
  const next = splitmix32(seed);
  const units = (designs[0] as Design).units.length;
  const withAuc = auc ? Math.min(...designs.map((d) => aucResamples(d, resamples))) : 0;
  const out: MetricValues[][] = designs.map(() => []);
  for (let b = 0; b < resamples; b++) {
    const wu = drawCounts(units, next);
    designs.forEach((d, i) => (out[i] as MetricValues[]).push(metricsAt(d, ONES(d.seeds.length), wu, b < withAuc)));
  }
  return out;
}

/** Each run's own value of every metric on all units. */
function perRun(d: Design): MetricValues[] {
  return d.seeds.map((_, r) => {
    const w = new Float64Array(d.seeds.length);
    w[r] = 1;
    return metricsAt(d, w, ONES(d.units.length));
  });
}

/** A variance component and the degrees of freedom of its estimate. */
interface Component {
  variance: number;
  df: number;
}

/** The group component: the variance of the group-bootstrap draws (finite ones), on units - 1 degrees of freedom. */
function groupComponent(draws: number[], units: number): Component | null {
  const d = draws.filter(Number.isFinite);
  return d.length > 1 && units > 1 ? { variance: variance(d), df: units - 1 } : null;
}

/** The seed component of a mean over seeds: var / S on S - 1 degrees of freedom; null with one seed (unknown). */
function seedComponent(values: number[]): Component | null {
  const v = values.filter(Number.isFinite);
  return v.length > 1 ? { variance: variance(v) / v.length, df: v.length - 1 } : null;
}

export interface Estimate {
  value: number;
  /** Two-sided 95% interval; null without resamples. */
  ci: [number, number] | null;
  /** Standard error (group and seed parts) and its Welch-Satterthwaite degrees of freedom. */
  se: number | null;
  df: number | null;
  /** False with one run: the interval holds the group variance only. */
  seedVariance: boolean;
}

/** Combines the components into an estimate; `range` clamps the interval (a metric lies in [0, 1]). */
function combine(value: number, parts: (Component | null)[], seeds: boolean, range: [number, number]): Estimate {
  const known = parts.filter((c): c is Component => c !== null);
  if (!Number.isFinite(value) || known.length === 0) return { value, ci: null, se: null, df: null, seedVariance: seeds };
  const v = known.reduce((a, c) => a + c.variance, 0);
  const denom = known.reduce((a, c) => a + c.variance ** 2 / c.df, 0);
  const df = denom > 0 ? v ** 2 / denom : Math.min(...known.map((c) => c.df));
  const se = Math.sqrt(v);
  const half = tQuantile(0.975, df) * se;
  const clamp = (x: number) => Math.min(range[1], Math.max(range[0], x));
  return { value, ci: [clamp(value - half), clamp(value + half)], se, df, seedVariance: seeds };
}

/** Point estimates on everything and 95% two-level intervals for every metric. */
export function bootstrapMetrics(d: Design, resamples: number, seed: number): Record<Metric, Estimate> {
  const point = metricsAt(d, ONES(d.seeds.length), ONES(d.units.length));
  const draws = resamples > 1 ? (groupDraws([d], resamples, seed, true)[0] as MetricValues[]) : [];
  const runs = perRun(d);
  return Object.fromEntries(
    METRICS.map((m) => {
      const g = draws.length
        ? groupComponent(
            draws.map((x) => x[m]),
            d.units.length,
          )
        : null;
      const parts = draws.length ? [g, seedComponent(runs.map((x) => x[m]))] : [];
      return [m, combine(point[m], parts, d.seeds.length > 1, [0, 1])];
    }),
  ) as Record<Metric, Estimate>;
}

export interface Difference extends Estimate {
  /** Two-sided p-value of no difference (t on the same degrees of freedom). */
  p: number | null;
  /** One-sided 95% lower bound. */
  lower: number | null;
  /** With a margin: the one-sided p-value of non-inferiority, H0: difference <= -margin. */
  pNonInferior?: number | null;
}

export interface PairedDifferences {
  /** Metric differences A - B. */
  metrics: Record<Metric, Difference>;
  /** Units both sides share (the ones resampled) and units present on one side only (dropped). */
  units: number;
  unmatched: number;
  /** Runs of each side; paired: the same seeds on both sides, their per-seed differences give the seed part. */
  runs: [number, number];
  /** Each side's metrics on the shared units (A, B): the difference is their difference. */
  points: [MetricValues, MetricValues];
  pairedSeeds: boolean;
  margin: number | null;
}

const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const sameSeeds = (a: number[], b: number[]) => a.length === b.length && sorted(a).every((s, i) => s === sorted(b)[i]);

/**
 * A - B on the same units, resampled together (paired by group); with the same seeds on both sides (a student and
 * the teacher of its own seed) the seed part is the spread of the per-seed differences, else each side's own spread
 * over its seeds (Welch). `design` builds each side's design on the shared units. `margin` (in metric units, e.g.
 * 0.01) adds the non-inferiority p-value; `auc: false` skips AUC (its resamples rank every sample).
 */
export function pairedDifference(
  a: { runs: RunSamples[]; seeds: number[] },
  b: { runs: RunSamples[]; seeds: number[] },
  design: (runs: RunSamples[], seeds: number[], units: string[]) => Design,
  resamples: number,
  seed: number,
  options: { margin?: number | null; auc?: boolean } = {},
): PairedDifferences {
  const margin = options.margin ?? null;
  const inB = new Set(unitNames(b.runs));
  const aUnits = unitNames(a.runs);
  const shared = aUnits.filter((n) => inB.has(n));
  const paired = sameSeeds(a.seeds, b.seeds);
  const da = design(a.runs, a.seeds, shared);
  // Paired: b's runs in the order of a's seeds, so per-seed differences line up.
  const bOrder = paired ? a.seeds.map((s) => b.seeds.indexOf(s)) : b.seeds.map((_, i) => i);
  const db = design(
    bOrder.map((i) => b.runs[i] as RunSamples),
    bOrder.map((i) => b.seeds[i] as number),
    shared,
  );
  const pa = metricsAt(da, ONES(da.seeds.length), ONES(shared.length));
  const pb = metricsAt(db, ONES(db.seeds.length), ONES(shared.length));
  const [ga, gb] = resamples > 1 && shared.length > 0 ? groupDraws([da, db], resamples, seed, options.auc !== false) : [[], []];
  const ra = perRun(da);
  const rb = perRun(db);
  const metrics = Object.fromEntries(
    METRICS.map((m) => {
      const value = pa[m] - pb[m];
      const draws = (ga as MetricValues[]).map((x, i) => x[m] - (gb as MetricValues[])[i]![m]);
      const seedParts = paired
        ? [seedComponent(ra.map((x, i) => x[m] - rb[i]![m]))]
        : [seedComponent(ra.map((x) => x[m])), seedComponent(rb.map((x) => x[m]))];
      const parts = draws.length ? [groupComponent(draws, shared.length), ...seedParts] : [];
      const e = combine(value, parts, da.seeds.length > 1 && db.seeds.length > 1, [-1, 1]);
      const tail = (t: number) => (e.se! > 0 ? 1 - tCdf(t / e.se!, e.df!) : t > 0 ? 0 : t < 0 ? 1 : 0.5);
      const out: Difference = {
        ...e,
        p: e.se !== null ? Math.min(1, 2 * tail(Math.abs(value))) : null,
        lower: e.se !== null ? value - tQuantile(0.95, e.df!) * e.se : null,
      };
      if (margin !== null) out.pNonInferior = e.se !== null ? tail(value + margin) : null;
      return [m, out];
    }),
  ) as Record<Metric, Difference>;
  return {
    metrics,
    units: shared.length,
    unmatched: aUnits.length + inB.size - 2 * shared.length,
    runs: [da.seeds.length, db.seeds.length],
    points: [pa, pb],
    pairedSeeds: paired,
    margin,
  };
}
