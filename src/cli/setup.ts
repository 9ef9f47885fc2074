// `resdistill setup`: scripts/setup.mjs, which knows whether it runs in a clone of the repository or in a consumer's node_modules.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../native.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('install the system packages (apt, as root; otherwise prints the command) and build the native addon from source')
    .option('--json', 'accepted for uniformity; set-up prints the steps it runs as text')
    .option('--quiet', 'accepted for uniformity; apt and the build print their own output')
    .addHelpText('after', '\nExamples:\n  $ npx resdistill setup           # in a project that installed resdistill\n  $ sudo npx resdistill setup      # so apt can install the system packages')
    .action(() => {
      const r = spawnSync(process.execPath, [path.join(packageRoot, 'scripts', 'setup.mjs')], { stdio: 'inherit', cwd: packageRoot });
      process.exitCode = r.status ?? 1;
    });
}
