// Aggregation over seeds: one row per (method, magnification, unlabeled fraction) with mean and sample std over
// seeds, and 95% two-level intervals (groups resampled, seeds' spread added: src/stats/bootstrap.ts); the FLOPs
// ratio to the teacher; the accuracy-vs-GFLOPs Pareto front.
import { bootstrapMetrics, type Design, type Estimate, groupDesign, type RunSamples, sampleDesign } from '../stats/bootstrap.js';
import { type Metric, METRICS } from '../stats/metrics.js';
import { type Method, METHOD_ORDER, REFERENCE_METHODS, type ResultRun, type Results, STUDENT_METHODS } from './results.js';
import { type CostRow, guard } from '../cost/cost.js';

export const METRIC_NAMES = METRICS;
export type MetricName = Metric;

export const METHOD_LABELS: Record<Method, string> = {
  teacher: 'Teacher',
  baseline: 'Baseline',
  kd: 'KD student',
  'kd+init': 'KD + teacher init',
  'kd+at': 'KD + attention transfer',
  'kd-progressive': 'KD progressive (chain)',
  'kd-unlabeled': 'KD + unlabeled',
  'majority-class': 'majority class',
  'colour-reference': 'colour reference',
};

export interface Stat {
  mean: number;
  /** Sample standard deviation over seeds; null with one seed. */
  std: number | null;
  n: number;
  /** 95% two-level interval of the metric on every seed's predictions (groups resampled, the seeds' spread added); null without predictions. */
  ci: [number, number] | null;
}

/** One prediction per group (slide or patient) and run: mean probability of its samples; pooled over seeds. */
export interface GroupLevel extends Record<Metric, Estimate> {
  groups: number;
}

export interface SummaryRow {
  method: Method;
  magnification: number;
  unlabeledFraction: number | null;
  seeds: number[];
  macs: number | null;
  flops: number | null;
  /** Teacher FLOPs / this row's FLOPs (16 means 16x fewer). */
  flopsReduction: number | null;
  /** The input size the cost was counted at, [height, width] px, when the results record it. */
  inputPx: [number, number] | null;
  imagesPerSecond: number | null;
  metrics: Record<MetricName, Stat | null>;
  /** Null when samples do not share groups (then it would repeat the sample level) or runs carry no predictions. */
  groupLevel: GroupLevel | null;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Mean and sample std over seeds of finite values, with the pooled interval; null when no run has the metric. */
export function stat(values: (number | null)[], ci: [number, number] | null): Stat | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const m = mean(xs);
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : null;
  return { mean: m, std, n: xs.length, ci };
}

/** The predictions of every run of a row with their seeds, or null when one of them has none (an older results.json). */
export function samplesOf(runs: ResultRun[]): { runs: RunSamples[]; seeds: number[] } | null {
  return runs.length > 0 && runs.every((r) => r.samples)
    ? { runs: runs.map((r) => r.samples as RunSamples), seeds: runs.map((r) => r.seed) }
    : null;
}

export function classesOf(runs: RunSamples[]): number {
  return Math.max(2, ...runs.flatMap((r) => r.probs.map((p) => p.length)));
}

/** True where the samples' groups hold several samples each, so the group level differs from the sample level. */
export function hasGroups(runs: RunSamples[]): boolean {
  const first = runs[0] as RunSamples;
  const groups = new Set(first.groups.filter((g) => g !== ''));
  return groups.size > 0 && groups.size < first.groups.length;
}

/** Independent units of the evaluation split: the groups (patients, else slides), else the samples themselves. */
export function testUnits(results: Results): number {
  const first = results.runs.find((r) => r.samples)?.samples;
  return first ? new Set(first.groups.map((g, i) => g || `#${first.ids[i]}`)).size : 0;
}

function groupLevelOf(s: { runs: RunSamples[]; seeds: number[] }, resamples: number, seed: number): GroupLevel | null {
  if (!hasGroups(s.runs)) return null;
  const design: Design = groupDesign(s.runs, s.seeds, classesOf(s.runs));
  return { groups: design.units.length, ...bootstrapMetrics(design, resamples, seed) };
}

function groupKey(r: ResultRun): string {
  const f = r.method === 'kd-unlabeled' ? (r.unlabeledFraction ?? 1) : null;
  return `${r.method}|${r.magnification}|${f}`;
}

