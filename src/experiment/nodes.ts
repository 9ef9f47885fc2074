// Training across machines: which global ranks this process launches for every training step, and where each
// step's ranks meet. From `resdistill run --nnodes M --node-rank R --nproc-per-node N --master-addr H
// --master-port P`, or from torchrun's environment (each process torchrun starts is one rank).
import { makeError } from '../util/errors.js';
import { parseNumber, RANGES } from '../util/numbers.js';

export interface NodeLaunch {
  /** Ranks over all machines: nnodes x nproc-per-node, or torchrun's WORLD_SIZE. */
  world: number;
  /** Global rank of this process's first rank: node-rank x nproc-per-node, or torchrun's RANK. */
  firstRank: number;
  /** That rank's local rank on its machine (its GPU with device cuda): 0, or torchrun's LOCAL_RANK. */
  firstLocalRank: number;
  /** Ranks this process launches per training step: nproc-per-node, or 1 under torchrun. */
  nproc: number;
  masterAddr: string;
  /** Where the first training step meets; see stepPort. */
  masterPort: number;
}

export interface NodeFlags {
  nnodes: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  nprocPerNode?: number;
}

/** torchrun's and PyTorch's default rendezvous port. */
export const DEFAULT_MASTER_PORT = 29500;

/** The variables torchrun sets in every process it starts. */
export const TORCHRUN_ENV = ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'] as const;

/** The multi-node flags as a launch; USAGE when they do not describe one node of a group. */
export function launchFromFlags(f: NodeFlags): NodeLaunch {
  const missing = [f.nodeRank === undefined ? '--node-rank' : '', f.masterAddr === undefined ? '--master-addr' : ''].filter(Boolean);
  if (f.nnodes > 1 && missing.length > 0) throw makeError('USAGE', `run --nnodes ${f.nnodes}: missing ${missing.join(', ')}`);
  const nodeRank = f.nodeRank ?? 0;
  if (nodeRank >= f.nnodes) throw makeError('USAGE', `run: --node-rank must be below --nnodes (${f.nnodes}), got ${nodeRank}`);
  const nproc = f.nprocPerNode ?? 1;
  return {
    world: f.nnodes * nproc,
    firstRank: nodeRank * nproc,
    firstLocalRank: 0,
    nproc,
    masterAddr: f.masterAddr ?? '127.0.0.1',
    masterPort: f.masterPort ?? DEFAULT_MASTER_PORT,
  };
}

/**
 * torchrun's environment, when every one of TORCHRUN_ENV is set and WORLD_SIZE > 1: this process is one rank.
 * torchrun's agent holds MASTER_PORT itself (TORCHELASTIC_USE_AGENT_STORE), so the steps meet from the next port.
 * Also returns LOCAL_WORLD_SIZE: the processes sharing this machine's cores.
 */
export function launchFromEnv(env: NodeJS.ProcessEnv): { launch: NodeLaunch; localWorld: number } | null {
  if (TORCHRUN_ENV.some((k) => !env[k])) return null;
  const int = (k: (typeof TORCHRUN_ENV)[number], range: typeof RANGES.index) => parseNumber(env[k]!, `environment ${k}`, range);
  const world = int('WORLD_SIZE', RANGES.count);
  if (world <= 1) return null;
  const rank = int('RANK', RANGES.index);
  const localRank = int('LOCAL_RANK', RANGES.index);
  const localWorld = int('LOCAL_WORLD_SIZE', RANGES.count);
  const port = int('MASTER_PORT', RANGES.port);
  if (rank >= world || localRank >= localWorld) {
    throw makeError(
      'CONFIG_INVALID',
      `torchrun's environment needs RANK < WORLD_SIZE and LOCAL_RANK < LOCAL_WORLD_SIZE, got RANK=${rank} WORLD_SIZE=${world} LOCAL_RANK=${localRank} LOCAL_WORLD_SIZE=${localWorld}`,
    );
  }
  const agent = env.TORCHELASTIC_USE_AGENT_STORE === 'True';
  return {
    launch: {
      world,
      firstRank: rank,
      firstLocalRank: localRank,
      nproc: 1,
      masterAddr: env.MASTER_ADDR!,
      masterPort: port + (agent ? 1 : 0),
    },
    localWorld,
  };
}

/** Global rank 0's machine runs everything else and writes; the others take part in the training steps only. */
export function isLeader(launch: NodeLaunch): boolean {
  return launch.firstRank === 0;
}

/**
 * The port the k-th training step meets at. Consecutive steps alternate between two ports, so a rank that starts
 * the next step early never reaches the store of the step rank 0 is still closing.
 */
export function stepPort(launch: NodeLaunch, k: number): number {
  return launch.masterPort + (k % 2);
}
