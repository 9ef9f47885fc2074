// The `resdistill` command line: each command registers itself from its own file.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { native, packageRoot } from '../native.js';
import { registerDemo } from './demo.js';
import { reportError } from './output.js';
import { registerBench } from './bench.js';
import { registerDoctor } from './doctor.js';
import { registerExport } from './export.js';
import { registerExtract } from './extract.js';
import { registerStore } from './store.js';
import { registerPredict } from './predict.js';
import { registerRun } from './run.js';
import { registerSetup } from './setup.js';
import { registerSlide } from './slide.js';
import { registerSynth } from './synth.js';

const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };

const program = new Command('resdistill')
  .description('Resolution-based knowledge distillation for histology (DiPalma et al., AIIM 2021)')
  .version(pkg.version)
  .option('--max-memory <size>', 'memory budget for any one request (region, tile grid, decoded image), e.g. 4G; default a share of physical memory (env RESDISTILL_MAX_MEMORY)')
  .hook('preAction', () => {
    const size = program.opts<{ maxMemory?: string }>().maxMemory;
    if (size === undefined) return;
    // The core reads the budget from the environment, so jobs and worker threads all see the same one.
    process.env.RESDISTILL_MAX_MEMORY = size;
    native().memoryBudget(); // checks the size now (CONFIG_INVALID), not at the first large request
  });

registerDoctor(program);
registerSetup(program);
registerDemo(program);
registerExtract(program);
registerStore(program);
registerRun(program);
registerPredict(program);
registerExport(program);
registerBench(program);
registerSlide(program);
registerSynth(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A flag's value parser (numbers.ts) throws a typed error before any command body runs: report it the same way.
  reportError(process.argv.includes('--json'), e);
}
