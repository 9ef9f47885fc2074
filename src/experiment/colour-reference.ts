// The two references a teacher must beat before it has anything to teach (ours; the paper has no such check):
// - majority class: the training split's most frequent class for every sample (chance);
// - colour reference: linear discriminant analysis on six numbers per image, the per-channel mean and std of its
//   RGB pixels at the teacher's magnification, fitted on the labelled training split. Where stain differs by class
//   (the lymphoma set), a CNN that does not clearly beat this has learnt colour, not tissue.
// Both predict the evaluation split of the same store, as runs with samples, so the report's paired statistics apply.
import type { ResultRun } from '../report/results.js';
import { pointMetrics } from '../stats/bootstrap.js';
import { type IndexSample, type Manifest, readIndex, readManifest, readView } from '../store/store.js';
import { sameMagnification } from '../util/magnification.js';

const FEATURES = 6;

/** Per-channel mean and std of an HWC uint8 image, in [0, 1]. */
export function colourFeatures(pixels: Uint8Array, h: number, w: number, c: number): number[] {
  const f = new Array<number>(FEATURES).fill(0);
  const n = h * w;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const v = (pixels[i * c + Math.min(k, c - 1)] as number) / 255;
      f[k]! += v / n;
      f[3 + k]! += (v * v) / n;
    }
  }
  for (let k = 0; k < 3; k++) f[3 + k] = Math.sqrt(Math.max(0, f[3 + k]! - f[k]! ** 2));
  return f;
}

/** Solves A x = b for a symmetric positive-definite A (Cholesky). */
function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = a.map((row) => row.map(() => 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j]![j]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

export interface Labelled {
  features: number[];
  label: number;
}

/**
 * LDA with a shared covariance (ridge 1e-3 on standardised features) and the training class shares as priors;
 * returns class probabilities for a feature vector. Classes absent from training get probability 0.
 */
export function fitLda(train: Labelled[], classes: number): (features: number[]) => number[] {
  const mu = Array.from({ length: FEATURES }, (_, j) => train.reduce((a, s) => a + s.features[j]!, 0) / train.length);
  const sd = mu.map((m, j) => Math.sqrt(train.reduce((a, s) => a + (s.features[j]! - m) ** 2, 0) / train.length) || 1);
  const z = (f: number[]) => f.map((x, j) => (x - mu[j]!) / sd[j]!);
  const counts = new Array<number>(classes).fill(0);
  const means = Array.from({ length: classes }, () => new Array<number>(FEATURES).fill(0));
  for (const s of train) {
    counts[s.label]! += 1;
    z(s.features).forEach((x, j) => (means[s.label]![j]! += x));
  }
  means.forEach((m, c) => m.forEach((_, j) => (m[j] = counts[c]! ? m[j]! / counts[c]! : 0)));
  const cov = Array.from({ length: FEATURES }, (_, i) => Array.from({ length: FEATURES }, (_, j) => (i === j ? 1e-3 : 0)));
  for (const s of train) {
    const d = z(s.features).map((x, j) => x - means[s.label]![j]!);
    for (let i = 0; i < FEATURES; i++)
      for (let j = 0; j < FEATURES; j++) cov[i]![j]! += (d[i]! * d[j]!) / Math.max(1, train.length - classes);
  }
  const weights = means.map((m) => solveSpd(cov, m));
  const bias = means.map((m, c) =>
    counts[c]! ? -0.5 * m.reduce((a, x, j) => a + x * weights[c]![j]!, 0) + Math.log(counts[c]! / train.length) : -Infinity,
  );
  return (features) => {
    const x = z(features);
    const score = weights.map((w, c) => bias[c]! + w.reduce((a, v, j) => a + v * x[j]!, 0));
    const top = Math.max(...score);
    const e = score.map((s) => (Number.isFinite(s) ? Math.exp(s - top) : 0));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  };
}

/** The view index of a magnification in the store (the teacher's: the references see what the teacher sees). */
function viewIndex(manifest: Manifest, magnification: number): number {
  const m = manifest.magnifications.find((x) => sameMagnification(x.magnification, magnification));
  if (!m) throw new Error(`internal: the store has no ${magnification}x view`);
  return m.index;
}

/**
 * The two reference runs on the store's `split` (test, or val when the experiment evaluates there), with the
 * teacher's magnification as theirs. Null when the split holds no labelled sample.
 */
export function referenceRuns(store: string, magnification: number, split: 'test' | 'val'): ResultRun[] | null {
  const manifest = readManifest(store);
  const view = viewIndex(manifest, magnification);
  const classes = manifest.classes.length;
  const wanted = new Map<number, 'train' | 'eval'>();
  for (const id of manifest.splits.train) wanted.set(id, 'train');
  for (const id of manifest.splits[split]) wanted.set(id, 'eval');
  const train: Labelled[] = [];
  const evaluated: (Labelled & { id: number; group: string })[] = [];
  for (const shard of manifest.shards) {
    for (const s of readIndex(store, shard) as IndexSample[]) {
      const id = Number(s.key);
      const role = wanted.get(id);
      if (!role || s.label === null) continue;
      const v = readView(store, shard.name, s.views[view] as IndexSample['views'][number]);
      const sample = { features: colourFeatures(v.pixels, v.h, v.w, v.c), label: s.label };
      if (role === 'train') train.push(sample);
      else evaluated.push({ ...sample, id, group: s.group });
    }
  }
  if (evaluated.length === 0 || train.length === 0) return null;
  const counts = new Array<number>(classes).fill(0);
  for (const s of train) counts[s.label]! += 1;
  const shares = counts.map((n) => n / train.length);
  const lda = fitLda(train, classes);
  const round = (p: number) => Math.round(p * 1e6) / 1e6;
  const run = (method: ResultRun['method'], predict: (s: Labelled) => number[]): ResultRun => {
    const samples = {
      ids: evaluated.map((s) => s.id),
      groups: evaluated.map((s) => s.group),
      labels: evaluated.map((s) => s.label),
      probs: evaluated.map((s) => predict(s).map(round)),
    };
    const m = pointMetrics([samples], classes);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      method,
      magnification,
      seed: 0,
      metrics: {
        accuracy: m.accuracy,
        balancedAccuracy: finite(m.balancedAccuracy),
        macroF1: finite(m.macroF1),
        macroPrecision: finite(m.macroPrecision),
        macroRecall: finite(m.macroRecall),
        auc: finite(m.auc),
        ci: {},
      },
      samples,
      cost: null,
    };
  };
  return [run('majority-class', () => shares), run('colour-reference', (s) => lda(s.features))];
}
