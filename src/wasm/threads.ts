/**
 * Threads within one job (opt-in with `await init({ threads })`, in Node or in a
 * Web Worker of a cross-origin-isolated page): the threads build of the kernels (SIMD on
 * an imported shared WebAssembly.Memory) is instantiated on the calling thread and in
 * threads - 1 worker_threads or Web Workers over the same memory, so a Workspace laid out
 * by the calling thread is visible to every worker in place.
 *
 * Only per-row work is split: Lloyd's pass (whole blocks of rows per thread, each block
 * with its own sums, added in block order afterwards: see lloydBlocks), HDBSCAN's core distances, DBSCAN's core counts and the GMM E-step
 * (responsibilities per row; the log-likelihood summed afterwards in row order). Each
 * row's result does not depend on the split and every sum keeps the single-threaded
 * order, so results are bit-identical for any number of threads. The silhouette's pair
 * sums are not per row: its tiles run in an order that keeps each sum's chain intact
 * (silhouetteTileLoop). The calls stay
 * synchronous: the calling thread blocks in Atomics.wait (allowed in Node's main thread
 * and in a Web Worker, not on a page's main thread) while the workers run.
 */
import type { KernelExports } from './kernels.generated';

/** Control words in the shared control block (Int32Array). */
const GENERATION = 0; // bumped to start a job; workers wait on it
const DONE = 1; // workers finished with the current job
const STOP = 2; // 1: workers exit
// Job parameters (Float64Array after the control words): pointers and sizes, then per
// worker its first row and row count; results (changed labels) per worker.
const PARAMS = 16;
// p[KIND]: which kernel a job runs (the assignment, HDBSCAN's core distances, a GMM E-step).
const KIND = 15;
const KIND_ASSIGN = 0;
const KIND_KTH = 1;
const KIND_ESTEP = 2;
const KIND_CORE = 3;
const KIND_SILHOUETTE = 4;
const KIND_SEEDING = 5;
const KIND_PACK = 6;
/**
 * Rows per call of the k-th neighbour walk (and of the other row-range kernels here: DBSCAN
 * core counts, the GMM E-step). V8 starts WebAssembly on its baseline
 * compiler and swaps in the optimised code for the next call (there is no on-stack
 * replacement), so one call over every row runs entirely on baseline code: core
 * distances of 200k rows took 2.4 s in one call and 1.5 s in calls of 8,192 rows.
 */
export const KTH_CHUNK_ROWS = 4096;
const MAX_WORKERS = 64;
/** Loads a thread spins on a control word before it sleeps in Atomics.wait (tens of microseconds). */
const SPIN_LOADS = 20_000;

/**
 * The silhouette's tile loop (assembly/silhouette.ts silhouetteTile), run by every thread
 * of the job, the calling one included. A thread claims a row block P from a shared
 * counter and runs its tiles Q = P..nb-1 left to right (each tile continues the lanes of
 * the one before it); before tile (P, Q) it waits until (P - 1, Q) is done, whose rows
 * add to the same column sums first. Row blocks are claimed in order, so the thread
 * holding the lowest unfinished one never waits (no deadlock), the threads run one
 * tile apart down the rows, and every sum is added in the one-call kernel's order
 * whichever thread runs a tile. Injected into the worker source as text, so it uses
 * nothing but its arguments.
 */
export function silhouetteTileLoop(e: { silhouetteTile(...args: number[]): void }, buffer: ArrayBufferLike, p: ArrayLike<number>): void {
  const [XT, n, d, start, k, lanes, tot, back, block, nb, flags, counter] = Array.from(p);
  const w = new Int32Array(buffer);
  const f = flags >> 2;
  for (;;) {
    const P = Atomics.add(w, counter >> 2, 1);
    if (P >= nb) return;
    for (let Q = P; Q < nb; Q++) {
      const above = f + (P - 1) * nb + Q;
      if (P > 0 && Atomics.load(w, above) === 0) {
        // The thread above is about one tile ahead: spin a little before sleeping.
        for (let spin = 0; spin < 4096 && Atomics.load(w, above) === 0; spin++);
        while (Atomics.load(w, above) === 0) Atomics.wait(w, above, 0);
      }
      e.silhouetteTile(XT, n, d, start, k, P * block, Math.min(n, (P + 1) * block), Q * block, Math.min(n, (Q + 1) * block), lanes, tot, back);
      Atomics.store(w, f + P * nb + Q, 1);
      Atomics.notify(w, f + P * nb + Q);
    }
  }
}

