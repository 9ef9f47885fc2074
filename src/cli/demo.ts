// `resdistill demo`: the main job on the embedded default: the SYNTHETIC slide cohort (generated offline,
// deterministic) through extraction, teacher, baselines, distilled students, evaluation, cost and report.
import type { Command } from 'commander';
import path from 'node:path';
import { packageRoot } from '../native/addon.js';
import { flags } from './flags.js';
import { runCommand } from './output.js';
import { type RunOpts, runExperimentCommand } from './run.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded default: a SYNTHETIC slide cohort, offline, no arguments (resumable)')
    .option('--out <dir>', 'run directory', 'resdistill-runs/demo')
    .addOption(flags.device('where training runs', 'auto'))
    .addOption(flags.threads())
    .option(
      '--force',
      "go on in an --out that holds another config's run, keeping its config.json and results.json in <out>/previous-<time>/",
    )
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill demo\n  $ resdistill demo --out /tmp/demo --quiet && open /tmp/demo/report.html\n  $ resdistill demo --json > summary.json',
    )
    .action(async (opts: RunOpts) =>
      runCommand(Boolean(opts.json), () => runExperimentCommand(path.join(packageRoot, 'experiments', 'demo.json'), opts)),
    );
}
