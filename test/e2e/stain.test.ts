// Needs the addon (synth, extraction, training, eval jobs), the built CLI and /usr/bin/python3 with torch and numpy.
// data.stain (docs/stain.md) end to end on a tiny SYNTHETIC experiment: the store's manifest holds the Macenko
// reference fitted on its training pool; the reference travels into the weights file,
// where the core (weights.forward) and Python (resdistill_models.preprocess) apply it alike.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNative } from '../../src/native/jobs.js';
import { addonHasJob, pythonHas, repoRoot, runCli, tempDir } from '../support.js';

const tiny = {
  name: 'stain-test (SYNTHETIC)',
  data: {
    source: 'synthetic',
    slidesPerClass: 6,
    seed: 0,
    unit: { kind: 'tiles', sizeUm: 64, maxPerSlide: 6 },
    splits: { train: 0.5, val: 0.25, test: 0.25 },
    stain: 'macenko',
  },
  magnifications: { teacher: 10, students: [2.5] },
  model: { name: 'gn_resnet', widths: [32, 32, 32, 32] },
  teacher: { epochs: 1, batchSize: 8 },
  student: { epochs: 1, batchSize: 8 },
  evaluation: { bootstrap: 100 },
  seeds: [0],
  device: 'cpu',
};

describe.skipIf(!addonHasJob('stain.fit') || !pythonHas('torch', 'numpy'))('data.stain end to end (CLI, addon, python3)', () => {
  it('fits on the training pool, normalises the store, and carries the reference to the weights and to Python', async () => {
    const root = tempDir();
    const file = path.join(root, 'stain.json');
    writeFileSync(file, JSON.stringify(tiny));
    const out = path.join(root, 'out');
    const r = runCli(['run', file, '--out', out, '--json', '--threads', '2'], { timeout: 900_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);

    const plan = JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as {
      runs: { kind: string; method?: string; steps: { kind: string; spec: Record<string, any> }[] }[];
    };
    const extract = plan.runs.find((x) => x.kind === 'extract')!.steps.find((s) => s.kind === 'store.extract')!.spec;
    expect(extract.stain).toBe('macenko');
    const manifest = JSON.parse(readFileSync(path.join(extract.out, 'manifest.json'), 'utf8'));
    expect(manifest.stain).toMatchObject({ method: 'macenko', maxConcentrations: [expect.any(Number), expect.any(Number)] });
    expect(manifest.stain.stainMatrix).toHaveLength(3);

    // The kd student's weights carry the reference; core and Python apply it and agree on the logits.
    const kd = plan.runs.find((x) => x.method === 'kd')!;
    const checkpoint = findFile(out, 'best.safetensors', kd.steps[0]!.spec.out as string);
    const described = await runNative('weights.describe', { path: checkpoint });
    expect(described.input.stain).toEqual(manifest.stain);
    expect(described.preprocessing).toContain('macenko stain normalisation');
    const probe = path.join(root, 'probe.npy');
    const py = (args: string[]) => spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
    // A pink and purple probe: stained enough for Macenko to estimate its own stains.
    const make = py([
      '-c',
      `import numpy as np; r = np.random.default_rng(0); x = np.stack([r.integers(120, 230, (96, 96)), r.integers(40, 150, (96, 96)), r.integers(110, 200, (96, 96))], -1); np.save("${probe}", x.astype(np.uint8))`,
    ]);
    expect(make.status, make.stderr).toBe(0);
    const core = await runNative('weights.forward', { path: checkpoint, images: [probe] });
    const python = py([path.join(repoRoot, 'python', 'resdistill_models.py'), checkpoint, probe]);
    expect(python.status, python.stderr).toBe(0);
    const theirs = JSON.parse(python.stdout) as { logits: number[][] };
    core.logits[0]!.forEach((z, i) => expect(Math.abs(z - theirs.logits[0]![i]!)).toBeLessThan(1e-5));
    // The reference changes the probe, so the agreement above is not two no-ops.
    const applied = await runNative('stain.apply', { reference: manifest.stain, image: probe });
    expect(applied.changed).toBe(true);
  });
});

/** The first file named `name` under the run folder `dir` (relative to out, or absolute). */
function findFile(out: string, name: string, dir: string): string {
  const base = path.isAbsolute(dir) ? dir : path.join(out, dir);
  const hit = readdirSync(base, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f) === name);
  expect(hit, `${name} under ${base}`).toBeDefined();
  return path.join(base, hit!);
}
