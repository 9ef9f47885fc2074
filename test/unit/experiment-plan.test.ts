// Pure TS: the plan lists teacher -> baseline/kd/kd-unlabeled per magnification and seed in dependency order,
// keys are hashes of the resolved sub-config (stable under key order and output path, sensitive to what matters),
// and each step's spec carries the fields of the native job contracts (src/native/jobs.ts).
import { describe, expect, it } from 'vitest';
import { canonicalJson, runKey } from '../../src/experiment/hash.js';
import { resolveExperiment } from '../../src/config/load.js';
import { JOB_KINDS, planExperiment } from '../../src/experiment/plan.js';

const base = {
  name: 'plan-test',
  data: { source: 'synthetic', slidesPerClass: 4, unit: { kind: 'tiles', sizeUm: 128 }, splits: { unlabeled: 0.3 } },
  magnifications: { teacher: 10, students: [2.5, 1.25] },
  teacher: { epochs: 3 },
  student: { epochs: 2 },
  seeds: [0, 1],
};

function plan(value: unknown, outDir = '/out') {
  return planExperiment(resolveExperiment(value), { outDir, device: 'cpu' });
}

function keysBy(p: ReturnType<typeof plan>) {
  return Object.fromEntries(p.runs.map((r) => [r.label, r.key]));
}

