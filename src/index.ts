// Public API of the resdistill package.
export * from './errors.js';
export { runJob, type JobEvent, type JobOptions } from './job.js';
export { doctor, type DoctorReport } from './doctor.js';
export { native, loadBinding, type NativeBinding } from './native.js';
export { generateCohort, type SynthOptions, type SynthResult, type SynthClass } from './synth.js';
