// `resdistill export <run dir | weights file> --onnx <file>`: a trained model as a standard ONNX file for ONNX Runtime
// and the runtimes that read it, with its description as metadata_props.
import type { Command } from 'commander';
import { exportWeightsToOnnx } from '../onnx/export.js';
import { OPSETS } from '../onnx/onnx.js';
import { numberOption } from '../util/numbers.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

const EXAMPLES = `
The weights must describe themselves (every best/final.safetensors resdistill training writes does): architecture,
classes, magnification and input normalisation come from the file. The ONNX input is float32 [batch, 3, height,
width], dynamic in all three, preprocessed as the model's "preprocessing" metadata says; outputs are "logits" and
"featureMap".

Examples:
  $ resdistill export runs/demo --onnx student.onnx
  $ resdistill export runs/demo/runs/kd-2.5x-seed0-3f9c0a1b --onnx student.onnx
  $ resdistill export student.safetensors --onnx student.onnx --opset 13 --json`;

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained model as ONNX (dynamic batch, height and width; metadata as metadata_props)')
    .argument(
      '<weights>',
      "a weights file, a training run's directory (its best.safetensors), or an experiment's --out (its KD student at the lowest magnification, as predict)",
    )
    .requiredOption('--onnx <file>', 'the ONNX file to write')
    .option(
      '--opset <n>',
      `ONNX opset, ${OPSETS.min} to ${OPSETS.max} (default ${OPSETS.default})`,
      numberOption('--opset', { min: OPSETS.min, max: OPSETS.max, integer: true }),
    )
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, o: { onnx: string; opset?: number; json?: boolean; quiet?: boolean }) =>
      runCommand(Boolean(o.json), async () => {
        const r = await exportWeightsToOnnx(target, o.onnx, o.opset);
        if (o.json) printJson(r);
        else if (!o.quiet) {
          const m = r.metadata;
          process.stdout.write(
            `wrote ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB, opset ${r.opset}, ${r.nodes} nodes) from ${r.weights}\n` +
              `${m.method} ${JSON.parse(m.architecture ?? '{}').name} at ${m.magnification}x, classes ${(JSON.parse(m.classes ?? '[]') as string[]).join(', ')}${m.synthetic === 'true' ? ' (SYNTHETIC data)' : ''}\n` +
              `input: float32 [batch, 3, height, width]; ${m.preprocessing}\n`,
          );
        }
      }),
    );
}
