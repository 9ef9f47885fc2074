// writeReport: results.json -> results.csv, report.md, one SVG per plot and a self-contained report.html.
import path from 'node:path';
import { markdownPerClass, PER_CLASS_NOTE, perClass } from './per-class.js';
import { CURVES_CAPTION, trainingCurvesSpec } from './curves.js';
import { writeFileAtomic } from '../experiment/rundir.js';
import { escapeMarkdown } from './markdown.js';
import { renderHtml, type RenderedPlot } from './html.js';
import { plotSpecs, renderSvg } from './plots.js';
import { readResults, type Results } from './results.js';
import { type Answer, answer, type Comparison, comparisons } from './comparisons.js';
import { costWarnings, findings, mainRows, summarize, type SummaryRow } from './summary.js';
import { COMPARISON_NOTE, markdownComparisons, markdownTable, resultsCsv, TABLE_NOTE } from './tables.js';

export interface ReportFiles {
  dir: string;
  csv: string;
  markdown: string;
  html: string;
  svgs: string[];
  rows: SummaryRow[];
  table: string;
  comparisons: Comparison[];
  answer: Answer;
}

/** The Markdown report: title, SYNTHETIC warning when it applies, the answer, findings, the tables. */
export function markdownReport(results: Results, rows: SummaryRow[], comps: Comparison[], ans: Answer): string {
  const lines = [`# ${escapeMarkdown(results.experiment)}${results.synthetic ? ' (SYNTHETIC data)' : ''}`, ''];
  if (results.synthetic) lines.push('> **SYNTHETIC DATA**: generated slides, not tissue. These numbers demonstrate the pipeline only.', '');
  if (!results.complete) lines.push(`> **PARTIAL**: ${results.runs.length}${results.plannedRuns ? ` of ${results.plannedRuns}` : ''} runs have finished.`, '');
  lines.push(`**Answer**: ${ans.text}`, '');
  const facts = findings(rows);
  if (facts.length) lines.push(...facts.map((f) => `- ${f}`), '');
  const warnings = costWarnings(rows);
  if (warnings.length) lines.push(...warnings.map((w) => `> **FLOPs check**: ${w}`), '');
  lines.push(markdownTable(mainRows(rows)), '', TABLE_NOTE, '');
  const classes = markdownPerClass(perClass(results));
  if (classes) lines.push('## Per class', '', classes, '', PER_CLASS_NOTE, '');
  if (comps.length) lines.push('## Paired comparisons', '', markdownComparisons(comps), '', COMPARISON_NOTE, '');
  return lines.join('\n');
}

/** Renders every report file into `dir` (atomically, file by file) from parsed results. */
export async function writeReport(results: Results, dir: string): Promise<ReportFiles> {
  const rows = summarize(results);
  const comps = comparisons(results);
  const ans = answer(rows, comps, results.statistics.tolerance);
  const plots: RenderedPlot[] = [];
  const svgs: string[] = [];
  const curves = trainingCurvesSpec(results);
  const specs = [...plotSpecs(rows), ...(curves ? [{ id: 'training-curves' as const, title: 'Training curves', caption: CURVES_CAPTION, spec: curves }] : [])];
  for (const p of specs) {
    const svg = await renderSvg(p.spec);
    const file = path.join(dir, `${p.id}.svg`);
    writeFileAtomic(file, svg);
    svgs.push(file);
    plots.push({ id: p.id, title: p.title, caption: p.caption, svg });
  }
  const csv = path.join(dir, 'results.csv');
  writeFileAtomic(csv, resultsCsv(results));
  const markdown = path.join(dir, 'report.md');
  writeFileAtomic(markdown, markdownReport(results, rows, comps, ans));
  const html = path.join(dir, 'report.html');
  writeFileAtomic(html, renderHtml(results, rows, plots, comps, ans));
  return { dir, csv, markdown, html, svgs, rows, table: markdownTable(mainRows(rows)), comparisons: comps, answer: ans };
}

/** `resdistill report <dir>`: regenerates everything from `<dir>/results.json`; `tolerance` overrides the experiment's. */
export async function writeReportFromDir(dir: string, options: { tolerance?: number } = {}): Promise<ReportFiles> {
  const results = readResults(path.join(dir, 'results.json'));
  if (options.tolerance !== undefined) results.statistics.tolerance = options.tolerance;
  return writeReport(results, dir);
}

export { readResults, parseResults, type Results, type ResultRun } from './results.js';
export { summarize, paretoFront, type SummaryRow } from './summary.js';
export { comparisons, answer, type Comparison, type Answer } from './comparisons.js';
