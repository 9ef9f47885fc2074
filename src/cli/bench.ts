// `resdistill bench cost`: magnification versus compute (counted MACs/FLOPs, measured img/s, the reduction guard, a plot).
import { type Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { costLadder, type CostReport, MEASURE_DEFAULTS, parseSize, planLadder } from '../cost/cost.js';
import { renderCostSvg } from '../cost/plot.js';
import { makeError } from '../util/errors.js';
import { concreteDevice, type Device } from '../native/device.js';
import { nativeVersions } from '../native/addon.js';
import { numberOption, parseNumber, RANGES } from '../util/numbers.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

interface CostOptions {
  model: string;
  classes: number;
  size?: [number, number];
  teacherMagnification?: number;
  studentMagnifications?: number[];
  sizeUm?: number;
  json?: boolean;
  quiet?: boolean;
  device?: Device;
  threads?: number;
  bf16?: boolean;
  channelsLast?: boolean;
  batchSize: number;
  reps: number;
  measure: boolean;
  plot?: string;
}

function svgPath(file: string): string {
  if (!/\.svg$/i.test(file)) throw makeError('CONFIG_INVALID', `--plot: the chart is SVG; give a .svg file name, got '${file}'`);
  return file;
}

function sizeFlag(text: string): [number, number] {
  try {
    return parseSize(text);
  } catch (e) {
    throw makeError('CONFIG_INVALID', `--size: ${(e as Error).message}`);
  }
}

/** "5,2.5,1.25": the config's magnifications.students. */
function magnificationList(text: string): number[] {
  const list = text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseNumber(s, '--student-magnifications', RANGES.magnification));
  if (list.length === 0) throw makeError('CONFIG_INVALID', '--student-magnifications: give at least one, e.g. 5,2.5,1.25');
  return list;
}

const EXAMPLES = `
Give a magnification ladder (the teacher first, then the students, one field of view) or one --size.

Examples:
  $ resdistill bench cost --teacher-magnification 10 --student-magnifications 5,2.5,1.25 --size-um 224
  $ resdistill bench cost --teacher-magnification 20 --student-magnifications 5,1.25 --size-um 448 --batch-size 64 --plot cost.svg
  $ resdistill bench cost --model resnet18 --size 224x224 --no-measure --json`;

