// Translates the experiment's data section into the native steps that make its store (synth.cohort, store.extract).
import path from 'node:path';
import type { ResolvedExperiment } from '../config/load.js';
import type { JobStep } from '../native/job-step.js';

type Data = Exclude<ResolvedExperiment['data'], { source: 'store' }>;
type Unit = Extract<Data, { unit: unknown }>['unit'];

function slideSource(csv: string, unit: Unit, mpp?: number): Record<string, unknown> {
  const common = { kind: 'slides', csv, ...(mpp ? { mpp } : {}) };
  if (unit.kind === 'pieces')
    return { ...common, unit: 'pieces', minAreaUm2: unit.minAreaUm2, ...(unit.maxSizeUm ? { maxSizeUm: unit.maxSizeUm } : {}) };
  return {
    ...common,
    unit: 'tiles',
    sizeUm: unit.sizeUm,
    ...(unit.strideUm ? { strideUm: unit.strideUm } : {}),
    minTissue: unit.minTissue,
    ...(unit.maxPerSlide ? { maxPerSlide: unit.maxPerSlide } : {}),
  };
}

/** The steps that turn the data section into a store at `storeDir` (highest magnification first). */
export function extractSteps(
  data: Data,
  magnifications: number[],
  storeDir: string,
): (JobStep<'store.extract'> | JobStep<'synth.cohort'>)[] {
  const mags = [...magnifications].sort((a, b) => b - a);
  const splits = { ...data.splits };
  const extract = (source: Record<string, unknown>, testSource?: Record<string, unknown>): JobStep<'store.extract'> => ({
    name: 'extract',
    kind: 'store.extract',
    spec: { source, ...(testSource ? { testSource } : {}), magnifications: mags, out: storeDir, splits, stain: data.stain },
  });
  if (data.source === 'images') {
    const source = { kind: 'images', mpp: data.mpp, ...(data.root ? { root: data.root } : { csv: data.csv }) };
    // data.test: a CSV file, else a class folder.
    const test = data.test
      ? { kind: 'images', mpp: data.mpp, ...(/\.csv$/i.test(data.test) ? { csv: data.test } : { root: data.test }) }
      : undefined;
    return [extract(source, test)];
  }
  if (data.source === 'slides') {
    return [extract(slideSource(data.csv, data.unit, data.mpp), data.test ? slideSource(data.test, data.unit, data.mpp) : undefined)];
  }
  const cohort = path.join(path.dirname(storeDir), `${path.basename(storeDir)}-cohort`);
  return [
    {
      name: 'synth',
      kind: 'synth.cohort',
      spec: { out: cohort, seed: data.seed, slidesPerClass: data.slidesPerClass, coarseAgreement: data.coarseAgreement },
    },
    extract(slideSource(path.join(cohort, 'cohort.csv'), data.unit)),
  ];
}
