// `resdistill extract <config> --out <store> [--part i/N] [--json]`: resumable extraction with a progress bar and ETA.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { extract, loadExtractConfig, parsePart } from '../store.js';
import { printJson, runCommand } from './output.js';

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('build a multi-resolution store from image folders or slides; rerun the same command to resume after a kill')
    .argument('<config>', 'JSON config: { source, magnifications, samplesPerShard?, split?, threads? }')
    .requiredOption('--out <store>', 'store folder to write (or resume)')
    .option('--part <i/N>', 'write only part i of N (1-based); join the parts with `resdistill store merge`')
    .option('--json', 'print one JSON object (no progress bar)')
    .action(async (configFile: string, opts: { out: string; part?: string; json?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const config = loadExtractConfig(configFile);
        const part = opts.part ? parsePart(opts.part) : undefined;
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        const bar = opts.json
          ? null
          : new cliProgress.SingleBar(
              { format: 'extract |{bar}| {value}/{total} samples | {percentage}% | ETA {eta_formatted} | {shard}', etaBuffer: 50, hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
        try {
          const result = await extract(config, opts.out, {
            part,
            signal: controller.signal,
            onEvent: (e) => {
              if (!bar) return;
              if (e.type === 'plan') bar.start(Number(e.total), 0, { shard: '' });
              else if (e.type === 'progress') bar.update(Number(e.done), { shard: String(e.shard ?? '') });
            },
          });
          bar?.stop();
          if (opts.json) printJson(result);
          else {
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
