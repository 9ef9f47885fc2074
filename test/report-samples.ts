// Generated per-sample predictions for the hand-written report fixture (test/fixtures/report/results.json), so the
// report's pooled bootstrap intervals, paired comparisons and confusion matrices have predictions to work on.
import type { ResultsInput } from '../src/report/results.js';

/** 60 test samples in 12 groups of 5, 3 classes; the first round(accuracy * 60) in a fixed shuffle are right. */
export function samplesFor(accuracy: number) {
  const n = 60;
  const order = Array.from({ length: n }, (_, i) => (i * 37) % n);
  const right = new Set(order.slice(0, Math.round(accuracy * n)));
  const labels = Array.from({ length: n }, (_, i) => Math.floor(i / 5) % 3);
  const probs = labels.map((y, i) => {
    const p = [0.1, 0.1, 0.1];
    p[right.has(i) ? y : (y + 1) % 3] = 0.8;
    return p;
  });
  return { ids: labels.map((_, i) => i), groups: labels.map((_, i) => `g${Math.floor(i / 5)}`), labels, probs };
}

/** Six epochs whose validation accuracy rises to `accuracy` while the losses fall. */
export function historyFor(accuracy: number, seed: number) {
  return Array.from({ length: 6 }, (_, i) => ({
    epoch: i + 1,
    loss: 1.1 * Math.exp(-i / 2.5) + 0.15 + 0.02 * seed,
    valLoss: 1.0 * Math.exp(-i / 3) + 0.3,
    valAccuracy: accuracy - (accuracy - 0.34) * Math.exp(-i / 1.8),
  }));
}

/** The results with every run's predictions and history generated from its accuracy, and class names. */
export function withSamples(r: ResultsInput): ResultsInput {
  return {
    classes: ['marsh 0', 'marsh 1', 'marsh 3'],
    ...r,
    runs: r.runs.map((x) => ({ ...x, samples: samplesFor(x.metrics.accuracy), history: historyFor(x.metrics.accuracy, x.seed) })),
  } as ResultsInput;
}
