// `resdistill run <experiment> --out <dir>`, `resdistill report <dir>` and `resdistill schema`.
import { type Command, Option } from 'commander';
import path from 'node:path';
import { fromNative, makeError } from '../util/errors.js';
import { experimentJsonSchema } from '../config/schema.js';
import { loadExperiment, type ResolvedExperiment } from '../config/load.js';
import { followExperiment } from '../experiment/follower.js';
import { isLeader } from '../experiment/nodes.js';
import { groupingWarnings } from '../config/grouping.js';
import { runExperiment } from '../experiment/runner.js';
import { native, nativeVersions } from '../native/addon.js';
import { numberOption, parseNumber, RANGES } from '../util/numbers.js';
import { writeReport, writeReportFromDir } from '../report/index.js';
import { readResults } from '../report/results.js';
import { compareExperiments, experimentDifferenceTable } from '../report/compare-experiments.js';
import { concreteDevice, type Device, parseDevice, parseDeviceList, type RunDevice } from '../native/device.js';
import { flags } from './flags.js';
import { type Metric, METRICS } from '../stats/metrics.js';
import { printJson, runCommand } from './output.js';
import { progressListener } from './run-progress.js';
import { runSpread, type SpreadFlags } from './run-spread.js';

export interface RunOpts extends SpreadFlags {
  out: string;
  json?: boolean;
  quiet?: boolean;
  device?: Device;
  threads?: number;
  margin?: number;
  metric?: Metric;
  force?: boolean;
}

/** --margin in points of the metric (1 = one percentage point), the unit of evaluation.margin. */
const marginPoints = (text: string): number => parseNumber(text, '--margin', RANGES.points);
const MARGIN_HELP =
  "non-inferiority margin in points of the metric: a student keeps the teacher's accuracy when the one-sided 95% lower bound of student - teacher is above -margin";
const metricOption = (where: string) =>
  new Option('--metric <name>', `the headline metric of the answer (default: ${where}, accuracy)`).choices([...METRICS]);

/** `auto` becomes cuda when the addon's LibTorch sees a GPU; threads default to every usable core. */
function prepareDevice(config: ResolvedExperiment, opts: RunOpts): RunDevice {
  const v = nativeVersions();
  native().setThreads(opts.threads ?? config.threads ?? v.usableCores);
  return concreteDevice(opts.device ?? parseDevice(config.device, 'device'), v.libtorch.cuda.available);
}

