// `resdistill bench cost`: magnification versus compute (counted MACs/FLOPs, measured img/s, the reduction guard, a plot).
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { costLadder, type CostReport, parseSize, planLadder } from '../cost.js';
import { renderCostSvg } from '../cost-plot.js';
import { makeError } from '../errors.js';
import { parseNumber, RANGES } from '../numbers.js';
import { printJson, runCommand } from './output.js';

interface CostOptions {
  model: string;
  classes: string;
  size?: string;
  teacherMag?: string;
  mags?: string;
  fieldUm?: string;
  json?: boolean;
  device: string;
  threads?: string;
  bf16?: boolean;
  channelsLast?: boolean;
  batch: string;
  reps: string;
  measure: boolean;
  plot?: string;
}

function num(text: string | undefined, flag: string): number {
  return parseNumber(text ?? '', flag, RANGES.positive);
}

const g = (n: number) => (n / 1e9).toFixed(3);
const x = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n.toFixed(1)}x`);
const r1 = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));

/** Human table: one line per magnification, then the guard's notes. */
export function formatCostTable(report: CostReport): string {
  const head = ['mag', 'input px', 'GMACs', 'GFLOPs', 'other Gops', 'MACs fewer', 'ideal', 'fwd img/s', 'train img/s', 'fwd speed-up', 'train speed-up', 'guard'];
  const body = report.rows.map((r) => [
    r.mag === null ? '-' : `${r.mag}x`,
    `${r.height}x${r.width}`,
    g(r.macs),
    g(r.flops),
    g(r.other_ops),
    x(r.macs_reduction),
    x(r.expected_reduction),
    r1(r.forward_img_per_s),
    r1(r.train_img_per_s),
    x(r.forward_speedup),
    x(r.train_speedup),
    r.guard.ok ? (r.guard.notes.length ? 'ok*' : 'ok') : 'FLAGGED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [line(head), ...body.map(line)];
  const first = report.rows[0];
  out.push(`model ${report.model}, ${first ? (first.params / 1e6).toFixed(3) : '-'} M params; MACs = multiply-accumulates of conv + linear, FLOPs = 2 x MACs; other ops = norms, pooling, additions, activations`);
  const rt = report.runtime;
  out.push(rt ? `measured on ${rt.device}, ${rt.threads} threads, batch ${rt.batch}, median of ${rt.reps}${rt.bf16 ? ', bf16 autocast' : ''}${rt.channels_last ? ', channels_last' : ''}` : 'not measured (--no-measure)');
  for (const r of report.rows) for (const n of r.guard.notes) out.push(`${r.guard.ok ? 'note' : 'FLAG'} ${r.mag ?? ''}x: ${n}`);
  return `${out.join('\n')}\n`;
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of this machine');
  bench
    .command('cost')
    .description('magnification versus compute: exact MACs and FLOPs, measured img/s, and the (mag_t/mag_s)^2 guard')
    .option('--model <name>', 'gn_resnet | resnet18 | resnet34 | resnet50', 'gn_resnet')
    .option('--classes <n>', 'number of classes', '3')
    .option('--size <HxW>', 'one input size (instead of a magnification ladder)')
    .option('--teacher-mag <M>', 'teacher magnification, e.g. 10')
    .option('--mags <list>', 'student magnifications, e.g. 5,2.5,1.25')
    .option('--field-um <U>', 'field of view side in microns (input px = U * mag / 10)')
    .option('--device <d>', 'cpu | cuda | cuda:N', 'cpu')
    .option('--threads <n>', 'CPU intra-op threads (default: all usable cores)')
    .option('--bf16', 'bf16 autocast for measured runs')
    .option('--channels-last', 'NHWC memory format for measured runs')
    .option('--batch <n>', 'batch size of measured runs', '4')
    .option('--reps <n>', 'timed repetitions (median is reported)', '3')
    .option('--no-measure', 'count only, do not time')
    .option('--plot <file.svg>', 'write the chart as SVG')
    .option('--json', 'print one JSON object')
    .action(async (o: CostOptions) =>
      runCommand(Boolean(o.json), async () => {
        let points: { mag: number | null; height: number; width: number }[];
        if (o.size !== undefined) {
          if (o.teacherMag !== undefined || o.mags !== undefined) throw makeError('CONFIG_INVALID', 'give either --size or --teacher-mag/--mags/--field-um, not both');
          let hw: [number, number];
          try {
            hw = parseSize(o.size);
          } catch (e) {
            throw makeError('CONFIG_INVALID', `--size: ${(e as Error).message}`);
          }
          points = [{ mag: null, height: hw[0], width: hw[1] }];
        } else {
          const teacher = num(o.teacherMag, '--teacher-mag');
          const field = num(o.fieldUm, '--field-um');
          const mags = (o.mags ?? '').split(',').filter((s) => s.trim() !== '').map((s) => num(s, '--mags'));
          if (mags.length === 0) throw makeError('CONFIG_INVALID', '--mags: give at least one student magnification');
          points = planLadder(teacher, mags, field);
        }
        const report = await costLadder(
          { model: o.model, classes: num(o.classes, '--classes') },
          points,
          {
            measure: o.measure,
            device: o.device,
            threads: o.threads === undefined ? 0 : num(o.threads, '--threads'),
            bf16: o.bf16,
            channelsLast: o.channelsLast,
            batch: num(o.batch, '--batch'),
            reps: num(o.reps, '--reps'),
          },
        );
        if (o.plot) writeFileSync(o.plot, await renderCostSvg(report));
        if (o.json) printJson({ ...report, plot: o.plot ?? null });
        else {
          process.stdout.write(formatCostTable(report));
          if (o.plot) process.stdout.write(`plot: ${o.plot}\n`);
        }
        if (report.rows.some((r) => !r.guard.ok)) process.exitCode = 2;
      }),
    );
}
