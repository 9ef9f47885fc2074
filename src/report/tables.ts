// Tables: results.csv (one row per run), and the summary (mean ± std over seeds with CIs) as Markdown and HTML.
import { METHOD_LABELS, type Stat, type SummaryRow } from './summary.js';
import type { Results } from './results.js';

const CSV_METRICS = ['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'auc'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per run with every metric, its CI bounds, and MACs/FLOPs/images per second. */
export function resultsCsv(results: Results): string {
  const header = [
    'method', 'magnification', 'seed', 'unlabeled_fraction',
    ...CSV_METRICS.flatMap((m) => [m, `${m}_ci_low`, `${m}_ci_high`]),
    'macs', 'flops', 'images_per_second', 'key',
  ];
  const lines = results.runs.map((r) =>
    [
      r.method, r.magnification, r.seed, r.unlabeledFraction,
      ...CSV_METRICS.flatMap((m) => [r.metrics[m], r.metrics.ci[m]?.[0], r.metrics.ci[m]?.[1]]),
      r.cost?.macs, r.cost?.flops, r.cost?.imagesPerSecond, r.key,
    ].map(csvCell).join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
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
  { header: 'Accuracy %', cell: (r) => meanStd(r.metrics.accuracy, true), numeric: true },
  { header: 'Accuracy 95% CI', cell: (r) => ci(r.metrics.accuracy, true), numeric: true },
  { header: 'Balanced acc. %', cell: (r) => meanStd(r.metrics.balancedAccuracy, true), numeric: true },
  { header: 'Macro F1 %', cell: (r) => meanStd(r.metrics.macroF1, true), numeric: true },
  { header: 'Macro F1 95% CI', cell: (r) => ci(r.metrics.macroF1, true), numeric: true },
  { header: 'AUC', cell: (r) => meanStd(r.metrics.auc, false), numeric: true },
  { header: 'Seeds', cell: (r) => String(r.seeds.length), numeric: true },
];

export const TABLE_NOTE =
  'Metrics: mean ± sample std over seeds, on the held-out split. 95% CI: per-seed bootstrap interval, bounds averaged over seeds. ' +
  'Macro precision and recall, and every per-seed value, are in results.csv. ' +
  'GFLOPs: 2 x multiply-accumulates of convolutions and linear layers per image at the real input size (MACs = GFLOPs / 2).';

export function markdownTable(rows: SummaryRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${COLUMNS.map((c) => c.header).join(' | ')} |`;
  const rule = `| ${COLUMNS.map((c) => (c.numeric ? '---:' : '---')).join(' | ')} |`;
  const body = rows.map((r) => `| ${COLUMNS.map((c) => esc(c.cell(r))).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The same table as HTML; rows carry data-method for styling and tests. */
export function htmlTable(rows: SummaryRow[]): string {
  const head = COLUMNS.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map((r) => `<tr data-method="${r.method}">${COLUMNS.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.cell(r))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table id="results-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
