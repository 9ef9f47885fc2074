#!/usr/bin/env node
// Why plain KD does or does not beat the baseline at one magnification of a finished experiment: reruns its kd and
// baseline runs (every seed) with longer training, and kd without the pixel term, on the same store and test split,
// and prints accuracies with two-level intervals (groups resampled, the seeds' spread added: src/stats/bootstrap.ts)
// and paired differences against the baseline, seed by seed.
// Usage: node scripts/kd-ablation.mjs <experiment out dir> <magnification> [epochs multiplier, default 3]
// Runs land in <dir>/ablation/<variant>/<key> and resume when rerun.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkpointOf } from '../dist/experiment/layout.js';
import { runJob } from '../dist/native/job.js';
import { bootstrapMetrics, pairedDifference, sampleDesign } from '../dist/stats/bootstrap.js';

const [dir, magArg, multArg] = process.argv.slice(2);
if (!dir || !magArg) {
  console.error('usage: node scripts/kd-ablation.mjs <experiment out dir> <magnification> [epochs multiplier]');
  process.exit(2);
}
const mag = Number(magArg);
const mult = Number(multArg ?? 3);
const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8'));
const runs = plan.runs.filter((r) => r.magnification === mag && (r.method === 'kd' || r.method === 'baseline'));
if (runs.length === 0) throw new Error(`no kd or baseline runs at ${mag}x in ${dir}`);

// Each kd variant is compared with the baseline trained as long (its `baseline` variant).
const variants = [
  { name: 'as planned', methods: ['baseline', 'kd'], change: () => ({}) },
  { name: `epochs x${mult}`, methods: ['baseline', 'kd'], change: (s) => ({ epochs: s.epochs * mult }) },
  { name: 'kd without the pixel term (wPx 0)', methods: ['kd'], baseline: 'as planned', change: (s) => ({ loss: { ...s.loss, wPx: 0 } }) },
  {
    name: `kd without the pixel term, epochs x${mult}`,
    methods: ['kd'],
    baseline: `epochs x${mult}`,
    change: (s) => ({ epochs: s.epochs * mult, loss: { ...s.loss, wPx: 0 } }),
  },
];

const samplesOf = async (run, variant) => {
  const [train, evaluation] = run.steps;
  const outDir =
    variant.name === 'as planned' ? train.spec.out : path.join(dir, 'ablation', variant.name.replace(/[^a-z0-9]+/gi, '-'), run.key);
  await runJob(train.kind, { ...train.spec, ...variant.change(train.spec), out: outDir, resume: true });
  const e = await runJob(evaluation.kind, { ...evaluation.spec, checkpoint: checkpointOf(outDir) });
  return e.samples;
};

const rows = [];
for (const variant of variants) {
  const byMethod = {};
  for (const method of variant.methods) {
    byMethod[method] = { runs: [], seeds: [] };
    for (const run of runs.filter((r) => r.method === method)) {
      process.stderr.write(`${variant.name}: ${run.label}\n`);
      byMethod[method].runs.push(await samplesOf(run, variant));
      byMethod[method].seeds.push(run.seed);
    }
  }
  const design = (runs, seeds, units) => sampleDesign(runs, seeds, 3, units);
  for (const method of variant.methods) {
    const own = byMethod[method];
    const est = bootstrapMetrics(sampleDesign(own.runs, own.seeds, 3), 2000, 0).accuracy;
    const base = byMethod.baseline ?? rows.find((r) => r.variant === variant.baseline && r.method === 'baseline')?.samples;
    const diff = method === 'kd' && base ? pairedDifference(own, base, design, 2000, 0).metrics.accuracy : null;
    rows.push({ variant: variant.name, method, samples: own, est, diff });
  }
}
const pct = (x) => (100 * x).toFixed(1);
const sgn = (x) => `${x >= 0 ? '+' : ''}${pct(x)}`;
console.log(`| variant (${mag}x) | method | accuracy % [95% CI] | kd − baseline as long (points) [95% CI], p |`);
console.log('| --- | --- | ---: | ---: |');
for (const r of rows) {
  const d = r.diff ? `${sgn(r.diff.value)} [${sgn(r.diff.ci[0])}, ${sgn(r.diff.ci[1])}], p ${r.diff.p.toFixed(3)}` : '';
  console.log(`| ${r.variant} | ${r.method} | ${pct(r.est.value)} [${pct(r.est.ci[0])}, ${pct(r.est.ci[1])}] | ${d} |`);
}
