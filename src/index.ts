// Public API of the resdistill package (`resdistill`); package.json's exports also give each part its own entry point.
export * from './util/errors.js';
export { runJob, type JobEvent, type JobOptions } from './native/job.js';
export { doctor, type DoctorReport } from './native/doctor.js';
export { native, nativeVersions, loadBinding, type NativeBinding, type NativeVersions } from './native/addon.js';
export { runNative, JOB_KIND_LIST, type JobCatalogue, type JobKind, type JobSpec, type JobResult } from './native/jobs.js';
export { parseDevice, type Device, type RunDevice } from './native/device.js';
export * from './store/store.js';
export { storeInfo, preview, listSamples, type StoreInfo, type PreviewOptions } from './store/info.js';
export { ExperimentSchema, experimentJsonSchema, type Experiment, type ExperimentInput } from './config/schema.js';
export { loadExperiment, resolveExperiment, type ResolvedExperiment } from './config/load.js';
export { planExperiment, JOB_KINDS, type Plan, type PlannedRun } from './experiment/plan.js';
export type { TrainedMethod as Method } from './report/results.js';
export { runExperiment, collectResults, type RunListener, type RunOptions, type RunSummary } from './experiment/runner.js';
export type { Executor } from './experiment/executor.js';
export {
  writeReport,
  writeReportFromDir,
  readResults,
  parseResults,
  summarize,
  paretoFront,
  comparisons,
  answer,
  type Results,
  type ResultRun,
  type SummaryRow,
  type Comparison,
  type Answer,
} from './report/index.js';
export { openSlide, Slide, type SlideInfo, type Region, type TissueResult, type Tile, type MppSource } from './slide/slide.js';
export {
  costLadder,
  planLadder,
  pixelsFor,
  parseSize,
  type CostReport,
  type CostRow,
  type ModelChoice,
  type RuntimeChoice,
  type GuardVerdict,
} from './cost/cost.js';
export { generateCohort, type SynthOptions, type SynthResult, type SynthClass } from './slide/synth.js';
export { predict, exportOnnx, type PredictCall } from './api.js';
export type { SlidePrediction } from './predict/predict.js';
export type { RunChoice } from './predict/model-ref.js';
export type { OnnxExport } from './onnx/onnx.js';
