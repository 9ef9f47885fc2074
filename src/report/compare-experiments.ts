// Two experiments that differ in one choice the plan cannot vary within a run (data.stain: another store), compared
// row by row: every method and magnification present in both, B - A paired by seed and by test unit, with the same
// two-level intervals as the report's own comparisons. The pairing needs the same test split on both sides (same
// source, split fractions and split seed); units present on one side only are dropped and counted.
import { ConfigError } from '../util/errors.js';
import { type Difference, pairedDifference, type RunSamples, sampleDesign } from '../stats/bootstrap.js';
import type { Metric } from '../stats/metrics.js';
import { METHOD_ORDER, type Method, type Results } from './results.js';
import { classesOf, samplesOf } from './summary.js';

export interface ExperimentDifference {
  method: Method;
  magnification: number;
  /** The metric on each side, every seed's predictions on the shared units (B - A is their difference). */
  a: number;
  b: number;
  /** B - A over every test sample; the interval resamples the independent units (groups, else samples) and seeds. */
  difference: Difference;
  /** Units (patients, slides or images) both sides share, and units present on one side only (dropped). */
  units: number;
  unmatched: number;
  runs: [number, number];
  pairedSeeds: boolean;
}

/** Pairing by unit is only meaningful on one test split: a sample id both sides hold must carry the same label. */
function checkSameTestSplit(a: RunSamples, b: RunSamples): void {
  const labels = new Map(a.ids.map((id, i) => [id, a.labels[i]]));
  const differ = b.ids.filter((id, i) => labels.has(id) && labels.get(id) !== b.labels[i]).length;
  if (differ > 0)
    throw new ConfigError(
      'CONFIG_INVALID',
      `the experiments have different test splits (${differ} test samples with the same id carry other labels): compare runs of the same data, split fractions and split seed`,
    );
}

/** Every row both experiments hold, teacher first, then references and students in the report's order. */
export function compareExperiments(a: Results, b: Results, metric: Metric): ExperimentDifference[] {
  if (a.classes && b.classes && a.classes.join('\u0000') !== b.classes.join('\u0000'))
    throw new ConfigError('CONFIG_INVALID', `the experiments have different classes (${a.classes.join(', ')} vs ${b.classes.join(', ')})`);
  const { resamples, seed } = a.statistics;
  const rows: ExperimentDifference[] = [];
  const keys = [...new Set(a.runs.map((r) => `${r.method}@${r.magnification}`))];
  const order = (k: string) => METHOD_ORDER.indexOf(k.split('@')[0] as Method);
  keys.sort((x, y) => order(x) - order(y) || Number(y.split('@')[1]) - Number(x.split('@')[1]));
  for (const key of keys) {
    const [method, mag] = [key.split('@')[0] as Method, Number(key.split('@')[1])];
    const pick = (r: Results) =>
      r.runs.filter(
        (x) => x.method === method && x.magnification === mag && (x.method !== 'kd-unlabeled' || (x.unlabeledFraction ?? 1) === 1),
      );
    const sa = samplesOf(pick(a));
    const sb = samplesOf(pick(b));
    if (!sa || !sb) continue;
    const k = Math.max(classesOf(sa.runs), classesOf(sb.runs));
    const design = (runs: RunSamples[], seeds: number[], units: string[]) => sampleDesign(runs, seeds, k, units);
    checkSameTestSplit(sa.runs[0]!, sb.runs[0]!);
    const d = pairedDifference(sb, sa, design, resamples, seed);
    rows.push({
      method,
      magnification: mag,
      a: d.points[1][metric],
      b: d.points[0][metric],
      difference: d.metrics[metric],
      units: d.units,
      unmatched: d.unmatched,
      runs: [d.runs[1], d.runs[0]],
      pairedSeeds: d.pairedSeeds,
    });
  }
  if (rows.length === 0)
    throw new ConfigError('CONFIG_INVALID', 'the two experiments share no row (method and magnification) with predictions');
  return rows;
}

const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** A Markdown table of the rows: each side's mean, B - A with its 95% interval and p. */
export function experimentDifferenceTable(rows: ExperimentDifference[], names: [string, string], metric: Metric): string {
  const head = `| method | mag | ${names[0]} ${metric} % | ${names[1]} ${metric} % | ${names[1]} − ${names[0]}, points [95% CI], p | units | seeds |`;
  const lines = rows.map((r) => {
    const d = r.difference;
    const ci = d.ci ? ` [${pts(d.ci[0])}, ${pts(d.ci[1])}]` : ' (no interval: one unit or one seed per side)';
    const p = d.p === null ? '' : `, p ${d.p < 0.001 ? '< 0.001' : d.p.toFixed(2)}`;
    const units = `${r.units}${r.unmatched ? ` (${r.unmatched} on one side only, dropped)` : ''}`;
    return `| ${r.method} | ${r.magnification}x | ${(100 * r.a).toFixed(1)} | ${(100 * r.b).toFixed(1)} | ${pts(d.value)}${ci}${p} | ${units} | ${r.runs[0]} / ${r.runs[1]}${r.pairedSeeds ? ' paired' : ''} |`;
  });
  return [head, '| --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}
