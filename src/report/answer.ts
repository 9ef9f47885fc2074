// The answer to the question resdistill exists for: at which magnification does a distilled student keep its
// teacher's accuracy, and at what saving. Two steps, both tests rather than point estimates (ours; the paper
// compares means):
// 1. The teacher check: the teacher must beat the majority class and the colour reference (one-sided 95%, both
//    must pass, so no adjustment: an intersection-union test). Otherwise it has nothing to teach.
// 2. Non-inferiority: a (method, magnification) candidate keeps the teacher's metric when H0 "student - teacher
//    <= -margin" is rejected at 5%, one-sided, with Holm's step-down adjustment over all candidates (every
//    distilled method at every student magnification). The cheapest qualifying magnification is the answer.
import type { Difference } from '../stats/bootstrap.js';
import type { Metric } from '../stats/metrics.js';
import { type Comparison, DISTILLED, PAPERS } from './comparisons.js';
import type { Method, Results } from './results.js';
import { testUnits, type SummaryRow } from './summary.js';

export const ALPHA = 0.05;
/** Fewer independent units than this and the report warns that its intervals rest on few units. */
export const FEW_UNITS = 20;

export const METRIC_LABELS: Record<Metric, string> = {
  accuracy: 'accuracy',
  balancedAccuracy: 'balanced accuracy',
  macroF1: 'macro F1',
  macroPrecision: 'macro precision',
  macroRecall: 'macro recall',
  auc: 'AUC',
};

export interface Candidate {
  magnification: number;
  method: Method;
  /** kd and kd-unlabeled are the paper's method (DiPalma et al. 2021, §2); kd+init, kd+at and kd-progressive are ours. */
  papers: boolean;
  flopsReduction: number | null;
  difference: Difference;
  /** Holm-adjusted non-inferiority p-value; null without an interval. */
  pAdjusted: number | null;
  qualifies: boolean;
}

export interface TeacherCheck {
  against: Method;
  difference: Difference;
  /** Null when no interval could be computed (evaluation.bootstrap 0 or 1): not tested. */
  passed: boolean | null;
}

export interface Answer {
  metric: Metric;
  /** Points of the metric (1 = one percentage point). */
  margin: number;
  alpha: number;
  adjustment: 'holm';
  teacherChecks: TeacherCheck[];
  /** False when a check failed; null when the results hold no reference to check against, or no interval. */
  teacherOk: boolean | null;
  candidates: Candidate[];
  pick: Candidate | null;
  /** What limits the statistics: few independent units, an unknown seed variance. */
  warnings: string[];
  text: string;
}

const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pText = (p: number | null) => (p === null ? 'n/a' : p < 0.001 ? '< 0.001' : p.toFixed(3));
const label = (m: Method) => (PAPERS.includes(m) ? `${m} (the paper's method, DiPalma et al. 2021 §2)` : `${m} (ours)`);

