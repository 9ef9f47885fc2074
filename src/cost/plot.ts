// The magnification-versus-compute chart: a Vega-Lite spec compiled by vega-lite and rendered headless to SVG by vega.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CostReport } from './cost.js';

/** Left: counted GFLOPs (= 2 x GMACs) per magnification beside the ideal (mag_t/mag)^2 fall. Right: measured speed-ups. */
export function costChartSpec(report: CostReport): TopLevelSpec {
  const rows = report.rows.filter((r) => r.magnification !== null);
  const teacher = rows[0];
  const flops = rows.flatMap((r) => [
    { magnification: r.magnification, series: 'counted GFLOPs', value: r.flops / 1e9, px: `${r.height}x${r.width}` },
    ...(teacher && r.expectedReduction
      ? [{ magnification: r.magnification, series: 'ideal (mag_t/mag)^2', value: teacher.flops / 1e9 / r.expectedReduction, px: '' }]
      : []),
  ]);
  const speed = rows.flatMap((r) => [
    ...(r.expectedReduction ? [{ magnification: r.magnification, series: 'ideal (mag_t/mag)^2', value: r.expectedReduction }] : []),
    ...(r.forwardSpeedup ? [{ magnification: r.magnification, series: 'measured forward', value: r.forwardSpeedup }] : []),
    ...(r.trainSpeedup ? [{ magnification: r.magnification, series: 'measured training', value: r.trainSpeedup }] : []),
    ...(r.macsReduction ? [{ magnification: r.magnification, series: 'counted MACs', value: r.macsReduction }] : []),
  ]);
  const rt = report.runtime;
  const where = rt
    ? `measured on ${rt.device}, ${rt.threads} threads${rt.bf16 ? ', bf16' : ''}${rt.channelsLast === true ? ', NHWC' : rt.channelsLast === false ? ', NCHW' : ', memory format auto'}, batch ${rt.batchSize}`
    : 'not measured';
  const x = {
    field: 'magnification',
    type: 'quantitative',
    scale: { type: 'log', base: 2, reverse: true },
    title: 'magnification (x)',
    axis: { values: rows.map((r) => r.magnification) },
  } as const;
  const legend = { orient: 'bottom', columns: 2 } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${report.model}: magnification versus compute`, subtitle: `MACs counted exactly; ${where}` },
    hconcat: [
      {
        width: 320,
        height: 260,
        data: { values: flops },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'GFLOPs per image (2 x MACs)' },
          color: { field: 'series', type: 'nominal', title: null, legend },
          strokeDash: { field: 'series', type: 'nominal', title: null, legend },
          tooltip: [{ field: 'px' }, { field: 'value', format: '.3f' }],
        },
      },
      {
        width: 320,
        height: 260,
        data: { values: speed },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'reduction / speed-up vs teacher (x)' },
          color: { field: 'series', type: 'nominal', title: null, legend },
          strokeDash: { field: 'series', type: 'nominal', title: null, legend },
        },
      },
    ],
  } as TopLevelSpec;
}

export async function renderCostSvg(report: CostReport): Promise<string> {
  const view = new vega.View(vega.parse(compile(costChartSpec(report)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
