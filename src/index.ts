// Public API of the resdistill package.
export * from './errors.js';
export { runJob, type JobEvent, type JobOptions } from './job.js';
export { doctor, type DoctorReport } from './doctor.js';
export { native, loadBinding, type NativeBinding } from './native.js';
export * from './store.js';
export { storeInfo, preview, listSamples, type StoreInfo, type PreviewOptions } from './store_info.js';
