// The report's plots as Vega-Lite specs, rendered to SVG headlessly with vega (no browser, no canvas needed).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { AXIS, COLORS, CONFIG, DODGE, ERROR_BARS, logTicks, markers, methodScales, points, tooltip, yDomain } from './plot-style.js';
import { mainRows, METHOD_LABELS, paretoFront, type SummaryRow } from './summary.js';

/** Accuracy against GFLOPs (log), with the Pareto front of the mean points as a dashed staircase. */
export function accuracyVsFlopsSpec(rows: SummaryRow[]): TopLevelSpec | null {
  const main = mainRows(rows);
  const ps = points(main, (r) => (r.flops === null ? null : (r.flops / 1e9) * DODGE[r.method]));
  if (ps.length === 0) return null;
  const front = points(paretoFront(main), (r) => ((r.flops as number) / 1e9) * DODGE[r.method]);
  const labels = ps.filter((p) => p.method === METHOD_LABELS.teacher || p.method === METHOD_LABELS.baseline);
  const domain = yDomain(ps);
  const xs = ps.map((p) => p.x);
  const xScale = { type: 'log', domain: [Math.min(...xs) / 1.4, Math.max(...xs) * 1.4], nice: false };
  const xAxis = { values: logTicks(xScale.domain[0]!, xScale.domain[1]!), format: '~g' };
  // The front's name sits at its most accurate end, where it is easiest to find.
  const top = front.reduce((a, b) => (b.acc > a.acc ? b : a), front[0]!);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Accuracy vs compute', subtitle: 'dashed: the Pareto front; bars: 95% bootstrap intervals' },
    width: 460,
    height: 300,
    config: CONFIG,
    layer: [
      { data: { values: ps }, layer: markers(ps, 'GFLOPs per image (log scale)', xScale, domain, xAxis) },
      {
        data: { values: front },
        mark: { type: 'line', interpolate: 'step-after', strokeDash: [6, 3], color: '#222222', strokeWidth: 2, opacity: 0.75 },
        encoding: { x: { field: 'x', type: 'quantitative', scale: xScale }, y: { field: 'acc', type: 'quantitative' } },
      },
      ...(top
        ? [
            {
              data: { values: [top] },
              mark: {
                type: 'text',
                text: 'Pareto front',
                align: 'right',
                dx: -8,
                dy: -10,
                fontSize: 11,
                fontWeight: 'bold',
                color: '#222222',
              },
              encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'acc', type: 'quantitative' } },
            },
          ]
        : []),
      {
        data: { values: labels },
        mark: { type: 'text', dy: 16, fontSize: 11, color: '#555555' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, text: { field: 'mag' } },
      },
    ],
  } as TopLevelSpec;
}

/** Accuracy against magnification per method; the teacher as a point and a dashed reference line. */
export function accuracyVsMagnificationSpec(rows: SummaryRow[]): TopLevelSpec | null {
  const main = mainRows(rows);
  const ps = points(main, (r) => r.magnification * DODGE[r.method]);
  if (ps.length === 0) return null;
  const students = ps.filter((p) => p.method !== METHOD_LABELS.teacher);
  const teacher = ps.filter((p) => p.method === METHOD_LABELS.teacher);
  const mags = [...new Set(main.map((r) => r.magnification))].sort((a, b) => a - b);
  const xScale = { type: 'log', base: 2, domain: [(mags[0] as number) / 1.35, (mags[mags.length - 1] as number) * 1.35], nice: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Accuracy vs magnification', subtitle: 'dashed: the teacher; bars: 95% bootstrap intervals' },
    width: 460,
    height: 300,
    config: CONFIG,
    layer: [
      {
        data: { values: teacher },
        mark: { type: 'rule', strokeDash: [4, 4], color: COLORS.teacher, opacity: 0.6 },
        encoding: { y: { field: 'acc', type: 'quantitative' } },
      },
      {
        data: { values: students },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale },
          y: { field: 'acc', type: 'quantitative' },
          color: { field: 'method', type: 'nominal', title: null, scale: methodScales(ps).color },
        },
      },
      {
        data: { values: ps },
        layer: markers(ps, 'Magnification (log scale)', { ...xScale }, yDomain(ps), {
          values: mags,
          labelExpr: "datum.value + 'x'",
          grid: true,
        }),
      },
    ],
  } as TopLevelSpec;
}

