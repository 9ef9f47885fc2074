// Pure TS: the two-level interval (group bootstrap + seed spread, src/stats/bootstrap.ts) keeps its promise under a
// simulation with a known truth. A student and a teacher of equal expected accuracy, each seed shifting a run's
// accuracy up or down (training noise), and groups (patients) that differ in difficulty: the paired 95% interval of
// student - teacher must exclude 0 in about 5% of simulated studies. Pooling the seeds into one run and resampling
// groups only (the statistics before issue 24) ignores the seed shifts: its false-positive rate is far above 5%.
import { describe, expect, it } from 'vitest';
import { pairedDifference, type RunSamples, sampleDesign, splitmix32 } from '../../src/stats/bootstrap.js';

interface Study {
  student: RunSamples[];
  teacher: RunSamples[];
  seeds: number[];
}

/** Box-Muller from the seeded uniform generator. */
function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * One simulated study: `groups` patients of `tiles` tiles each, binary labels; a tile is right with probability
 * sigmoid(1 + difficulty of its patient + shift of its run). Difficulty ~ N(0, 1) is shared by both methods (paired
 * design); every run's shift ~ N(0, seedSd), independent between the student's and the teacher's run of a seed.
 */
function study(next: () => number, seeds: number, groups: number, tiles: number, seedSd: number): Study {
  const difficulty = Array.from({ length: groups }, () => normal(next));
  const runOf = (): RunSamples => {
    const shift = seedSd * normal(next);
    const r: RunSamples = { ids: [], groups: [], labels: [], probs: [] };
    for (let g = 0; g < groups; g++) {
      for (let t = 0; t < tiles; t++) {
        const label = t % 2;
        const right = next() < 1 / (1 + Math.exp(-(1 + (difficulty[g] as number) + shift)));
        const predicted = right ? label : 1 - label;
        r.ids.push(r.ids.length);
        r.groups.push(`p${g}`);
        r.labels.push(label);
        r.probs.push(predicted === 0 ? [0.7, 0.3] : [0.3, 0.7]);
      }
    }
    return r;
  };
  const ids = Array.from({ length: seeds }, (_, s) => s);
  return { student: ids.map(runOf), teacher: ids.map(runOf), seeds: ids };
}

const sampleLevel = (runs: RunSamples[], seeds: number[], units: string[]) => sampleDesign(runs, seeds, 2, units);

/**
 * The share of studies whose paired 95% accuracy interval excludes 0 (two-sided), and whose one-sided 5%
 * non-inferiority test with margin 0 rejects H0 "student - teacher <= 0" (the boundary: true difference 0).
 */
function rejectionRates(studies: Study[], resamples: number, pooled: boolean): { twoSided: number; oneSided: number } {
  let twoSided = 0;
  let oneSided = 0;
  studies.forEach((s, i) => {
    // Pooled: every seed's predictions merged into one run, so only groups are resampled.
    const side = (runs: RunSamples[]) =>
      pooled
        ? {
            runs: [
              {
                ids: runs.flatMap((r) => r.ids),
                groups: runs.flatMap((r) => r.groups),
                labels: runs.flatMap((r) => r.labels),
                probs: runs.flatMap((r) => r.probs),
              },
            ],
            seeds: [0],
          }
        : { runs, seeds: s.seeds };
    const d = pairedDifference(side(s.student), side(s.teacher), sampleLevel, resamples, i, { auc: false, margin: 0 });
    expect(d.pairedSeeds).toBe(true);
    const a = d.metrics.accuracy;
    if (a.ci![0] > 0 || a.ci![1] < 0) twoSided += 1;
    if (a.pNonInferior! <= 0.05) oneSided += 1;
  });
  return { twoSided: twoSided / studies.length, oneSided: oneSided / studies.length };
}

describe('two-level bootstrap under a simulation (pure TS)', () => {
  // 400 studies: the binomial standard error of a 5% rate is 1.1 points, so [2%, 8%] is about +-2.7 SE.
  // 30 patients of 10 tiles; a seed's shift of 0.3 logit moves its accuracy by about 5 points.
  const studiesOf = (seeds: number) => {
    const next = splitmix32(2024);
    return Array.from({ length: 400 }, () => study(next, seeds, 30, 10, 0.3));
  };
  const studies = studiesOf(5);

  it('with no true difference and a per-seed shift, the false-positive rate at 5% stays within [2%, 8%] (5 seeds), two-sided and one-sided', () => {
    const rate = rejectionRates(studies, 400, false);
    for (const r of [rate.twoSided, rate.oneSided]) {
      expect(r).toBeGreaterThanOrEqual(0.02);
      expect(r).toBeLessThanOrEqual(0.08);
    }
  }, 120_000);

  it('and with 3 seeds, the fewest a claim in the README rests on (measured 7.25% two-sided, 5.25% one-sided)', () => {
    const rate = rejectionRates(studiesOf(3), 400, false);
    for (const r of [rate.twoSided, rate.oneSided]) {
      expect(r).toBeGreaterThanOrEqual(0.02);
      expect(r).toBeLessThanOrEqual(0.08);
    }
  }, 120_000);

  it('resampling groups only, seeds pooled, rejects far more often on the same studies', () => {
    expect(rejectionRates(studies, 400, true).twoSided).toBeGreaterThan(0.12);
  }, 120_000);
});
