// `resdistill/experiment`: load a config, plan it, run it (resumable), and write its report.
export { ExperimentSchema, experimentJsonSchema, type Experiment, type ExperimentInput } from '../experiment/config.js';
export { loadExperiment, resolveExperiment, type ResolvedExperiment } from '../experiment/load.js';
export { planExperiment, JOB_KINDS, type Plan, type PlannedRun, type Method } from '../experiment/plan.js';
export { runExperiment, collectResults, type Executor, type RunListener, type RunOptions, type RunSummary } from '../experiment/runner.js';
export { writeReport, writeReportFromDir, readResults, summarize, paretoFront, type Results, type ResultRun, type SummaryRow } from '../report/index.js';
