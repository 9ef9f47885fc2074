// Pure TS with real files: asking `predict --model <out>` for a run the experiment does not have names what it has,
// instead of "no kd+init run at Infinityx with seed Infinity".
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/predict/model-ref.js';
import { tempDir } from '../support.js';

const train = (method: string, magnification: number, seed: number) => ({
  key: `${method}-${magnification}-${seed}`,
  label: `${method} ${magnification}x seed ${seed}`,
  kind: 'train',
  method,
  magnification,
  seed,
  steps: [],
});

describe('predict: which run of an experiment (pure TS)', () => {
  const out = tempDir();
  writeFileSync(
    path.join(out, 'plan.json'),
    JSON.stringify({
      storeDir: path.join(out, 'store'),
      runs: [train('teacher', 10, 0), train('kd', 5, 0), train('kd', 5, 1), train('kd', 2.5, 0)],
    }),
  );

  it('a method it lacks: CONFIG_INVALID listing its methods, magnifications and seeds', () => {
    expect(() => resolveModel(out, { method: 'kd+init' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: `--model: ${out} has no kd+init run; its runs: teacher 10x (seed 0); kd 5x, 2.5x (seeds 0, 1)`,
      }),
    );
  });

  it('a magnification or seed it lacks: the same list', () => {
    expect(() => resolveModel(out, { magnification: 1.25 })).toThrow(/has no kd run at 1\.25x; its runs: teacher 10x/);
    expect(() => resolveModel(out, { magnification: 5, seed: 7 })).toThrow(/has no kd run at 5x with seed 7; its runs:/);
  });
});
