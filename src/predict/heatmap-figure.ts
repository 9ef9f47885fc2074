// heatmap.png as a reader takes it in: a title (model, method, magnification; SYNTHETIC when it applies), the tinted
// thumbnail, and a legend with each class's colour over the probability scale the tint follows. Laid out as SVG and
// rasterised with resvg (text in the system's sans-serif font: Debian's fonts-dejavu-core).
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { encodePng, type RgbImage } from '../util/png.js';

export interface HeatmapLegend {
  title: string;
  subtitle: string;
  classes: string[];
  colour: (i: number) => [number, number, number];
  /** Tint strength at probability p (what heatmap() blends with). */
  alpha: (p: number) => number;
  synthetic: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const PANEL = 250;

/** The figure as SVG text (also what the PNG is rendered from). */
export function heatmapSvg(image: RgbImage, legend: HeatmapLegend): string {
  const { width, height } = image;
  const rows = legend.classes.length;
  const legendHeight = 70 + rows * 26 + 40;
  const HEADER = legend.synthetic ? 86 : 64;
  const W = Math.max(width + PANEL, 720);
  const H = HEADER + Math.max(height, legendHeight) + 8;
  const png = encodePng(image).toString('base64');
  const x0 = width + 20;
  const bar = { x: x0 + 96, w: 120 };
  const stops = (c: [number, number, number]) =>
    [0, 0.25, 0.5, 0.75, 1]
      .map((p) => {
        const a = legend.alpha(p);
        const mix = c.map((v) => Math.round(255 * (1 - a) + v * a));
        return `<stop offset="${p}" stop-color="rgb(${mix.join(',')})"/>`;
      })
      .join('');
  const classRows = legend.classes
    .map((name, i) => {
      const y = HEADER + 62 + i * 26;
      const c = legend.colour(i);
      return `<linearGradient id="g${i}">${stops(c)}</linearGradient>
<rect x="${x0}" y="${y - 12}" width="14" height="14" fill="rgb(${c.join(',')})"/>
<text x="${x0 + 20}" y="${y}" font-size="13">${escape(name.length > 11 ? `${name.slice(0, 10)}…` : name)}</text>
<rect x="${bar.x}" y="${y - 12}" width="${bar.w}" height="14" fill="url(#g${i})" stroke="#999" stroke-width="0.5"/>`;
    })
    .join('\n');
  const axisY = HEADER + 62 + rows * 26 - 6;
  const ticks = [0, 0.5, 1]
    .map(
      (p) =>
        `<line x1="${bar.x + p * bar.w}" y1="${axisY - 4}" x2="${bar.x + p * bar.w}" y2="${axisY}" stroke="#555"/><text x="${bar.x + p * bar.w}" y="${axisY + 13}" font-size="11" text-anchor="middle">${p}</text>`,
    )
    .join('');
  const synthetic = legend.synthetic
    ? `<text x="12" y="72" font-size="14" font-weight="bold" fill="#b42318">SYNTHETIC: trained on generated slides, not tissue; these labels mean nothing clinically</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" fill="#1f2328">
<rect width="${W}" height="${H}" fill="#ffffff"/>
<text x="12" y="26" font-size="18" font-weight="bold">${escape(legend.title)}</text>
<text x="12" y="48" font-size="13" fill="#59636e">${escape(legend.subtitle)}</text>
${synthetic}
<image x="0" y="${HEADER}" width="${width}" height="${height}" xlink:href="data:image/png;base64,${png}"/>
<text x="${x0}" y="${HEADER + 22}" font-size="13" font-weight="bold">Class</text>
<text x="${bar.x}" y="${HEADER + 22}" font-size="13" font-weight="bold">Probability</text>
<text x="${bar.x}" y="${HEADER + 38}" font-size="10" fill="#59636e">of the class shown</text>
${classRows}
${ticks}
</svg>`;
}

/** Renders the figure to `file` as PNG (temp file, then rename). */
export function writeHeatmapFigure(file: string, image: RgbImage, legend: HeatmapLegend): void {
  const png = new Resvg(heatmapSvg(image, legend), {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  })
    .render()
    .asPng();
  writeFileAtomic(file, png);
}
