// The cost guard's findings split in two: input rounding that explains a student's FLOPs (a note) and a student
// that does not save what it should (a warning). The wording is the guard's (src/cost/cost.ts, src/report/summary.ts).
import { costWarnings, type SummaryRow } from './summary.js';

/** Phrases the guard uses only when rounding explains the difference. */
const ROUNDING = /explained by input rounding|rounds to whole pixels|round small feature maps up/;
/** Phrases that mean the student does not save compute. */
const FAULT = /saves nothing|does not save|check that the student really reads/;

export function costChecks(rows: SummaryRow[]): { notes: string[]; warnings: string[] } {
  const all = costWarnings(rows);
  const isNote = (w: string) => ROUNDING.test(w) && !FAULT.test(w);
  return { notes: all.filter(isNote), warnings: all.filter((w) => !isNote(w)) };
}
