// `resdistill demo`: the main job on the embedded default. Until the training pipeline lands it runs the
// end-to-end checks that exist (doctor and a timed LibTorch job) and says so.
import type { Command } from 'commander';
import { doctor } from '../doctor.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded default (offline, no arguments)')
    .action(async () => {
      const r = await doctor();
      process.stdout.write(`resdistill demo: LibTorch ${r.libtorch?.version ?? '-'}, OpenSlide ${r.openslide ?? '-'}, ${r.threads ?? '-'} threads\n`);
      if (r.matmul) process.stdout.write(`LibTorch matmul ${r.matmul.n}x${r.matmul.n}: ${r.matmul.gflops.toFixed(1)} GFLOP/s on ${r.matmul.device}\n`);
      for (const p of r.problems) process.stdout.write(`problem: ${p}\n`);
      if (r.problems.length > 0) process.exitCode = 1;
    });
}