const g = (n: number) => (n / 1e9).toFixed(3);
const x = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n.toFixed(1)}x`);
const r1 = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));

/** Human table: one line per magnification, then the guard's notes. */
export function formatCostTable(report: CostReport): string {
  const head = [
    'mag',
    'input px',
    'GMACs',
    'GFLOPs',
    'other Gops',
    'MACs fewer',
    'ideal',
    'fwd img/s',
    'train img/s',
    'fwd speed-up',
    'train speed-up',
    'guard',
  ];
  const body = report.rows.map((r) => [
    r.magnification === null ? '-' : `${r.magnification}x`,
    `${r.height}x${r.width}`,
    g(r.macs),
    g(r.flops),
    g(r.otherOps),
    x(r.macsReduction),
    x(r.expectedReduction),
    r1(r.forwardImagesPerSecond),
    r1(r.trainImagesPerSecond),
    x(r.forwardSpeedup),
    x(r.trainSpeedup),
    r.guard.ok ? (r.guard.notes.length ? 'ok*' : 'ok') : 'FLAGGED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [line(head), ...body.map(line)];
  const first = report.rows[0];
  out.push(
    `model ${report.model}, ${first ? (first.params / 1e6).toFixed(3) : '-'} M params; MACs = multiply-accumulates of conv + linear, FLOPs = 2 x MACs; other ops = norms, pooling, additions, activations`,
  );
  const rt = report.runtime;
  out.push(
    rt
      ? `measured on ${rt.device}, ${rt.threads} threads, batch ${rt.batchSize}, median of ${rt.reps}${rt.bf16 ? ', bf16 autocast' : ''}, memory format ${memoryFormat(rt.channelsLast)}`
      : 'not measured (--no-measure)',
  );
  const split = report.rows.filter((r) => r.batchParallel).map((r) => `${r.height}x${r.width}`);
  if (split.length) out.push(`batch parallel (the batch split across threads, one part each) in the forward passes of ${split.join(', ')}`);
  for (const r of report.rows) for (const n of r.guard.notes) out.push(`${r.guard.ok ? 'note' : 'FLAG'} ${r.magnification ?? ''}x: ${n}`);
  return `${out.join('\n')}\n`;
}

const memoryFormat = (c: boolean | 'auto'): string =>
  c === 'auto' ? 'auto (NHWC for CPU forward passes from 240 x 240 px, else NCHW)' : c ? 'NHWC' : 'NCHW';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of this machine');
  bench
    .command('cost')
    .description('magnification versus compute: exact MACs and FLOPs, measured img/s, and the (mag_t/mag_s)^2 guard')
    .addOption(
      new Option('--model <name>', 'the architecture').choices(['gn_resnet', 'resnet18', 'resnet34', 'resnet50']).default('gn_resnet'),
    )
    .option('--classes <n>', 'number of classes', numberOption('--classes', RANGES.count), 3)
    .option('--size <HxW>', 'one input size in pixels (instead of a magnification ladder)', sizeFlag)
    .addOption(
      new Option('--teacher-magnification <x>', 'ladder: the teacher magnification, e.g. 10 (required without --size)').argParser(
        numberOption('--teacher-magnification', RANGES.magnification),
      ),
    )
    .addOption(
      new Option('--student-magnifications <list>', 'ladder: student magnifications, e.g. 5,2.5,1.25 (required without --size)').argParser(
        magnificationList,
      ),
    )
    .addOption(
      flags.sizeUm(
        'ladder: field of view side in microns, the same at every magnification: input px = size * magnification / 10 (required without --size)',
      ),
    )
    .addOption(flags.device('where measured runs execute'))
    .addOption(flags.threads())
    .option('--bf16', 'bf16 autocast for measured runs')
    .option(
      '--channels-last',
      'NHWC memory format for every measured run (default: NHWC only for CPU forward passes from 240 x 240 px, where it pays)',
    )
    .option('--no-channels-last', 'NCHW memory format for every measured run')
    .option('--batch-size <n>', 'batch size of measured runs', numberOption('--batch-size', RANGES.count), MEASURE_DEFAULTS.batchSize)
    .option('--reps <n>', 'timed repetitions (median is reported)', numberOption('--reps', RANGES.count), MEASURE_DEFAULTS.reps)
    .option('--no-measure', 'count only, do not time')
    .option('--plot <file.svg>', 'write the chart as SVG', svgPath)
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', EXAMPLES)
    .action(async (o: CostOptions) =>
      runCommand(Boolean(o.json), async () => {
        let points: { magnification: number | null; height: number; width: number }[];
        if (o.size) {
          if (o.teacherMagnification !== undefined || o.studentMagnifications !== undefined || o.sizeUm !== undefined) {
            throw makeError(
              'USAGE',
              'give either --size or a ladder (--teacher-magnification, --student-magnifications, --size-um), not both',
            );
          }
          points = [{ magnification: null, height: o.size[0], width: o.size[1] }];
        } else {
          const missing = [
            o.teacherMagnification === undefined ? '--teacher-magnification' : '',
            o.studentMagnifications === undefined ? '--student-magnifications' : '',
            o.sizeUm === undefined ? '--size-um' : '',
          ].filter(Boolean);
          if (missing.length > 0)
            throw makeError('USAGE', `bench cost: missing ${missing.join(', ')} (or give --size HxW instead of a ladder)`);
          points = planLadder(o.teacherMagnification!, o.studentMagnifications!, o.sizeUm!);
        }
        const report = await costLadder({ model: o.model, classes: o.classes }, points, {
          measure: o.measure,
          device: concreteDevice(o.device ?? 'auto', nativeVersions().libtorch.cuda.available),
          threads: o.threads ?? 0,
          bf16: o.bf16,
          channelsLast: o.channelsLast,
          batchSize: o.batchSize,
          reps: o.reps,
        });
        if (o.plot) writeFileSync(o.plot, await renderCostSvg(report));
        if (o.json) printJson({ ...report, plot: o.plot ?? null });
        else if (!o.quiet) {
          process.stdout.write(formatCostTable(report));
          if (o.plot) process.stdout.write(`plot: ${o.plot}\n`);
        }
        if (report.rows.some((r) => !r.guard.ok)) process.exitCode = 1; // the guard's check failed
      }),
    );
}
