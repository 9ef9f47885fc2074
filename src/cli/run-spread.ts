// How `resdistill run` spreads its work, from --parallel, --devices, --nproc-per-node, the multi-node flags
// (--nnodes, --node-rank, --master-addr, --master-port) and torchrun's environment, checked together: a
// combination that cannot mean one thing is a USAGE error naming the flags.
import { concreteDevice, type Device, type RunDevice } from '../native/device.js';
import { makeError } from '../util/errors.js';
import { launchFromEnv, launchFromFlags, type NodeLaunch } from '../experiment/nodes.js';

export interface SpreadFlags {
  parallel?: number;
  devices?: Device[];
  nprocPerNode?: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
}

export interface Spread {
  /** Runs at once on this machine. */
  parallel: number;
  /** Ranks per training step on this machine. */
  nprocPerNode: number;
  /** One group of nprocPerNode devices per run at once (--devices). */
  devices?: RunDevice[][];
  /** This machine's share of a group spanning machines (the flags, or torchrun's environment). */
  nodes?: NodeLaunch;
  /** Processes sharing this machine's cores at once: each gets threads / processes LibTorch threads. */
  processes: number;
}

const usage = (message: string) => makeError('USAGE', `run: ${message}`);

/** The spread the flags (and, without --nnodes, torchrun's environment) describe. */
export function runSpread(f: SpreadFlags, env: NodeJS.ProcessEnv, cudaAvailable: boolean): Spread {
  const nodeFlags = (['nodeRank', 'masterAddr', 'masterPort'] as const).filter((k) => f[k] !== undefined);
  if (f.nnodes === undefined && nodeFlags.length > 0) {
    throw usage(`${nodeFlags.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need --nnodes`);
  }
  const torchrun = f.nnodes === undefined ? launchFromEnv(env) : null;
  if (torchrun && f.nprocPerNode !== undefined) {
    throw usage(
      "torchrun's environment is set (RANK, WORLD_SIZE, ...): torchrun started one process per rank already, so drop --nproc-per-node (or give --nnodes to have resdistill start the ranks)",
    );
  }
  if (f.devices && f.parallel !== undefined)
    throw usage('give --devices or --parallel, not both: --devices runs one run per device (per --nproc-per-node devices)');
  const nodes = f.nnodes !== undefined ? launchFromFlags({ ...f, nnodes: f.nnodes }) : torchrun?.launch;
  const perRun = nodes?.nproc ?? f.nprocPerNode ?? 1;
  let devices: RunDevice[][] | undefined;
  if (f.devices) {
    if (f.devices.length % perRun !== 0) {
      throw usage(`--devices lists ${f.devices.length} devices, not a multiple of --nproc-per-node ${perRun}: each run takes ${perRun}`);
    }
    const concrete = f.devices.map((d) => concreteDevice(d, cudaAvailable));
    devices = Array.from({ length: concrete.length / perRun }, (_, i) => concrete.slice(i * perRun, (i + 1) * perRun));
  }
  const parallel = devices?.length ?? f.parallel ?? 1;
  if (nodes && parallel > 1) {
    throw usage(
      'across machines the runs go one after another, each on every rank: --parallel, and --devices beyond one device per rank, are for one machine',
    );
  }
  const processes = torchrun ? torchrun.localWorld : parallel * perRun;
  return { parallel, nprocPerNode: perRun, processes, ...(devices ? { devices } : {}), ...(nodes ? { nodes } : {}) };
}