/** Rows ordered teacher first, then the references, then by magnification (high to low), then the students in STUDENT_METHODS order. */
export function summarize(results: Results): SummaryRow[] {
  const { resamples, seed } = results.statistics;
  const groups = new Map<string, ResultRun[]>();
  for (const r of results.runs) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  const rows: SummaryRow[] = [];
  for (const runs of groups.values()) {
    const first = runs[0] as ResultRun;
    const costs = runs.map((r) => r.cost).filter((c) => c !== null);
    const samples = samplesOf(runs);
    const pooled = samples ? bootstrapMetrics(sampleDesign(samples.runs, samples.seeds, classesOf(samples.runs)), resamples, seed) : null;
    const ciOf = (name: MetricName) => pooled?.[name].ci ?? null;
    const metrics = Object.fromEntries(
      METRIC_NAMES.map((name) => [
        name,
        stat(
          runs.map((r) => r.metrics[name]),
          ciOf(name),
        ),
      ]),
    ) as Record<MetricName, Stat | null>;
    const ips = costs.map((c) => c.imagesPerSecond).filter((v): v is number => v !== null);
    rows.push({
      method: first.method,
      magnification: first.magnification,
      unlabeledFraction: first.method === 'kd-unlabeled' ? (first.unlabeledFraction ?? 1) : null,
      seeds: runs.map((r) => r.seed).sort((a, b) => a - b),
      macs: costs.length ? mean(costs.map((c) => c.macs)) : null,
      flops: costs.length ? mean(costs.map((c) => c.flops)) : null,
      flopsReduction: null,
      inputPx: costs[0]?.height && costs[0]?.width ? [costs[0].height, costs[0].width] : null,
      imagesPerSecond: ips.length ? mean(ips) : null,
      metrics,
      groupLevel: samples ? groupLevelOf(samples, resamples, seed) : null,
    });
  }
  const teacher = rows.find((r) => r.method === 'teacher');
  for (const r of rows) if (teacher?.flops && r.flops) r.flopsReduction = teacher.flops / r.flops;
  const first = (r: SummaryRow) => (r.method === 'teacher' ? 2 : REFERENCE_METHODS.includes(r.method) ? 1 : 0);
  return rows.sort(
    (a, b) =>
      first(b) - first(a) ||
      b.magnification - a.magnification ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) ||
      (b.unlabeledFraction ?? 1) - (a.unlabeledFraction ?? 1),
  );
}

/** The main table's rows: everything except partial-pool sweep points. */
export function mainRows(rows: SummaryRow[]): SummaryRow[] {
  return rows.filter((r) => r.unlabeledFraction === null || r.unlabeledFraction === 1);
}

/** Rows no other row beats on both fewer FLOPs and higher mean accuracy, ordered by FLOPs. */
export function paretoFront(rows: SummaryRow[]): SummaryRow[] {
  const pts = rows.filter((r) => r.flops !== null && r.metrics.accuracy !== null);
  pts.sort((a, b) => (a.flops as number) - (b.flops as number) || (b.metrics.accuracy as Stat).mean - (a.metrics.accuracy as Stat).mean);
  const front: SummaryRow[] = [];
  let best = -Infinity;
  for (const p of pts) {
    const acc = (p.metrics.accuracy as Stat).mean;
    if (acc > best) {
      front.push(p);
      best = acc;
    }
  }
  return front;
}

