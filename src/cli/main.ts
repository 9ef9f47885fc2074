// The `resdistill` command line: each command registers itself from its own file.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../native.js';
import { registerDemo } from './demo.js';
import { registerBench } from './bench.js';
import { registerDoctor } from './doctor.js';
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
  .version(pkg.version);

registerDoctor(program);
registerSetup(program);
registerDemo(program);
registerExtract(program);
registerStore(program);
registerRun(program);
registerPredict(program);
registerBench(program);
registerSlide(program);
registerSynth(program);

await program.parseAsync(process.argv);
