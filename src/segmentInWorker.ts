/**
 * segmentInWorker(): segment() on another thread, so a page's main thread (or a Node
 * event loop) never blocks while customers are clustered.
 *
 * Browser: a module Web Worker running dist/worker.js, located with
 * `new URL('./worker.js', import.meta.url)` so that bundlers (Vite, webpack 5, esbuild
 * with a plugin, Parcel) copy it and rewrite the address. Node: a worker_threads Worker
 * on the same file. One worker per call, terminated when the call settles: a call
 * starts in a few milliseconds (the kernels compile again in the worker), nothing is
 * left running, and an AbortSignal can stop a segmentation mid-way.
 *
 * The request is copied to the worker (structured clone); columnar input
 * (`{ customer_id: [...], spend: Float64Array }`) copies fastest. Errors come back as
 * the same classes segment() throws (SegmentationError with status, code and details;
 * InvalidParameterError).
 */
import { InvalidParameterError, SegmentationError, type SegmentationErrorCode, type SegmentationErrorDetails } from './errors';
import type { SegmentationResponse } from './segment';
import { startWorker } from './wasm/threads';
import type { SerializedError, WorkerMessage, WorkerRequest } from './worker';

/** Options of segmentInWorker(). */
export interface SegmentInWorkerOptions {
  /** As segment()'s: language of labels, descriptions, warnings and errors. */
  locale?: string;
  /** Called in the caller's thread as each stage starts. */
  onProgress?: (stage: string) => void;
  /** Aborting terminates the worker and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where worker.js is served from, when a deployment moves it (default: beside this module). */
  workerUrl?: string | URL;
  /** Pin the kernels' build in the worker ('auto' by default, as init()). */
  variant?: 'auto' | 'simd' | 'scalar';
  /**
   * Kernel threads the worker runs K-Means over (init({ threads }) inside it; default 1).
   * In a browser the page must be cross-origin isolated (COOP same-origin, COEP
   * require-corp) so the worker can share memory with its own Web Workers; the result is
   * bit-identical to one thread.
   */
  threads?: number;
}

/** A started worker.js, in a browser or in Node; `In` and `Out` are its protocol's messages. */
export interface WorkerLike<In = WorkerRequest, Out = WorkerMessage> {
  post(message: In, transfer?: ArrayBuffer[]): void;
  onMessage(fn: (m: Out) => void): void;
  onFailure(fn: (err: Error) => void): void;
  terminate(): void;
  /** Node: lets the process exit while the worker idles (ref() undoes it while it works). */
  unref?(): void;
  ref?(): void;
}

/** The error a worker serialized, as the class the caller would have caught. */
export function reviveError(e: SerializedError): Error {
  if (e.name === 'SegmentationError') {
    return new SegmentationError({
      status: e.status ?? 500,
      code: (e.code ?? 'INTERNAL_ERROR') as SegmentationErrorCode,
      message: e.message,
      error: e.error,
      details: e.details as SegmentationErrorDetails | undefined,
      params: e.params,
    });
  }
  if (e.name === 'InvalidParameterError' && e.parameter !== undefined) {
    const err = new InvalidParameterError(e.parameter, '');
    err.message = e.message;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string' && typeof (globalThis as { Worker?: unknown }).Worker === 'undefined';
}

function browserWorker<In, Out>(url: string | URL | undefined): WorkerLike<In, Out> {
  // Written out literally so bundlers recognise the pattern and emit worker.js.
  const worker = url
    ? new Worker(url, { type: 'module', name: 'segmint' })
    : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'segmint' });
  return {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    onMessage: (fn) => worker.addEventListener('message', (e: MessageEvent<Out>) => fn(e.data)),
    onFailure: (fn) => {
      worker.addEventListener('error', (e: ErrorEvent) => {
        e.preventDefault?.();
        fn(new Error(`segmint: the worker failed to start or crashed (${e.message || 'could not load worker.js'})`));
      });
      worker.addEventListener('messageerror', () => fn(new Error('segmint: a worker message could not be deserialized')));
    },
    terminate: () => worker.terminate(),
  };
}

interface NodeWorker {
  postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
  on(ev: 'message', fn: (m: never) => void): void;
  on(ev: 'error', fn: (err: Error) => void): void;
  on(ev: 'exit', fn: (code: number) => void): void;
  terminate(): Promise<number>;
  unref(): void;
  ref(): void;
}

async function nodeWorker<In, Out>(url: string | URL | undefined): Promise<WorkerLike<In, Out>> {
  // Through a variable: the browser build must not reference a Node built-in.
  const workerThreads = 'node:worker_threads';
  const { Worker: NodeWorkerClass } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ workerThreads)) as {
    Worker: new (file: string | URL) => NodeWorker;
  };
  let file: string | URL;
  if (url) file = url;
  else if (import.meta.url) file = new URL('./worker.js', import.meta.url);
  else file = `${__dirname}/worker.js`; // the CommonJS build, where import.meta is empty
  // Not with the parent's --input-type, which Node refuses for a worker started from a file.
  const worker = startWorker(NodeWorkerClass as never, file, {}) as NodeWorker;
  return {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    onMessage: (fn) => worker.on('message', fn as (m: never) => void),
    onFailure: (fn) => {
      worker.on('error', (err) => fn(err));
      worker.on('exit', (code) => fn(new Error(`segmint: the worker exited (code ${code}) before answering`)));
    },
    terminate: () => void worker.terminate(),
    unref: () => worker.unref(),
    ref: () => worker.ref(),
  };
}

/** Starts worker.js (beside this module unless `url` says otherwise) as a Web Worker or a worker_threads worker. */
export async function startWorkerScript<In, Out>(url: string | URL | undefined): Promise<WorkerLike<In, Out>> {
  return isNode() ? nodeWorker<In, Out>(url) : browserWorker<In, Out>(url);
}

/**
 * Segments customers in a worker: segment()'s request in, its response out, without
 * blocking the calling thread.
 */
export async function segmentInWorker(request: unknown, options: SegmentInWorkerOptions = {}): Promise<SegmentationResponse> {
  const { locale, onProgress, signal, workerUrl, variant, threads } = options;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 65)) {
    throw new InvalidParameterError('threads', `must be an integer from 1 to 65, got ${JSON.stringify(threads)}`);
  }
  const worker = await startWorkerScript<WorkerRequest, WorkerMessage>(workerUrl);
  return new Promise<SegmentationResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.terminate();
      fn();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onMessage((m) => {
      if (m.type === 'progress') onProgress?.(m.stage);
      else if (m.type === 'result') finish(() => resolve(m.response as SegmentationResponse));
      else finish(() => reject(reviveError(m.error)));
    });
    worker.onFailure((err) => finish(() => reject(err)));
    try {
      worker.post({ request, locale, variant, threads });
    } catch (err) {
      // Not cloneable (functions, class instances with private state...): say which.
      finish(() => reject(new InvalidParameterError('request', `could not be sent to the worker: ${(err as Error).message}`)));
    }
  });
}
