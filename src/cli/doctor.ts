// `resdistill doctor [--json]`
import type { Command } from 'commander';
import { doctor } from '../native/doctor.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Node, the native addon, LibTorch (version, CUDA, threads) and OpenSlide; exits 1 on problems')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', '\nExamples:\n  $ resdistill doctor\n  $ resdistill doctor --json | jq .libtorch')
    .action(async (opts: { json?: boolean }) =>
      runCommand(Boolean(opts.json), async () => {
        const r = await doctor();
        if (opts.json) printJson(r);
        else {
          const lt = r.libtorch;
          const rows: [string, string][] = [
            ['node', r.node],
            ['addon', r.addon.loaded ? 'loaded' : `NOT LOADED\n${r.addon.error ?? ''}`],
            ['libtorch', lt ? `${lt.version} (${lt.cuda ? `CUDA: ${lt.devices.join(', ')}, cuDNN ${lt.cudnn ?? '-'}` : 'CPU only'})` : '-'],
            ['openslide', r.openslide ?? '-'],
            [
              'distributed',
              r.distributed === null
                ? '-'
                : r.distributed.length > 0
                  ? r.distributed.join(', ')
                  : 'unavailable (built without c10d: install libgloo-dev, then `npx resdistill setup`)',
            ],
            ['threads', r.threads === null ? '-' : `${r.threads} intra-op (of ${r.usableCores} usable cores)`],
            ['matmul', r.matmul ? `${r.matmul.gflops.toFixed(1)} GFLOP/s (${r.matmul.n}x${r.matmul.n}, ${r.matmul.device})` : '-'],
          ];
          for (const [k, v] of rows) process.stdout.write(`${k.padEnd(11)} ${v}\n`);
          for (const p of r.problems) process.stdout.write(`problem:    ${p}\n`);
        }
        if (r.problems.length > 0) process.exitCode = 1;
      }),
    );
}
