// Pure TS: no accepted config field is silently ignored. Every leaf field of the JSON Schema, set to a value other
// than its default, changes what the native jobs are given (the plan's job specs, extraction included; run keys,
// which hash the config, are masked so a field cannot pass by changing a hash alone), unless it is one of the few
// fields that only label outputs or tune the run itself, each listed with its reason.
import { describe, expect, it } from 'vitest';
import { experimentJsonSchema } from '../../src/config/schema.js';
import { resolveExperiment } from '../../src/config/load.js';
import { planExperiment } from '../../src/experiment/plan.js';

/** Fields that do not reach the plan, and where they do act instead. */
const NOT_IN_PLAN: Record<string, string> = {
  $schema: 'editor completion only',
  name: 'labels results.json and the report',
  description: 'labels results.json and the report',
  threads: 'intra-op threads of this process (resdistill run), not a property of any run',
  'evaluation.margin': 'read by the report from results.json; changing it never reruns anything',
  'evaluation.metric': 'read by the report from results.json; changing it never reruns anything',
  device: 'resolved by resdistill run (auto: cuda when LibTorch sees a GPU) and handed to the planner as its device',
};

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: Schema;
  minimum?: number;
  maximum?: number;
};

/** Minimal valid configs, one per data source and unit, so every variant's fields are reached. */
const BASES: Record<string, unknown>[] = [
  { data: { source: 'images', csv: 'list.csv', mpp: 0.5, test: 'held-out', splits: { train: 0.8, val: 0.2, test: 0 } } },
  { data: { source: 'images', root: 'imgs', mpp: 0.5, splits: { unlabeled: 0.2 } }, sweep: { unlabeledFractions: [0.5] } },
  { data: { source: 'slides', csv: 's.csv', unit: { kind: 'tiles', sizeUm: 256 } } },
  { data: { source: 'slides', csv: 's.csv', unit: { kind: 'pieces' } } },
  { data: { source: 'synthetic' } },
  { data: { source: 'store', path: 'store', unlabeledPool: true } },
];

function planJson(value: unknown): string | null {
  try {
    const c = resolveExperiment(value, { baseDir: '/cfg' });
    // teacher.weights is read before planning (readTeacherFile); here a stand-in at the config's magnification
    const teacherFile = c.teacher.weights
      ? { path: c.teacher.weights, sha256: 'f'.repeat(64), magnification: c.magnifications.teacher }
      : undefined;
    const plan = planExperiment(c, { outDir: '/out', device: 'cpu', teacherFile });
    return JSON.stringify(plan.runs.map((r) => r.steps)).replace(/[0-9a-f]{16}/g, 'KEY');
  } catch {
    return null;
  }
}

const get = (o: any, path: string[]) => path.reduce((a, k) => (a === undefined ? undefined : a[k]), o);
function set(o: any, path: string[], v: unknown): any {
  const copy = structuredClone(o);
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] ??= {};
  cur[path[path.length - 1]!] = v;
  return copy;
}

/** Candidate values for a leaf, other than its current one; the first that validates is used. */
function candidates(s: Schema, current: unknown): unknown[] {
  if (s.const !== undefined) return [];
  if (s.enum) return s.enum.filter((e) => e !== (current ?? s.default));
  if (s.type === 'boolean') return [!(current ?? s.default ?? false)];
  if (s.type === 'number' || s.type === 'integer') {
    const x = typeof current === 'number' ? current : typeof s.default === 'number' ? s.default : 1;
    return [x * 2, x + 1, x / 2, x + 0.1, x - 0.1, 0.3, 3].map((v) => (s.type === 'integer' ? Math.round(v) : v)).filter((v) => v !== x);
  }
  if (s.type === 'string') return ['other.csv', 'other'];
  if (s.type === 'array' && s.items) {
    const x = (current ?? s.default) as unknown[] | undefined;
    const n = Array.isArray(x) && x.length ? x.length : 1;
    return [Array.from({ length: n }, (_, i) => (s.items!.type === 'integer' ? 64 + i : 0.25 + i / 10)), [1], [0.5]];
  }
  return [];
}

/** Leaf paths of the schema reachable from `value` (object variants chosen by matching const discriminators). */
function leaves(s: Schema, value: unknown, path: string[] = []): { path: string[]; schema: Schema }[] {
  const variants = s.oneOf ?? s.anyOf;
  if (variants) {
    const v = variants.find(
      (x) =>
        x.type !== 'null' &&
        x.properties &&
        Object.entries(x.properties).every(([k, p]) => p.const === undefined || (value as any)?.[k] === p.const),
    );
    const plain = variants.find((x) => x.type !== 'null');
    return v || plain ? leaves((v ?? plain)!, value, path) : [];
  }
  if (s.type === 'object' && s.properties)
    return Object.entries(s.properties).flatMap(([k, p]) => leaves(p, (value as any)?.[k], [...path, k]));
  return [{ path, schema: s }];
}

describe('every config field changes the plan (pure TS)', () => {
  const schema = experimentJsonSchema() as Schema;
  const checked = new Set<string>();
  for (const base of BASES) {
    const baseline = planJson(base);
    it(`${JSON.stringify((base as any).data)}: base config plans`, () => expect(baseline).not.toBeNull());
    for (const { path, schema: leaf } of leaves(schema, base)) {
      const name = path.join('.');
      if (leaf.const !== undefined || checked.has(name)) continue;
      const tries = candidates(leaf, get(base, path));
      const plans = tries.map((v) => planJson(set(base, path, v))).filter((p) => p !== null);
      if (plans.length === 0) continue; // no valid alternative in this base (e.g. students-only fields under teacher)
      const changed = plans.find((p) => p !== baseline) ?? plans[0];
      checked.add(name);
      it(`${name}${NOT_IN_PLAN[name] ? ` does not reach the plan: ${NOT_IN_PLAN[name]}` : ' changes the plan'}`, () => {
        if (NOT_IN_PLAN[name]) expect(changed).toBe(baseline);
        else expect(changed, name).not.toBe(baseline);
      });
    }
  }
  it('reached the fields that matter', () => {
    for (const f of [
      'data.unit.minAreaUm2',
      'data.unit.maxSizeUm',
      'data.unit.strideUm',
      'data.test',
      'normalize',
      'augment.rot90',
      'student.initFromTeacher',
      'student.progressive',
      'teacher.weights',
      'loss.attention.weight',
      'loss.temperature',
      'evaluation.bootstrap',
    ]) {
      expect(checked, f).toContain(f);
    }
  });
});
