// `resdistill/store`: extract slides or image folders into a multi-resolution store, then inspect, verify and merge it.
export * from '../store/store.js';
export { storeInfo, preview, listSamples, type StoreInfo, type PreviewOptions } from '../store/info.js';
