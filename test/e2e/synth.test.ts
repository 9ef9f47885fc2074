// Needs the addon and the built CLI: `resdistill synth` writes the SYNTHETIC cohort and says so.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support.js';

describe('resdistill synth (CLI, addon)', () => {
  it('--json prints one object naming the cohort files; the CSV lists every slide', () => {
    const out = tempDir('resdistill-cli-synth-');
    const r = runCli(['synth', out, '--slides-per-class', '1', '--seed', '5', '--json']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ synthetic: true, seed: 5, slides: 3, csv: path.join(out, 'cohort.csv') });
    const rows = readFileSync(result.csv, 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(existsSync(path.join(out, row.split(',')[0]!))).toBe(true);
  });

  it('labels human output SYNTHETIC and reports bad options as errors', () => {
    const out = tempDir('resdistill-cli-synth-');
    const r = runCli(['synth', out, '--slides-per-class', '1', '--classes', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SYNTHETIC cohort \(not patient data\): 2 slides/);
    const bad = runCli(['synth', out, '--seed', 'x']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--seed/);
  });
});
