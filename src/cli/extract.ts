// `resdistill extract <config> --out <store> [--part i/N]`: resumable extraction with a progress bar and ETA.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { extract, loadExtractConfig, type Part, parsePart } from '../store/store.js';
import { groupingWarnings } from '../config/grouping.js';
import { numberOption, RANGES } from '../util/numbers.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

const EXAMPLES = `
The config is an experiment config (JSON or YAML): extract reads its data and magnifications sections and ignores
the rest, so the file you give \`resdistill run\` works here too; so does a file holding just the data section.

Examples:
  $ resdistill extract experiments/lymphoma.json --out stores/lymphoma
  $ resdistill extract data.yaml --out stores/luad --part 1/4        # on machine 1 of 4; then resdistill store merge
  $ resdistill extract data.yaml --out stores/luad --json > extract.json`;

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('build a multi-resolution store from image folders or slides; rerun the same command to resume after a kill')
    .argument('<config>', 'experiment config (.json, .yaml or .yml), or just its data section')
    .requiredOption('--out <store>', 'store folder to write (or resume)')
    .option('--part <i/N>', 'write only part i of N (1-based); join the parts with `resdistill store merge`', parsePart)
    .option(
      '--samples-per-shard <n>',
      'samples per tar shard, the unit of resumption (default 32)',
      numberOption('--samples-per-shard', RANGES.count),
    )
    .addOption(flags.threads())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', EXAMPLES)
    .action(
      async (
        configFile: string,
        opts: { out: string; part?: Part; samplesPerShard?: number; threads?: number; json?: boolean; quiet?: boolean },
      ) =>
        runCommand(Boolean(opts.json), async () => {
          const loaded = loadExtractConfig(configFile);
          const config = opts.threads ? { ...loaded, threads: opts.threads } : loaded;
          for (const w of groupingWarnings(config)) process.stderr.write(`warning: ${w}\n`);
          const part = opts.part;
          const controller = new AbortController();
          const onSignal = () => controller.abort();
          process.once('SIGINT', onSignal);
          const bar =
            opts.json || opts.quiet
              ? null
              : new cliProgress.SingleBar(
                  {
                    format: 'extract |{bar}| {value}/{total} samples | {percentage}% | ETA {eta_formatted} | {shard}',
                    etaBuffer: 50,
                    hideCursor: true,
                  },
                  cliProgress.Presets.shades_classic,
                );
          try {
            const result = await extract(config, opts.out, {
              part,
              ...(opts.samplesPerShard ? { samplesPerShard: opts.samplesPerShard } : {}),
              signal: controller.signal,
              onEvent: (e) => {
                if (!bar) return;
                if (e.type === 'plan') bar.start(Number(e.total), 0, { shard: '' });
                else if (e.type === 'progress') bar.update(Number(e.done), { shard: String(e.shard ?? '') });
              },
            });
            bar?.stop();
            if (opts.json) printJson(result);
            else if (!opts.quiet) {
              const what = result.complete ? 'store complete' : `part ${(result.part?.index ?? 0) + 1}/${result.part?.count ?? 1} complete`;
              process.stdout.write(
                `${what}: ${result.out}\n  ${result.samples} samples in ${result.shards} shards (${result.shardsWritten} written, ` +
                  `${result.shardsSkipped} already done) at ${result.magnifications.map((m) => `${m}x`).join(', ')}; classes ${result.classes.join(', ')}\n`,
              );
            }
          } finally {
            bar?.stop();
            process.removeListener('SIGINT', onSignal);
          }
        }),
    );
}
