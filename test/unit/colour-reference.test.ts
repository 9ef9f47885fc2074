// Pure TS: the colour reference (src/experiment/colour-reference.ts): its six colour statistics per image, and its
// LDA against scikit-learn's LinearDiscriminantAnalysis on the same features (needs /usr/bin/python3 with sklearn).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { colourFeatures, fitLda, type Labelled } from '../../src/experiment/colour-reference.js';
import { splitmix32 } from '../../src/stats/bootstrap.js';
import { pythonHas } from '../support.js';

/** 3 classes of colour statistics that overlap: class means 0.6 apart, unit spread, correlated channels. */
function features(n: number, seed: number): Labelled[] {
  const next = splitmix32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return Array.from({ length: n }, (_, i) => {
    const label = i % 3;
    const shared = normal();
    return { label, features: Array.from({ length: 6 }, (_, j) => 0.6 * label * (j % 2 ? 1 : -1) + normal() + 0.5 * shared) };
  });
}

describe('colour reference (pure TS)', () => {
  it('colour statistics: per-channel mean and std of the RGB pixels, in [0, 1]', () => {
    // 2 pixels: (0, 255, 100) and (255, 255, 100)
    const f = colourFeatures(Uint8Array.from([0, 255, 100, 255, 255, 100]), 1, 2, 3);
    expect(f.slice(0, 3)).toEqual([0.5, 1, 100 / 255]);
    expect(f[3]).toBeCloseTo(0.5, 12);
    expect(f[4]).toBeCloseTo(0, 6);
    expect(f[5]).toBeCloseTo(0, 6);
  });

  it('LDA probabilities sum to 1 and beat chance on separable classes', () => {
    const train = features(300, 1);
    const test = features(300, 2);
    const lda = fitLda(train, 3);
    const right = test.filter((s) => {
      const p = lda(s.features);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      return p.indexOf(Math.max(...p)) === s.label;
    }).length;
    expect(right / test.length).toBeGreaterThan(0.6);
  });
});

describe.skipIf(!pythonHas('sklearn'))('colour reference against scikit-learn (needs /usr/bin/python3 with sklearn)', () => {
  it("predicts the classes scikit-learn's LinearDiscriminantAnalysis predicts, and probabilities within 1e-3", () => {
    const train = features(300, 3);
    const test = features(200, 4);
    const lda = fitLda(train, 3);
    const script = `
import json, sys, numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
d = json.load(sys.stdin)
m = LinearDiscriminantAnalysis().fit(np.array(d['x']), np.array(d['y']))
print(json.dumps(m.predict_proba(np.array(d['t'])).tolist()))`;
    const py = spawnSync('/usr/bin/python3', ['-c', script], {
      input: JSON.stringify({ x: train.map((s) => s.features), y: train.map((s) => s.label), t: test.map((s) => s.features) }),
      encoding: 'utf8',
    });
    expect(py.status, py.stderr).toBe(0);
    const ref = JSON.parse(py.stdout) as number[][];
    const ours = test.map((s) => lda(s.features));
    ours.forEach((p, i) => p.forEach((v, c) => expect(v).toBeCloseTo(ref[i]![c]!, 3)));
  });
});