describe('experiment plan (pure TS)', () => {
  it('data.stain: none keeps every key of a config without it; macenko is another store, sent to store.extract', () => {
    const withStain = (stain?: string) => plan({ ...base, data: { ...base.data, ...(stain ? { stain } : {}) } });
    expect(keysBy(withStain('none'))).toEqual(keysBy(withStain()));
    const macenko = withStain('macenko');
    const extract = macenko.runs.find((r) => r.kind === 'extract')!;
    expect(extract.key).not.toBe(withStain().runs.find((r) => r.kind === 'extract')!.key);
    expect(extract.steps.find((s) => s.kind === 'store.extract')!.spec).toMatchObject({ stain: 'macenko' });
    expect(() => withStain('vahadane')).toThrow(/stain/);
  });

  it('canonical JSON ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(runKey({ a: 1, b: 2 })).toBe(runKey({ b: 2, a: 1 }));
    expect(runKey({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
  });

  it('lists extract, teachers per seed, then baseline, kd and kd-unlabeled per magnification and seed, then cost', () => {
    const p = plan(base);
    expect(p.runs.map((r) => r.label)).toEqual([
      'extract 10x 2.5x 1.25x',
      'teacher 10x seed 0',
      'teacher 10x seed 1',
      ...[2.5, 1.25].flatMap((m) =>
        [0, 1].flatMap((s) => [`baseline ${m}x seed ${s}`, `kd ${m}x seed ${s}`, `kd-unlabeled ${m}x seed ${s}`]),
      ),
      'cost 10x',
      'cost 2.5x',
      'cost 1.25x',
    ]);
    expect(new Set(p.runs.map((r) => r.key)).size).toBe(p.runs.length);
    const seen = new Set<string>();
    for (const r of p.runs) {
      for (const d of r.dependsOn) expect(seen.has(d), `${r.label} after its dependency`).toBe(true);
      seen.add(r.key);
    }
    const k = keysBy(p);
    const kd = p.runs.find((r) => r.label === 'kd 1.25x seed 1');
    expect(kd?.dependsOn).toEqual([k['extract 10x 2.5x 1.25x'], k['teacher 10x seed 1']]);
  });

  it("passes augment in the config's words (jitter null: no colour jitter); the teacher cache goes to distillation only", () => {
    const p = plan({ ...base, augment: { jitter: null }, student: { ...base.student, teacherCache: true } });
    const kd = p.runs.find((r) => r.method === 'kd');
    expect(kd?.steps[0]?.spec).toMatchObject({ teacherCache: true, augment: { flips: true, rot90: false, jitter: null } });
    expect(kd?.steps[0]?.spec).not.toHaveProperty('initFromTeacher');
    const baseline = p.runs.find((r) => r.method === 'baseline')?.steps[0]?.spec;
    expect(baseline).not.toHaveProperty('teacherCache');
    expect(baseline).not.toHaveProperty('initFromTeacher');
    expect(() => plan({ ...base, student: { ...base.student, teacherCache: true } })).toThrow(
      /student\.teacherCache: the teacher cache needs flip\/rotation-only/,
    );
  });

  it('builds specs with the fields of train.supervised, train.distill and eval', () => {
    const p = plan(base);
    const teacher = p.runs.find((r) => r.label === 'teacher 10x seed 0');
    const train = teacher?.steps[0];
    expect(train?.kind).toBe(JOB_KINDS.supervised);
    expect(train?.spec).toMatchObject({
      store: p.storeDir,
      magnification: 10,
      model: { name: 'gn_resnet', norm: 'group', widths: [32, 64, 128, 256], blocks: [1, 1, 1, 1] },
      epochs: 3,
      batchSize: 16,
      accumulate: 1,
      optimizer: { name: 'adam', lr: 1e-3, weightDecay: 1e-4 },
      schedule: { name: 'constant' },
      seed: 0,
      device: 'cpu',
      // The config's own words (the native loader reads them): the authors' flips and jitter, no quarter turns.
      augment: { flips: true, rot90: false, jitter: { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 } },
      normalize: 'dataset',
      selectBy: 'accuracy',
      out: `/out/runs/teacher-10x-seed0-${teacher?.key.slice(0, 8)}`,
      resume: true,
    });
    expect(teacher?.steps[1]).toMatchObject({
      kind: JOB_KINDS.eval,
      spec: {
        split: 'test',
        magnification: 10,
        checkpoint: `/out/runs/teacher-10x-seed0-${teacher?.key.slice(0, 8)}/best.safetensors`,
        bootstrap: 10000,
        seed: 0,
      },
    });
    const kdu = p.runs.find((r) => r.label === 'kd-unlabeled 2.5x seed 0');
    expect(kdu?.steps[0]).toMatchObject({
      kind: JOB_KINDS.distill,
      spec: {
        magnification: 2.5,
        epochs: 2,
        unlabeled: true,
        teacher: { checkpoint: `/out/runs/teacher-10x-seed0-${teacher?.key.slice(0, 8)}/best.safetensors`, magnification: 10 },
        loss: { wKd: 1, wPx: 1, wCe: 0, temperature: 1, pixel: 'l2', resize: 'maxpool' },
      },
    });
    expect(p.runs.find((r) => r.label === 'kd 2.5x seed 0')?.steps[0]?.spec.unlabeled).toBe(false);
  });

  it('keys do not depend on the output directory or key order, and change exactly with what a run depends on', () => {
    const k0 = keysBy(plan(base));
    const reordered = {
      seeds: [0, 1],
      student: { epochs: 2 },
      teacher: { epochs: 3 },
      magnifications: { students: [2.5, 1.25], teacher: 10 },
      data: base.data,
      name: 'plan-test',
    };
    expect(keysBy(plan(reordered, '/elsewhere'))).toEqual(k0);

    const studentLr = keysBy(plan({ ...base, student: { epochs: 2, optimizer: { lr: 5e-4 } } }));
    expect(studentLr['teacher 10x seed 0']).toBe(k0['teacher 10x seed 0']);
    expect(studentLr['baseline 2.5x seed 0']).not.toBe(k0['baseline 2.5x seed 0']);
    expect(studentLr['kd 2.5x seed 0']).not.toBe(k0['kd 2.5x seed 0']);

    const teacherEpochs = keysBy(plan({ ...base, teacher: { epochs: 4 } }));
    expect(teacherEpochs['teacher 10x seed 0']).not.toBe(k0['teacher 10x seed 0']);
    expect(teacherEpochs['kd 1.25x seed 1']).not.toBe(k0['kd 1.25x seed 1']);
    expect(teacherEpochs['baseline 1.25x seed 1']).toBe(k0['baseline 1.25x seed 1']);

    const loss = keysBy(plan({ ...base, loss: { temperature: 4 } }));
    expect(loss['kd 2.5x seed 1']).not.toBe(k0['kd 2.5x seed 1']);
    expect(loss['baseline 2.5x seed 1']).toBe(k0['baseline 2.5x seed 1']);

    const moreSeeds = keysBy(plan({ ...base, seeds: [0, 1, 2] }));
    expect(moreSeeds['kd 2.5x seed 1']).toBe(k0['kd 2.5x seed 1']);
  });

  it('plans no kd-unlabeled runs without an unlabeled pool, and one per swept fraction with one', () => {
    const noPool = plan({ ...base, data: { ...base.data, splits: { unlabeled: 0 } } });
    expect(noPool.runs.some((r) => r.method === 'kd-unlabeled')).toBe(false);
    const swept = plan({
      ...base,
      seeds: [0],
      magnifications: { teacher: 10, students: [2.5] },
      sweep: { unlabeledFractions: [0.25, 0.5, 0, 1] },
    });
    const kdu = swept.runs.filter((r) => r.method === 'kd-unlabeled');
    expect(kdu.map((r) => r.unlabeledFraction)).toEqual([1, 0.5, 0.25]);
    expect(kdu.map((r) => r.steps[0]?.spec.unlabeledFraction)).toEqual([undefined, 0.5, 0.25]);
  });

  it('an existing store is used in place, with no extract run', () => {
    const p = plan({ ...base, data: { source: 'store', path: '/stores/lymphoma', unlabeledPool: true } });
    expect(p.storeDir).toBe('/stores/lymphoma');
    expect(p.runs[0]?.label).toBe('teacher 10x seed 0');
    expect(p.runs[0]?.dependsOn).toEqual([]);
    expect(p.runs.some((r) => r.method === 'kd-unlabeled')).toBe(true);
  });
});
