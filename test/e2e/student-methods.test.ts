// Needs the addon (synth, extraction, training, eval and cost jobs) and the built CLI. A tiny SYNTHETIC experiment
// with our two extra students: `loss.attention` trains kd+at beside the paper's kd (at 5x a 128 um tile is 64 px and
// the student's last map 2 x 2, so its attention term is non-zero; kd's is zero; at 2.5x the map is 1 x 1, where the
// job warns that attention transfer adds nothing), and `student.progressive` trains kd-progressive at 2.5x taught
// by the kd student at 5x (its training step is given that checkpoint at 5x). results.json and report.md hold both rows,
// and the paired comparisons put each against kd, the baseline and the teacher.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunName, runDir } from '../../src/experiment/layout.js';
import { readLog } from '../../src/experiment/rundir.js';
import { addonHasJob, runCli, tempDir } from '../support.js';

const tiny = {
  name: 'attention-transfer-test (SYNTHETIC)',
  data: {
    source: 'synthetic',
    slidesPerClass: 6,
    seed: 0,
    unit: { kind: 'tiles', sizeUm: 128, maxPerSlide: 8 },
    splits: { train: 0.5, val: 0.25, test: 0.25 },
  },
  magnifications: { teacher: 10, students: [5, 2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 2, batchSize: 8 },
  student: { epochs: 2, batchSize: 8, progressive: true },
  loss: { attention: {} },
  evaluation: { bootstrap: 200 },
  seeds: [0],
  device: 'cpu',
};

/** The attention term of every epoch a run's training job logged (out/log.jsonl), two per run here. */
function attentionTerms(out: string, run: RunName): number[] {
  const terms = readLog(out)
    .filter((e) => e.event === 'job' && e.key === run.key && (e.job as { type: string }).type === 'epoch')
    .map((e) => (e.job as { terms: Record<string, number> }).terms.at!);
  expect(terms, run.key).toHaveLength(tiny.student.epochs);
  return terms;
}

describe.skipIf(!addonHasJob('train.distill'))('kd+at and kd-progressive students end to end (CLI, addon)', () => {
  it('trains kd+at with a non-zero attention term beside kd without one, kd-progressive from the kd student above, and reports and compares both', () => {
    const root = tempDir();
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    const out = path.join(root, 'out');
    const r = runCli(['run', config, '--out', out, '--json', '--threads', '2'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);

    const runs = (JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as { runs: RunName[] }).runs;
    const of = (method: string) => runs.filter((x) => x.kind === 'train' && x.method === method);
    const at = (method: string, mag: number) =>
      attentionTerms(
        out,
        of(method).find((x) => x.magnification === mag)!,
      );
    for (const t of at('kd+at', 5)) expect(t).toBeGreaterThan(0);
    for (const t of [...at('kd+at', 2.5), ...at('kd', 5), ...at('kd', 2.5)]) expect(t).toBe(0);
    const warnings = readLog(out).filter((e) => (e.job as { type?: string } | undefined)?.type === 'warning');
    expect(warnings.map((e) => (e.job as { message: string }).message)).toEqual([expect.stringContaining('1 x 1 at 2.5x')]);

    const [progressive] = of('kd-progressive');
    expect(of('kd-progressive')).toHaveLength(1);
    expect(progressive!.magnification).toBe(2.5);
    const kd5 = of('kd').find((x) => x.magnification === 5)!;
    const step = (progressive as RunName & { steps: { spec: { teacher: object } }[] }).steps[0]!;
    expect(step.spec.teacher).toMatchObject({ magnification: 5, checkpoint: path.join(runDir(out, kd5), 'best.safetensors') });

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      complete: boolean;
      runs: { method: string }[];
      comparisons: { a: string; b: string; magnification: number }[];
    };
    expect(results.complete).toBe(true);
    expect(results.runs.filter((x) => x.method === 'kd+at')).toHaveLength(2);
    expect(results.runs.filter((x) => x.method === 'kd-progressive')).toHaveLength(1);
    const pairs = (a: string) =>
      results.comparisons
        .filter((c) => c.a === a)
        .map((c) => `${c.b} at ${c.magnification}x`)
        .sort();
    expect(pairs('kd+at')).toEqual(['baseline at 2.5x', 'baseline at 5x', 'kd at 2.5x', 'kd at 5x', 'teacher at 2.5x', 'teacher at 5x']);
    expect(pairs('kd-progressive')).toEqual(['baseline at 2.5x', 'kd at 2.5x', 'teacher at 2.5x']);
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('KD + attention transfer');
    expect(report).toContain('KD progressive (chain)');
  });
});
