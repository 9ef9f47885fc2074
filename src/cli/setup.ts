// `resdistill setup`: scripts/setup.mjs, which knows whether it runs in a clone of the repository or in a consumer's node_modules.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { makeError } from '../util/errors.js';
import { packageRoot } from '../native/addon.js';
import { flags } from './flags.js';
import { printJson, reportError } from './output.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('install the system packages (apt, as root; otherwise prints the command) and build the native addon from source')
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      "\nExamples:\n  $ npx resdistill setup           # in a project that installed resdistill\n  $ sudo npx resdistill setup      # so apt can install the system packages\n  $ npx resdistill setup --json    # the steps' output on stderr, one JSON object on stdout",
    )
    .action((opts: { json?: boolean; quiet?: boolean }) => {
      // Under --json or --quiet the set-up's own output goes to stderr, so stdout holds only our answer.
      const stdout = opts.json || opts.quiet ? 2 : 'inherit';
      const r = spawnSync(process.execPath, [path.join(packageRoot, 'scripts', 'setup.mjs')], {
        stdio: ['inherit', stdout, 'inherit'],
        cwd: packageRoot,
      });
      if (r.status === 0) {
        if (opts.json) printJson({ ok: true });
        return;
      }
      reportError(Boolean(opts.json), makeError('INTERNAL', `set-up failed (exit ${r.status ?? r.signal}): its output above says where`));
    });
}
