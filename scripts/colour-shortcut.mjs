#!/usr/bin/env node
// The colour-shortcut check: how far does a sample's mean colour alone go? A nearest-class-mean classifier on each
// sample's per-channel mean and std (6 numbers, standardised on the training split) at the store's top
// magnification, scored on the test split with a group-bootstrap 95% interval. Where stain differs by class (the
// lymphoma set), a CNN's accuracy means little unless it clearly beats this.
// Usage: node scripts/colour-shortcut.mjs <store>   (an experiment's store: <out>/stores/<key>)
import { readIndex, readManifest, readView } from '../dist/store.js';
import { bootstrapMetrics, sampleUnits } from '../dist/stats/group-bootstrap.js';

const store = process.argv[2];
if (!store) {
  console.error('usage: node scripts/colour-shortcut.mjs <store>');
  process.exit(2);
}
const manifest = readManifest(store);
const features = new Map();
const info = new Map();
for (const shard of manifest.shards) {
  for (const s of readIndex(store, shard)) {
    const v = readView(store, shard.name, s.views[0]);
    const f = [0, 0, 0, 0, 0, 0];
    const n = v.h * v.w;
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) (f[c] += v.pixels[i * 3 + c] / n), (f[3 + c] += v.pixels[i * 3 + c] ** 2 / n);
    for (let c = 0; c < 3; c++) f[3 + c] = Math.sqrt(Math.max(0, f[3 + c] - f[c] ** 2));
    features.set(Number(s.key), f);
    info.set(Number(s.key), s);
  }
}
const train = manifest.splits.train;
const test = manifest.splits.test;
const k = manifest.classes.length;
const mu = [0, 1, 2, 3, 4, 5].map((j) => train.reduce((a, id) => a + features.get(id)[j], 0) / train.length);
const sd = mu.map((m, j) => Math.sqrt(train.reduce((a, id) => a + (features.get(id)[j] - m) ** 2, 0) / train.length) || 1);
const z = (id) => features.get(id).map((x, j) => (x - mu[j]) / sd[j]);
const centroids = Array.from({ length: k }, (_, c) => {
  const ids = train.filter((id) => info.get(id).label === c);
  return [0, 1, 2, 3, 4, 5].map((j) => ids.reduce((a, id) => a + z(id)[j], 0) / ids.length);
});
const labelled = test.filter((id) => info.get(id).label !== null);
const probs = labelled.map((id) => {
  const d = centroids.map((m) => m.reduce((a, x, j) => a + (x - z(id)[j]) ** 2, 0));
  const best = d.indexOf(Math.min(...d));
  return Array.from({ length: k }, (_, c) => (c === best ? 1 : 0));
});
const samples = { ids: labelled, groups: labelled.map((id) => info.get(id).group), labels: labelled.map((id) => info.get(id).label), probs };
const est = bootstrapMetrics(sampleUnits([samples], k), 10000, 0);
const pct = (x) => (100 * x).toFixed(1);
console.log(`colour shortcut (nearest class mean on per-channel mean and std, ${labelled.length} test samples):`);
console.log(`  accuracy ${pct(est.accuracy.value)}% [${pct(est.accuracy.ci[0])}, ${pct(est.accuracy.ci[1])}], balanced accuracy ${pct(est.balancedAccuracy.value)}% [${pct(est.balancedAccuracy.ci[0])}, ${pct(est.balancedAccuracy.ci[1])}]`);
