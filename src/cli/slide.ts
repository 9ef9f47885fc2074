// `resdistill slide info|region|tissue`: slide metadata, a region at a magnification, a tissue overlay.
import type { Command } from 'commander';
import { makeError } from '../util/errors.js';
import { numberOption, RANGES } from '../util/numbers.js';
import { writePng } from '../util/png.js';
import { openSlide, type OpenOptions, type TissueResult } from '../slide/slide.js';
import type { RgbImage } from '../util/png.js';
import { flags } from './flags.js';
import { printJson, runCommand } from './output.js';

function openOptions(o: { mpp?: number; forceMpp?: boolean }): OpenOptions {
  return { mpp: o.mpp, forceMpp: o.forceMpp };
}

/** Thumbnail with tissue tinted green, piece boxes outlined in red. */
export function tissueOverlay(thumb: RgbImage, t: TissueResult): RgbImage {
  const out = Buffer.from(thumb.data);
  const { width, height } = thumb;
  for (let i = 0; i < width * height; i++) {
    if (!t.mask[i]) continue;
    out[3 * i] = Math.round(out[3 * i]! * 0.6);
    out[3 * i + 1] = Math.round(out[3 * i + 1]! * 0.6 + 255 * 0.4);
    out[3 * i + 2] = Math.round(out[3 * i + 2]! * 0.6);
  }
  const paint = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    out.set([255, 0, 0], 3 * (y * width + x));
  };
  for (const p of t.pieces) {
    const { x, y, width: w, height: h } = p.thumbBox;
    for (let k = 0; k < w; k++) {
      paint(x + k, y);
      paint(x + k, y + h - 1);
    }
    for (let k = 0; k < h; k++) {
      paint(x, y + k);
      paint(x + w - 1, y + k);
    }
  }
  return { width, height, data: out };
}

