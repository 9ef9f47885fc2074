// The `resdistill` program: every command registered from its own file, one error path for all of them.
// Exit codes: 0 success; 1 the command ran and failed (or its check failed); 2 a usage error (unknown or missing
// flag or argument, a bad flag value), reported before anything runs.
import { Command, CommanderError, type Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromNative, makeError } from '../util/errors.js';
import { native, packageRoot } from '../native/addon.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerExport } from './export.js';
import { registerExtract } from './extract.js';
import { flags } from './flags.js';
import { reportError } from './output.js';
import { registerPredict } from './predict.js';
import { registerRun } from './run.js';
import { registerSetup } from './setup.js';
import { registerSlide } from './slide.js';
import { registerStore } from './store.js';
import { registerSynth } from './synth.js';
import { registerView } from './view.js';

const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };

/** Every command of the tree, depth first (the program itself excluded). */
export function allCommands(root: Command): Command[] {
  return root.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Required options are checked by us, all at once, instead of commander's first-missing-only check. */
const REQUIRED = new WeakMap<Command, Option[]>();

function takeOverRequired(program: Command): void {
  for (const command of allCommands(program)) {
    const required = command.options.filter((o) => o.mandatory);
    for (const o of required) {
      o.mandatory = false;
      o.description = `${o.description} (required)`;
    }
    if (required.length > 0) REQUIRED.set(command, required);
  }
}

/** `slide region`: the words a user types after `resdistill`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function checkRequired(command: Command): void {
  const values = command.opts() as Record<string, unknown>;
  const missing = (REQUIRED.get(command) ?? []).filter((o) => values[o.attributeName()] === undefined).map((o) => o.long ?? o.flags);
  const name = commandPath(command);
  if (missing.length > 0)
    throw makeError(
      'USAGE',
      `${name}: missing required option${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (see resdistill ${name} --help)`,
    );
}

export function buildProgram(): Command {
  const program = new Command('resdistill')
    .description('Resolution-based knowledge distillation for histology (DiPalma et al., AIIM 2021)')
    .version(pkg.version)
    // Here too, so `resdistill --json` (no command) still answers in JSON; positional, so after a command --json is the command's.
    .enablePositionalOptions()
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addOption(flags.maxMemory())
    .addHelpText(
      'after',
      '\nExit codes: 0 success; 1 the command failed (or its check did); 2 a usage error (bad or missing flag or argument).\nEvery command takes --help (with examples), --json and --quiet. Vocabulary: docs/glossary.md.',
    )
    // Errors are printed by us, in one format (and as JSON under --json); commander only reports them by throwing.
    .exitOverride()
    .configureOutput({ outputError: () => {} });
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
  registerView(program);
  takeOverRequired(program);
  // Options are positional (after a command they are the command's), so every command takes --max-memory itself.
  for (const c of allCommands(program)) {
    if (c.commands.length === 0) c.addOption(flags.maxMemory());
    else c.addOption(flags.json()).addOption(flags.quiet()); // a group without its command still answers in JSON
  }
  program.hook('preAction', (_, action) => {
    checkRequired(action);
    const size = action.opts<{ maxMemory?: string }>().maxMemory ?? program.opts<{ maxMemory?: string }>().maxMemory;
    if (size === undefined) return;
    // The core reads the budget from the environment, so jobs and worker threads all see the same one.
    process.env.RESDISTILL_MAX_MEMORY = size;
    native().memoryBudget(); // checks the size now (CONFIG_INVALID), not at the first large request
  });
  return program;
}

/** Help or version asked for: exit 0. */
const ASKED = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Parses argv and runs the command. What escapes a command's own error handling was raised while parsing the
 * command line (commander, a flag's parser, the required-options check): a usage error, exit 2, unless the
 * addon itself failed to load (exit 1, as any failed command).
 */
export async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError && ASKED.has(e.code)) {
      process.exitCode = 0;
      return;
    }
    // commander.help: a command group or the program without a command (the help went to stderr).
    const error =
      e instanceof CommanderError
        ? makeError(
            'USAGE',
            e.code === 'commander.help'
              ? 'no command given (see resdistill --help)'
              : `${e.message.replace(/^error: /, '')} (see resdistill --help)`,
          )
        : fromNative(e);
    reportError(json, error);
    process.exitCode = error.code === 'NATIVE_LOAD_FAILED' || error.code === 'LIBTORCH_MISMATCH' ? 1 : 2;
  }
}
