// Shared look of the report's plots: method colours and shapes, fonts, the dodge on log axes, and the mean ± std
// markers every accuracy plot draws.
import type { Method } from './results.js';
import { METHOD_LABELS, type SummaryRow } from './summary.js';

export const METHODS: Method[] = ['teacher', 'baseline', 'kd', 'kd+init', 'kd+at', 'kd-progressive', 'kd-unlabeled'];
// The references (majority class, colour reference) are not plotted; their entries only complete the records.
export const COLORS: Record<Method, string> = {
  teacher: '#333333',
  baseline: '#d6604d',
  kd: '#2166ac',
  'kd+init': '#7b3294',
  'kd+at': '#e08214',
  'kd-progressive': '#8c510a',
  'kd-unlabeled': '#1b9e77',
  'majority-class': '#999999',
  'colour-reference': '#bbbbbb',
};
export const SHAPES: Record<Method, string> = {
  teacher: 'diamond',
  baseline: 'square',
  kd: 'circle',
  'kd+init': 'cross',
  'kd+at': 'triangle-down',
  'kd-progressive': 'triangle-right',
  'kd-unlabeled': 'triangle-up',
  'majority-class': 'stroke',
  'colour-reference': 'stroke',
};
/** Spreads methods that share a magnification a little apart on log axes, so error bars do not overlap. */
export const DODGE: Record<Method, number> = {
  teacher: 1,
  baseline: 0.93,
  kd: 0.98,
  'kd+init': 1.035,
  'kd+at': 1.05,
  'kd-progressive': 1.065,
  'kd-unlabeled': 1.08,
  'majority-class': 1,
  'colour-reference': 1,
};

export const FONT = 'Helvetica Neue, Helvetica, Arial, sans-serif';
export const CONFIG = {
  font: FONT,
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eeeeee', titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' as const, direction: 'horizontal' as const },
  title: { fontSize: 14, anchor: 'start' as const, subtitleColor: '#666666', subtitleFontSize: 11 },
};

/** Colour and shape scales over the methods that were run (in the fixed order), so the legend lists only those. */
export function methodScales(ps: { method: string }[]): {
  color: { domain: string[]; range: string[] };
  shape: { domain: string[]; range: string[] };
} {
  const present = new Set(ps.map((p) => p.method));
  const run = METHODS.filter((m) => present.has(METHOD_LABELS[m]));
  const domain = run.map((m) => METHOD_LABELS[m]);
  return { color: { domain, range: run.map((m) => COLORS[m]) }, shape: { domain, range: run.map((m) => SHAPES[m]) } };
}

/** Tick values for a log axis over [lo, hi]: 1, 2 and 5 per decade when it spans little, 1 and 3 up to 3.5 decades, decades beyond. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  const steps = decades > 3.5 ? [1] : decades > 1.2 ? [1, 3] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of steps) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(3)));
    }
  }
  return out;
}

export interface Point {
  method: string;
  mag: string;
  magnification: number;
  gflops: number | null;
  x: number;
  acc: number;
  lo: number;
  hi: number;
  seeds: number;
}

/** What every accuracy plot's error bars are, for its caption. */
export const ERROR_BARS =
  'Error bars: 95% two-level interval (a group bootstrap resampling slides or patients, the independent unit, plus the seed-to-seed variance); mean ± std over seeds where a run kept no predictions.';

export function points(rows: SummaryRow[], x: (r: SummaryRow) => number | null): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const a = r.metrics.accuracy;
    const xv = x(r);
    if (!a || xv === null) continue;
    const std = a.std ?? 0;
    const gflops = r.flops === null ? null : r.flops / 1e9;
    // Error bars: the 95% two-level interval (ERROR_BARS); mean ± std without predictions.
    const [lo, hi] = a.ci ?? [a.mean - std, a.mean + std];
    out.push({
      method: METHOD_LABELS[r.method],
      mag: `${r.magnification}x`,
      magnification: r.magnification,
      gflops,
      x: xv,
      acc: 100 * a.mean,
      lo: 100 * lo,
      hi: 100 * hi,
      seeds: a.n,
    });
  }
  return out;
}

export const tooltip = [
  { field: 'method', title: 'method' },
  { field: 'mag', title: 'magnification' },
  { field: 'gflops', title: 'GFLOPs', format: '.3g' },
  { field: 'acc', title: 'accuracy %', format: '.1f' },
  { field: 'seeds', title: 'seeds' },
];

/** Room between tick labels and axis titles, so neither touches the other. */
export const AXIS = { titlePadding: 10, labelPadding: 4, labelOverlap: 'greedy' as const };

export function markers(ps: Point[], xTitle: string, xScale: object, yDomain: [number, number], axis?: object) {
  const scales = methodScales(ps);
  const x = { field: 'x', type: 'quantitative' as const, title: xTitle, scale: xScale, axis: { ...AXIS, ...(axis ?? {}) } };
  const y = {
    field: 'acc',
    type: 'quantitative' as const,
    title: 'Accuracy (%)',
    scale: { domain: yDomain, nice: false, zero: false },
    axis: AXIS,
  };
  const color = { field: 'method', type: 'nominal' as const, title: null, scale: scales.color };
  return [
    {
      mark: { type: 'rule' as const, strokeWidth: 1.5 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, color },
    },
    {
      mark: { type: 'point' as const, filled: true, size: 90, opacity: 1 },
      encoding: { x, y, color, shape: { field: 'method', type: 'nominal' as const, title: null, scale: scales.shape }, tooltip },
    },
  ];
}

export function yDomain(ps: Point[]): [number, number] {
  const lo = Math.min(...ps.map((p) => p.lo));
  const hi = Math.max(...ps.map((p) => p.hi));
  const pad = Math.max(2, (hi - lo) * 0.12);
  return [Math.max(0, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))];
}
