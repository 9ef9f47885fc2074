// A results.json is an input like any other: `resdistill report` checks every prediction against the class list and
// bounds the sizes it declares, answering CONFIG_INVALID with named paths, exit 1, no signal and no report files
// (rather than a wrong table, an INTERNAL error or Node running out of memory). Needs the built CLI (dist/) only.
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support.js';

const metrics = { accuracy: 0.5, balancedAccuracy: 0.5, macroF1: 0.5, macroPrecision: 0.5, macroRecall: 0.5, auc: 0.5 };
const samples = {
  ids: [0, 1, 2],
  groups: ['a', 'b', 'c'],
  labels: [0, 1, 0],
  probs: [
    [0.9, 0.1],
    [0.2, 0.8],
    [0.6, 0.4],
  ],
};
const run = (over: object = {}) => ({ method: 'teacher', magnification: 10, seed: 0, metrics, cost: null, samples, ...over });
const base = { experiment: 'hostile', classes: ['tumour', 'stroma'], runs: [run()] };

/** Writes `results` into a fresh folder, runs `report --json` on it; returns the parsed answer and what is left. */
function report(results: unknown) {
  const dir = tempDir('resdistill-results-');
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results));
  const r = runCli(['report', dir, '--json'], { timeout: 60_000 });
  return { ...r, left: readdirSync(dir).filter((f) => f !== 'results.json'), answer: r.stdout ? JSON.parse(r.stdout) : null };
}

function expectRefused(results: unknown, message: RegExp) {
  const r = report(results);
  expect(r.status, r.stderr).toBe(1);
  expect(r.answer).toMatchObject({ error: { code: 'CONFIG_INVALID', message: expect.stringMatching(message) } });
  expect(r.left).toEqual([]);
}

describe('results.json is checked against its class list and bounded (needs the built CLI)', () => {
  it('the consistent file reports (the control)', () => {
    const r = report(base);
    expect(r.status, r.stderr).toBe(0);
    expect(r.left).toContain('report.md');
  });

  it('a probability row of the wrong length is refused, naming the row', () => {
    expectRefused(
      {
        ...base,
        runs: [
          run({
            samples: {
              ...samples,
              probs: [
                [0.9, 0.1],
                [0.2, 0.8],
                [0.3, 0.3, 0.4],
              ],
            },
          }),
        ],
      },
      /runs\[0\]\.samples\.probs\[2\]: has 3 probabilities, expected 2/,
    );
  });

  it('a label out of range of the class list is refused', () => {
    expectRefused(
      { ...base, runs: [run({ samples: { ...samples, labels: [0, 7, 0] } })] },
      /labels\[1\]: label 7 is out of range for 2 classes/,
    );
  });

  it('probabilities that are not a distribution, and columns of different lengths, are refused', () => {
    expectRefused(
      {
        ...base,
        runs: [
          run({
            samples: {
              ...samples,
              probs: [
                [2, -1],
                [0.2, 0.8],
                [0.6, 0.4],
              ],
            },
          }),
        ],
      },
      /probs\[0\]: probabilities must lie in \[0, 1\]/,
    );
    expectRefused({ ...base, runs: [run({ samples: { ...samples, groups: ['a'] } })] }, /samples\.groups: has 1 entries, labels has 3/);
  });

  it('without a class list, every run shares the first row width', () => {
    const { classes: _, ...noClasses } = base;
    expectRefused(
      {
        ...noClasses,
        runs: [run(), run({ seed: 1, samples: { ...samples, probs: samples.probs.map((p) => [...p.map((x) => x / 2), 0.5]) } })],
      },
      /runs\[1\]\.samples\.probs\[0\]: has 3 probabilities, expected 2/,
    );
  });

  it('10,000 declared classes and 10^9 bootstrap resamples are refused before any work', () => {
    expectRefused(
      { ...base, classes: Array.from({ length: 10_000 }, (_, i) => `c${i}`) },
      /classes: must list 2 to 1000 names \(got 10000\)/,
    );
    expectRefused({ ...base, statistics: { resamples: 1e9 } }, /statistics\.resamples: at most 100000/);
  });

  it('duplicate class names are refused', () => {
    expectRefused({ ...base, classes: ['tumour', 'tumour'] }, /classes\[1\]: duplicate name 'tumour'/);
  });
});

describe('user strings in results.json stay data in every report file (needs the built CLI)', () => {
  const hostile = {
    ...base,
    experiment: '<img src=x onerror=alert(1)> [click](http://evil) # x\n# injected heading',
    classes: ['__proto__', '=HYPERLINK("http://evil","x")'],
    runs: [run({ key: '=HYPERLINK("http://evil","x")' }), run({ method: 'baseline', magnification: 5, key: '-2+3' })],
  };

  it('report.md escapes experiment and class names: no raw HTML, link or heading comes from them', () => {
    const r = report(hostile);
    expect(r.status, r.stderr).toBe(0);
    const dir = path.dirname(r.answer.markdown as string);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('](http://evil)');
    expect(md).not.toMatch(/^# injected heading/m);
    expect(md.split('\n')[0]).toBe('# &lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(http://evil\\) \\# x \\# injected heading');
    expect(md).toContain('\\_\\_proto\\_\\_ recall / precision %');
  });

  it('results.csv prefixes cells a spreadsheet would run as formulas (OWASP), and keeps numbers as numbers', () => {
    const r = report(hostile);
    const csv = readFileSync(path.join(path.dirname(r.answer.markdown as string), 'results.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csv).toContain(",'-2+3\r\n");
    expect(csv.split('\r\n')[1]).toMatch(/^teacher,10,0,,0\.5,/);
  });
});

describe('a results.json that never ends (needs the built CLI)', () => {
  it('results.json as /dev/zero: CONFIG_INVALID after the size limit, exit 1, no report files', () => {
    const dir = tempDir('resdistill-results-');
    symlinkSync('/dev/zero', path.join(dir, 'results.json'));
    const r = runCli(['report', dir, '--json'], { timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'CONFIG_INVALID', message: expect.stringMatching(/larger than \d+ bytes/) },
    });
    expect(readdirSync(dir)).toEqual(['results.json']);
  });
});
