// Pure TS: from a hand-written results.json (input data, test/fixtures/report) the report aggregates over seeds
// (mean, sample std, mean bootstrap CI), computes FLOPs ratios and the Pareto front, and writes CSV, Markdown,
// SVG plots (vega-lite, headless) and a self-contained HTML page labelled SYNTHETIC when the data is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { parseResults, readResults, type ResultsInput } from '../../src/report/results.js';
import { costWarnings, paretoFront, summarize } from '../../src/report/summary.js';
import { repoRoot, tempDir } from '../support.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'report', 'results.json');

function run(method: string, magnification: number, seed: number, accuracy: number, flops: number | null) {
  return {
    method,
    magnification,
    seed,
    metrics: { accuracy, balancedAccuracy: accuracy, macroF1: accuracy, macroPrecision: accuracy, macroRecall: accuracy, auc: null, ci: { accuracy: [accuracy - 0.1, accuracy + 0.1] } },
    cost: flops === null ? null : { macs: flops / 2, flops, imagesPerSecond: 10 },
  };
}

const small: ResultsInput = {
  experiment: 'small',
  runs: [
    run('teacher', 10, 0, 0.9, 16e9),
    run('teacher', 10, 1, 0.8, 16e9),
    run('baseline', 2.5, 0, 0.6, 1e9),
    run('baseline', 2.5, 1, 0.7, 1e9),
    run('kd', 2.5, 0, 0.85, 1e9),
    run('kd', 2.5, 1, 0.85, 1e9),
  ],
} as ResultsInput;

describe('report (pure TS, hand-written results)', () => {
  it('aggregates over seeds: mean, sample std, mean CI, FLOPs reduction vs the teacher', () => {
    const rows = summarize(parseResults(small));
    expect(rows.map((r) => `${r.method} ${r.magnification}`)).toEqual(['teacher 10', 'baseline 2.5', 'kd 2.5']);
    const teacher = rows[0]!;
    expect(teacher.metrics.accuracy?.mean).toBeCloseTo(0.85, 12);
    expect(teacher.metrics.accuracy?.std).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(teacher.metrics.accuracy?.ci?.[0]).toBeCloseTo(0.75, 12);
    expect(teacher.metrics.auc).toBeNull();
    expect(rows[1]?.flopsReduction).toBe(16);
    expect(rows[2]?.metrics.accuracy?.std).toBe(0);
    expect(paretoFront(rows).map((r) => r.method)).toEqual(['kd', 'teacher']);
  });

  it('flags a student whose FLOPs do not fall by about the squared magnification ratio', () => {
    expect(costWarnings(summarize(parseResults(small)))).toEqual([]);
    const upsampled = { ...small, runs: small.runs.map((r) => (r.method === 'kd' || r.method === 'baseline' ? { ...r, cost: { macs: 8e9, flops: 16e9, imagesPerSecond: 1 } } : r)) };
    expect(costWarnings(summarize(parseResults(upsampled)))).toEqual([expect.stringMatching(/^2\.5x costs 1\/1\.0 of the teacher's FLOPs, expected about 1\/16\.0/)]);
  });

  it('names bad fields of results.json by path', () => {
    expect(() => parseResults({ runs: [{ method: 'student', magnification: -1, seed: 0, metrics: {}, cost: null }] })).toThrow(
      /runs\[0\]\.method: [\s\S]*runs\[0\]\.magnification: [\s\S]*runs\[0\]\.metrics\.accuracy: /,
    );
  });

  it('writes results.csv, report.md, SVG plots and report.html from the fixture', async () => {
    const dir = tempDir();
    const results = readResults(fixture);
    const files = await writeReport(results, dir);
    const csv = readFileSync(files.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(results.runs.length + 1);
    expect(csv[0]).toMatch(/^method,magnification,seed,unlabeled_fraction,accuracy,accuracy_ci_low,accuracy_ci_high,/);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('SYNTHETIC');
    expect(md).toMatch(/\| Method \| Mag\. \| GFLOPs \| FLOPs vs teacher \| Accuracy % \| Accuracy 95% CI \|/);
    expect(md).toMatch(/\| KD student \| 0\.625x \| 0\.0160 \| 1\/256 \| \d+\.\d ± \d+\.\d \| \[\d+\.\d, \d+\.\d\] \|/);
    expect(files.svgs.map((f) => path.basename(f))).toEqual(['accuracy-vs-flops.svg', 'accuracy-vs-magnification.svg', 'unlabeled-sweep.svg']);
    for (const f of files.svgs) expect(readFileSync(f, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('id="synthetic-banner"');
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('omits the sweep plot and the SYNTHETIC banner when neither applies, and tolerates missing cost', async () => {
    const dir = tempDir();
    const files = await writeReport(parseResults({ ...small, runs: small.runs.map((r) => ({ ...r, cost: null })) }), dir);
    expect(files.svgs.map((f) => path.basename(f))).toEqual(['accuracy-vs-magnification.svg']);
    const html = readFileSync(files.html, 'utf8');
    expect(html).not.toContain('SYNTHETIC');
    expect(html).not.toContain('partial-banner');
    expect(html).toContain('<td class="num">–</td>');
    const partial = await writeReport(parseResults({ ...small, complete: false, plannedRuns: 9 }), tempDir());
    expect(readFileSync(partial.html, 'utf8')).toMatch(/id="partial-banner">PARTIAL: 6 of 9 runs have finished/);
    expect(readFileSync(partial.markdown, 'utf8')).toContain('**PARTIAL**: 6 of 9 runs');
  });
});
