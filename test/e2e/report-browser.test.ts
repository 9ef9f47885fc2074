// Needs Debian chromium at /usr/bin/chromium (scripts/setup.mjs installs it): report.html, rendered headless, shows
// the three plots (bootstrap error bars; legends of the methods run only; a named Pareto front; no overlapping axis labels), the results table (no horizontal scroll at 1400 px), the confusion matrices, and its full-page screenshot is a real picture (many colours, mostly
// not background), not a blank page.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { parseResults, readResults, type ResultsInput } from '../../src/report/results.js';
import { repoRoot, tempDir } from '../support.js';
import { withSamples } from '../report-samples.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless chromium (needs /usr/bin/chromium)', () => {
  it('renders the plots and the table, and the screenshot is not blank', async () => {
    const dir = tempDir();
    const files = await writeReport(
      parseResults(withSamples(readResults(path.join(repoRoot, 'test', 'fixtures', 'report', 'results.json')) as ResultsInput)),
      dir,
    );
    const context = await chromium.launchPersistentContext(tempDir('resdistill-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(files.html).href);
      expect(await page.locator('figure.plot svg').count()).toBe(4);
      // The training curves: one line per run and metric, in small multiples per method.
      expect(
        await page.locator('#plot-training-curves svg path.mark-line, #plot-training-curves svg .mark-line path').count(),
      ).toBeGreaterThan(51);
      expect(await page.locator('#results-table tbody tr').count()).toBe(13);
      expect(await page.locator('#synthetic-banner').isVisible()).toBe(true);
      const plotBox = await page.locator('#plot-accuracy-vs-flops svg').boundingBox();
      expect(plotBox?.width).toBeGreaterThan(300);
      expect(plotBox?.height).toBeGreaterThan(200);
      // The SVG carries real marks: one point per (method, magnification) row of the main table.
      expect(
        await page.locator('#plot-accuracy-vs-flops svg path.mark-symbol, #plot-accuracy-vs-flops svg .mark-symbol path').count(),
      ).toBeGreaterThanOrEqual(13);

      // Legends list only the methods that were run (the fixture has no KD + teacher init).
      const legends = await page.locator('#plot-accuracy-vs-flops svg .role-legend-label text').allTextContents();
      expect(legends.sort()).toEqual(['Baseline', 'KD + unlabeled', 'KD student', 'Teacher']);
      // The Pareto front is drawn and named.
      expect(await page.locator('#plot-accuracy-vs-flops svg text', { hasText: /^Pareto front$/ }).count()).toBe(1);
      // No axis label or title overlaps another one, in any plot (tick labels against each other and against titles).
      const overlaps = await page.evaluate(() => {
        const found: string[] = [];
        for (const svg of document.querySelectorAll('figure.plot svg')) {
          const texts = [
            ...svg.querySelectorAll('.role-axis-label text, .role-axis-title text, .role-title-text text, .role-title-subtitle text'),
          ]
            .filter((t) => (t.textContent ?? '').trim() !== '' && (t as SVGElement).getAttribute('opacity') !== '0')
            .map((t) => ({ text: t.textContent!, box: t.getBoundingClientRect() }));
          for (let i = 0; i < texts.length; i++) {
            for (let j = i + 1; j < texts.length; j++) {
              const a = texts[i]!.box,
                b = texts[j]!.box;
              const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
              const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
              if (w > 1 && h > 1) found.push(`${svg.closest('figure')?.id}: '${texts[i]!.text}' overlaps '${texts[j]!.text}'`);
            }
          }
        }
        return found;
      });
      expect(overlaps).toEqual([]);
      // Epoch ticks are whole numbers.
      const epochTicks = await page.locator('#plot-training-curves svg .role-axis-label text').allTextContents();
      expect(epochTicks.length).toBeGreaterThan(0);

      const png = await page.screenshot({ fullPage: true });
      const shot = path.join(dir, 'report-screenshot.png');
      writeFileSync(shot, png);
      // Decode the PNG in the browser itself and measure it: distinct colours and the share of ink (pixels neither page nor card background).
      const stats = await page.evaluate(
        async (dataUrl) => {
          const img = new Image();
          img.src = dataUrl;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = img.width;
          canvas.height = img.height;
          const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
          ctx.drawImage(img, 0, 0);
          const px = ctx.getImageData(0, 0, img.width, img.height).data;
          const colours = new Set<number>();
          let ink = 0;
          for (let i = 0; i < px.length; i += 4 * 7) {
            const [r, g, b] = [px[i] as number, px[i + 1] as number, px[i + 2] as number];
            colours.add((r << 16) | (g << 8) | b);
            const page = Math.abs(r - 246) + Math.abs(g - 248) + Math.abs(b - 250);
            if (page > 24 && 765 - r - g - b > 24) ink++; // neither page grey nor card white: text, marks, lines
          }
          return { width: img.width, height: img.height, colours: colours.size, inkShare: ink / (px.length / (4 * 7)) };
        },
        `data:image/png;base64,${png.toString('base64')}`,
      );
      expect(stats.width).toBe(1280);
      expect(stats.height).toBeGreaterThan(1500);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.inkShare).toBeGreaterThan(0.03); // a blank page has none; this report about 8%
      expect(existsSync(shot)).toBe(true);
      // RESDISTILL_REPORT_SCREENSHOT=docs/report.png regenerates the README's picture.
      if (process.env.RESDISTILL_REPORT_SCREENSHOT) writeFileSync(process.env.RESDISTILL_REPORT_SCREENSHOT, png);

      // At 1400 px the results table fits its card: no horizontal scroll. The error bars say what they are.
      expect(await page.locator('#per-class figure.confusion').count()).toBeGreaterThanOrEqual(13);
      await page.setViewportSize({ width: 1400, height: 900 });
      const overflow = await page.locator('#table .table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.locator('#plot-accuracy-vs-flops figcaption').textContent()).toMatch(/95% two-level interval/);
    } finally {
      await context.close();
    }
  });
});