/** Accuracy against the share of the unlabeled pool given to KD students, per magnification (only when swept). */
export function unlabeledSweepSpec(rows: SummaryRow[]): TopLevelSpec | null {
  const sweptMags = new Set(rows.filter((r) => r.unlabeledFraction !== null && r.unlabeledFraction < 1).map((r) => r.magnification));
  if (sweptMags.size === 0) return null;
  rows = rows.filter((r) => sweptMags.has(r.magnification));
  const curve = rows.filter((r) => r.method === 'kd-unlabeled' || r.method === 'kd');
  const ps = points(curve, (r) => 100 * (r.method === 'kd' ? 0 : (r.unlabeledFraction ?? 1))).sort(
    (a, b) => a.magnification - b.magnification || a.x - b.x,
  );
  const base = points(
    rows.filter((r) => r.method === 'baseline'),
    () => 0,
  );
  const color = { field: 'mag', type: 'nominal', title: 'magnification', sort: { field: 'magnification', order: 'descending' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Accuracy vs unlabeled-set size', subtitle: 'dashed: baseline at that magnification' },
    width: 460,
    height: 300,
    config: CONFIG,
    layer: [
      {
        data: { values: base },
        mark: { type: 'rule', strokeDash: [4, 4], opacity: 0.7 },
        encoding: { y: { field: 'acc', type: 'quantitative' }, color },
      },
      {
        data: { values: ps },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'Unlabeled pool used (%)', scale: { domain: [0, 100] }, axis: AXIS },
          y: { field: 'acc', type: 'quantitative', title: 'Accuracy (%)', scale: { zero: false }, axis: AXIS },
          color,
        },
        layer: [
          { mark: { type: 'line', point: { filled: true, size: 70 } }, encoding: { tooltip } },
          { mark: { type: 'rule' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** Compiles Vega-Lite and renders SVG without a browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface Plot {
  id: 'accuracy-vs-flops' | 'accuracy-vs-magnification' | 'unlabeled-sweep' | 'training-curves';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const CAPTIONS: Record<Exclude<Plot['id'], 'training-curves'>, string> = {
  'accuracy-vs-flops': `Accuracy (mean over seeds) against GFLOPs per image (log scale). The dashed staircase is the Pareto front: no other model is both cheaper and more accurate. Points at one magnification are spread slightly apart so their bars do not overlap. ${ERROR_BARS}`,
  'accuracy-vs-magnification': `Accuracy (mean over seeds) by input magnification; the dashed line is the teacher at its own magnification. ${ERROR_BARS}`,
  'unlabeled-sweep': `KD students trained with a growing share of the unlabeled pool (0% = labelled training images only, labels unused); dashed lines are the baselines. ${ERROR_BARS}`,
};

export function plotSpecs(rows: SummaryRow[]): Plot[] {
  const plots: (Plot | null)[] = [
    ((s) =>
      s ? { id: 'accuracy-vs-flops' as const, title: 'Accuracy vs GFLOPs', caption: CAPTIONS['accuracy-vs-flops'], spec: s } : null)(
      accuracyVsFlopsSpec(rows),
    ),
    ((s) =>
      s
        ? {
            id: 'accuracy-vs-magnification' as const,
            title: 'Accuracy vs magnification',
            caption: CAPTIONS['accuracy-vs-magnification'],
            spec: s,
          }
        : null)(accuracyVsMagnificationSpec(rows)),
    ((s) =>
      s
        ? { id: 'unlabeled-sweep' as const, title: 'Accuracy vs unlabeled-set size', caption: CAPTIONS['unlabeled-sweep'], spec: s }
        : null)(unlabeledSweepSpec(rows)),
  ];
  return plots.filter((p): p is Plot => p !== null);
}
