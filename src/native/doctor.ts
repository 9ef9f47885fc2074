// What `resdistill doctor` checks: Node, the addon, LibTorch (with a real timed job), OpenSlide, threads.
import { fromNative } from '../util/errors.js';
import { runNative } from './jobs.js';
import { type NativeVersions, nativeVersions, SETUP_COMMAND } from './addon.js';

export interface DoctorReport {
  node: string;
  addon: { loaded: boolean; error?: string };
  libtorch: { version: string; cuda: boolean; cudnn: number | null; devices: string[] } | null;
  openslide: string | null;
  threads: number | null;
  usableCores: number | null;
  /** c10d backends for data-parallel training (`gloo`, `nccl`); empty when the build has no c10d. */
  distributed: string[] | null;
  matmul: { n: number; gflops: number; device: string } | null;
  problems: string[];
}

export async function doctor(): Promise<DoctorReport> {
  const report: DoctorReport = {
    node: process.version,
    addon: { loaded: false },
    libtorch: null,
    openslide: null,
    threads: null,
    usableCores: null,
    distributed: null,
    matmul: null,
    problems: [],
  };
  let versions: NativeVersions;
  try {
    versions = nativeVersions();
  } catch (e) {
    report.addon.error = fromNative(e).message;
    report.problems.push('the native addon does not load (see addon.error)');
    return report;
  }
  report.addon.loaded = true;
  const cuda = versions.libtorch.cuda;
  report.libtorch = { version: versions.libtorch.version, cuda: cuda.available, cudnn: cuda.cudnn, devices: cuda.devices };
  report.openslide = versions.openslide;
  report.threads = versions.threads;
  report.usableCores = versions.usableCores;
  report.distributed = Object.entries(versions.distributed)
    .filter(([, on]) => on)
    .map(([name]) => name);
  if (versions.parallelForThreads < versions.threads) {
    report.problems.push(
      `the core's own parallel loops run on ${versions.parallelForThreads} of ${versions.threads} threads: rebuild it with OpenMP: \`${SETUP_COMMAND}\``,
    );
  }
  if (!versions.openslide) report.problems.push('built without OpenSlide: slides cannot be read (image folders and stores still work)');
  if (versions.threads < versions.usableCores && !process.env.RESDISTILL_THREADS) {
    report.problems.push(`LibTorch uses ${versions.threads} of ${versions.usableCores} usable cores (RESDISTILL_THREADS?)`);
  }
  try {
    const device = cuda.available ? 'cuda' : 'cpu';
    const r = await runNative('bench.matmul', { n: 512, reps: 5, device });
    report.matmul = { n: r.n, gflops: r.gflops, device: r.device };
  } catch (e) {
    report.problems.push(`LibTorch matmul job failed: ${fromNative(e).message}`);
  }
  return report;
}
