// Needs the built CLI (dist/), not the addon: `schema` prints the checked-in JSON Schema, `run` refuses an invalid
// config with every bad field named (--json: one error object), and `report` rebuilds the report from results.json.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../support.js';

describe('resdistill run / report / schema (CLI, no addon needed)', () => {
  it('schema prints the JSON Schema checked in as experiments/experiment.schema.json', () => {
    const r = runCli(['schema']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(path.join(repoRoot, 'experiments', 'experiment.schema.json'), 'utf8')));
  });

  it('run --json refuses an invalid config with CONFIG_INVALID naming each bad field, and writes nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'data:\n  source: images\n  root: x\nseeds: [1, 1]\nteacher:\n  epochs: -3\n');
    const out = path.join(dir, 'out');
    const r = runCli(['run', file, '--out', out, '--json']);
    expect(r.status).toBe(1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('data.mpp: ');
    expect(error.message).toContain('seeds[1]: seed 1 is listed twice');
    expect(error.message).toContain('teacher.epochs: ');
    expect(existsSync(out)).toBe(false);
  });

  it('report rebuilds results.csv, report.md, plots and report.html from a results.json', () => {
    const dir = tempDir();
    copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'report', 'results.json'), path.join(dir, 'results.json'));
    const r = runCli(['report', dir, '--json']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { report: string; plots: string[] };
    expect(out.report).toBe(path.join(dir, 'report.html'));
    expect(out.plots).toHaveLength(3);
    for (const f of ['report.html', 'report.md', 'results.csv', 'accuracy-vs-flops.svg']) expect(existsSync(path.join(dir, f))).toBe(true);
    const text = runCli(['report', dir]);
    expect(text.stdout).toMatch(/\| Teacher \| 10x \| 4\.10 \| 1 \(teacher\) \|/);
    expect(text.stdout).toContain(`report: ${path.join(dir, 'report.html')}`);
  });

  it('report on a folder without results.json fails with a typed error', () => {
    const r = runCli(['report', tempDir(), '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('CONFIG_INVALID');
  });
});
