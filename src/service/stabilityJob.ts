/**
 * Stability's refits on init({ threads })' whole-task workers (src/wasm/fitPool.ts). The
 * resamples are independent fits of the same algorithm on rows drawn from one matrix,
 * each a few milliseconds (K-Means, 5,000 rows): whole tasks, like K-Means' restarts. The
 * rows are drawn on the calling thread in the serial order, each refit keeps its seed
 * (seed + 1 + resample), and the Jaccard scores are added on the calling thread in
 * resample order, so the scores are bit-identical to refitting on one thread.
 *
 * The time guard (explain.ts) is kept as the serial loop keeps it: no resample after the
 * first starts once the deadline has passed, and the resamples used are those before the
 * first one that did not start.
 */
import type { Matrix } from '../matrix';
import { rowsOf } from '../matrix';
import type { RefitOutcome } from '../profile/stability';
import type { FitPool, TaskClaims } from '../wasm/fitPool';
import { fitAlgorithm, type FitOptions, type SegmentAlgorithm } from './algorithms';

/** Resamples of fewer rows than this stay on the calling thread (a refit is then well under a millisecond). */
export const MIN_PARALLEL_REFIT_ROWS = 1000;

/** Per-resample state of a job, as the workers leave it. */
const DONE = 1;
const FAILED = 2;
const NOT_STARTED = 3;

/** A stability refit job as posted to whole-task workers. */
export interface StabilityRefitJob {
  kind: 'stability.refits';
  algorithm: SegmentAlgorithm;
  /** The refits' settings; resample b is fitted with seed options.seed + 1 + b. */
  options: FitOptions;
  n: number;
  d: number;
  /** Rows per resample. */
  m: number;
  X: SharedArrayBuffer;
  /** Row indices, m per resample. */
  draws: SharedArrayBuffer;
  /** Refitted labels, m per resample. */
  labels: SharedArrayBuffer;
  /** Per resample: DONE, FAILED or NOT_STARTED (0 until taken). */
  state: SharedArrayBuffer;
  /** Date.now() after which no resample but the first starts. */
  deadline: number;
  slot?: number;
}

function runRefits(job: StabilityRefitJob, X: Matrix, next: () => number, finish: (b: number) => void): void {
  const draws = new Int32Array(job.draws);
  const labels = new Int32Array(job.labels);
  const state = new Int32Array(job.state);
  for (let b = next(); b >= 0; b = next()) {
    if (b > 0 && Date.now() >= job.deadline) {
      Atomics.store(state, b, NOT_STARTED);
    } else {
      try {
        const sub = rowsOf(X, draws.subarray(b * job.m, (b + 1) * job.m));
        labels.set(fitAlgorithm(job.algorithm, sub, { ...job.options, seed: job.options.seed + 1 + b }).labels, b * job.m);
        Atomics.store(state, b, DONE);
      } catch {
        // A resample the algorithm refuses is counted as failed, as on one thread.
        Atomics.store(state, b, FAILED);
      }
    }
    finish(b);
  }
}

/** A whole-task worker's side of a refit job. */
export function runStabilityRefitJob(job: StabilityRefitJob, claims: TaskClaims): void {
  const X: Matrix = { data: new Float64Array(job.X), rows: job.n, cols: job.d };
  runRefits(
    job,
    X,
    () => claims.claim(),
    (b) => claims.finish(b),
  );
}

/**
 * Every resample of `draws` refitted on the pool and the calling thread; see the top.
 * `meanwhile` runs on the calling thread once the workers have the job, before it takes
 * refits itself: other work of the same request (the rules) that then costs no time of
 * its own. Its error, if any, is thrown after the refits are done.
 */
export function refitsInParallel(
  pool: FitPool,
  X: Matrix,
  algorithm: SegmentAlgorithm,
  options: FitOptions,
  draws: Int32Array[],
  deadline: number,
  meanwhile?: () => void,
): RefitOutcome[] {
  const B = draws.length;
  const m = B > 0 ? draws[0]!.length : 0;
  const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  const job: StabilityRefitJob = {
    kind: 'stability.refits',
    algorithm,
    options,
    n: X.rows,
    d: X.cols,
    m,
    X: shared(X.data.length * 8),
    draws: shared(B * m * 4),
    labels: shared(B * m * 4),
    state: shared(B * 4),
    deadline,
  };
  new Float64Array(job.X).set(X.data.subarray(0, X.rows * X.cols));
  const drawView = new Int32Array(job.draws);
  draws.forEach((d, b) => drawView.set(d, b * m));
  let meanwhileError: { error: unknown } | undefined;
  const left = pool.run(job, B, Math.min(pool.size, B - 1), (claims) => {
    try {
      meanwhile?.();
    } catch (error) {
      meanwhileError = { error };
    }
    runRefits(
      job,
      X,
      () => claims.claim(),
      (b) => claims.finish(b),
    );
  });
  // Resamples a worker could not finish (it stopped) are refitted here.
  let i = 0;
  runRefits(
    job,
    X,
    () => (i < left.length ? left[i++]! : -1),
    () => {},
  );
  if (meanwhileError) throw meanwhileError.error;
  const state = new Int32Array(job.state);
  const labels = new Int32Array(job.labels);
  return Array.from({ length: B }, (_, b): RefitOutcome => {
    if (state[b] === DONE) return labels.slice(b * m, (b + 1) * m);
    return state[b] === FAILED ? 'failed' : 'not_started';
  });
}
