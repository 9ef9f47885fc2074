#!/usr/bin/env node
// Ablation: reruns every KD run of a finished experiment with initFromTeacher off (student from scratch), the
// rest of its spec unchanged, and evaluates it as the experiment did; prints one line per run.
// Usage: node scripts/kd-without-init.mjs <experiment out dir>   (runs land in <dir>/ablation-no-init/<key>)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runJob } from '../dist/job.js';
import { native } from '../dist/native.js';

const dir = path.resolve(process.argv[2] ?? '');
const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8'));
native().setThreads(JSON.parse(native().versions()).usableCores);
for (const run of plan.runs.filter((r) => r.method === 'kd')) {
  const [train, evaluate] = run.steps;
  const r = await runJob(train.kind, { ...train.spec, outDir: path.join(dir, 'ablation-no-init', run.key), resume: true, initFromTeacher: false });
  const ev = await runJob('eval', { ...evaluate.spec, checkpoint: r.bestCheckpoint });
  console.log(`${run.label} without initFromTeacher: test accuracy ${ev.accuracy.toFixed(3)}, 95% CI [${ev.ci.accuracy.map((x) => x.toFixed(3)).join(', ')}]`);
}
