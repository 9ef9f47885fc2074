// Running an experiment's runs side by side: a dependency-aware pool (students wait for their teacher), an executor
// that runs each step in its own child process (worker.ts), and the launch of N data-parallel ranks per training
// step on this machine (c10d rendezvous at 127.0.0.1 on a free port; native/core/train/distributed.h), or of this
// machine's ranks of a group spanning several (nodes.ts).
import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { makeError, type ResdistillError } from '../util/errors.js';
import type { RunDevice } from '../native/device.js';
import type { JobOptions } from '../native/job.js';
import { packageRoot } from '../native/addon.js';
import { type NodeLaunch, stepPort } from './nodes.js';
import type { Executor } from './executor.js';
import { TRAINING_KINDS } from './executor.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export interface PoolTask {
  key: string;
  dependsOn: string[];
  /** Runs alone (nothing else running): throughput measurements. */
  exclusive?: boolean;
  run: () => Promise<void>;
}

/**
 * Runs `tasks` at most `limit` at a time, in list order, each once every task it depends on has finished. After a
 * failure nothing new starts; the running ones settle and the first error is thrown.
 */
export async function runPool(tasks: PoolTask[], limit: number): Promise<void> {
  const done = new Set<string>();
  const waiting = [...tasks];
  const running = new Map<string, { task: PoolTask; promise: Promise<void> }>();
  let failure: unknown;
  while (waiting.length > 0 || running.size > 0) {
    const exclusiveRunning = [...running.values()].some((r) => r.task.exclusive);
    for (let i = 0; failure === undefined && !exclusiveRunning && i < waiting.length && running.size < limit;) {
      const task = waiting[i]!;
      const ready = task.dependsOn.every((k) => done.has(k));
      if (!ready || (task.exclusive && running.size > 0)) {
        if (task.exclusive && ready) break; // keep its place: it starts once the others finish
        i++;
        continue;
      }
      waiting.splice(i, 1);
      const promise = task.run().then(
        () => void done.add(task.key),
        (e: unknown) => void (failure ??= e),
      );
      running.set(task.key, { task, promise: promise.finally(() => running.delete(task.key)) });
      if (task.exclusive) break;
    }
    if (running.size === 0) {
      if (failure !== undefined) throw failure;
      const stuck = waiting.map((t) => `${t.key} (needs ${t.dependsOn.filter((k) => !done.has(k)).join(', ')})`);
      throw makeError('INTERNAL', `runs wait for dependencies that are not in the plan: ${stuck.join('; ')}`);
    }
    await Promise.race([...running.values()].map((r) => r.promise));
  }
  if (failure !== undefined) throw failure;
}

const WORKER = path.join(packageRoot, 'dist', 'experiment', 'worker.js');

/** Runs one step in a forked worker with `threads` LibTorch threads and `env` added to its environment. */
function runInWorker(kind: string, spec: object, threads: number, options: JobOptions, env: NodeJS.ProcessEnv = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled: WorkerReply | undefined;
    const onAbort = () => child.connected && child.send({ type: 'abort' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m: WorkerReply) => {
      if (m.type === 'event') options.onEvent?.(m.event);
      else settled = m;
    });
    child.on('exit', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled?.type === 'result') resolve(settled.result);
      else if (settled?.type === 'error') reject(makeError(settled.error.code as ResdistillError['code'], settled.error.message));
      else reject(makeError('INTERNAL', `the worker running ${kind} exited (${signal ?? `code ${code}`}) without a result`));
    });
    child.on('error', (e) => reject(makeError('INTERNAL', `cannot start a worker for ${kind}: ${e.message}`)));
    child.send({ type: 'run', kind, spec, threads } satisfies WorkerRequest);
  });
}

/** A free TCP port on this machine for one rendezvous. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ProcessExecutorOptions {
  /** LibTorch threads per process. */
  threads: number;
  /** Data-parallel ranks per training step on this machine (1: a plain process). */
  nprocPerNode?: number;
  /** A dead or hung rank fails the others after this many seconds (spec.distributed.timeoutSeconds). */
  timeoutSeconds?: number;
  /** This machine's share of a group spanning several (its nproc replaces nprocPerNode). */
  nodes?: NodeLaunch;
}

/**
 * The executor for `--parallel`, `--devices`, `--nproc-per-node` and `--nnodes`: every step in its own process;
 * training steps as this machine's ranks (batchSize per rank, as torchrun users expect; results and events from
 * rank 0), rank i on `devices[i]` when given. When ranks fail, the error of the rank that failed first for its own
 * reason wins over the DIST_FAILED it caused in the others.
 */
export function processExecutor(options: ProcessExecutorOptions): Executor {
  const nodes = options.nodes;
  const nproc = nodes?.nproc ?? options.nprocPerNode ?? 1;
  let launched = 0; // training steps so far: across machines each one meets at stepPort(nodes, launched)
  return async (kind, spec, jobOptions, devices) => {
    if (!TRAINING_KINDS.has(kind) || (nproc <= 1 && !nodes)) return runInWorker(kind, spec, options.threads, jobOptions);
    const port = nodes ? stepPort(nodes, launched++) : await freePort();
    // Under torchrun the worker hosts (or joins) its own store at `port`, not the agent's.
    const env = nodes ? { TORCHELASTIC_USE_AGENT_STORE: 'False' } : {};
    const ranks = Array.from({ length: nproc }, (_, i) => {
      const rank = (nodes?.firstRank ?? 0) + i;
      const distributed = {
        rank,
        worldSize: nodes?.world ?? nproc,
        localRank: (nodes?.firstLocalRank ?? 0) + i,
        masterAddr: nodes?.masterAddr ?? '127.0.0.1',
        masterPort: port,
        ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
      };
      const quiet: JobOptions = { ...(jobOptions.signal ? { signal: jobOptions.signal } : {}) };
      const device: { device?: RunDevice } = devices?.[i] ? { device: devices[i] } : {};
      return runInWorker(kind, { ...spec, ...device, distributed }, options.threads, rank === 0 ? jobOptions : quiet, env);
    });
    const settled = await Promise.allSettled(ranks);
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as ResdistillError] : []));
    if (errors.length > 0) throw errors.find((e) => e.code !== 'DIST_FAILED') ?? errors[0]!;
    return (settled[0] as PromiseFulfilledResult<unknown>).value;
  };
}
