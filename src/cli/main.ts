// The `resdistill` entry point (bin/resdistill.js imports this file).
import { reportError } from './output.js';
import { main } from './program.js';

// A failure no command caught still reaches the user as a typed one-line error, never a stack trace.
const last = (e: unknown) => {
  reportError(process.argv.includes('--json'), e);
  process.exit(1);
};
process.on('uncaughtException', last);
process.on('unhandledRejection', last);

await main(process.argv);
