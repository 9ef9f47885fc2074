// The paper's metrics (DiPalma et al. 2021, abstract: accuracy, F1, precision, recall) plus balanced accuracy and
// AUC, from a confusion matrix or from weighted scores, so that a bootstrap resample is a weighted sum: exact, fast.

export const METRICS = ['accuracy', 'balancedAccuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'auc'] as const;
export type Metric = (typeof METRICS)[number];
export type MetricValues = Record<Metric, number>;

/** Metrics a confusion matrix alone gives (AUC needs the scores). */
export type ConfusionMetric = Exclude<Metric, 'auc'>;

/**
 * From a k x k confusion matrix [true][predicted] (any non-negative weights). Macro averages run over the classes
 * present in the truth or the predictions (scikit-learn's default `labels`), so a resample that happens to hold no
 * sample of a class neither scores it 0 nor drops the false positives it received; balanced accuracy averages recall
 * over the classes present in the truth (scikit-learn's balanced_accuracy_score).
 */
export function confusionMetrics(m: ArrayLike<number>, k: number): Record<ConfusionMetric, number> {
  let total = 0;
  let correct = 0;
  let recallSum = 0;
  let inTruth = 0;
  let present = 0;
  let precisionSum = 0;
  let recallPresentSum = 0;
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let o = 0; o < k; o++) {
      support += m[c * k + o] as number;
      predicted += m[o * k + c] as number;
    }
    const tp = m[c * k + c] as number;
    total += support;
    correct += tp;
    if (support > 0) {
      recallSum += tp / support;
      inTruth += 1;
    }
    if (support > 0 || predicted > 0) {
      const precision = predicted > 0 ? tp / predicted : 0;
      const recall = support > 0 ? tp / support : 0;
      present += 1;
      precisionSum += precision;
      recallPresentSum += recall;
      f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    }
  }
  return {
    accuracy: total ? correct / total : NaN,
    balancedAccuracy: inTruth ? recallSum / inTruth : NaN,
    macroF1: present ? f1Sum / present : NaN,
    macroPrecision: present ? precisionSum / present : NaN,
    macroRecall: present ? recallPresentSum / present : NaN,
  };
}

/** Scores of one class against the rest, sorted once, so each resample's AUC is one linear pass over weights. */
export interface RankedScores {
  /** Sample indices in ascending score order. */
  order: Uint32Array;
  /** Where each tie block starts in `order` (plus the end). */
  blocks: Uint32Array;
  positive: Uint8Array;
}

export function rankScores(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RankedScores {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const blocks: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || scores[order[i] as number] !== scores[order[i - 1] as number]) blocks.push(i);
  blocks.push(n);
  return { order, blocks: Uint32Array.from(blocks), positive: Uint8Array.from({ length: n }, (_, i) => (positive[i] ? 1 : 0)) };
}

/** Mann-Whitney AUC with sample weights (ties count one half); NaN when one side has no weight. */
export function weightedAuc(r: RankedScores, weight: ArrayLike<number>): number {
  let below = 0;
  let pos = 0;
  let neg = 0;
  let sum = 0;
  for (let b = 0; b + 1 < r.blocks.length; b++) {
    let p = 0;
    let q = 0;
    for (let i = r.blocks[b] as number; i < (r.blocks[b + 1] as number); i++) {
      const s = r.order[i] as number;
      const w = weight[s] as number;
      if (r.positive[s]) p += w;
      else q += w;
    }
    sum += p * (below + q / 2);
    below += q;
    pos += p;
    neg += q;
  }
  return pos > 0 && neg > 0 ? sum / (pos * neg) : NaN;
}

/** Macro one-vs-rest AUC: the mean over classes that have both positives and negatives. */
export function macroAuc(perClass: RankedScores[], weight: ArrayLike<number>): number {
  let sum = 0;
  let used = 0;
  for (const r of perClass) {
    const a = weightedAuc(r, weight);
    if (Number.isFinite(a)) ((sum += a), (used += 1));
  }
  return used ? sum / used : NaN;
}
