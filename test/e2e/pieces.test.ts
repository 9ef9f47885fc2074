// The paper's unit end to end: whole tissue pieces of the SYNTHETIC cohort (variable size) are extracted, a
// teacher, a baseline and a KD student train on them (batch 1 with accumulation, the loader's exact mode) and are
// evaluated; maxSizeUm splits a large piece into a grid; predict classifies a slide's pieces the same way.
// Needs the addon with the synth, extract and training jobs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { loadBinding } from '../../src/native/addon.js';
import { listSamples } from '../../src/store/info.js';
import { runCli, tempDir } from '../support.js';

function hasJobs(): boolean {
  try {
    const kinds = loadBinding()
      .jobKinds()
      .map((k) => k.kind);
    return ['synth.cohort', 'store.extract', 'train.supervised', 'train.distill', 'eval'].every((k) => kinds.includes(k));
  } catch {
    return false;
  }
}

const pieces = (extra: Record<string, unknown> = {}) => ({ kind: 'pieces', minAreaUm2: 20_000, ...extra });

describe.skipIf(!hasJobs())("tissue pieces, the paper's unit (addon with synth, extract, training)", () => {
  it('maxSizeUm splits a piece larger than it into a grid of pieces no larger (to one coarse pixel)', async () => {
    const cohort = tempDir('rd-pieces-cohort-');
    await runJob('synth.cohort', { out: cohort, seed: 0, slidesPerClass: 1 });
    const csv = path.join(cohort, 'cohort.csv');
    const extract = async (unit: Record<string, unknown>) => {
      const out = path.join(tempDir('rd-pieces-'), 'store');
      await runJob('store.extract', {
        source: { kind: 'slides', csv, unit: 'pieces', ...unit },
        magnifications: [10, 5],
        out,
        splits: { seed: 0, train: 0.7, val: 0.15, test: 0.15 },
      });
      return listSamples(out).map((s) => s.sample.views[0]!.shape);
    };
    const whole = await extract({ minAreaUm2: 20_000 });
    const split = await extract({ minAreaUm2: 20_000, maxSizeUm: 200 });
    // At 10x a pixel is 1 um; cells snap to whole 5x pixels (2 um).
    expect(Math.max(...whole.map(([h, w]) => Math.max(h!, w!)))).toBeGreaterThan(200);
    expect(Math.max(...split.map(([h, w]) => Math.max(h!, w!)))).toBeLessThanOrEqual(202);
    expect(split.length).toBeGreaterThan(whole.length);
    // Pieces really vary in size: that is why training runs them one at a time.
    expect(new Set(split.map((s) => s.join('x'))).size).toBeGreaterThan(1);
    // minAreaUm2 takes effect: a larger minimum keeps fewer pieces.
    expect((await extract({ minAreaUm2: 100_000 })).length).toBeLessThan(whole.length);
  }, 600_000);

  it('resdistill run trains and evaluates teacher, baseline and KD on variable-size pieces', () => {
    const dir = tempDir('rd-pieces-run-');
    const config = path.join(dir, 'pieces.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'pieces (SYNTHETIC)',
        data: {
          source: 'synthetic',
          slidesPerClass: 8,
          seed: 0,
          unit: pieces({ maxSizeUm: 192 }),
          splits: { train: 0.5, val: 0.25, test: 0.25 },
        },
        magnifications: { teacher: 10, students: [2.5] },
        model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
        teacher: { epochs: 1, accumulate: 8 },
        student: { epochs: 1, accumulate: 8 },
        evaluation: { bootstrap: 100 },
        seeds: [0],
        device: 'cpu',
        threads: 2,
      }),
    );
    const out = path.join(dir, 'out');
    const r = runCli(['run', config, '--out', out, '--json'], { timeout: 1_200_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      complete: boolean;
      runs: { method: string; samples: { ids: number[] } }[];
    };
    expect(results.complete).toBe(true);
    // The trained runs and the two references the teacher is checked against (src/experiment/colour-reference.ts).
    expect(results.runs.map((x) => x.method).sort()).toEqual(['baseline', 'colour-reference', 'kd', 'majority-class', 'teacher']);
    for (const run of results.runs) expect(run.samples.ids.length).toBeGreaterThan(0);
    const plan = JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as {
      runs: { method?: string; steps: { spec: Record<string, unknown> }[] }[];
    };
    const kd = plan.runs.find((x) => x.method === 'kd')!;
    expect(kd.steps[0]!.spec).toMatchObject({ mode: 'exact', batchSize: 1, accumulate: 8 });
    expect(kd.steps[1]!.spec).toMatchObject({ mode: 'exact', batchSize: 1 });

    // predict classifies the slide's detected pieces (split like the store's) with the KD student, one at a time.
    const slide = path.join(
      out,
      'stores',
      readdirSync(path.join(out, 'stores')).find((d) => d.endsWith('-cohort'))!,
      'slide-000.tif',
    );
    const p = runCli(['predict', slide, '--model', out, '--out', path.join(dir, 'predict'), '--json'], { timeout: 600_000 });
    expect(p.status, p.stderr + p.stdout).toBe(0);
    const rows = readFileSync(path.join(dir, 'predict', 'tiles.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(rows.length).toBeGreaterThan(1);
    const sizes = rows.map((r) => r.split(',').slice(2, 4).map(Number));
    for (const [w, h] of sizes) expect(Math.max(w!, h!) * 0.25).toBeLessThanOrEqual(192 + 1); // level-0 is 0.25 um/px
    expect(new Set(sizes.map((s) => s.join('x'))).size).toBeGreaterThan(1);
  }, 1_200_000);
});
