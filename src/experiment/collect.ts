// results.json from a plan and its done records: one entry per evaluated training run, with the cost of its
// magnification attached. Pure: the runner writes it, `resdistill report` reads it.
import { answer } from '../report/answer.js';
import { comparisons } from '../report/comparisons.js';
import type { ResultRun, Results } from '../report/results.js';
import { summarize } from '../report/summary.js';
import type { ResolvedExperiment } from '../config/load.js';
import type { Plan } from './plan.js';
import type { DoneRecord } from './rundir.js';

/** The training job's per-epoch events as the report's training curves read them. */
function historyOf(train: unknown): { history?: ResultRun['history'] } {
  const events = (
    train as { history?: { epoch?: number; loss?: number; val?: { loss?: number | null; accuracy?: number | null } }[] } | undefined
  )?.history;
  if (!Array.isArray(events)) return {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    history: events
      .filter((e) => typeof e.epoch === 'number')
      .map((e) => ({ epoch: e.epoch!, loss: num(e.loss), valLoss: num(e.val?.loss), valAccuracy: num(e.val?.accuracy) })),
  };
}

/** The record set of a plan's finished runs, as results.json. Runs without an eval are left out. */
export function collectResults(
  config: ResolvedExperiment,
  plan: Plan,
  records: Map<string, DoneRecord>,
  versions?: Record<string, unknown>,
  references: ResultRun[] = [],
): Results {
  const complete = plan.runs.every((r) => records.has(r.key));
  const cost = new Map<number, ResultRun['cost']>();
  for (const run of plan.runs) {
    const r = records.get(run.key)?.results.cost as
      { macs?: number; flops?: number; imagesPerSecond?: number; height?: number; width?: number } | undefined;
    if (run.kind === 'cost' && r && typeof r.macs === 'number') {
      const size = typeof r.height === 'number' && typeof r.width === 'number' ? { height: r.height, width: r.width } : {};
      cost.set(run.magnification as number, {
        macs: r.macs,
        flops: r.flops ?? 2 * r.macs,
        imagesPerSecond: r.imagesPerSecond ?? null,
        ...size,
      });
    }
  }
  const runs: ResultRun[] = [];
  for (const run of plan.runs) {
    const e = records.get(run.key)?.results.eval as Record<string, unknown> | undefined;
    if (run.kind !== 'train' || !e) continue;
    const num = (k: string) => (typeof e[k] === 'number' && Number.isFinite(e[k]) ? (e[k] as number) : null);
    const accuracy = num('accuracy');
    if (accuracy === null) continue;
    runs.push({
      method: run.method as ResultRun['method'],
      magnification: run.magnification as number,
      seed: run.seed as number,
      ...(run.unlabeledFraction !== undefined ? { unlabeledFraction: run.unlabeledFraction } : {}),
      key: run.key,
      metrics: {
        accuracy,
        balancedAccuracy: num('balancedAccuracy'),
        macroF1: num('macroF1'),
        macroPrecision: num('macroPrecision'),
        macroRecall: num('macroRecall'),
        auc: num('auc'),
        ci: (e.ci as Record<string, [number, number]>) ?? {},
      },
      ...(e.samples ? { samples: e.samples as ResultRun['samples'] } : {}),
      ...historyOf(records.get(run.key)?.results.train),
      cost: cost.get(run.magnification as number) ?? null,
    });
  }
  const classes = plan.runs
    .map((r) => (records.get(r.key)?.results.train as { labels?: string[] } | undefined)?.labels)
    .find(Array.isArray);
  const results: Results = {
    experiment: config.name,
    ...(classes ? { classes } : {}),
    synthetic: config.data.source === 'synthetic',
    teacherMagnification: config.magnifications.teacher,
    ...(config.description ? { dataDescription: config.description } : {}),
    generatedAt: new Date().toISOString(),
    complete,
    plannedRuns: plan.runs.filter((r) => r.kind === 'train').length,
    ...(versions ? { versions } : {}),
    statistics: { resamples: config.evaluation.bootstrap, seed: 0, margin: config.evaluation.margin, metric: config.evaluation.metric },
    runs: runs.some((r) => r.method === 'teacher') ? [...runs, ...references] : runs,
  };
  // The paired differences and the answer, as the report computes them, so results.json alone answers the question.
  const comps = comparisons(results);
  return { ...results, comparisons: comps, answer: answer(results, summarize(results), comps) };
}
