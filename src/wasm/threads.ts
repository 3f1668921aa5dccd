/**
 * Threads within one K-Means job (Node only, opt-in with `await init({ threads })`): the
 * threads build of the kernels (SIMD on an imported shared WebAssembly.Memory) is
 * instantiated on the main thread and in threads - 1 worker_threads over the same memory,
 * so a Workspace laid out by the main thread is visible to every worker in place.
 *
 * Only the Lloyd assignment is split: each worker labels a block of rows (labels are per
 * row, so they do not depend on the split), and the main thread then accumulates the
 * per-cluster sums serially in row order (accumulateByLabel), the same additions in the
 * same order as the single-threaded pass: results are bit-identical for any number of
 * threads. kmeans() stays synchronous: the main thread blocks in Atomics.wait (allowed in
 * Node's main thread, not in a browser's) while the workers run.
 */
import type { KernelExports } from './kernels.generated';

/** Control words in the shared control block (Int32Array). */
const GENERATION = 0; // bumped to start a job; workers wait on it
const DONE = 1; // workers finished with the current job
const STOP = 2; // 1: workers exit
// Job parameters (Float64Array after the control words): pointers and sizes, then per
// worker its first row and row count; results (changed labels) per worker.
const PARAMS = 8;
const MAX_WORKERS = 64;

// The worker: instantiates the threads build over the shared memory and labels its block
// whenever the generation word moves. Plain JavaScript, run with eval (no extra file in
// dist/ to locate at run time).
// process.getBuiltinModule (Node >= 20.16) first; an eval'd worker is CommonJS, so
// require is the fallback on older Node.
const WORKER_SOURCE = `
const loadBuiltin = process.getBuiltinModule ?? require;
const { workerData, parentPort } = loadBuiltin('node:worker_threads');
const { bytes, memory, control, index } = workerData;
const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctrl = new Int32Array(control, 0, 8);
const p = new Float64Array(control, 32, ${PARAMS} + 2 * ${MAX_WORKERS});
const res = new Int32Array(control, 32 + 8 * (${PARAMS} + 2 * ${MAX_WORKERS}), ${MAX_WORKERS});
let gen = 0;
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, ${GENERATION}, gen);
  gen = Atomics.load(ctrl, ${GENERATION});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  const [Xp, X, d, C, halfNorm, k, labels] = p;
  const first = p[${PARAMS} + 2 * index], rows = p[${PARAMS} + 2 * index + 1];
  res[index] = rows > 0
    ? e.assignNearest(Xp + first * d * 8, X + first * d * 8, rows, d, C, halfNorm, k, 0, labels + first * 4, 0, 0)
    : 0;
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** A started pool: `threads` counts the main thread. */
export interface ThreadPool {
  readonly threads: number;
  /**
   * Labels rows [0, n) with their nearest centroid, split over `use` threads (the main
   * thread takes the first block); returns how many labels changed. Arguments as
   * assignNearest's, without weights or sums.
   */
  assignLabels(use: number, Xp: number, X: number, n: number, d: number, C: number, halfNorm: number, k: number, labels: number): number;
  /** Stops the workers. */
  close(): void;
}

type WorkerLike = { once(ev: string, fn: (v: unknown) => void): void; unref(): void; terminate(): Promise<number> };

/** Starts threads - 1 workers over `memory`; `exports` is the main thread's instance of the same build. */
export async function startThreadPool(threads: number, bytes: Uint8Array, memory: WebAssembly.Memory, exports: KernelExports): Promise<ThreadPool> {
  // Hidden from bundlers: the browser build must not try to resolve node:worker_threads.
  // process.getBuiltinModule (Node >= 20.16) also works inside vm contexts (vitest),
  // where a dynamic import() built with new Function has no loader.
  type WorkerThreads = { Worker: new (src: string, o: object) => WorkerLike };
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const { Worker } = (proc?.getBuiltinModule?.('node:worker_threads') ??
    (await (new Function('m', 'return import(m)') as (m: string) => Promise<unknown>)('node:worker_threads'))) as WorkerThreads;
  const control = new SharedArrayBuffer(32 + 8 * (PARAMS + 2 * MAX_WORKERS) + 4 * MAX_WORKERS);
  const ctrl = new Int32Array(control, 0, 8);
  const p = new Float64Array(control, 32, PARAMS + 2 * MAX_WORKERS);
  const res = new Int32Array(control, 32 + 8 * (PARAMS + 2 * MAX_WORKERS), MAX_WORKERS);
  const workers: WorkerLike[] = [];
  for (let w = 0; w < threads - 1; w++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, memory, control, index: w } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', (err) => reject(err));
    });
    // Idle workers block in Atomics.wait; they must not keep the process alive.
    worker.unref();
    workers.push(worker);
  }
  return {
    threads,
    assignLabels(use, Xp, X, n, d, C, halfNorm, k, labels) {
      const helpers = Math.min(use, threads) - 1;
      // Blocks of whole groups of 4 rows (the kernel's unit of two point pairs).
      const per = Math.ceil(n / (helpers + 1) / 4) * 4;
      p.set([Xp, X, d, C, halfNorm, k, labels], 0);
      for (let w = 0; w < workers.length; w++) {
        const first = Math.min(n, per * (w + 1));
        const rows = w < helpers ? Math.max(0, Math.min(n, first + per) - first) : 0;
        p[PARAMS + 2 * w] = first;
        p[PARAMS + 2 * w + 1] = rows;
      }
      Atomics.store(ctrl, DONE, 0);
      Atomics.add(ctrl, GENERATION, 1);
      Atomics.notify(ctrl, GENERATION);
      let changed = exports.assignNearest(Xp, X, Math.min(n, per), d, C, halfNorm, k, 0, labels, 0, 0);
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (done >= workers.length) break;
        Atomics.wait(ctrl, DONE, done);
      }
      for (let w = 0; w < workers.length; w++) changed += res[w];
      return changed;
    },
    close() {
      Atomics.store(ctrl, STOP, 1);
      Atomics.add(ctrl, GENERATION, 1);
      Atomics.notify(ctrl, GENERATION);
      for (const w of workers) void w.terminate();
    },
  };
}

export { MAX_WORKERS };