/** Plain-language comparisons the paper makes: KD against the baseline per magnification, and against the teacher. */
export function findings(rows: SummaryRow[]): string[] {
  const pick = (method: Method, mag: number) =>
    rows.find((r) => r.method === method && r.magnification === mag && (r.unlabeledFraction ?? 1) === 1);
  const teacher = rows.find((r) => r.method === 'teacher');
  const pct = (s: Stat | null | undefined) => (s ? `${(100 * s.mean).toFixed(1)}%` : 'n/a');
  const out: string[] = [];
  const mags = [...new Set(rows.filter((r) => STUDENT_METHODS.includes(r.method)).map((r) => r.magnification))].sort((a, b) => b - a);
  for (const mag of mags) {
    const base = pick('baseline', mag)?.metrics.accuracy;
    const kd = pick('kd', mag)?.metrics.accuracy;
    const kdi = pick('kd+init', mag)?.metrics.accuracy;
    const kda = pick('kd+at', mag)?.metrics.accuracy;
    const kdp = pick('kd-progressive', mag)?.metrics.accuracy;
    const kdu = pick('kd-unlabeled', mag)?.metrics.accuracy;
    const red = pick('kd', mag)?.flopsReduction ?? pick('baseline', mag)?.flopsReduction;
    const parts = [`${mag}x${red ? ` (${red.toFixed(red < 10 ? 1 : 0)}x fewer FLOPs)` : ''}: baseline ${pct(base)}`];
    if (kd)
      parts.push(
        `KD ${pct(kd)}${base ? ` (${100 * (kd.mean - base.mean) >= 0 ? '+' : ''}${(100 * (kd.mean - base.mean)).toFixed(1)} points)` : ''}`,
      );
    if (kdi) parts.push(`KD + teacher init ${pct(kdi)}`);
    if (kda) parts.push(`KD + attention transfer ${pct(kda)}`);
    if (kdp) parts.push(`KD progressive ${pct(kdp)}`);
    if (kdu) parts.push(`KD + unlabeled ${pct(kdu)}`);
    if (teacher?.metrics.accuracy) parts.push(`teacher ${teacher.magnification}x ${pct(teacher.metrics.accuracy)}`);
    out.push(parts.join(', '));
  }
  return out;
}

/** Why a student's FLOPs fall a little less (or more) than (mag_t / mag_s)^2 when the guard finds nothing wrong. */
function roundingNote([h, w]: [number, number], [th, tw]: [number, number], expected: number): string {
  const pixels = (th * tw) / (h * w);
  const input = `its input is ${h}x${w} px, ${pixels.toFixed(1)}x fewer pixels than the teacher's ${th}x${tw}`;
  if (Math.abs(pixels / expected - 1) > 0.02) return `${input}: the field of view rounds to whole pixels, and FLOPs follow the pixels`;
  return `${input}, as expected; stride-2 layers round small feature maps up (ceil) and the classifier head does not shrink, so FLOPs fall a little less than the pixels`;
}

/** A summary row as the cost guard (src/cost/cost.ts) reads it. */
function guardRow(r: SummaryRow, teacher: SummaryRow): Omit<CostRow, 'guard'> {
  const [height, width] = r.inputPx!;
  return {
    magnification: r.magnification,
    height,
    width,
    macs: r.macs ?? 0,
    flops: r.flops ?? 0,
    otherOps: 0,
    params: 0,
    trainActivationBytes: 0,
    inferActivationBytes: 0,
    macsReduction: r.flopsReduction,
    expectedReduction: (teacher.magnification / r.magnification) ** 2,
  };
}

/**
 * The cost guard, repeated where users look: wherever a student's FLOPs ratio departs from
 * (teacher mag / student mag)^2, the guard's explanation (input rounding, tiny inputs) or its flag (an upsampled or
 * mis-sized student). Results without recorded input sizes get the plain check.
 */
export function costWarnings(rows: SummaryRow[], tolerance = 0.25): string[] {
  const teacher = rows.find((r) => r.method === 'teacher');
  if (!teacher) return [];
  const out: string[] = [];
  const seen = new Set<number>();
  for (const r of rows) {
    if (!STUDENT_METHODS.includes(r.method) || r.flopsReduction === null || seen.has(r.magnification)) continue;
    seen.add(r.magnification);
    const expected = (teacher.magnification / r.magnification) ** 2;
    if (r.inputPx && teacher.inputPx && Math.abs(r.flopsReduction / expected - 1) > 0.02) {
      const head = `${r.magnification}x costs 1/${r.flopsReduction.toFixed(1)} of the teacher's FLOPs, expected 1/${expected.toFixed(1)}`;
      const verdict = guard(guardRow(r, teacher), guardRow(teacher, teacher));
      if (verdict.notes.length > 0) for (const note of verdict.notes) out.push(`${head}: ${note}`);
      else out.push(`${head}: ${roundingNote(r.inputPx, teacher.inputPx, expected)}`);
    } else if (Math.abs(r.flopsReduction / expected - 1) > tolerance) {
      out.push(
        `${r.magnification}x costs 1/${r.flopsReduction.toFixed(1)} of the teacher's FLOPs, expected about 1/${expected.toFixed(1)}: ` +
          'check that the student really reads the lower magnification (input rounding at very small sizes can explain part of it)',
      );
    }
  }
  return out;
}
