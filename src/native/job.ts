// Runs one native job off the main thread: typed events in order, AbortSignal cancellation, typed errors.
import { CancelledError, fromNative } from '../util/errors.js';
import { native } from './addon.js';

/** Every event has a `type`; jobs add their own fields (done/total, epoch, loss terms, ...). */
export interface JobEvent {
  type: string;
  [field: string]: unknown;
}

export interface JobOptions {
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
}

export async function runJob<Result>(kind: string, spec: object, options: JobOptions = {}): Promise<Result> {
  const { signal, onEvent } = options;
  if (signal?.aborted) throw new CancelledError('CANCELLED', `job ${kind} cancelled before it started`);
  const binding = native();
  const token = new binding.CancelToken();
  const onAbort = () => token.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await binding.runJob(kind, JSON.stringify(spec), (json) => onEvent?.(JSON.parse(json) as JobEvent), token);
    return JSON.parse(result) as Result;
  } catch (e) {
    throw fromNative(e);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
