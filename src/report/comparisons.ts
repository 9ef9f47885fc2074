// Paired comparisons behind the claim of DiPalma et al. 2021 (the student beats the baseline and nears the
// teacher), per student magnification: each distilled student against the baseline and against the teacher (and
// kd+init against kd: the initialisation's share), as differences with paired group-bootstrap intervals and
// p-values; and the answer at a glance: the cheapest magnification whose distilled student keeps the teacher's
// accuracy within the tolerance.
import { type Difference, groupUnits, type IntervalMetric, pairedDifference, sampleUnits } from '../stats/group-bootstrap.js';
import type { Method, Results, ResultRun } from './results.js';
import { classesOf, samplesOf, type SummaryRow } from './summary.js';

export interface Comparison {
  magnification: number;
  a: Method;
  b: Method;
  /** Units (groups) both sides were resampled on. */
  units: number;
  /** Sample-level differences A - B, seeds pooled. */
  sample: Record<IntervalMetric, Difference>;
  /** The same on one prediction per group (slide or patient); null where groups hold one sample each. */
  group: Record<IntervalMetric, Difference> | null;
}

/** The pairs compared at each student magnification, when both sides exist. */
const PAIRS: [Method, Method][] = [
  ['kd', 'baseline'],
  ['kd', 'teacher'],
  ['kd+init', 'baseline'],
  ['kd+init', 'kd'],
  ['kd+init', 'teacher'],
  ['kd-unlabeled', 'baseline'],
  ['kd-unlabeled', 'teacher'],
  ['baseline', 'teacher'],
];

const DISTILLED: Method[] = ['kd', 'kd+init', 'kd-unlabeled'];

function runsOf(results: Results, method: Method, mag: number | null): ResultRun[] {
  return results.runs.filter(
    (r) => r.method === method && (mag === null || r.magnification === mag) && (r.method !== 'kd-unlabeled' || (r.unlabeledFraction ?? 1) === 1),
  );
}

export function comparisons(results: Results): Comparison[] {
  const { resamples, seed } = results.statistics;
  const mags = [...new Set(results.runs.filter((r) => r.method !== 'teacher').map((r) => r.magnification))].sort((x, y) => y - x);
  const out: Comparison[] = [];
  for (const mag of mags) {
    for (const [a, b] of PAIRS) {
      const sa = samplesOf(runsOf(results, a, mag));
      const sb = samplesOf(runsOf(results, b, b === 'teacher' ? null : mag));
      if (!sa?.length || !sb?.length) continue;
      const k = Math.max(classesOf(sa), classesOf(sb));
      const sample = pairedDifference(sampleUnits(sa, k), sampleUnits(sb, k), resamples, seed);
      const first = sa[0]!;
      const groups = new Set(first.groups.filter((g) => g !== '')).size;
      const group = groups > 0 && groups < first.groups.length ? pairedDifference(groupUnits(sa, k), groupUnits(sb, k), resamples, seed) : null;
      out.push({ magnification: mag, a, b, units: sample.units, sample, group });
    }
  }
  return out;
}

export interface Answer {
  tolerance: number;
  /** The cheapest qualifying student, or null when none qualifies. */
  pick: { magnification: number; method: Method; flopsReduction: number | null; difference: Difference } | null;
  text: string;
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/**
 * A distilled student qualifies when its pooled accuracy minus the teacher's is at least -tolerance. Among the
 * qualifying ones, the lowest magnification wins, then the best difference.
 */
export function answer(rows: SummaryRow[], comps: Comparison[], tolerance: number): Answer {
  const vsTeacher = comps.filter((c) => c.b === 'teacher' && DISTILLED.includes(c.a));
  const ok = vsTeacher
    .filter((c) => c.sample.accuracy.value >= -tolerance - 1e-12)
    .sort((x, y) => x.magnification - y.magnification || y.sample.accuracy.value - x.sample.accuracy.value);
  const tol = `${(100 * tolerance).toFixed(1)} point${tolerance === 0.01 ? '' : 's'} of accuracy`;
  const best = ok[0];
  if (!best) {
    if (vsTeacher.length === 0) return { tolerance, pick: null, text: 'No answer: the results hold no distilled student with predictions to compare with the teacher.' };
    const closest = [...vsTeacher].sort((x, y) => y.sample.accuracy.value - x.sample.accuracy.value)[0]!;
    return {
      tolerance,
      pick: null,
      text: `None: no distilled student is within ${tol} of the teacher (closest: ${closest.a} at ${closest.magnification}x, ${points(closest.sample.accuracy.value)} points).`,
    };
  }
  const row = rows.find((r) => r.method === best.a && r.magnification === best.magnification && (r.unlabeledFraction ?? 1) === 1);
  const reduction = row?.flopsReduction ?? null;
  const ci = best.sample.accuracy.ci;
  return {
    tolerance,
    pick: { magnification: best.magnification, method: best.a, flopsReduction: reduction, difference: best.sample.accuracy },
    text:
      `${best.magnification}x keeps the teacher's accuracy within ${tol}: ${best.a}, ` +
      `${reduction ? `${reduction.toFixed(reduction < 10 ? 1 : 0)}x fewer FLOPs, ` : ''}` +
      `difference ${points(best.sample.accuracy.value)} points${ci ? ` (95% CI ${points(ci[0])} to ${points(ci[1])})` : ''}.`,
  };
}
