/**
 * The worker behind segmentInWorker(): runs segment() off the caller's thread and posts
 * the response back. Built as dist/worker.js (self-contained: the kernels and the
 * loader are bundled in, because module workers do not see a page's import map) and
 * runs both as a browser Web Worker and as a Node worker_threads worker.
 *
 * Protocol (one request per worker): the caller posts a WorkerRequest; the worker posts
 * any number of { type: 'progress' } messages, then one 'result' or 'error'.
 *
 * kmeansInWorkers() uses the same worker for K-Means restarts over a copy of X: it posts
 * one 'kmeans.job', then one 'kmeans.task' at a time; the worker answers each task with a
 * 'restart' (or an 'error') and keeps its copy until the next job or its end. A
 * 'kmeans.warm' (startKMeansWorkers) loads the kernels and answers 'ready'.
 */
import { copyJobRunner, type KMeansCopyJob, type KMeansCopyResult } from './cluster/kmeans';
import { SegmentationError, InvalidParameterError } from './errors';
import { segment } from './segment';
import { init } from './wasm/index';

/** What the caller posts to the worker. */
export interface WorkerRequest {
  request: unknown;
  locale?: string;
  /** 'auto' | 'simd' | 'scalar'; forwarded to init() so tests and users can pin a build. */
  variant?: 'auto' | 'simd' | 'scalar';
  /** Kernel threads the worker starts (init({ threads })); 1 or omitted: none. */
  threads?: number;
}

/** kmeansInWorkers()'s messages: the job (with the caller's kernel build), then task indices. */
export type KMeansWorkerRequest =
  | { kind: 'kmeans.warm'; variant: 'simd' | 'scalar' }
  | { kind: 'kmeans.job'; job: KMeansCopyJob; variant: 'simd' | 'scalar' }
  | { kind: 'kmeans.task'; t: number };

/** A worker's answer to a 'kmeans.task'. */
export type KMeansWorkerMessage = { type: 'ready' } | { type: 'restart'; t: number; run: KMeansCopyResult } | { type: 'error'; error: SerializedError };

/** An error as it crosses the thread boundary (classes do not survive structured clone). */
export interface SerializedError {
  name: string;
  message: string;
  parameter?: string;
  status?: number;
  error?: string;
  code?: string;
  details?: Record<string, unknown>;
  params?: Record<string, string | number>;
}

/** What the worker posts back: progress, then a result or an error. */
export type WorkerMessage = { type: 'progress'; stage: string } | { type: 'result'; response: unknown } | { type: 'error'; error: SerializedError };

function serializeError(err: unknown): SerializedError {
  if (err instanceof SegmentationError) {
    return {
      name: err.name,
      message: err.message,
      status: err.status,
      error: err.error,
      code: err.code,
      details: err.details as Record<string, unknown>,
      params: err.params,
    };
  }
  if (err instanceof InvalidParameterError) return { name: 'InvalidParameterError', message: err.message, parameter: err.parameter };
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

async function handle(data: WorkerRequest, post: (m: WorkerMessage) => void): Promise<void> {
  try {
    if (data.variant && data.variant !== 'auto') await init({ variant: data.variant });
    if (data.threads !== undefined && data.threads !== 1) await init({ threads: data.threads });
    const response = await segment(data.request, {
      locale: data.locale,
      onProgress: (stage) => post({ type: 'progress', stage }),
    });
    post({ type: 'result', response });
  } catch (err) {
    post({ type: 'error', error: serializeError(err) });
  }
}

let restart: ((t: number) => KMeansCopyResult) | undefined;

async function handleKMeans(data: KMeansWorkerRequest, post: (m: KMeansWorkerMessage, transfer: ArrayBuffer[]) => void): Promise<void> {
  try {
    if (data.kind === 'kmeans.warm') {
      await init({ variant: data.variant });
      post({ type: 'ready' }, []);
      return;
    }
    if (data.kind === 'kmeans.job') {
      restart = undefined;
      await init({ variant: data.variant });
      restart = copyJobRunner(data.job);
      return;
    }
    // A job that failed to lay out has answered its error already; its tasks say so too.
    if (!restart) throw new Error('segmint worker: a K-Means task without a job it could prepare');
    const run = restart(data.t);
    post({ type: 'restart', t: data.t, run }, [run.labels.buffer as ArrayBuffer, run.centroids.buffer as ArrayBuffer]);
  } catch (err) {
    post({ type: 'error', error: serializeError(err) }, []);
  }
}

type Incoming = WorkerRequest | KMeansWorkerRequest;
// Messages are handled one after another: a task waits for its job's kernels to load.
let queue: Promise<void> = Promise.resolve();
function receive(data: Incoming, post: (m: unknown, transfer?: ArrayBuffer[]) => void): void {
  queue = queue.then(() => ('kind' in data ? handleKMeans(data, post) : handle(data, post)));
}

interface BrowserWorkerScope {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (e: { data: Incoming }) => void): void;
}

const scope = globalThis as unknown as Partial<BrowserWorkerScope> & { WorkerGlobalScope?: unknown };
if (typeof scope.WorkerGlobalScope !== 'undefined' && typeof scope.postMessage === 'function') {
  const self = scope as BrowserWorkerScope;
  self.addEventListener('message', (e) => receive(e.data, (m, transfer) => self.postMessage(m, transfer ?? [])));
} else {
  // Node: worker_threads, imported through a variable so bundlers leave it alone and the
  // browser build carries no Node built-in.
  const workerThreads = 'node:worker_threads';
  const { parentPort } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ workerThreads)) as {
    parentPort: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void; on(ev: 'message', fn: (d: Incoming) => void): void } | null;
  };
  if (!parentPort) throw new Error('segmint worker.js is a worker script: start it with segmentInWorker() or kmeansInWorkers()');
  parentPort.on('message', (data) => receive(data, (m, transfer) => parentPort.postMessage(m, transfer ?? [])));
}
