// Pure TS: every config in experiments/ validates, points at the JSON Schema, and plans the runs it promises.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment, resolveExperiment } from '../../src/config/load.js';
import { planExperiment } from '../../src/experiment/plan.js';
import { repoRoot } from '../support.js';

const dir = path.join(repoRoot, 'experiments');
const configs = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'experiment.schema.json');

function count(file: string) {
  const plan = planExperiment(loadExperiment(path.join(dir, file)), { outDir: '/out', device: 'cpu' });
  const by = (m: string) => plan.runs.filter((r) => r.method === m).length;
  return {
    teacher: by('teacher'),
    baseline: by('baseline'),
    kd: by('kd'),
    kdInit: by('kd+init'),
    kdAt: by('kd+at'),
    kdProgressive: by('kd-progressive'),
    kdu: by('kd-unlabeled'),
    total: plan.runs.length,
  };
}

describe('experiments/ configs (pure TS)', () => {
  it('holds the demo, lymphoma with and without stain normalisation, and the three paper-shaped templates', () => {
    expect(configs.sort()).toEqual(['celiac.json', 'demo.json', 'luad.json', 'lymphoma-macenko.json', 'lymphoma.json', 'rcc.json']);
  });

  it.each(configs)('%s validates and refers to the schema', (file) => {
    const raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { $schema?: string };
    expect(raw.$schema).toBe('./experiment.schema.json');
    expect(() => loadExperiment(path.join(dir, file))).not.toThrow();
  });

  it('the demo is synthetic, 3 seeds (the fewest a README claim rests on), teacher 10x, students 5x and 2.5x with an unlabeled pool swept at a quarter, half and all of it, and kd+init, kd+at and kd-progressive beside kd', () => {
    const c = loadExperiment(path.join(dir, 'demo.json'));
    expect(c.data.source).toBe('synthetic');
    expect(c.seeds).toHaveLength(3);
    expect(c.magnifications).toEqual({ teacher: 10, students: [5, 2.5] });
    expect(count('demo.json')).toEqual({
      teacher: 3,
      baseline: 6,
      kd: 6,
      kdInit: 6,
      kdAt: 6,
      kdProgressive: 3,
      kdu: 18,
      total: 1 + 3 + 45 + 3,
    });
  });

  it('lymphoma reads the shared patches at 1.6 um/px: teacher full size, students at 1/2 and 1/8, 3 seeds, kd+init beside kd', () => {
    const c = loadExperiment(path.join(dir, 'lymphoma.json'));
    expect(c.data).toMatchObject({
      source: 'images',
      mpp: 1.6,
      root: path.resolve(dir, '..', '..', 'shared', 'data', 'patches', 'lymphoma-iicbu2008'),
    }); // the template's own relative path
    expect(c.magnifications.teacher).toBeCloseTo(10 / 1.6, 12);
    expect(c.magnifications.students.map((m) => c.magnifications.teacher / m)).toEqual([2, 8]);
    expect(c.seeds).toEqual([0, 1, 2]);
    expect(count('lymphoma.json')).toMatchObject({ teacher: 3, baseline: 6, kd: 6, kdInit: 6, kdu: 0 });
  });

  it('lymphoma-macenko is lymphoma.json with data.stain macenko and nothing else changed, so compare pairs them', () => {
    const { stain, ...data } = loadExperiment(path.join(dir, 'lymphoma-macenko.json')).data as { stain: string };
    const plain = loadExperiment(path.join(dir, 'lymphoma.json'));
    const stained = loadExperiment(path.join(dir, 'lymphoma-macenko.json'));
    expect(stain).toBe('macenko');
    expect({ ...plain.data, stain: undefined }).toEqual({ ...data, stain: undefined });
    const rest = (c: typeof plain) => ({ ...c, name: '', description: '', data: null });
    expect(rest(stained)).toEqual(rest(plain));
  });

  it('celiac runs on the SYNTHETIC cohort with the two lines its description names changed', () => {
    const text = readFileSync(path.join(dir, 'celiac.json'), 'utf8');
    expect(text).toContain('set data.csv to \\"celiac-cohort/cohort.csv\\" and data.splits.unlabeled to 0.5');
    const changed = text
      .replace(/"csv": "REPLACE_ME\/[^"]+"/, '"csv": "celiac-cohort/cohort.csv"')
      .replace('"unlabeled": 0,', '"unlabeled": 0.5,');
    expect(changed.split('\n').filter((l, i) => l !== text.split('\n')[i])).toHaveLength(2);
    const c = resolveExperiment(JSON.parse(changed), { baseDir: dir });
    expect(c.data).toMatchObject({ source: 'slides', csv: path.join(dir, 'celiac-cohort', 'cohort.csv'), unit: { kind: 'pieces' } });
    const plan = planExperiment(c, { outDir: '/out', device: 'cpu' });
    expect(plan.runs.find((r) => r.method === 'kd')?.steps[0]?.spec).toMatchObject({ mode: 'exact', batchSize: 1, accumulate: 32 });
  });

  it('templates are shaped like the paper and their data paths are marked REPLACE_ME', () => {
    const celiac = loadExperiment(path.join(dir, 'celiac.json'));
    expect(celiac.data).toMatchObject({ source: 'slides', unit: { kind: 'pieces' } });
    expect([celiac.teacher.batchSize, celiac.teacher.accumulate]).toEqual([1, 32]);
    expect(celiac.magnifications.students).toContain(0.625);
    expect(count('celiac.json').kdu).toBe(3 * 4 * 3);
    // The pool is extra unlabeled slides (empty labels in the CSV): no labelled patient leaves the teacher's training set.
    expect(celiac.data).toMatchObject({ unlabeledPool: true, splits: { unlabeled: 0 } });
    expect(loadExperiment(path.join(dir, 'luad.json')).magnifications).toEqual({ teacher: 10, students: [5, 2.5, 1.25] });
    expect(loadExperiment(path.join(dir, 'rcc.json')).magnifications).toEqual({ teacher: 5, students: [2.5, 1.25] });
    for (const f of ['celiac.json', 'luad.json', 'rcc.json'])
      expect(readFileSync(path.join(dir, f), 'utf8')).toMatch(/"csv": "REPLACE_ME\//);
  });
});
