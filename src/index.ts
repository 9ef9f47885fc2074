// Public API of the resdistill package (`resdistill`); package.json's exports also give each part its own entry point.
export * from './errors.js';
export { runJob, type JobEvent, type JobOptions } from './job.js';
export { doctor, type DoctorReport } from './doctor.js';
export { native, nativeVersions, loadBinding, type NativeBinding, type NativeVersions } from './native.js';
export { runNative, JOB_KIND_LIST, type JobCatalogue, type JobKind, type JobSpec, type JobResult } from './jobs.js';
export { parseDevice, type Device, type RunDevice } from './device.js';
export * from './store.js';
export { storeInfo, preview, listSamples, type StoreInfo, type PreviewOptions } from './store_info.js';
export { ExperimentSchema, experimentJsonSchema, type Experiment, type ExperimentInput } from './experiment/config.js';
export { loadExperiment, resolveExperiment, type ResolvedExperiment } from './experiment/load.js';
export { planExperiment, JOB_KINDS, type Plan, type PlannedRun, type Method } from './experiment/plan.js';
export { runExperiment, collectResults, type Executor, type RunListener, type RunOptions, type RunSummary } from './experiment/runner.js';
export { writeReport, writeReportFromDir, readResults, parseResults, summarize, paretoFront, comparisons, answer, type Results, type ResultRun, type SummaryRow, type Comparison, type Answer } from './report/index.js';
export { openSlide, Slide, type SlideInfo, type Region, type TissueResult, type Tile, type MppSource } from './slide.js';
export { costLadder, planLadder, pixelsFor, parseSize, type CostReport, type CostRow, type ModelChoice, type RuntimeChoice, type GuardVerdict } from './cost.js';
export { generateCohort, type SynthOptions, type SynthResult, type SynthClass } from './synth.js';