/**
 * Blocks [from, to) of Lloyd's pass (src/cluster/kmeansLloyd.ts lloydBlocks), each with its
 * own sums and counts; returns the labels changed. One body for every thread: the pool's
 * workers (injected as text, like silhouetteTileLoop), its calling thread, and the
 * single-threaded pass. p: Xp, X, d, C, halfNorm, k, labels, weights, blockSums,
 * blockCounts, blockRows, n.
 */
export function assignBlockRange(e: { assignNearest(...args: number[]): number }, p: ArrayLike<number>, from: number, to: number): number {
  const [Xp, X, d, C, halfNorm, k, labels, weights, blockSums, blockCounts, blockRows, n] = Array.from({ length: 12 }, (_, i) => p[i]);
  let changed = 0;
  for (let b = from; b < to; b++) {
    const r0 = b * blockRows;
    const rows = Math.min(n, r0 + blockRows) - r0;
    const w = weights === 0 ? 0 : weights + r0 * 8;
    changed += e.assignNearest(
      Xp + r0 * d * 8,
      X + r0 * d * 8,
      rows,
      d,
      C,
      halfNorm,
      k,
      w,
      labels + r0 * 4,
      blockSums === 0 ? 0 : blockSums + b * k * d * 8,
      blockSums === 0 ? 0 : blockCounts + b * k * 8,
    );
  }
  return changed;
}

/**
 * Blocks [from, to) of a k-means++ step (closestSquaredDistances per block of point pairs,
 * block b's potentials at pots + b * m * 8); shared as assignBlockRange is. p: Xp, n, d,
 * candidates, m, closest, weights, trials, pots, pairsPerBlock, nPairs.
 */
export function seedingBlockRange(e: { closestSquaredDistances(...args: number[]): void }, p: ArrayLike<number>, from: number, to: number): void {
  const [Xp, n, d, cands, m, closest, w, trials, pots, pairsPerBlock, nPairs] = Array.from({ length: 11 }, (_, i) => p[i]);
  for (let b = from; b < to; b++) {
    e.closestSquaredDistances(Xp, n, d, cands, m, closest, w, trials, pots + b * m * 8, b * pairsPerBlock, Math.min(nPairs, (b + 1) * pairsPerBlock));
  }
}

/**
 * Blocks [from, to) of packPointPairs (blocks of blockRows rows, an even count, so every
 * block starts on a pair; the last may be short); shared as assignBlockRange is. p: X, n,
 * d, Xp, blockRows. Each block is one call whoever runs it, so Xp is the same bits.
 */
export function packBlockRange(e: { packPointPairs(...args: number[]): void }, p: ArrayLike<number>, from: number, to: number): void {
  const [X, n, d, Xp, blockRows] = Array.from({ length: 5 }, (_, i) => p[i]);
  for (let b = from; b < to; b++) {
    const r0 = b * blockRows;
    e.packPointPairs(X + r0 * d * 8, Math.min(blockRows, n - r0), d, Xp + (r0 >> 1) * d * 16);
  }
}

