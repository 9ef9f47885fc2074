// What results.json's schema cannot say alone: every prediction agrees with the class list (row widths, label range,
// probabilities), and the sizes it declares (classes, bootstrap resamples) are bounded, so a hand-edited or hostile
// file fails with named paths instead of a wrong table, an INTERNAL error or a report that runs out of memory.
import { MAX_BOOTSTRAP_RESAMPLES, MAX_RESULT_CLASSES } from '../util/input-limits.js';
import type { Results } from './results-schema.js';

/** Rounding of float32 softmax outputs written as JSON; a row further from 1 is not a probability distribution. */
const SUM_TOLERANCE = 1e-3;

/** Every problem as `path: message` (results.json's own paths), empty when the results are consistent. */
export function resultsProblems(r: Results): string[] {
  const problems: string[] = [];
  const add = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (r.statistics.resamples > MAX_BOOTSTRAP_RESAMPLES)
    add('statistics.resamples', `at most ${MAX_BOOTSTRAP_RESAMPLES} (got ${r.statistics.resamples})`);
  if (r.classes) {
    if (r.classes.length < 2 || r.classes.length > MAX_RESULT_CLASSES)
      add('classes', `must list 2 to ${MAX_RESULT_CLASSES} names (got ${r.classes.length})`);
    const seen = new Set<string>();
    r.classes.forEach((c, i) => {
      if (c === '' || seen.has(c)) add(`classes[${i}]`, c === '' ? 'empty name' : `duplicate name '${c}'`);
      seen.add(c);
    });
  }
  // Without a class list the first prediction's width is the class count every other row must share.
  let k = r.classes?.length;
  r.runs.forEach((run, i) => {
    const s = run.samples;
    if (!s) return;
    const at = `runs[${i}].samples`;
    const n = s.labels.length;
    for (const field of ['ids', 'groups', 'probs'] as const) {
      if (s[field].length !== n) add(`${at}.${field}`, `has ${s[field].length} entries, labels has ${n}`);
    }
    k ??= s.probs[0]?.length;
    if (k === undefined) return;
    if (k < 2 || k > MAX_RESULT_CLASSES) {
      add(`${at}.probs[0]`, `must hold 2 to ${MAX_RESULT_CLASSES} class probabilities (got ${k})`);
      return;
    }
    const classCount = k;
    let reported = 0; // one hostile file can hold millions of bad rows: name the first few
    const bad = (where: string, what: string) => {
      if (reported++ < 5) add(where, what);
    };
    s.labels.forEach((y, j) => {
      if (y >= classCount) bad(`${at}.labels[${j}]`, `label ${y} is out of range for ${classCount} classes`);
    });
    s.probs.forEach((row, j) => {
      if (row.length !== classCount)
        return bad(`${at}.probs[${j}]`, `has ${row.length} probabilities, expected ${classCount} (one per class)`);
      if (!row.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) return bad(`${at}.probs[${j}]`, 'probabilities must lie in [0, 1]');
      const sum = row.reduce((a, p) => a + p, 0);
      if (Math.abs(sum - 1) > SUM_TOLERANCE) bad(`${at}.probs[${j}]`, `probabilities sum to ${sum}, not 1`);
    });
    if (reported > 5) add(at, `${reported - 5} more problems`);
  });
  return problems;
}
