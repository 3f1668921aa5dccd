/**
 * kmeansInWorkers(): kmeans() with its nInit restarts spread over workers that each hold
 * their own copy of X (dist/worker.js as Web Workers, or worker_threads in Node), for
 * where init({ threads }) cannot run: a page that is not cross-origin isolated has no
 * SharedArrayBuffer, and a page's main thread may not block on other threads. The
 * restarts are whole tasks handed out one at a time as workers finish; each draws the
 * start the serial loop would draw for it, and the best is kept in restart order, so the
 * model is kmeans()'s to the bit whatever worker ran what.
 *
 * The calling thread still does what comes before the restarts: the checks, centring
 * and packing X, 'auto''s probe of Hamerly's bounds (on a sample from 32,768 rows, else
 * on the first init), so a page's main thread is busy for about one restart's time.
 * Each worker costs a copy of X and a compile of the kernels (a few milliseconds).
 */
import { fitKMeans, fitKMeansWithRestarts, type KMeansCopyJob, type KMeansCopyResult, type KMeansOptions } from './cluster/kmeans';
import type { KMeansModel } from './cluster/kmeansModel';
import { InvalidParameterError } from './errors';
import { type MatrixLike, toMatrixView } from './matrix';
import { reviveError, startWorkerScript, type WorkerLike } from './segmentInWorker';
import { info, init } from './wasm/index';
import type { KMeansWorkerMessage, KMeansWorkerRequest } from './worker';

/** kmeansInWorkers() options: kmeans()'s, and where the restarts run. */
export interface KMeansInWorkersOptions extends KMeansOptions {
  /**
   * Workers the restarts spread over (1 to 64; default: the cores the engine reports,
   * navigator.hardwareConcurrency or os.availableParallelism, at most the restarts).
   * 1, or a fit with fewer than two restarts after the first: everything runs on the
   * calling thread, as kmeans().
   */
  workers?: number;
  /** Where worker.js is served from, when a deployment moves it (default: beside this module). */
  workerUrl?: string | URL;
  /** Aborting terminates the workers and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called on the calling thread as each restart given to the workers finishes (a progress bar's ticks). */
  onProgress?: (done: number, total: number) => void;
}

async function defaultWorkers(): Promise<number> {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { versions?: { node?: string } } };
  const cores = g.navigator?.hardwareConcurrency;
  if (Number.isInteger(cores) && (cores as number) > 0) return cores as number;
  if (typeof g.process?.versions?.node === 'string') {
    // Node 20 has no navigator; through a variable so the browser build carries no built-in.
    const os = 'node:os';
    const { availableParallelism } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ os)) as { availableParallelism(): number };
    return availableParallelism();
  }
  return 1;
}

/** Runs tasks 0..tasks-1 of `job` on `count` workers, one task at a time each; results in task order. */
async function runOnWorkers(
  job: KMeansCopyJob,
  tasks: number,
  count: number,
  workerUrl: string | URL | undefined,
  signal: AbortSignal | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<KMeansCopyResult[]> {
  const variant = info().variant === 'scalar' ? 'scalar' : 'simd';
  const workers: WorkerLike<KMeansWorkerRequest, KMeansWorkerMessage>[] = [];
  const stop = (): void => {
    for (const w of workers) w.terminate();
  };
  try {
    for (let w = 0; w < count; w++) workers.push(await startWorkerScript<KMeansWorkerRequest, KMeansWorkerMessage>(workerUrl));
  } catch (err) {
    stop();
    throw err;
  }
  return new Promise<KMeansCopyResult[]>((resolve, reject) => {
    const results: KMeansCopyResult[] = new Array(tasks);
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stop();
      fn();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const give = (worker: WorkerLike<KMeansWorkerRequest, KMeansWorkerMessage>): void => {
      if (next < tasks) worker.post({ kind: 'kmeans.task', t: next++ });
    };
    for (const worker of workers) {
      worker.onMessage((m) => {
        if (m.type === 'error') return finish(() => reject(reviveError(m.error)));
        results[m.t] = m.run;
        done++;
        onProgress?.(done, tasks);
        // The callback may have aborted.
        if (settled) return;
        if (done === tasks) return finish(() => resolve(results));
        give(worker);
      });
      worker.onFailure((err) => finish(() => reject(err)));
      // Each worker gets its own copy of X (structured clone), then its first task.
      worker.post({ kind: 'kmeans.job', job, variant });
      give(worker);
    }
  });
}

/**
 * K-Means as kmeans(X, options) gives it, with the nInit restarts on `workers` workers
 * over copies of X: no SharedArrayBuffer, no cross-origin isolation, and the calling
 * thread free while the restarts run.
 */
export async function kmeansInWorkers(X: MatrixLike, options: KMeansInWorkersOptions): Promise<KMeansModel> {
  await init();
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidParameterError('options', 'kmeansInWorkers(X, options) needs an options object with at least k');
  }
  const { workers, workerUrl, signal, onProgress, ...fit } = options;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
    throw new InvalidParameterError('workers', `must be an integer from 1 to 64, got ${JSON.stringify(workers)}`);
  }
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  const count = workers ?? (await defaultWorkers());
  const m = toMatrixView(X);
  if (count <= 1) return fitKMeans(m, fit);
  return fitKMeansWithRestarts(m, fit, (job, tasks) => runOnWorkers(job, tasks, Math.min(count, tasks), workerUrl, signal, onProgress));
}
