// `resdistill view <predict output | slide>`: the slide and its predictions in the browser, served on 127.0.0.1
// until Ctrl-C.
import type { Command } from 'commander';
import { numberOption, RANGES } from '../util/numbers.js';
import { startViewer } from '../viewer/server.js';
import { flags } from './flags.js';
import { runCommand } from './output.js';

const EXAMPLES = `
Give the folder predict wrote (the slide is the one it names in prediction.json) to see the predictions over the
slide, or a slide alone to browse it. The server listens on 127.0.0.1 only; open the URL it prints. Ctrl-C stops it.

Examples:
  $ resdistill predict slide.svs --model student.safetensors --out pred/
  $ resdistill view pred/
  $ resdistill view pred/ --port 8080
  $ resdistill view slide.svs`;

interface ViewCliOpts {
  port?: number;
  mpp?: number;
  forceMpp?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerView(program: Command): void {
  program
    .command('view')
    .description('look at a slide and what the student predicted on it: a local web viewer (deep zoom, overlay, probabilities)')
    .argument('<target>', 'a folder predict wrote, or a whole-slide image')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', numberOption('--port', RANGES.port))
    .addOption(flags.mpp())
    .addOption(flags.forceMpp())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, o: ViewCliOpts) =>
      runCommand(Boolean(o.json), async () => {
        const viewer = await startViewer({ target, port: o.port, mpp: o.mpp, forceMpp: o.forceMpp });
        if (o.json)
          process.stdout.write(
            `${JSON.stringify({ url: viewer.url, port: viewer.port, slide: viewer.slide, predictions: viewer.predictions })}\n`,
          );
        else
          process.stdout.write(
            `resdistill view: ${viewer.url} (${viewer.slide}${viewer.predictions ? ', with predictions' : ''}); Ctrl-C stops it\n`,
          );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.removeListener('SIGINT', stop);
            process.removeListener('SIGTERM', stop);
            void viewer.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
