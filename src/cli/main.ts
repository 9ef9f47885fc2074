// The `resdistill` entry point (bin/resdistill.js imports this file).
import { reportError } from './output.js';
import { main } from './program.js';

// A reader that closed the pipe (`resdistill --help | head -3`) is a normal end, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// A failure no command caught still reaches the user as a typed one-line error, never a stack trace.
const last = (e: unknown) => {
  if ((e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  reportError(process.argv.includes('--json'), e);
  process.exit(1);
};
process.on('uncaughtException', last);
process.on('unhandledRejection', last);

await main(process.argv);
