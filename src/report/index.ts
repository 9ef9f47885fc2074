// writeReport: results.json -> results.csv, report.md, one SVG per plot and a self-contained report.html.
import path from 'node:path';
import { markdownPerClass, PER_CLASS_NOTE, perClass } from './per-class.js';
import { CURVES_CAPTION, trainingCurvesSpec } from './curves.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { escapeMarkdown } from './markdown.js';
import { renderHtml, type RenderedPlot } from './html.js';
import { plotSpecs, renderSvg } from './plots.js';
import { readResults, REFERENCE_METHODS, type Results } from './results.js';
import type { Metric } from '../stats/metrics.js';
import { type Answer, answer, teacherCheckLines } from './answer.js';
import { type Comparison, comparisons } from './comparisons.js';
import { findings, mainRows, summarize, type SummaryRow } from './summary.js';
import { costChecks } from './cost-notes.js';
import { markdownSweep, SWEEP_NOTE } from './sweep.js';
import { COMPARISON_NOTE, markdownComparisons, markdownTable, METRIC_COLUMNS, METRICS_NOTE, resultsCsv, TABLE_NOTE } from './tables.js';

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
  /** The answer, the teacher check and the statistics' warnings, one per line, as the CLI prints them. */
  answerLines: string[];
}

/** The Markdown report: title, SYNTHETIC warning when it applies, the answer, findings, the tables. */
export function markdownReport(results: Results, rows: SummaryRow[], comps: Comparison[], ans: Answer): string {
  const lines = [`# ${escapeMarkdown(results.experiment)}${results.synthetic ? ' (SYNTHETIC data)' : ''}`, ''];
  if (results.synthetic) lines.push('> **SYNTHETIC DATA**: generated slides, not tissue. These numbers demonstrate the pipeline only.', '');
  if (!results.complete)
    lines.push(`> **PARTIAL**: ${results.runs.length}${results.plannedRuns ? ` of ${results.plannedRuns}` : ''} runs have finished.`, '');
  lines.push(`**Answer**: ${ans.text}`, '');
  const checks = teacherCheckLines(ans, results);
  if (checks.length) lines.push(...checks.map((c) => `- ${c}`), '');
  if (ans.warnings.length) lines.push(...ans.warnings.map((w) => `> **Statistics**: ${w}`), '');
  const facts = findings(rows);
  if (facts.length) lines.push(...facts.map((f) => `- ${f}`), '');
  const { notes: costNotes, warnings } = costChecks(rows);
  if (warnings.length) lines.push(...warnings.map((w) => `> **FLOPs check**: ${w}`), '');
  if (costNotes.length) lines.push(...costNotes.map((w) => `FLOPs note: ${w}`), '');
  lines.push(markdownTable(mainRows(rows)), '', TABLE_NOTE, '');
  lines.push('## Metrics with intervals', '', markdownTable(mainRows(rows), METRIC_COLUMNS), '', METRICS_NOTE, '');
  const classes = markdownPerClass(perClass(results));
  if (classes) lines.push('## Per class', '', classes, '', PER_CLASS_NOTE, '');
  const sweep = markdownSweep(rows);
  if (sweep) lines.push('## Unlabeled pool sweep', '', sweep, '', SWEEP_NOTE, '');
  if (comps.length) lines.push('## Paired comparisons', '', markdownComparisons(comps, ans.metric), '', COMPARISON_NOTE, '');
  return lines.join('\n');
}

/** Renders every report file into `dir` (atomically, file by file) from parsed results. */
export async function writeReport(results: Results, dir: string): Promise<ReportFiles> {
  const rows = summarize(results);
  const comps = comparisons(results);
  const ans = answer(results, rows, comps);
  const plots: RenderedPlot[] = [];
  const svgs: string[] = [];
  const curves = trainingCurvesSpec(results);
  const specs = [
    ...plotSpecs(rows.filter((r) => !REFERENCE_METHODS.includes(r.method))),
    ...(curves ? [{ id: 'training-curves' as const, title: 'Training curves', caption: CURVES_CAPTION, spec: curves }] : []),
  ];
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
  const answerLines = [ans.text, ...teacherCheckLines(ans, results), ...ans.warnings.map((w) => `Warning: ${w}`)];
  return { dir, csv, markdown, html, svgs, rows, table: markdownTable(mainRows(rows)), comparisons: comps, answer: ans, answerLines };
}

/** `resdistill report <dir>`: regenerates everything from `<dir>/results.json`; `margin` (points) and `metric` override the experiment's. */
export async function writeReportFromDir(dir: string, options: { margin?: number; metric?: Metric } = {}): Promise<ReportFiles> {
  const results = readResults(path.join(dir, 'results.json'));
  if (options.margin !== undefined) results.statistics.margin = options.margin;
  if (options.metric !== undefined) results.statistics.metric = options.metric;
  return writeReport(results, dir);
}

export { readResults, parseResults, type Results, type ResultRun } from './results.js';
export { summarize, paretoFront, type SummaryRow } from './summary.js';
export { comparisons, type Comparison } from './comparisons.js';
export { answer, type Answer } from './answer.js';