/** Holm's step-down adjusted p-values, in the input order (null stays null and does not count). */
export function holm(ps: (number | null)[]): (number | null)[] {
  const order = ps
    .map((p, i) => [p, i] as const)
    .filter((x): x is readonly [number, number] => x[0] !== null)
    .sort((a, b) => a[0] - b[0]);
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Candidates whose student side has one seed while the teacher has several: their seed variance is unknown. */
function seedWarnings(comps: Comparison[]): string[] {
  return comps
    .filter((c) => c.b === 'teacher' && DISTILLED.includes(c.a) && c.runs[0] === 1 && c.runs[1] > 1)
    .map(
      (c) =>
        `${c.a} at ${c.magnification}x has one seed (the teacher ${c.runs[1]}): its seed variance is unknown and its interval may be too narrow.`,
    );
}

function warningsOf(results: Results): string[] {
  const out: string[] = [];
  const units = testUnits(results);
  if (units > 0 && units < FEW_UNITS) {
    out.push(
      `Only ${units} independent groups (patients, slides or images) in the evaluation split, fewer than ${FEW_UNITS}: every interval rests on few units.`,
    );
  }
  const seeds = new Set(results.runs.filter((r) => r.method === 'teacher').map((r) => r.seed)).size;
  if (seeds === 1)
    out.push('One seed: the run-to-run (seed) variance is unknown, and the intervals hold the group variance only. Use 3 or more seeds.');
  return out;
}

export function answer(results: Results, rows: SummaryRow[], comps: Comparison[]): Answer {
  const { margin, metric } = results.statistics;
  const name = METRIC_LABELS[metric];
  const base = { metric, margin, alpha: ALPHA, adjustment: 'holm' as const, warnings: [...warningsOf(results), ...seedWarnings(comps)] };
  const teacherChecks: TeacherCheck[] = comps
    .filter((c) => c.a === 'teacher')
    .map((c) => {
      const d = c.sample[metric];
      const p = d.pNonInferior ?? null;
      return { against: c.b, difference: d, passed: p === null ? null : p <= ALPHA };
    });
  const teacherOk = teacherChecks.some((t) => t.passed === false)
    ? false
    : teacherChecks.length && teacherChecks.every((t) => t.passed)
      ? true
      : null;
  const vsTeacher = comps.filter((c) => c.b === 'teacher' && DISTILLED.includes(c.a));
  const adjusted = holm(vsTeacher.map((c) => c.sample[metric].pNonInferior ?? null));
  const candidates: Candidate[] = vsTeacher.map((c, i) => {
    const row = rows.find((r) => r.method === c.a && r.magnification === c.magnification && (r.unlabeledFraction ?? 1) === 1);
    const p = adjusted[i] ?? null;
    return {
      magnification: c.magnification,
      method: c.a,
      papers: PAPERS.includes(c.a),
      flopsReduction: row?.flopsReduction ?? null,
      difference: c.sample[metric],
      pAdjusted: p,
      qualifies: p !== null && p <= ALPHA,
    };
  });
  const fewer = (c: Candidate) => (c.flopsReduction ? `, ${c.flopsReduction.toFixed(c.flopsReduction < 10 ? 1 : 0)}x fewer FLOPs` : '');
  const interval = (d: Difference) =>
    `${pts(d.value)} points${d.ci ? ` (95% CI ${pts(d.ci[0])} to ${pts(d.ci[1])})` : ''}, one-sided 95% lower bound ${d.lower === null ? 'n/a' : pts(d.lower)}`;
  const test = `non-inferiority within ${margin} point${margin === 1 ? '' : 's'} of ${name}, one-sided ${100 * (1 - ALPHA)}%, Holm-adjusted over ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}`;

  if (teacherOk === false) {
    const failed = teacherChecks.filter((t) => t.passed === false);
    const why = failed
      .map(
        (t) =>
          `it does not beat the ${t.against.replace('-', ' ')} (teacher − ${t.against.replace('-', ' ')}: ${interval(t.difference)}; needs a lower bound above 0)`,
      )
      .join('; ');
    return {
      ...base,
      teacherChecks,
      teacherOk,
      candidates,
      pick: null,
      text: `No answer: the teacher has nothing to teach. On ${name}, ${why}. A student that keeps this teacher's ${name} keeps no more than the reference does.`,
    };
  }
  if (candidates.length === 0) {
    return {
      ...base,
      teacherChecks,
      teacherOk,
      candidates,
      pick: null,
      text: 'No answer: the results hold no distilled student with predictions to compare with the teacher.',
    };
  }
  const qualifying = candidates
    .filter((c) => c.qualifies)
    .sort((x, y) => x.magnification - y.magnification || DISTILLED.indexOf(x.method) - DISTILLED.indexOf(y.method));
  const pick = qualifying[0] ?? null;
  if (!pick) {
    const closest = [...candidates].sort((x, y) => (y.difference.lower ?? -Infinity) - (x.difference.lower ?? -Infinity))[0]!;
    return {
      ...base,
      teacherChecks,
      teacherOk,
      candidates,
      pick: null,
      text:
        `No magnification is shown to keep the teacher's ${name} (${test}). Closest: ${label(closest.method)} at ${closest.magnification}x${fewer(closest)}, ` +
        `${interval(closest.difference)}` +
        ((closest.difference.lower ?? -Infinity) > -margin / 100
          ? `: above −${margin} alone, but not after Holm's adjustment (adjusted p ${pText(closest.pAdjusted)}).`
          : `, not above −${margin} (Holm-adjusted p ${pText(closest.pAdjusted)}).`),
    };
  }
  const alsoHere = qualifying.filter((c) => c !== pick && c.magnification === pick.magnification).map((c) => label(c.method));
  return {
    ...base,
    teacherChecks,
    teacherOk,
    candidates,
    pick,
    text:
      `${pick.magnification}x keeps the teacher's ${name} within ${margin} point${margin === 1 ? '' : 's'}: ${label(pick.method)}${fewer(pick)}; ` +
      `${interval(pick.difference)} > −${margin} (${test}: p ${pText(pick.pAdjusted)}).` +
      (alsoHere.length ? ` Also at ${pick.magnification}x: ${alsoHere.join(', ')}.` : '') +
      (teacherOk === null ? ' The teacher was not checked against the references (none in these results, or no interval).' : ''),
  };
}

/** One line per teacher check, for the report. */
export function teacherCheckLines(ans: Answer, results: Results): string[] {
  const name = METRIC_LABELS[ans.metric];
  const teacher = results.runs.filter((r) => r.method === 'teacher');
  return ans.teacherChecks.map(
    (t) =>
      `Teacher − ${t.against.replace('-', ' ')} (${name}): ${pts(t.difference.value)} points` +
      `${t.difference.ci ? ` [${pts(t.difference.ci[0])}, ${pts(t.difference.ci[1])}]` : ''}, one-sided p ${pText(t.difference.pNonInferior ?? null)}: ` +
      `${t.passed === null ? 'not tested (no interval)' : t.passed ? 'passed' : 'FAILED'}${teacher.length ? ` (teacher mean ${pct(teacher.reduce((a, r) => a + (r.metrics[ans.metric] ?? NaN), 0) / teacher.length)})` : ''}`,
  );
}
