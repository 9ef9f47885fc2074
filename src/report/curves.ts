// Training curves: each run's per-epoch training loss and validation loss and accuracy (from the training job's
// events), one small multiple per method, coloured by magnification, one line per seed.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG } from './plot-style.js';
import type { Results } from './results.js';
import { METHOD_LABELS } from './summary.js';

const METRICS = [
  { key: 'loss', label: 'train loss' },
  { key: 'valLoss', label: 'validation loss' },
  { key: 'valAccuracy', label: 'validation accuracy %' },
] as const;

/** Null when no run kept its history (an older results.json). */
export function trainingCurvesSpec(results: Results): TopLevelSpec | null {
  const values = results.runs.flatMap((r) =>
    (r.history ?? []).flatMap((e) =>
      METRICS.filter((m) => e[m.key] !== null).map((m) => ({
        method: METHOD_LABELS[r.method],
        mag: `${r.magnification}x`,
        magnification: r.magnification,
        run: `${r.method} ${r.magnification} ${r.seed} ${r.unlabeledFraction ?? 1}`,
        metric: m.label,
        epoch: e.epoch,
        value: m.key === 'valAccuracy' ? 100 * e[m.key]! : e[m.key]!,
      })),
    ),
  );
  if (values.length === 0) return null;
  const methods = [...new Set(results.runs.filter((r) => r.history?.length).map((r) => METHOD_LABELS[r.method]))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Training curves', subtitle: 'per epoch; one line per seed' },
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'right', direction: 'vertical' } },
    data: { values },
    facet: {
      row: { field: 'metric', type: 'nominal', title: null, sort: METRICS.map((m) => m.label) },
      column: { field: 'method', type: 'nominal', title: null, sort: methods },
    },
    spec: {
      width: 150,
      height: 90,
      mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
      encoding: {
        // Epochs are whole: ticks at integers only, however few epochs there were.
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd', titlePadding: 6 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'mag', type: 'nominal', title: 'magnification', sort: { field: 'magnification', order: 'descending' } },
        detail: { field: 'run', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

export const CURVES_CAPTION =
  "Each run's training loss (its method's loss: cross-entropy, or the distillation loss) and its validation loss and accuracy after every epoch, from the training job's events.";
