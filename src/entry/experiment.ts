// `resdistill/experiment`: load a config, plan it, run it (resumable), and write its report.
export { ExperimentSchema, experimentJsonSchema, type Experiment, type ExperimentInput } from '../config/schema.js';
export { loadExperiment, resolveExperiment, type ResolvedExperiment } from '../config/load.js';
export { planExperiment, JOB_KINDS, type Plan, type PlannedRun } from '../experiment/plan.js';
export type { TrainedMethod as Method } from '../report/results.js';
export { runExperiment, collectResults, type RunListener, type RunOptions, type RunSummary } from '../experiment/runner.js';
export type { Executor } from '../experiment/executor.js';
export {
  writeReport,
  writeReportFromDir,
  readResults,
  summarize,
  paretoFront,
  type Results,
  type ResultRun,
  type SummaryRow,
} from '../report/index.js';
