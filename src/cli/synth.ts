// `resdistill synth <out> [--seed N] [--slides-per-class N] [--json]`: writes the SYNTHETIC demo cohort.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { numberOption, RANGES } from '../util/numbers.js';
import { SYNTHETIC_DEFAULTS } from '../config/schema.js';
import { generateCohort } from '../slide/synth.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('write a deterministic SYNTHETIC cohort of small pyramidal TIFF slides (the demo data) with cohort.csv')
    .argument('<out>', 'output folder')
    .option('--seed <n>', 'random seed (same seed, same bytes)', numberOption('--seed', RANGES.seed), SYNTHETIC_DEFAULTS.seed)
    .option(
      '--slides-per-class <n>',
      "slides per class (the config's data.slidesPerClass)",
      numberOption('--slides-per-class', RANGES.count),
      SYNTHETIC_DEFAULTS.slidesPerClass,
    )
    .option('--classes <n>', 'number of classes (2 or 3)', numberOption('--classes', { min: 2, max: 3, integer: true }), 3)
    .option(
      '--mpp <um>',
      'level-0 microns per pixel of the slides written (0.25 = 40x, 0.5 = 20x)',
      numberOption('--mpp', RANGES.mpp),
      0.25,
    )
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill synth ./synthetic\n  $ resdistill synth ./synthetic --seed 7 --slides-per-class 6 --json',
    )
    .action(
      async (out: string, opts: { seed: number; slidesPerClass: number; classes: number; mpp: number; json?: boolean; quiet?: boolean }) =>
        runCommand(Boolean(opts.json), async () => {
          const showBar = !opts.json && !opts.quiet && process.stderr.isTTY;
          const bar = new cliProgress.SingleBar(
            { format: 'SYNTHETIC slides [{bar}] {percentage}% | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          let started = false;
          const controller = new AbortController();
          const onSigint = () => controller.abort();
          process.once('SIGINT', onSigint);
          try {
            const result = await generateCohort(
              { out, seed: opts.seed, slidesPerClass: opts.slidesPerClass, classes: opts.classes, mpp: opts.mpp },
              {
                signal: controller.signal,
                onEvent: (e) => {
                  if (!showBar || e.type !== 'progress') return;
                  if (!started) bar.start(Number(e.total), 0);
                  started = true;
                  bar.update(Number(e.done));
                },
              },
            );
            if (started) bar.stop();
            if (opts.json) printJson(result);
            else if (!opts.quiet) {
              process.stdout.write(`SYNTHETIC cohort (not patient data): ${result.slides} slides, seed ${result.seed}\n`);
              for (const c of result.classes) process.stdout.write(`  ${c.label}: fine: ${c.fineCue}; coarse: ${c.coarseCue}\n`);
              process.stdout.write(`cohort.csv: ${result.csv}\ncohort.json: ${result.manifest}\n`);
            }
          } finally {
            if (started) bar.stop();
            process.off('SIGINT', onSigint);
          }
        }),
    );
}
