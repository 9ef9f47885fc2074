// Paired comparisons behind the claim of DiPalma et al. 2021 (the student beats the baseline and nears the
// teacher), per student magnification: each distilled student against the baseline and against the teacher (and
// kd+init, kd+at, kd-progressive and kd-unlabeled against kd: the share of the initialisation, of attention transfer, of the chain, of the unlabeled pool), as differences with paired two-level intervals (groups
// resampled, seeds paired) and p-values; the teacher against the two references it must beat; and the answer.
import {
  type Difference,
  groupDesign,
  type PairedDifferences,
  pairedDifference,
  type RunSamples,
  sampleDesign,
} from '../stats/bootstrap.js';
import type { Metric } from '../stats/metrics.js';
import type { Method, Results, ResultRun } from './results.js';
import { classesOf, hasGroups, samplesOf } from './summary.js';

export interface Comparison {
  /** The student magnification; the teacher's for the teacher checks. */
  magnification: number;
  a: Method;
  b: Method;
  /** Units (groups) both sides were resampled on. */
  units: number;
  /** Runs of each side, and whether they were paired seed by seed. */
  runs: [number, number];
  pairedSeeds: boolean;
  /** Sample-level differences A - B; with a margin on the pairs against the teacher (non-inferiority). */
  sample: Record<Metric, Difference>;
  /** The same on one prediction per group (slide or patient); null where groups hold one sample each. */
  group: Record<Metric, Difference> | null;
}

/** The pairs compared at each student magnification, when both sides exist. */
const PAIRS: [Method, Method][] = [
  ['kd', 'baseline'],
  ['kd', 'teacher'],
  ['kd+init', 'baseline'],
  ['kd+init', 'kd'],
  ['kd+init', 'teacher'],
  ['kd+at', 'baseline'],
  ['kd+at', 'kd'],
  ['kd+at', 'teacher'],
  ['kd-progressive', 'baseline'],
  ['kd-progressive', 'kd'],
  ['kd-progressive', 'teacher'],
  ['kd-unlabeled', 'baseline'],
  ['kd-unlabeled', 'kd'],
  ['kd-unlabeled', 'teacher'],
  ['baseline', 'teacher'],
];

/** The checks of the teacher itself, at its magnification: it must beat chance and colour. */
const TEACHER_CHECKS: [Method, Method][] = [
  ['teacher', 'majority-class'],
  ['teacher', 'colour-reference'],
];

/** The distilled methods: the paper's (DiPalma et al. 2021, §2: kd; kd-unlabeled adds the unlabeled pool) and ours. */
const DISTILLED: Method[] = ['kd', 'kd-unlabeled', 'kd+init', 'kd+at', 'kd-progressive'];
const PAPERS: Method[] = ['kd', 'kd-unlabeled'];

function runsOf(results: Results, method: Method, mag: number | null): ResultRun[] {
  return results.runs.filter(
    (r) =>
      r.method === method && (mag === null || r.magnification === mag) && (r.method !== 'kd-unlabeled' || (r.unlabeledFraction ?? 1) === 1),
  );
}

function compare(
  results: Results,
  mag: number,
  a: Method,
  b: Method,
  aMag: number | null,
  bMag: number | null,
  margin: number | null,
): Comparison | null {
  const { resamples, seed } = results.statistics;
  const sa = samplesOf(runsOf(results, a, aMag));
  const sb = samplesOf(runsOf(results, b, bMag));
  if (!sa || !sb) return null;
  const k = Math.max(classesOf(sa.runs), classesOf(sb.runs));
  const options = { margin };
  const sample = pairedDifference(
    sa,
    sb,
    (runs: RunSamples[], seeds: number[], units: string[]) => sampleDesign(runs, seeds, k, units),
    resamples,
    seed,
    options,
  );
  const group: PairedDifferences | null = hasGroups(sa.runs)
    ? pairedDifference(
        sa,
        sb,
        (runs: RunSamples[], seeds: number[], units: string[]) => groupDesign(runs, seeds, k, units),
        resamples,
        seed,
        options,
      )
    : null;
  return {
    magnification: mag,
    a,
    b,
    units: sample.units,
    runs: sample.runs,
    pairedSeeds: sample.pairedSeeds,
    sample: sample.metrics,
    group: group?.metrics ?? null,
  };
}

/**
 * Every comparison of the results: the teacher checks, then per student magnification (high to low) the pairs.
 * Pairs against the teacher carry the non-inferiority p-value for statistics.margin (points of the metric).
 */
export function comparisons(results: Results): Comparison[] {
  const margin = results.statistics.margin / 100;
  const teacherMag = results.runs.find((r) => r.method === 'teacher')?.magnification ?? null;
  const out: Comparison[] = [];
  if (teacherMag !== null) {
    for (const [a, b] of TEACHER_CHECKS) {
      const c = compare(results, teacherMag, a, b, null, null, 0);
      if (c) out.push(c);
    }
  }
  const mags = [
    ...new Set(
      results.runs.filter((r) => r.method !== 'teacher' && !TEACHER_CHECKS.some(([, b]) => b === r.method)).map((r) => r.magnification),
    ),
  ].sort((x, y) => y - x);
  for (const mag of mags) {
    for (const [a, b] of PAIRS) {
      const c = compare(results, mag, a, b, mag, b === 'teacher' ? null : mag, b === 'teacher' ? margin : null);
      if (c) out.push(c);
    }
  }
  return out;
}

export { DISTILLED, PAPERS };
