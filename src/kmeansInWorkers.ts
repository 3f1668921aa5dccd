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
 * Each worker costs a copy of X and ~60 ms to compile the kernels; startKMeansWorkers()
 * keeps a set warm between calls.
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
   * Workers the restarts spread over: a number (1 to 64; default: the cores the engine
   * reports, navigator.hardwareConcurrency or os.availableParallelism, at most the
   * restarts), started for this call and terminated after it, or a set kept between
   * calls (startKMeansWorkers()). With 1, fewer than 4,096 rows (a restart there takes
   * well under a millisecond) or fewer than two restarts after the first, everything
   * runs on the calling thread, as kmeans().
   */
  workers?: number | KMeansWorkers;
  /** Where worker.js is served from, when a deployment moves it (default: beside this module; a set from startKMeansWorkers() has its own). */
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

type KMeansWorker = WorkerLike<KMeansWorkerRequest, KMeansWorkerMessage>;

/** One worker of a set: a single listener each, forwarding to whichever run holds it. */
interface Slot {
  worker: KMeansWorker;
  onMessage?: (m: KMeansWorkerMessage) => void;
  onFailure?: (err: Error) => void;
  dead: boolean;
}

/**
 * Workers kmeansInWorkers() can use call after call (startKMeansWorkers()): they keep
 * their compiled kernels, so a fit pays no start-up. Each holds the last fit's copy of X
 * until the next fit or close(). Calls on one set run one after another.
 */
export interface KMeansWorkers {
  readonly size: number;
  /** Terminates the workers; a later call on this set fails. */
  close(): void;
}

function kernelBuild(): 'simd' | 'scalar' {
  return info().variant === 'scalar' ? 'scalar' : 'simd';
}

class WorkerSet implements KMeansWorkers {
  private slots: Slot[] = [];
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly size: number,
    private readonly workerUrl: string | URL | undefined,
    private readonly keep: boolean,
  ) {}

  /** Starts (or, after a failure or an abort, restarts) the workers; with `warm`, waits until each has compiled its kernels. */
  async fill(warm: boolean): Promise<void> {
    if (this.closed) throw new InvalidParameterError('workers', 'is a closed set of workers (close() was called); start another with startKMeansWorkers()');
    this.slots = this.slots.filter((s) => !s.dead);
    while (this.slots.length < this.size) {
      const worker = await startWorkerScript<KMeansWorkerRequest, KMeansWorkerMessage>(this.workerUrl);
      const slot: Slot = { worker, dead: false };
      worker.onMessage((m) => slot.onMessage?.(m));
      worker.onFailure((err) => {
        slot.dead = true;
        slot.onFailure?.(err);
      });
      this.slots.push(slot);
    }
    if (!warm) return;
    this.hold(true);
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            slot.onMessage = (m) => (m.type === 'error' ? reject(reviveError(m.error)) : resolve());
            slot.onFailure = reject;
            slot.worker.post({ kind: 'kmeans.warm', variant: kernelBuild() });
          }),
      ),
    ).finally(() => {
      for (const slot of this.slots) slot.onMessage = slot.onFailure = undefined;
      this.hold(false);
    });
  }

  /**
   * A set kept between calls must not keep a Node process alive while it idles, but must
   * while it works: a process whose only pending work is an unref'd worker's answer exits.
   */
  private hold(working: boolean): void {
    if (!this.keep) return;
    for (const slot of this.slots) {
      if (working) slot.worker.ref?.();
      else slot.worker.unref?.();
    }
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      slot.dead = true;
      slot.worker.terminate();
    }
    this.slots = [];
  }

  /** Tasks 0..tasks-1 of `job`, one at a time per worker, after the set's earlier calls; results in task order. */
  run(
    job: KMeansCopyJob,
    tasks: number,
    signal: AbortSignal | undefined,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<KMeansCopyResult[]> {
    const turn = this.queue.then(async () => {
      await this.fill(false);
      this.hold(true);
      try {
        return await this.runNow(job, tasks, signal, onProgress);
      } finally {
        this.hold(false);
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  private runNow(
    job: KMeansCopyJob,
    tasks: number,
    signal: AbortSignal | undefined,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<KMeansCopyResult[]> {
    const slots = this.slots.slice(0, Math.min(this.slots.length, tasks));
    return new Promise<KMeansCopyResult[]>((resolve, reject) => {
      const results: KMeansCopyResult[] = new Array(tasks);
      let next = 0;
      let done = 0;
      let settled = false;
      const finish = (ok: boolean, fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        for (const slot of slots) {
          slot.onMessage = slot.onFailure = undefined;
          // A worker still on a task cannot be stopped any other way; the set starts a
          // new one on its next call.
          if (!ok) {
            slot.dead = true;
            slot.worker.terminate();
          }
        }
        fn();
      };
      const onAbort = (): void => finish(false, () => reject(signal?.reason ?? new Error('aborted')));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const slot of slots) {
        const give = (): void => {
          if (next < tasks) slot.worker.post({ kind: 'kmeans.task', t: next++ });
        };
        slot.onMessage = (m) => {
          if (m.type === 'error') return finish(false, () => reject(reviveError(m.error)));
          if (m.type !== 'restart') return;
          results[m.t] = m.run;
          done++;
          onProgress?.(done, tasks);
          // The callback may have aborted.
          if (settled) return;
          if (done === tasks) return finish(true, () => resolve(results));
          give();
        };
        slot.onFailure = (err) => finish(false, () => reject(err));
        // Each worker gets its own copy of X (structured clone), then its first task.
        slot.worker.post({ kind: 'kmeans.job', job, variant: kernelBuild() });
        give();
      }
    });
  }
}

/**
 * Starts `count` workers (default: the cores the engine reports) for kmeansInWorkers()'s
 * `workers` option, and waits until each has compiled its kernels: a set reused call
 * after call saves each fit the ~60 ms a worker takes to start. close() it when done
 * (in Node the set does not keep the process alive).
 */
export async function startKMeansWorkers(count?: number, options: { workerUrl?: string | URL } = {}): Promise<KMeansWorkers> {
  await init();
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 64)) {
    throw new InvalidParameterError('count', `must be an integer from 1 to 64, got ${JSON.stringify(count)}`);
  }
  const set = new WorkerSet(count ?? (await defaultWorkers()), options.workerUrl, true);
  try {
    await set.fill(true);
  } catch (err) {
    set.close();
    throw err;
  }
  return set;
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
  const given = workers instanceof WorkerSet ? workers : undefined;
  if (workers !== undefined && !given && (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > 64)) {
    throw new InvalidParameterError('workers', `must be an integer from 1 to 64 or a set from startKMeansWorkers(), got ${JSON.stringify(workers)}`);
  }
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  const count = given ? given.size : typeof workers === 'number' ? workers : await defaultWorkers();
  const m = toMatrixView(X);
  if (count <= 1) return fitKMeans(m, fit);
  return fitKMeansWithRestarts(m, fit, async (job, tasks) => {
    const set = given ?? new WorkerSet(Math.min(count, tasks), workerUrl, false);
    try {
      return await set.run(job, tasks, signal, onProgress);
    } finally {
      if (!given) set.close();
    }
  });
}
