/**
 * Whole tasks on other threads for synchronous calls (Node only, started by
 * `init({ threads })` beside the row-splitting pool of threads.ts): K-Means' nInit
 * restarts are independent fits over the same X, so each worker takes whole restarts
 * instead of a block of rows per iteration. A restart takes tens of milliseconds against
 * microseconds of hand-off, where a per-iteration split pays the hand-off every pass and
 * leaves the centroid update serial (measured: no gain at 100k x 6, k = 5).
 *
 * Each worker is a full segmint instance (the worker entry of src/cluster) with its own
 * WebAssembly memory, so this module knows no algorithm: it posts an opaque job whose
 * inputs and outputs live in SharedArrayBuffers, lets the calling thread take tasks too,
 * and blocks in Atomics.wait (allowed on Node's main thread) until every worker has
 * stopped taking tasks. Tasks are claimed from one shared counter and each records when
 * it is done; a task a worker could not finish (an exception) is left for the caller to
 * run itself, so a result never depends on which thread ran what.
 */
import { startWorker } from './threads';

/** Control words of a job: next task to claim, workers done. */
const NEXT = 0;
const DONE = 1;
/** Per-task status: claimed, finished. */
export const TASK_CLAIMED = 1;
export const TASK_DONE = 2;

/** What every job message carries besides its own fields. */
export interface PoolJob {
  kind: string;
  tasks: number;
  control: SharedArrayBuffer;
  status: SharedArrayBuffer;
  /** The worker's slot (1..helpers; 0 is the calling thread), for per-thread outputs. */
  slot?: number;
}

/** A job's task counter as every participant uses it. */
export interface TaskClaims {
  /** The next unclaimed task, or -1 when none is left. */
  claim(): number;
  /** Marks a task finished (its outputs are written). */
  finish(task: number): void;
}

/** The claims of a job, from its control and status buffers (used on both sides). */
export function taskClaims(job: Pick<PoolJob, 'tasks' | 'control' | 'status'>): TaskClaims {
  const ctrl = new Int32Array(job.control);
  const status = new Int32Array(job.status);
  return {
    claim() {
      const t = Atomics.add(ctrl, NEXT, 1);
      if (t >= job.tasks) return -1;
      Atomics.store(status, t, TASK_CLAIMED);
      return t;
    },
    finish(t) {
      Atomics.store(status, t, TASK_DONE);
    },
  };
}

/** The calling thread's claims: also whether every worker has stopped taking tasks. */
export interface CallerClaims extends TaskClaims {
  /** True once no worker runs a task of this job (so the caller's own task runs alone). */
  alone(): boolean;
}

/** Marks a worker done with a job (the worker entry calls it whatever happened). */
export function workerDone(job: Pick<PoolJob, 'control'>): void {
  const ctrl = new Int32Array(job.control);
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}

type WorkerLike = {
  once(ev: string, fn: (v: unknown) => void): void;
  postMessage(v: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
};

/** A started pool of whole-task workers. */
export interface FitPool {
  /** Workers (the calling thread is not counted). */
  readonly size: number;
  /**
   * Runs `tasks` tasks of `job` on up to `helpers` workers and the calling thread
   * (`mine` takes tasks with the claims it is given), blocking until all are done; then
   * returns the tasks no worker finished (the caller runs them).
   */
  run(job: Omit<PoolJob, 'control' | 'status' | 'tasks' | 'slot'>, tasks: number, helpers: number, mine: (claims: CallerClaims) => void): number[];
  close(): void;
}

/** Starts `size` workers from the worker module at `file`; each answers 'ready' once its kernels are loaded. */
export async function startFitPool(size: number, file: URL, variant: string): Promise<FitPool> {
  type WorkerThreads = { Worker: new (src: URL, o: object) => WorkerLike };
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const { Worker } = (proc?.getBuiltinModule?.('node:worker_threads') ??
    (await (new Function('m', 'return import(m)') as (m: string) => Promise<unknown>)('node:worker_threads'))) as WorkerThreads;
  const workers: WorkerLike[] = [];
  try {
    for (let w = 0; w < size; w++) {
      const worker = startWorker(Worker, file, { workerData: { variant } });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', (err) => reject(err));
      });
      // Idle workers wait in their event loop; they must not keep the process alive.
      worker.unref();
    }
  } catch (err) {
    for (const w of workers) void w.terminate();
    throw err;
  }
  return {
    size,
    run(job, tasks, helpers, mine) {
      const control = new SharedArrayBuffer(16);
      const status = new SharedArrayBuffer(4 * Math.max(1, tasks));
      const full = { ...job, tasks, control, status };
      const use = Math.min(helpers, workers.length);
      for (let w = 0; w < use; w++) workers[w].postMessage({ ...full, slot: w + 1 });
      const ctrl = new Int32Array(control);
      mine({ ...taskClaims(full), alone: () => Atomics.load(ctrl, DONE) >= use });
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (done >= use) break;
        Atomics.wait(ctrl, DONE, done);
      }
      const state = new Int32Array(status);
      const left: number[] = [];
      for (let t = 0; t < tasks; t++) if (state[t] !== TASK_DONE) left.push(t);
      return left;
    },
    close() {
      for (const w of workers) void w.terminate();
    },
  };
}
