// `resdistill bench cost` end to end: the ladder as JSON rows, the SVG plot, and typed errors for bad flags.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support.js';

describe('resdistill bench cost (needs the addon and dist/)', () => {
  it('prints the magnification ladder as JSON rows with MACs, FLOPs = 2 x MACs and the reduction ratios, and writes an SVG', () => {
    const plot = path.join(tempDir(), 'ladder.svg');
    const r = runCli([
      'bench',
      'cost',
      '--teacher-magnification',
      '10',
      '--student-magnifications',
      '5,1.25',
      '--size-um',
      '224',
      '--no-measure',
      '--json',
      '--plot',
      plot,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      rows: {
        magnification: number;
        height: number;
        width: number;
        macs: number;
        flops: number;
        params: number;
        macsReduction: number;
        expectedReduction: number;
      }[];
    };
    expect(out.rows.map((row) => [row.magnification, row.height, row.width])).toEqual([
      [10, 224, 224],
      [5, 112, 112],
      [1.25, 28, 28],
    ]);
    for (const row of out.rows) expect(row.flops).toBe(2 * row.macs);
    expect(out.rows[1]!.expectedReduction).toBe(4);
    expect(out.rows[1]!.macsReduction).toBeGreaterThan(3.5);
    expect(existsSync(plot)).toBe(true);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg[\s\S]*magnification/);
  });

  it('one explicit non-square size counts that size', () => {
    const r = runCli(['bench', 'cost', '--model', 'resnet18', '--classes', '1000', '--size', '224x224', '--no-measure', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { rows: { macs: number }[] }).rows[0]!.macs).toBe(1_814_073_344);
  });

  it('bad flag values are CONFIG_INVALID, a missing ladder flag is USAGE naming every one missing; all exit 2 (usage)', () => {
    for (const args of [
      ['--size', '12xq'],
      ['--teacher-magnification', '10', '--student-magnifications', 'a', '--size-um', '10'],
    ]) {
      const r = runCli(['bench', 'cost', '--no-measure', '--json', ...args]);
      expect(r.status).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
    }
    const r = runCli(['bench', 'cost', '--no-measure', '--json', '--student-magnifications', '5']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'USAGE', message: expect.stringMatching(/--teacher-magnification, --size-um/) },
    });
  });
});
