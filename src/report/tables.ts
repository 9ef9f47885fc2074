// Tables: results.csv (one row per run), the summary (mean ± std over seeds, two-level 95% CIs) and the paired
// comparisons, as Markdown and HTML.
import { csvText } from '../util/csv.js';
import type { Difference, Estimate } from '../stats/bootstrap.js';
import type { Metric } from '../stats/metrics.js';
import { METRIC_LABELS } from './answer.js';
import type { Comparison } from './comparisons.js';
import { METHOD_LABELS, type Stat, type SummaryRow } from './summary.js';
import type { Results } from './results.js';

const CSV_METRICS = ['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'auc'] as const;

/**
 * One line per run with every metric, its CI bounds (only for metrics that have them: no always-empty columns), and
 * MACs/FLOPs/images per second. Columns are results.json's field names (camelCase), like every output.
 */
export function resultsCsv(results: Results): string {
  const withCi = CSV_METRICS.filter((m) => results.runs.some((r) => r.metrics.ci[m] !== undefined));
  const header = [
    'method',
    'magnification',
    'seed',
    'unlabeledFraction',
    ...CSV_METRICS.flatMap((m) => (withCi.includes(m) ? [m, `${m}CiLow`, `${m}CiHigh`] : [m])),
    'macs',
    'flops',
    'imagesPerSecond',
    'key',
  ];
  const lines = results.runs.map((r) => [
    r.method,
    r.magnification,
    r.seed,
    r.unlabeledFraction,
    ...CSV_METRICS.flatMap((m) => (withCi.includes(m) ? [r.metrics[m], r.metrics.ci[m]?.[0], r.metrics.ci[m]?.[1]] : [r.metrics[m]])),
    r.cost?.macs,
    r.cost?.flops,
    r.cost?.imagesPerSecond,
    r.key,
  ]);
  return csvText(header, lines);
}

/** The table's columns: header text and how a row fills it (plain text; Markdown and HTML share them). */
interface Column {
  header: string;
  cell: (r: SummaryRow) => string;
  numeric?: boolean;
}

const pct = (x: number) => (100 * x).toFixed(1);

function meanStd(s: Stat | null, percent: boolean): string {
  if (!s) return '–';
  const f = percent ? pct : (x: number) => x.toFixed(3);
  return s.std === null ? f(s.mean) : `${f(s.mean)} ± ${f(s.std)}`;
}

function ci(s: Stat | null, percent: boolean): string {
  if (!s?.ci) return '–';
  const f = percent ? pct : (x: number) => x.toFixed(3);
  return `[${f(s.ci[0])}, ${f(s.ci[1])}]`;
}

export function methodLabel(r: SummaryRow): string {
  const base = METHOD_LABELS[r.method];
  return r.unlabeledFraction !== null && r.unlabeledFraction < 1 ? `${base} (${Math.round(r.unlabeledFraction * 100)}%)` : base;
}

export function formatReduction(x: number | null): string {
  if (x === null) return '–';
  if (Math.abs(x - 1) < 1e-9) return '1 (teacher)';
  return x >= 1 ? `1/${x.toFixed(x < 10 ? 1 : 0)}` : `${(1 / x).toFixed(1)}x more`;
}

export const COLUMNS: Column[] = [
  { header: 'Method', cell: methodLabel },
  { header: 'Mag.', cell: (r) => `${r.magnification}x`, numeric: true },
  { header: 'GFLOPs', cell: (r) => (r.flops === null ? '–' : (r.flops / 1e9).toPrecision(3)), numeric: true },
  { header: 'FLOPs vs teacher', cell: (r) => formatReduction(r.flopsReduction), numeric: true },
  {
    header: 'Images/s',
    cell: (r) =>
      r.imagesPerSecond === null
        ? '–'
        : r.imagesPerSecond >= 100
          ? String(Math.round(r.imagesPerSecond))
          : r.imagesPerSecond.toPrecision(3),
    numeric: true,
  },
  { header: 'Accuracy %', cell: (r) => meanStd(r.metrics.accuracy, true), numeric: true },
  { header: 'Accuracy 95% CI', cell: (r) => ci(r.metrics.accuracy, true), numeric: true },
  { header: 'Macro F1 %', cell: (r) => meanStd(r.metrics.macroF1, true), numeric: true },
  { header: 'Precision %', cell: (r) => meanStd(r.metrics.macroPrecision, true), numeric: true },
  { header: 'Recall %', cell: (r) => meanStd(r.metrics.macroRecall, true), numeric: true },
  { header: 'AUC', cell: (r) => meanStd(r.metrics.auc, false), numeric: true },
  { header: 'Group acc. % [95% CI]', cell: (r) => (r.groupLevel ? estimate(r.groupLevel.accuracy) : '–'), numeric: true },
  { header: 'Seeds', cell: (r) => String(r.seeds.length), numeric: true },
];

function estimate(e: Estimate): string {
  return `${pct(e.value)}${e.ci ? ` [${pct(e.ci[0])}, ${pct(e.ci[1])}]` : ''}`;
}

/** Every metric of a row on all seeds' predictions with its 95% interval: the paper's metrics (abstract) and AUC. */
function pooled(s: Stat | null, percent: boolean): string {
  if (!s?.ci) return '–';
  const f = percent ? pct : (x: number) => x.toFixed(3);
  return `${f(s.mean)} ${ci(s, percent)}`;
}

export const METRIC_COLUMNS: Column[] = [
  { header: 'Method', cell: methodLabel },
  { header: 'Mag.', cell: (r) => `${r.magnification}x`, numeric: true },
  ...(['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall'] as const).map((m) => ({
    header: `${METRIC_LABELS[m][0]!.toUpperCase()}${METRIC_LABELS[m].slice(1)} % [95% CI]`,
    cell: (r: SummaryRow) => pooled(r.metrics[m], true),
    numeric: true,
  })),
  { header: 'AUC [95% CI]', cell: (r) => pooled(r.metrics.auc, false), numeric: true },
];

export const METRICS_NOTE =
  'Every metric with its 95% two-level interval: mean over seeds [interval]. Accuracy, F1, precision and recall are the ' +
  "paper's metrics (DiPalma et al. 2021, abstract); macro averages over the classes present.";

export const TABLE_NOTE =
  'Metrics: mean ± sample std over seeds, on the held-out split; macro averages over the classes present. 95% CI: two levels, ' +
  "a group bootstrap on the predictions of all seeds pooled (resampling the independent unit, the store's group: patient or slide, " +
  'else the image, with all its samples) plus the seed-to-seed variance, as a t interval (Welch-Satterthwaite degrees of freedom); ' +
  'with one seed the seed variance is unknown and the interval holds the group part only. ' +
  'Group acc.: one prediction per group and seed (mean probability of its samples), with the same interval. ' +
  "Majority class and colour reference: what the teacher must beat (the training split's most frequent class; LDA on per-image colour mean and std). " +
  'Balanced accuracy and every per-seed value are in results.csv. ' +
  'GFLOPs: 2 x multiply-accumulates of convolutions and linear layers per image at the real input size (MACs = GFLOPs / 2). ' +
  'Images/s: measured forward throughput at that input size on the device the experiment ran on (batch 16, 3 repetitions).';

const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

const pValue = (p: number | null | undefined) => (p === null || p === undefined ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

function difference(d: Difference | undefined): string[] {
  if (!d) return ['–', '–'];
  const ci = d.ci ? ` [${points(d.ci[0])}, ${points(d.ci[1])}]` : '';
  return [`${points(d.value)}${ci}`, pValue(d.p)];
}

/** Against the teacher: the one-sided 95% lower bound and the one-sided p (non-inferiority, or superiority over a reference). */
function oneSided(c: Comparison, metric: Metric): string[] {
  const d = c.sample[metric];
  if (d.pNonInferior === undefined) return ['', ''];
  return [d.lower === null ? '–' : points(d.lower), pValue(d.pNonInferior)];
}

export function comparisonHeaders(metric: Metric): string[] {
  const name = METRIC_LABELS[metric];
  return [
    'Mag.',
    'Comparison',
    'Groups',
    'Seeds',
    `Δ ${name} (points) [95% CI]`,
    'p',
    'One-sided 95% lower bound',
    'One-sided p',
    `Δ group ${name} [95% CI]`,
    'p',
  ];
}

export function comparisonCells(c: Comparison, metric: Metric): string[] {
  return [
    `${c.magnification}x`,
    `${METHOD_LABELS[c.a]} − ${METHOD_LABELS[c.b]}`,
    String(c.units),
    `${c.runs[0]} / ${c.runs[1]}${c.pairedSeeds && c.runs[0] > 1 ? ' paired' : ''}`,
    ...difference(c.sample[metric]),
    ...oneSided(c, metric),
    ...difference(c.group?.[metric]),
  ];
}

export const COMPARISON_NOTE =
  'Paired differences A − B in percentage points, on the same test groups (each bootstrap resample draws groups with ' +
  'replacement and scores both methods on them), plus the seed-to-seed variance of the per-seed differences (students and the ' +
  'teacher of the same seed, paired); 95% t interval on Welch-Satterthwaite degrees of freedom; p: two-sided. ' +
  'Against the teacher, the one-sided columns test non-inferiority (H0: A − B ≤ −margin; the answer adjusts them with Holm over all candidates); ' +
  'teacher against a reference, superiority (H0: teacher − reference ≤ 0).';

export function markdownComparisons(comps: Comparison[], metric: Metric): string {
  const headers = comparisonHeaders(metric);
  const head = `| ${headers.join(' | ')} |`;
  const rule = `| ${headers.map((_, i) => (i === 1 ? '---' : '---:')).join(' | ')} |`;
  return [head, rule, ...comps.map((c) => `| ${comparisonCells(c, metric).join(' | ')} |`)].join('\n');
}

export function htmlComparisons(comps: Comparison[], metric: Metric): string {
  const head = comparisonHeaders(metric)
    .map((h, i) => `<th${i === 1 ? '' : ' class="num"'}>${escapeHtml(h)}</th>`)
    .join('');
  const body = comps
    .map(
      (c) =>
        `<tr data-a="${c.a}" data-b="${c.b}">${comparisonCells(c, metric)
          .map((v, i) => `<td${i === 1 ? '' : ' class="num"'}>${escapeHtml(v)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table id="comparisons-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export function markdownTable(rows: SummaryRow[], columns: Column[] = COLUMNS): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${columns.map((c) => c.header).join(' | ')} |`;
  const rule = `| ${columns.map((c) => (c.numeric ? '---:' : '---')).join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((c) => esc(c.cell(r))).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The same table as HTML; rows carry data-method for styling and tests. */
export function htmlTable(rows: SummaryRow[], columns: Column[] = COLUMNS, id = 'results-table'): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr data-method="${r.method}">${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.cell(r))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table id="${id}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