export function registerSlide(program: Command): void {
  const slide = program.command('slide').description('whole-slide images at an exact magnification (OpenSlide)');

  slide
    .command('info <file>')
    .description('vendor, size, levels with mpp, the mpp and its source, magnification, associated images')
    .addOption(flags.mpp())
    .addOption(flags.forceMpp())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill slide info CMU-1-Small-Region.svs\n  $ resdistill slide info scan.tif --mpp 0.25 --json',
    )
    .action(async (file: string, o: { mpp?: number; forceMpp?: boolean; json?: boolean }) =>
      runCommand(Boolean(o.json), async () => {
        const s = openSlide(file, openOptions(o));
        const i = s.info;
        s.close();
        if (o.json) return printJson(i);
        const lines = [
          `file          ${i.path}`,
          `vendor        ${i.vendor}`,
          `size          ${i.width} x ${i.height} px`,
          `mpp           ${+i.mpp.x.toPrecision(6)} x ${+i.mpp.y.toPrecision(6)} um/px (from ${i.mpp.source})`,
          `magnification ${i.magnification.toFixed(2)}x (10 / mpp)`,
          ...i.levels.map(
            (l, k) => `level ${k}       ${l.width} x ${l.height}, downsample ${l.downsample.toFixed(4)}, ${l.mpp.toFixed(4)} um/px`,
          ),
          `associated    ${i.associatedImages.join(', ') || '-'}`,
          `quickhash     ${i.quickhash}`,
          ...i.mpp.trail.map((t) => `mpp trail     ${t}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );

  slide
    .command('region <file>')
    .description('write a region at an exact magnification as PNG (coarsest level with mpp <= target, then area downsampling)')
    .requiredOption('--x <n>', 'left (level-0 px, or microns with --um)', numberOption('--x', RANGES.any))
    .requiredOption('--y <n>', 'top', numberOption('--y', RANGES.any))
    .requiredOption('--width <n>', 'width', numberOption('--width', RANGES.positive))
    .requiredOption('--height <n>', 'height', numberOption('--height', RANGES.positive))
    .option('--um', 'x/y/width/height are microns')
    .addOption(flags.magnification('target magnification'))
    .option('--target-mpp <um>', 'target microns per pixel (instead of --magnification)', numberOption('--target-mpp', RANGES.mpp))
    .addOption(flags.pngOut('output PNG'))
    .addOption(flags.mpp())
    .addOption(flags.forceMpp())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill slide region CMU-1-Small-Region.svs --x 0 --y 0 --width 1000 --height 1000 --magnification 5 --out region.png\n  $ resdistill slide region scan.svs --um --x 500 --y 500 --width 448 --height 448 --target-mpp 2 --out r.png --json',
    )
    .action(
      async (
        file: string,
        o: {
          x: number;
          y: number;
          width: number;
          height: number;
          um?: boolean;
          magnification?: number;
          targetMpp?: number;
          out: string;
          mpp?: number;
          forceMpp?: boolean;
          json?: boolean;
          quiet?: boolean;
        },
      ) =>
        runCommand(Boolean(o.json), async () => {
          if ((o.magnification === undefined) === (o.targetMpp === undefined))
            throw makeError('USAGE', 'slide region: give exactly one of --magnification or --target-mpp');
          const s = openSlide(file, openOptions(o));
          const scale = o.magnification !== undefined ? { magnification: o.magnification } : { mpp: o.targetMpp! };
          const r = s.readRegion({ x: o.x, y: o.y, width: o.width, height: o.height, units: o.um ? 'um' : 'px' }, scale);
          s.close();
          writePng(o.out, r);
          const { data: _pixels, ...meta } = r;
          if (o.json) printJson({ out: o.out, ...meta });
          else if (!o.quiet)
            process.stdout.write(
              `${o.out}: ${r.width} x ${r.height} at ${r.magnification.toFixed(3)}x (${r.mpp.x.toFixed(4)} um/px) from level ${r.level}, kernel ${r.kernel}\n`,
            );
        }),
    );

  slide
    .command('tissue <file>')
    .description('detect tissue and write the mask and pieces over the thumbnail as PNG')
    .addOption(flags.pngOut('output PNG: the thumbnail with tissue tinted green and pieces boxed in red'))
    .option('--thumbnail-mpp <um>', 'thumbnail scale (default 8 um/px = 1.25x)', numberOption('--thumbnail-mpp', RANGES.mpp))
    .option('--threshold <s>', 'saturation threshold 0..255 (default Otsu)', numberOption('--threshold', RANGES.saturation))
    .addOption(flags.mpp())
    .addOption(flags.forceMpp())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText(
      'after',
      '\nExamples:\n  $ resdistill slide tissue CMU-1-Small-Region.svs --out tissue.png\n  $ resdistill slide tissue scan.svs --threshold 20 --out tissue.png --json',
    )
    .action(
      async (
        file: string,
        o: { out: string; thumbnailMpp?: number; threshold?: number; mpp?: number; forceMpp?: boolean; json?: boolean; quiet?: boolean },
      ) =>
        runCommand(Boolean(o.json), async () => {
          const s = openSlide(file, openOptions(o));
          const t = await s.detectTissue({ thumbnailMpp: o.thumbnailMpp, threshold: o.threshold });
          const thumb = s.readRegion({ x: 0, y: 0, width: s.info.width, height: s.info.height }, { mpp: t.thumbnail.targetMpp });
          s.close();
          writePng(o.out, tissueOverlay(thumb, t));
          const summary = {
            out: o.out,
            coverage: t.coverage,
            threshold: t.threshold,
            otsu: t.otsu,
            thumbnail: t.thumbnail,
            pieces: t.pieces.map(({ mask: _m, ...p }) => p),
          };
          if (o.json) printJson(summary);
          else if (!o.quiet)
            process.stdout.write(
              `${o.out}: tissue ${(100 * t.coverage).toFixed(1)}% of the slide, ${t.pieces.length} piece(s), saturation threshold ${t.threshold}${t.otsu ? ' (Otsu)' : ''}\n`,
            );
        }),
    );
}
