// `resdistill demo`: the main job on the embedded default: the SYNTHETIC slide cohort (generated offline,
// deterministic) through extraction, teacher, baselines, distilled students, evaluation, cost and report.
import type { Command } from 'commander';
import path from 'node:path';
import { packageRoot } from '../native.js';
import { runCommand } from './output.js';
import { runExperimentCommand } from './run.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded default: a SYNTHETIC slide cohort, offline, no arguments (resumable)')
    .option('--out <dir>', 'run directory', 'resdistill-runs/demo')
    .option('--json', 'print one JSON object')
    .action(async (opts: { out: string; json?: boolean }) =>
      runCommand(Boolean(opts.json), () =>
        runExperimentCommand(path.join(packageRoot, 'experiments', 'demo.json'), { out: opts.out, ...(opts.json ? { json: true } : {}) }),
      ),
    );
}
