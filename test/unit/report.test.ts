// Pure TS: from a hand-written results.json (input data, test/fixtures/report) plus generated per-sample
// predictions, the report aggregates over seeds (mean, sample std, two-level CI), computes FLOPs
// ratios, the Pareto front, the paired comparisons and the answer, and writes CSV, Markdown, SVG plots (vega-lite,
// headless) and a self-contained HTML page labelled SYNTHETIC when the data is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { parseResults, readResults, type ResultsInput } from '../../src/report/results.js';
import { costWarnings, paretoFront, summarize } from '../../src/report/summary.js';
import { markdownSweep } from '../../src/report/sweep.js';
import { repoRoot, tempDir } from '../support.js';
import { samplesFor, withSamples } from '../report-samples.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'report', 'results.json');

function run(method: string, magnification: number, seed: number, accuracy: number, flops: number | null) {
  return {
    method,
    magnification,
    seed,
    metrics: {
      accuracy,
      balancedAccuracy: accuracy,
      macroF1: accuracy,
      macroPrecision: accuracy,
      macroRecall: accuracy,
      auc: null,
      ci: {},
    },
    samples: samplesFor(accuracy),
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
  it('tabulates the unlabeled sweep per magnification: baseline, kd as 0%, each fraction, with intervals; none without a sweep', () => {
    const swept = (f: number, acc: number, seed: number) => ({ ...run('kd-unlabeled', 2.5, seed, acc, 1e9), unlabeledFraction: f });
    const withSweep = parseResults({
      ...small,
      runs: [...small.runs, swept(0.5, 0.86, 0), swept(0.5, 0.88, 1), swept(1, 0.9, 0), swept(1, 0.9, 1)],
    } as ResultsInput);
    const table = markdownSweep(summarize(withSweep))!;
    expect(table.split('\n')[0]).toBe('| mag | baseline | 0% (kd) | 50% | 100% |');
    expect(table).toMatch(/^\| 2\.5x \| 65\.0 \[.*\] \| 85\.0 \[.*\] \| 87\.0 \[.*\] \| 90\.0 \[.*\] \|$/m);
    expect(markdownSweep(summarize(parseResults(small)))).toBeNull();
  });

  it('aggregates over seeds: mean, sample std, two-level CI, FLOPs reduction vs the teacher', () => {
    const rows = summarize(parseResults(small));
    expect(rows.map((r) => `${r.method} ${r.magnification}`)).toEqual(['teacher 10', 'baseline 2.5', 'kd 2.5']);
    const teacher = rows[0]!;
    expect(teacher.metrics.accuracy?.mean).toBeCloseTo(0.85, 12);
    expect(teacher.metrics.accuracy?.std).toBeCloseTo(Math.sqrt(0.005), 12);
    const [lo, hi] = teacher.metrics.accuracy!.ci!;
    expect(lo).toBeLessThan(0.85); // the pooled accuracy (0.9 and 0.8 on the same 60 samples) lies inside
    expect(hi).toBeGreaterThan(0.85);
    expect(teacher.groupLevel?.groups).toBe(12);
    expect(
      summarize(parseResults({ ...small, runs: small.runs.map(({ samples: _s, ...r }) => r) } as ResultsInput))[0]?.metrics.accuracy?.ci,
    ).toBeNull();
    expect(teacher.metrics.auc).toBeNull();
    expect(rows[1]?.flopsReduction).toBe(16);
    expect(rows[2]?.metrics.accuracy?.std).toBe(0);
    expect(paretoFront(rows).map((r) => r.method)).toEqual(['kd', 'teacher']);
  });

  it('flags a student whose FLOPs do not fall by about the squared magnification ratio', () => {
    expect(costWarnings(summarize(parseResults(small)))).toEqual([]);
    const upsampled = {
      ...small,
      runs: small.runs.map((r) =>
        r.method === 'kd' || r.method === 'baseline' ? { ...r, cost: { macs: 8e9, flops: 16e9, imagesPerSecond: 1 } } : r,
      ),
    };
    expect(costWarnings(summarize(parseResults(upsampled)))).toEqual([
      expect.stringMatching(/^2\.5x costs 1\/1\.0 of the teacher's FLOPs, expected about 1\/16\.0/),
    ]);
  });

  it('explains, with the cost guard, any departure of the FLOPs ratio from (mag_t/mag_s)^2 when the input sizes are recorded', () => {
    // The demo's numbers: 160x160 px at 10x, 40x40 px at 2.5x, FLOPs 1/14.9 instead of 1/16.
    const sized = (r: (typeof small.runs)[number]) =>
      r.method === 'teacher'
        ? { ...r, cost: { macs: 75059392, flops: 150118784, imagesPerSecond: 1, height: 160, width: 160 } }
        : { ...r, cost: { macs: 5038784, flops: 10077568, imagesPerSecond: 1, height: 40, width: 40 } };
    const rows = summarize(parseResults({ ...small, runs: small.runs.map(sized) }));
    expect(costWarnings(rows)).toEqual([
      expect.stringMatching(
        /^2\.5x costs 1\/14\.9 of the teacher's FLOPs, expected 1\/16\.0: its input is 40x40 px, 16\.0x fewer pixels .* stride-2 layers round/,
      ),
    ]);
    // An upsampled student (the teacher's pixels at 2.5x) is flagged by the guard, not explained away.
    const upsampled = summarize(
      parseResults({
        ...small,
        runs: small.runs.map((r) => ({ ...r, cost: { macs: 75059392, flops: 150118784, imagesPerSecond: 1, height: 160, width: 160 } })),
      }),
    );
    expect(costWarnings(upsampled)).toEqual([
      expect.stringMatching(/input 160x160 px is not the teacher's field at 2\.5x .* saves nothing/),
    ]);
  });

  it("reads the eval job's ci as written (resamples, level and null intervals beside the intervals)", () => {
    const r = small.runs[0] as any;
    const parsed = parseResults({
      ...small,
      runs: [{ ...r, metrics: { ...r.metrics, ci: { accuracy: [0.8, 0.95], auc: null, resamples: 2000, level: 0.95 } } }],
    });
    expect(parsed.runs[0]?.metrics.ci).toEqual({ accuracy: [0.8, 0.95] });
  });

  it('names bad fields of results.json by path', () => {
    expect(() => parseResults({ runs: [{ method: 'student', magnification: -1, seed: 0, metrics: {}, cost: null }] })).toThrow(
      /runs\[0\]\.method: [\s\S]*runs\[0\]\.magnification: [\s\S]*runs\[0\]\.metrics\.accuracy: /,
    );
  });

  it('writes results.csv, report.md, SVG plots and report.html from the fixture', async () => {
    const dir = tempDir();
    const results = parseResults(withSamples(readResults(fixture) as ResultsInput));
    const files = await writeReport(results, dir);
    const csv = readFileSync(files.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(results.runs.length + 1);
    expect(csv[0]).toMatch(/^method,magnification,seed,unlabeledFraction,accuracy,accuracyCiLow,accuracyCiHigh,/);
    expect(csv[0]).not.toMatch(/_/); // camelCase columns, as results.json
    const rows = csv.slice(1).map((l) => l.split(','));
    const emptyEverywhere = csv[0]!
      .split(',')
      .filter((name, i) => !['unlabeledFraction', 'key'].includes(name) && rows.every((r) => r[i] === ''));
    expect(emptyEverywhere).toEqual([]); // no always-empty column (a sweep-free experiment leaves unlabeledFraction blank; the fixture has no run keys)
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('SYNTHETIC');
    expect(md).toMatch(/\| Method \| Mag\. \| GFLOPs \| FLOPs vs teacher \| Images\/s \| Accuracy % \| Accuracy 95% CI \|/);
    expect(md).toMatch(/\| KD student \| 0\.625x \| 0\.0160 \| 1\/256 \| ([\d.]+|–) \| \d+\.\d ± \d+\.\d \| \[\d+\.\d, \d+\.\d\] \|/);
    expect(md).toMatch(/\*\*Answer\*\*: /);
    expect(md).toMatch(
      /\| 0\.625x \| KD student − Baseline \| 12 \| \d+ \/ \d+ paired \| \+\d+\.\d \[[-+]\d+\.\d, [-+]\d+\.\d\] \| [<\d.]+ \|/,
    );
    expect(files.svgs.map((f) => path.basename(f))).toEqual([
      'accuracy-vs-flops.svg',
      'accuracy-vs-magnification.svg',
      'unlabeled-sweep.svg',
      'training-curves.svg',
    ]);
    for (const f of files.svgs) expect(readFileSync(f, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('id="synthetic-banner"');
    expect(html).toContain('id="comparisons-table"');
    expect(html).toContain('id="answer"');
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    // Per class: one confusion matrix per method and magnification, every test prediction of every seed counted.
    const blocks = new Set(results.runs.filter((r) => !(r.unlabeledFraction! < 1)).map((r) => `${r.method}@${r.magnification}`));
    expect(html.match(/<figure class="confusion"/g)).toHaveLength(blocks.size);
    expect(html).toContain('<th>marsh 1</th>');
    expect(md).toMatch(/## Per class[\s\S]*\| KD student \| 0\.625x \| \d+ \/ \d+ \|/);
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
