// Public API of the resdistill package.
export * from './errors.js';
export { runJob, type JobEvent, type JobOptions } from './job.js';
export { doctor, type DoctorReport } from './doctor.js';
export { native, loadBinding, type NativeBinding } from './native.js';
export { openSlide, Slide, type SlideInfo, type Region, type TissueResult, type Tile, type MppSource } from './slide.js';
