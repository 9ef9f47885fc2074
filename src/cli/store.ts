// `resdistill store info|verify|preview|merge`: look into, check, and join stores.
import { type Command, Option } from 'commander';
import { merge, verify } from '../store/store.js';
import { preview, storeInfo } from '../store/info.js';
import { numberOption, RANGES } from '../util/numbers.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

export function registerStore(program: Command): void {
  const store = program.command('store').description('inspect, check and merge multi-resolution stores');

  store
    .command('info')
    .argument('<store>', 'store folder')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', '\nExamples:\n  $ resdistill store info stores/lymphoma\n  $ resdistill store info stores/lymphoma --json')
    .description('magnifications, classes, shards and the split (per class and group counts)')
    .action(async (dir: string, opts: { json?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const i = storeInfo(dir);
        if (opts.json) return printJson(i);
        const out = process.stdout;
        out.write(
          `store      ${i.store}${i.complete ? '' : '  (INCOMPLETE)'}${i.part ? `  part ${i.part.index + 1}/${i.part.count}` : ''}\n`,
        );
        out.write(`samples    ${i.samples} in ${i.shards} shards, ${(i.bytes / 1e6).toFixed(1)} MB\n`);
        for (const m of i.magnifications) {
          out.write(
            `view ${m.name.padEnd(5)} ${m.magnification}x (${m.mpp.toFixed(3)} um/px)${m.shape ? `  ${m.shape[1]}x${m.shape[0]} px` : ''}\n`,
          );
        }
        out.write(`classes    ${i.classes.join(', ')}\n`);
        for (const [name, s] of Object.entries(i.splits)) {
          const per = Object.entries(s.perClass)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          const unknown = s.unreadable ? `, ${s.unreadable} of unknown class (index unreadable)` : '';
          out.write(`${name.padEnd(10)} ${s.samples} samples, ${s.groups} groups${per ? ` (${per}${unknown})` : unknown}\n`);
        }
        for (const p of i.problems) out.write(`problem    ${p}\n`);
      }),
    );

  store
    .command('verify')
    .argument('<store>', 'store folder')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill store verify stores/lymphoma\n  $ resdistill store verify stores/lymphoma --json   # { ok, samples, magnifications, problems }',
    )
    .description('check every shard, index and member checksum; exits 1 if anything is wrong')
    .action(async (dir: string, opts: { json?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const r = await verify(dir);
        if (opts.json) printJson(r);
        else {
          process.stdout.write(`${r.ok ? 'ok' : 'CORRUPT'}: ${r.samples} samples at ${r.magnifications.map((m) => `${m}x`).join(', ')}\n`);
          for (const p of r.problems) process.stdout.write(`  - ${p}\n`);
        }
        if (!r.ok) process.exitCode = 1;
      }),
    );

  store
    .command('preview')
    .argument('<store>', 'store folder')
    .addOption(flags.pngOut('PNG to write', 'preview.png'))
    .option('--samples <n>', 'rows (samples spread over the split)', numberOption('--samples', RANGES.count), 8)
    .addOption(new Option('--split <name>', 'which split').choices(['train', 'val', 'test', 'unlabeled', 'all']).default('all'))
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill store preview stores/lymphoma --out preview.png\n  $ resdistill store preview stores/lymphoma --split test --samples 4 --out test.png --json',
    )
    .description('write a PNG contact sheet: rows are samples, columns magnifications (stored pixel sizes)')
    .action(async (dir: string, opts: { out: string; samples: number; split: string; json?: boolean; quiet?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const r = preview(dir, opts.out, { samples: opts.samples, split: opts.split });
        if (opts.json) printJson(r);
        else if (!opts.quiet)
          process.stdout.write(`wrote ${r.out} (${r.rows.length} samples x ${r.columns} magnifications, ${r.width}x${r.height})\n`);
      }),
    );

  store
    .command('merge')
    .argument('<out>', 'store folder to write')
    .argument('<parts...>', 'the part stores from `extract --part i/N`')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill store merge stores/luad stores/luad-part1 stores/luad-part2\n  $ resdistill store merge stores/luad parts/* --json',
    )
    .description('join part stores into one (byte-identical to a single-machine extraction)')
    .action(async (out: string, parts: string[], opts: { json?: boolean; quiet?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const r = await merge(out, parts);
        if (opts.json) printJson(r);
        else if (!opts.quiet)
          process.stdout.write(`merged ${parts.length} parts into ${r.out}: ${r.samples} samples, ${r.shards} shards\n`);
      }),
    );
}