// The worker: instantiates the threads build over the shared memory and labels its block
// whenever the generation word moves. Plain JavaScript, run with eval (no extra file in
// dist/ to locate at run time).
// process.getBuiltinModule (Node >= 20.16) first; an eval'd worker is CommonJS, so
// require is the fallback on older Node.
const WORKER_LOOP = `
const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctrl = new Int32Array(control, 0, 8);
const p = new Float64Array(control, 32, ${PARAMS} + 2 * ${MAX_WORKERS});
const res = new Int32Array(control, 32 + 8 * (${PARAMS} + 2 * ${MAX_WORKERS}), ${MAX_WORKERS});
let gen = 0;
${silhouetteTileLoop.toString()}
${assignBlockRange.toString()}
${seedingBlockRange.toString()}
${packBlockRange.toString()}
ready();
for (;;) {
  // Jobs come in bursts (a pass per Lloyd iteration): spin briefly before sleeping, as a
  // futex wake-up costs tens of microseconds per pass.
  for (let spin = 0; spin < ${SPIN_LOADS} && Atomics.load(ctrl, ${GENERATION}) === gen; spin++);
  // Atomics.wait can return with the generation unchanged: running the last job again
  // then added a second DONE that the next job counted, so the caller read a block's sums
  // before its worker wrote them (about 1 fit in 3,000 on 4 threads over 2 cores).
  while (Atomics.load(ctrl, ${GENERATION}) === gen) Atomics.wait(ctrl, ${GENERATION}, gen);
  gen = Atomics.load(ctrl, ${GENERATION});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  const first = p[${PARAMS} + 2 * index], rows = p[${PARAMS} + 2 * index + 1];
  if (p[${KIND}] === ${KIND_KTH}) {
    // Thread t = index + 1 (the calling thread is 0) walks with its own heap and stack.
    const [tree, k, heap, out, stack, stackBytes] = p;
    // In calls of CHUNK rows: a long call runs to its end on the code it started with.
    for (let at = first; at < first + rows; at += ${KTH_CHUNK_ROWS}) {
      e.dbscanKthNeighbourSqRows(tree, k, heap + (index + 1) * k * 8, out, at, Math.min(${KTH_CHUNK_ROWS}, first + rows - at), stack + (index + 1) * stackBytes);
    }
    res[index] = 0;
  } else if (p[${KIND}] === ${KIND_CORE}) {
    // Thread t reads the index through header copy t (its own walk stack).
    const [headers, headerBytes, eps2, minSamples, core] = p;
    let cores = 0;
    for (let at = first; at < first + rows; at += ${KTH_CHUNK_ROWS}) {
      cores += e.dbscanCoreFlagsRows(headers + (index + 1) * headerBytes, eps2, minSamples, core, at, Math.min(at + ${KTH_CHUNK_ROWS}, first + rows));
    }
    res[index] = cores;
  } else if (p[${KIND}] === ${KIND_SILHOUETTE}) {
    if (rows > 0) silhouetteTileLoop(e, memory.buffer, p);
    res[index] = 0;
  } else if (p[${KIND}] === ${KIND_SEEDING}) {
    seedingBlockRange(e, p, first, first + rows);
    res[index] = 0;
  } else if (p[${KIND}] === ${KIND_PACK}) {
    packBlockRange(e, p, first, first + rows);
    res[index] = 0;
  } else if (p[${KIND}] === ${KIND_ESTEP}) {
    // Thread t writes its rows' responsibilities; its diff and logProb scratch are its own.
    const [X, nPad, d, means, prec, logConst, k, diff, logProb, resp, logNorm, full] = p;
    for (let at = first; at < first + rows; at += ${KTH_CHUNK_ROWS}) {
      const to = Math.min(at + ${KTH_CHUNK_ROWS}, first + rows);
      if (full === 1) e.gmmEStepFullRows(X, nPad, d, means, prec, logConst, k, diff + (index + 1) * 4 * d * 8, logProb + (index + 1) * 4 * k * 8, resp, logNorm, at, to);
      else e.gmmEStepDiagRows(X, nPad, d, means, prec, logConst, k, logProb + (index + 1) * 4 * k * 8, resp, logNorm, at, to);
    }
    res[index] = 0;
  } else {
    res[index] = assignBlockRange(e, p, first, first + rows);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;
const WORKER_SOURCE = `
const loadBuiltin = process.getBuiltinModule ?? require;
const { workerData, parentPort } = loadBuiltin('node:worker_threads');
const { bytes, memory, control, index } = workerData;
const ready = () => parentPort.postMessage('ready');
${WORKER_LOOP}`;
// The same loop in a Web Worker: its start-up data comes in the first message. A
// dedicated worker may block in Atomics.wait, and the loop never returns to the event
// loop, which is all it needs.
const WEB_WORKER_SOURCE = `
self.onmessage = (ev) => {
  self.onmessage = null;
  const { bytes, memory, control, index } = ev.data;
  const ready = () => self.postMessage('ready');
  ${WORKER_LOOP}
};`;

/** A started pool: `threads` counts the main thread. */
export interface ThreadPool {
  readonly threads: number;
  /**
   * Lloyd's pass over `count` blocks of rows (src/cluster/kmeansLloyd.ts lloydBlocks), whole
   * blocks per thread (the calling one takes the first), as assignBlockRange with the same
   * params. Returns how many labels changed.
   */
  assignBlocks(use: number, params: number[], count: number): number;
  /**
   * dbscanKthNeighbourSq over rows [0, n) of the tree at `tree`, split over `use`
   * threads: thread t (0 = the calling one) walks with heap + t * k * 8 and
   * stack + t * stackBytes, so heap holds use * k f64 and stack use stacks.
   */
  kthNeighbourSq(use: number, tree: number, k: number, heap: number, out: number, n: number, stack: number, stackBytes: number): void;
  /**
   * gmmEStepFullRows (full) or gmmEStepDiagRows over rows [0, nPad), split over `use`
   * threads in blocks of whole 4-row groups: thread t uses diff + t * 4 * d * 8 and
   * logProb + t * 4 * k * 8, so those hold `use` scratch blocks. The caller then sums
   * logNorm serially (gmmEStepFinish), so the result does not depend on the split.
   */
  eStepRows(
    use: number,
    full: boolean,
    X: number,
    nPad: number,
    d: number,
    means: number,
    prec: number,
    logConst: number,
    k: number,
    diff: number,
    logProb: number,
    resp: number,
    logNorm: number,
  ): void;
  /**
   * dbscanCoreFlagsRows over rows [0, n), split over `use` threads: thread t reads the
   * index through the header at headers + t * headerBytes (copies differing in their walk
   * stack). Returns the number of core rows.
   */
  coreFlags(use: number, headers: number, headerBytes: number, eps2: number, minSamples: number, core: number, n: number): number;
  /** One k-means++ step over `count` blocks, whole blocks per thread, as seedingBlockRange with the same params. */
  seedingBlocks(use: number, params: number[], count: number): void;
  /** packPointPairs over `count` blocks of rows, whole blocks per thread, as packBlockRange with the same params. */
  packBlocks(use: number, params: number[], count: number): void;
  /**
   * The silhouette's cluster sums by tiles over `use` threads (silhouetteTileLoop), params:
   * XT, n, d, clusterStart, k, lanes, tot, back, block, nb, flags, counter.
   */
  silhouetteTiles(use: number, params: number[]): void;
  /** Stops the workers. */
  close(): void;
}

type WorkerLike = { once(ev: string, fn: (v: unknown) => void): void; unref(): void; terminate(): Promise<number> };

type StartWorker = (data: { bytes: Uint8Array; memory: WebAssembly.Memory; control: SharedArrayBuffer; index: number }) => Promise<WorkerLike>;

/**
 * The Node flags for a worker: undefined (inherit the parent's, as Node does by default)
 * unless they carry --input-type. A script run with `node --input-type=module -e ...`
 * passes it on, and Node refuses to start a worker from a file with it
 * (ERR_INPUT_TYPE_NOT_ALLOWED), as the whole-task workers are. Flags given explicitly are
 * also checked (--expose-gc, say, is refused, where inherited it is ignored), so the list
 * is only given when it must be; see startWorker for the fallback.
 */
export function workerExecArgv(): string[] | undefined {
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  if (!argv.some((a) => a === '--input-type' || a.startsWith('--input-type='))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input-type') i++;
    else if (!argv[i].startsWith('--input-type=')) out.push(argv[i]);
  }
  return out;
}

/**
 * new Worker with workerExecArgv(); when Node refuses one of those flags for a worker
 * (ERR_WORKER_INVALID_EXEC_ARGV), without any.
 */
export function startWorker<W>(Worker: new (src: never, o: object) => W, src: unknown, options: object): W {
  const execArgv = workerExecArgv();
  if (execArgv === undefined) return new Worker(src as never, options);
  try {
    return new Worker(src as never, { ...options, execArgv });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(src as never, { ...options, execArgv: [] });
  }
}

/** Node: worker_threads, each told its data at start. */
async function nodeWorkers(): Promise<StartWorker> {
  // Hidden from bundlers: the browser build must not try to resolve node:worker_threads.
  // process.getBuiltinModule (Node >= 20.16) also works inside vm contexts (vitest),
  // where a dynamic import() built with new Function has no loader.
  type WorkerThreads = { Worker: new (src: string, o: object) => WorkerLike };
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const { Worker } = (proc?.getBuiltinModule?.('node:worker_threads') ??
    (await (new Function('m', 'return import(m)') as (m: string) => Promise<unknown>)('node:worker_threads'))) as WorkerThreads;
  return async (workerData) => {
    const worker = startWorker(Worker, WORKER_SOURCE, { eval: true, workerData });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', (err) => reject(err));
    });
    // Idle workers block in Atomics.wait; they must not keep the process alive.
    worker.unref();
    return worker;
  };
}

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', listener: (e: { message?: string }) => void, options?: { once: boolean }): void;
}

/** A cross-origin-isolated Web Worker scope: Web Workers from a Blob URL of the loop. */
function webWorkers(): StartWorker {
  const g = globalThis as unknown as { Worker: new (url: string) => WebWorker; Blob: typeof Blob; URL: typeof URL };
  const url = g.URL.createObjectURL(new g.Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  return async (data) => {
    const worker = new g.Worker(url);
    await new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', () => resolve(), { once: true });
      worker.addEventListener('error', (e) => reject(new Error(`a kernel thread failed to start: ${e.message ?? 'unknown error'}`)), { once: true });
      worker.postMessage(data);
    });
    return {
      once() {},
      unref() {},
      terminate: async () => {
        worker.terminate();
        return 0;
      },
    };
  };
}

/** Where init({ threads }) can run kernel threads, or why not (undefined when it can). */
export function threadsUnavailable(): string | undefined {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics?.wait !== 'function') return 'SharedArrayBuffer and Atomics.wait';
  if (typeof g.process?.versions?.node === 'string') return undefined;
  // A page's main thread may not block in Atomics.wait, and kmeans() is synchronous: the
  // threads run from a Web Worker (segmentInWorker) of a cross-origin-isolated page.
  if (typeof g.WorkerGlobalScope === 'undefined') return "a Web Worker (a page's main thread cannot wait on the others; use segmentInWorker)";
  if (g.crossOriginIsolated !== true)
    return 'a cross-origin-isolated page (Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  if (typeof g.Worker !== 'function') return 'nested Web Workers, which this engine lacks';
  return undefined;
}

/** Starts threads - 1 workers over `memory`; `exports` is the main thread's instance of the same build. */
export async function startThreadPool(threads: number, bytes: Uint8Array, memory: WebAssembly.Memory, exports: KernelExports): Promise<ThreadPool> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  const start = isNode ? await nodeWorkers() : webWorkers();
  const control = new SharedArrayBuffer(32 + 8 * (PARAMS + 2 * MAX_WORKERS) + 4 * MAX_WORKERS);
  const ctrl = new Int32Array(control, 0, 8);
  const p = new Float64Array(control, 32, PARAMS + 2 * MAX_WORKERS);
  const res = new Int32Array(control, 32 + 8 * (PARAMS + 2 * MAX_WORKERS), MAX_WORKERS);
  const workers: WorkerLike[] = [];
  for (let w = 0; w < threads - 1; w++) workers.push(await start({ bytes, memory, control, index: w }));
  /** Starts a job of `kind` over n rows in blocks of `per` (the calling thread takes block 0), runs `own`, waits for the workers. */
  const run = (kind: number, use: number, n: number, unit: number, params: number[], own: (rows: number) => number): number => {
    const helpers = Math.min(use, threads) - 1;
    const per = Math.ceil(n / (helpers + 1) / unit) * unit;
    p.set(params, 0);
    p[KIND] = kind;
    for (let w = 0; w < workers.length; w++) {
      const first = Math.min(n, per * (w + 1));
      const rows = w < helpers ? Math.max(0, Math.min(n, first + per) - first) : 0;
      p[PARAMS + 2 * w] = first;
      p[PARAMS + 2 * w + 1] = rows;
    }
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GENERATION, 1);
    Atomics.notify(ctrl, GENERATION);
    let total = own(Math.min(n, per));
    for (let spin = 0; spin < SPIN_LOADS && Atomics.load(ctrl, DONE) < workers.length; spin++);
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= workers.length) break;
      Atomics.wait(ctrl, DONE, done);
    }
    for (let w = 0; w < workers.length; w++) total += res[w];
    return total;
  };
  return {
    threads,
    assignBlocks(use, params, count) {
      return run(KIND_ASSIGN, use, count, 1, params, (blocks) => assignBlockRange(exports, params, 0, blocks));
    },
    kthNeighbourSq(use, tree, k, heap, out, n, stack, stackBytes) {
      run(KIND_KTH, use, n, 1, [tree, k, heap, out, stack, stackBytes], (rows) => {
        for (let at = 0; at < rows; at += KTH_CHUNK_ROWS) exports.dbscanKthNeighbourSqRows(tree, k, heap, out, at, Math.min(KTH_CHUNK_ROWS, rows - at), stack);
        return 0;
      });
    },
    coreFlags(use, headers, headerBytes, eps2, minSamples, core, n) {
      return run(KIND_CORE, use, n, 1, [headers, headerBytes, eps2, minSamples, core], (rows) => {
        let cores = 0;
        for (let at = 0; at < rows; at += KTH_CHUNK_ROWS)
          cores += exports.dbscanCoreFlagsRows(headers, eps2, minSamples, core, at, Math.min(at + KTH_CHUNK_ROWS, rows));
        return cores;
      });
    },
    eStepRows(use, full, X, nPad, d, means, prec, logConst, k, diff, logProb, resp, logNorm) {
      run(KIND_ESTEP, use, nPad, 4, [X, nPad, d, means, prec, logConst, k, diff, logProb, resp, logNorm, full ? 1 : 0], (rows) => {
        for (let at = 0; at < rows; at += KTH_CHUNK_ROWS) {
          const to = Math.min(at + KTH_CHUNK_ROWS, rows);
          if (full) exports.gmmEStepFullRows(X, nPad, d, means, prec, logConst, k, diff, logProb, resp, logNorm, at, to);
          else exports.gmmEStepDiagRows(X, nPad, d, means, prec, logConst, k, logProb, resp, logNorm, at, to);
        }
        return 0;
      });
    },
    seedingBlocks(use, params, count) {
      run(KIND_SEEDING, use, count, 1, params, (blocks) => {
        seedingBlockRange(exports, params, 0, blocks);
        return 0;
      });
    },
    packBlocks(use, params, count) {
      run(KIND_PACK, use, count, 1, params, (blocks) => {
        packBlockRange(exports, params, 0, blocks);
        return 0;
      });
    },
    silhouetteTiles(use, params) {
      // One unit of "rows" per thread taking part: each then claims tiles until none is left.
      run(KIND_SILHOUETTE, use, Math.min(use, threads), 1, params, () => {
        silhouetteTileLoop(exports, memory.buffer, params);
        return 0;
      });
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