const RUN_EXAMPLES = `
Examples:
  $ resdistill run experiments/demo.json --out runs/demo
  $ resdistill run my-luad.yaml --out /scratch/luad --json > summary.json
  $ resdistill run experiments/demo.json --out runs/demo     # again: finished runs are skipped, interrupted ones resume
  $ resdistill report runs/demo                             # rebuild report.html from runs/demo/results.json
  $ resdistill schema > experiment.schema.json              # JSON Schema for editor completion
  $ resdistill run experiments/demo.json --out runs/demo --parallel 2         # 2 runs at once (students wait for their teacher)
  $ resdistill run experiments/demo.json --out runs/demo --nproc-per-node 2   # each training step on 2 data-parallel ranks
  $ resdistill run experiments/luad.json --out runs/luad --devices cuda:0,cuda:1,cuda:2,cuda:3   # 4 runs at once, one GPU each
  $ resdistill run experiments/luad.json --out runs/luad --devices cuda:0,cuda:1,cuda:2,cuda:3 --nproc-per-node 2   # 2 runs at once, 2 ranks each
  $ resdistill run experiments/luad.json --out /shared/luad --nproc-per-node 8 --nnodes 2 --node-rank 0 --master-addr gpu-node-0 --master-port 29500
      # the same with --node-rank 1 on gpu-node-1: each training step on 16 ranks; node 0 runs the rest and writes`;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run an experiment: extract, teacher, then baseline, KD (and KD + teacher init, KD + unlabeled when asked) students per magnification and seed, evaluation, cost and report (resumable)',
    )
    .argument('<experiment>', 'experiment config (.json, .yaml or .yml)')
    .requiredOption('--out <dir>', 'run directory (created; rerunning in it resumes)')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addOption(flags.device('where training runs, overriding the config', "the config's, auto"))
    .addOption(flags.threads())
    .option('--margin <points>', `${MARGIN_HELP} (default: evaluation.margin, 1)`, marginPoints)
    .addOption(metricOption('evaluation.metric'))
    .option(
      '--parallel <k>',
      'independent runs at once, each in its own process with threads/k LibTorch threads (default 1)',
      numberOption('--parallel', RANGES.threads),
    )
    .option(
      '--devices <list>',
      "devices to spread the runs over, comma-separated (cuda:0,cuda:1; cpu may repeat): as many runs at once as devices, each job on its run's device; with --nproc-per-node N, N devices per run (one per rank; the count must be a multiple of N). Run keys keep the config's device",
      (t: string) => parseDeviceList(t),
    )
    .option(
      '--nproc-per-node <n>',
      'data-parallel ranks per training step on this machine (c10d: Gloo on CPU, NCCL on CUDA); batchSize is per rank',
      numberOption('--nproc-per-node', RANGES.threads),
    )
    .option(
      '--nnodes <m>',
      "machines training together: every training step runs on nnodes x nproc-per-node ranks; node 0 runs everything else and writes, on storage all machines share (default 1; under torchrun: its environment's RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT)",
      numberOption('--nnodes', RANGES.count),
    )
    .option(
      '--node-rank <r>',
      "this machine's index, 0 to nnodes - 1 (global rank = node-rank x nproc-per-node + local rank)",
      numberOption('--node-rank', RANGES.index),
    )
    .option('--master-addr <host>', "node 0's address, where every training step's ranks meet")
    .option(
      '--master-port <port>',
      'the port on node 0 where training steps meet; consecutive steps alternate with the next port (default 29500)',
      numberOption('--master-port', RANGES.port),
    )
    .option(
      '--force',
      "go on in an --out that holds another config's run: its config.json and results.json move to <out>/previous-<time>/ (without it: RUN_CONFIG_CHANGED)",
    )
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (file: string, opts: RunOpts) => runCommand(Boolean(opts.json), () => runExperimentCommand(file, opts)));

  program
    .command('report')
    .description('regenerate results.csv, report.md, the SVG plots and report.html from <dir>/results.json')
    .argument('<dir>', 'a run directory (or any folder holding a results.json)')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .option('--margin <points>', `${MARGIN_HELP} (default: the experiment's, 1)`, marginPoints)
    .addOption(metricOption("the experiment's"))
    .addHelpText('after', '\nExamples:\n  $ resdistill report runs/demo\n  $ resdistill report runs/demo --margin 2 --metric macroF1')
    .action(async (dir: string, opts: { json?: boolean; margin?: number; metric?: Metric }) =>
      runCommand(Boolean(opts.json), async () => {
        const report = await writeReportFromDir(path.resolve(dir), {
          ...(opts.margin !== undefined ? { margin: opts.margin } : {}),
          ...(opts.metric ? { metric: opts.metric } : {}),
        });
        if (opts.json)
          printJson({ report: report.html, markdown: report.markdown, csv: report.csv, plots: report.svgs, answer: report.answer });
        else process.stdout.write(`${report.table}\n\nAnswer: ${report.answerLines.join('\n')}\nreport: ${report.html}\n`);
      }),
    );

  program
    .command('compare')
    .description(
      'compare two experiments row by row (each method and magnification in both), B - A paired by seed and test unit: e.g. a config with and without data.stain',
    )
    .argument('<a>', 'the first run directory (or results.json)')
    .argument('<b>', 'the second; it must have the same test split (same data, splits and split seed)')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addOption(new Option('--metric <name>', 'the metric compared (default: accuracy)').choices([...METRICS]))
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill compare runs/lymphoma runs/lymphoma-macenko\n  $ resdistill compare runs/a runs/b --metric balancedAccuracy --json',
    )
    .action(async (a: string, b: string, opts: { json?: boolean; metric?: Metric }) =>
      runCommand(Boolean(opts.json), async () => {
        const metric = opts.metric ?? 'accuracy';
        const rows = compareExperiments(readResults(path.resolve(a)), readResults(path.resolve(b)), metric);
        if (opts.json) printJson({ a, b, metric, rows });
        else
          process.stdout.write(
            `${experimentDifferenceTable(rows, [path.basename(path.resolve(a)), path.basename(path.resolve(b))], metric)}\n`,
          );
      }),
    );

  program
    .command('schema')
    .description('print the JSON Schema of experiment configs (for editors: "$schema" in your config)')
    .option('--json', 'the schema is JSON already: accepted for uniformity')
    .option('--quiet', 'accepted for uniformity')
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill schema > experiment.schema.json\n  $ resdistill schema | jq .properties.magnifications',
    )
    .action(() => {
      process.stdout.write(`${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
    });
}

/** The body of `resdistill run`, shared with `resdistill demo`. */
export async function runExperimentCommand(file: string, opts: RunOpts): Promise<void> {
  const { processes, ...spread } = runSpread(opts, process.env, nativeVersions().libtorch.cuda.available); // usage first
  const config = loadExperiment(file);
  if (opts.margin !== undefined) config.evaluation.margin = opts.margin;
  if (opts.metric !== undefined) config.evaluation.metric = opts.metric;
  const device = prepareDevice(config, opts);
  for (const w of groupingWarnings(config)) process.stderr.write(`warning: ${w}\n`);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bars = opts.json || opts.quiet ? undefined : progressListener();
  try {
    const outDir = path.resolve(opts.out);
    const threads = Math.max(1, Math.floor(nativeVersions().threads / processes));
    if (spread.nodes && !isLeader(spread.nodes)) {
      bars?.stop();
      const { nodes } = spread;
      const follow = await followExperiment(config, {
        outDir,
        device,
        nodes,
        threads,
        signal: controller.signal,
        ...(spread.devices ? { devices: spread.devices[0] } : {}),
      });
      const ranks = { first: nodes.firstRank, last: nodes.firstRank + nodes.nproc - 1, world: nodes.world };
      if (opts.json) printJson({ outDir, device, ranks, trained: follow.trained.length, skipped: follow.skipped.length });
      else if (!opts.quiet)
        process.stdout.write(
          `ranks ${ranks.first}-${ranks.last} of ${ranks.world}: took part in ${follow.trained.length} training steps (${follow.skipped.length} finished before); global rank 0's machine writes the results to ${outDir}\n`,
        );
      return;
    }
    let summary: Awaited<ReturnType<typeof runExperiment>>;
    try {
      summary = await runExperiment(config, {
        outDir,
        device,
        signal: controller.signal,
        threads,
        force: Boolean(opts.force),
        ...spread,
        ...(bars ? { listener: bars } : {}),
      });
    } catch (e) {
      const error = fromNative(e);
      // Ctrl-C: what finished is on disk, and the same command picks up from there.
      if (error.code === 'CANCELLED')
        throw makeError(
          'CANCELLED',
          `${error.message}. Finished runs and checkpoints are kept in ${outDir}: rerun the same command to resume.`,
          error,
        );
      throw e;
    }
    bars?.stop();
    if (summary.previous && !opts.json && !opts.quiet)
      process.stderr.write(`the config changed: the previous config.json and results.json are kept in ${summary.previous}\n`);
    const report = await writeReport(summary.results, outDir);
    if (opts.json) {
      printJson({
        outDir,
        device,
        ...(summary.previous ? { previous: summary.previous } : {}),
        runs: summary.plan.runs.length,
        executed: summary.executed.length,
        skipped: summary.skipped.length,
        report: report.html,
        csv: report.csv,
        results: path.join(outDir, 'results.json'),
        answer: report.answer,
      });
    } else if (!opts.quiet) {
      const synthetic = summary.results.synthetic ? ' (SYNTHETIC data)' : '';
      process.stdout.write(
        `\n${config.name}${synthetic}: ${summary.executed.length} runs done, ${summary.skipped.length} skipped (finished before)\n\n`,
      );
      process.stdout.write(`${report.table}\n\nAnswer: ${report.answerLines.join('\n')}\nreport: ${report.html}\n`);
    }
  } finally {
    bars?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
