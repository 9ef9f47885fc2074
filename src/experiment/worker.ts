// A child process running one experiment step for src/experiment/parallel.ts: its own LibTorch threads and
// random state, so runs side by side cannot change each other's numbers. Forked with an IPC channel: it receives
// one WorkerRequest (then optionally { type: 'abort' }) and answers with events, then a result or an error.
import { fromNative } from '../util/errors.js';
import type { JobEvent } from '../native/job.js';
import { native } from '../native/addon.js';
import { experimentExecutor } from './executor.js';

export interface WorkerRequest {
  type: 'run';
  kind: string;
  spec: object;
  threads: number;
}

export type WorkerReply =
  { type: 'event'; event: JobEvent } | { type: 'result'; result: unknown } | { type: 'error'; error: { code: string; message: string } };

const controller = new AbortController();

function reply(message: WorkerReply): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

/** Runs the step and reports; the parent reads the last reply, then this process exits. */
async function run(request: WorkerRequest): Promise<void> {
  try {
    native().setThreads(request.threads);
    const onEvent = (event: JobEvent) => void reply({ type: 'event', event });
    const result = await experimentExecutor(request.kind, request.spec, { signal: controller.signal, onEvent });
    await reply({ type: 'result', result });
  } catch (e) {
    await reply({ type: 'error', error: fromNative(e).toJSON() });
  }
  process.disconnect();
}

process.on('message', (message: WorkerRequest | { type: 'abort' }) => {
  if (message.type === 'abort') controller.abort();
  else void run(message);
});
// The parent's Ctrl-C reaches the whole process group: cancel through the job's own path instead of dying.
process.on('SIGINT', () => controller.abort());
