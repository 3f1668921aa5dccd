/**
 * K-Means, following scikit-learn's KMeans (sklearn/cluster/_kmeans.py):
 * greedy k-means++ (2 + ln k candidates per step), random or given initial centroids,
 * nInit restarts keeping the lowest inertia, `tol` relative to the mean feature variance,
 * Lloyd iterations that stop when labels no longer change or the centroids moved less
 * than tol, empty clusters moved to the points farthest from their centres, and a final
 * assignment pass so labels always belong to the returned centroids.
 *
 * X is centred before fitting (as scikit-learn does) so the assignment kernel's
 * dot-product ranking does not cancel on data far from the origin. Hamerly's
 * triangle-inequality variant gives the same labels with fewer distance computations;
 * 'auto' considers it only where the benchmark says it can pay, few clusters in few
 * dimensions (HAMERLY_MAX_K), and then asks the data: Hamerly runs its first bounded
 * passes on an even sample of the rows (from PROBE_SAMPLE_MIN_ROWS rows; below that, on
 * the first init, which is rerun with Lloyd if rejected) and Lloyd is used when they
 * skipped too few distances (HAMERLY_MAX_WORK). Either way the result is exactly what that
 * algorithm alone gives, and model.algorithm says which one ran.
 *
 * k larger than the number of distinct rows is an error (naming k and the count): the
 * extra clusters could only be empty or duplicates, and a segmentation with silently
 * fewer segments than asked for is worse than a clear message.
 */
import { InvalidParameterError } from '../errors';
import { countDistinctRows, toMatrix, toMatrixView, toWeights, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random } from '../random';
import type { FitPool, TaskClaims } from '../wasm/fitPool';
import { type Kernels, kernels } from '../wasm/index';
import type { Clusterer } from './clusterer';
import { kmeansPlusPlus, kmeansPlusPlusDraws, randomInit } from './kmeansInit';
import { type FitContext, HAMERLY_PROBE_PASSES, lloyd, lloydBlocks, lloydRegions, packPairs, type SingleRun } from './kmeansLloyd';
import { KMeansModel } from './kmeansModel';

/** The model and its types, re-exported so './cluster/kmeans' stays the one import path. */
export { KMeansModel, type KMeansJSON, type KMeansResult } from './kmeansModel';

/** Initial centroids: greedy k-means++, k random rows, or the k given centroids. */
export type KMeansInit = 'k-means++' | 'random' | number[][];
/** Assignment strategy; every choice gives the same labels. */
export type KMeansAlgorithm = 'auto' | 'lloyd' | 'hamerly';

/** Options of kmeans(); every one but k has a default (defaultKMeansOptions). */
export interface KMeansOptions {
  /** Number of clusters, 1 <= k <= number of distinct rows. */
  k: number;
  init?: KMeansInit;
  /** Restarts; 'auto' is 1 for k-means++ and given centroids, 10 for random. */
  nInit?: number | 'auto';
  maxIter?: number;
  /** Convergence tolerance, relative to the mean per-feature variance of X. */
  tol?: number;
  /** Seed of the generator; the same seed gives the same result everywhere. */
  seed?: number;
  sampleWeight?: ArrayLike<number>;
  /** 'lloyd' (blocked SIMD), 'hamerly' (triangle inequality) or 'auto'. */
  algorithm?: KMeansAlgorithm;
  /**
   * Threads, at most what `init({ threads })` started (Node only): nInit restarts spread
   * over them from MIN_PARALLEL_RESTART_ROWS rows, and a single init's assignment splits
   * rows from MIN_THREADED_ROWS; default: all of them. Results do not depend on it.
   */
  threads?: number;
}

/** Defaults of kmeans()'s options (scikit-learn's). */
export const defaultKMeansOptions = {
  init: 'k-means++' as KMeansInit,
  nInit: 'auto' as number | 'auto',
  maxIter: 300,
  tol: 1e-4,
  seed: 0,
  algorithm: 'auto' as KMeansAlgorithm,
};

const OPTION_NAMES = ['k', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'sampleWeight', 'algorithm', 'threads'] as const;

/**
 * Below this many rows a threaded Lloyd pass costs about what it saves (5,000 x 6, k 5,
 * 2 threads: 1.07x; 10,000: 1.2x), and kmeans() stays on one thread unless `threads` is
 * given. Above it the split pays at every size measured (Intel Xeon, whole fits with
 * k-means++: 100k 1.3x, 300k 1.5x, 1M 1.3x), now that each thread adds its own blocks'
 * sums (lloydBlocks) instead of one serial pass over X after the labels.
 */
export const MIN_THREADED_ROWS = 10_000;

/**
 * 'auto' takes Hamerly up to this many clusters (low dimension) and Lloyd above. Measured
 * here (one k-means++ init, mean of 3): at 100k x 6 Hamerly wins by 1.3-1.5x for k <= 16
 * (k = 5: 21 vs 32 ms), the two tie at 32-64, and Lloyd's blocked SIMD pass wins by 2x at
 * k = 256 and 2048; at 30k x 32 Hamerly wins up to k = 5 and ties at 16-32. Hamerly's
 * bounds save whole distance computations, which pays while k*d is small.
 */
export const HAMERLY_MAX_K = { lowDimension: 32, highDimension: 8, lowDimensionMaxFeatures: 16 };

/**
 * 'auto' keeps Hamerly when its first bounded passes computed at most this fraction of
 * Lloyd's n*k point-centroid distances, and reruns the init with Lloyd otherwise. A
 * Hamerly distance is a scalar scan of one row; Lloyd's blocked SIMD pass does all n*k
 * several times cheaper each, so the bounds must skip most of them to pay. Measured on
 * an Intel Xeon (AVX-512, 2 cores), 100k x 6, k = 3..16, seeds 1..5: raw customer-like
 * data probes 0.02-0.33 and Hamerly is 1.2-1.8x faster; z-scored customers probe
 * 0.29-0.78 and overlapping Gaussian segments 0.73-0.92, where Hamerly is 1.1-1.55x
 * slower.
 */
export const HAMERLY_MAX_WORK = 0.25;

function preferHamerly(k: number, d: number): boolean {
  return k <= (d <= HAMERLY_MAX_K.lowDimensionMaxFeatures ? HAMERLY_MAX_K.lowDimension : HAMERLY_MAX_K.highDimension);
}

interface Resolved {
  k: number;
  init: KMeansInit;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
  algorithm: 'lloyd' | 'hamerly';
  /** 'auto' chose Hamerly from k and d: probe the data before committing to it. */
  probe: boolean;
  threads: number | undefined;
  warnings: string[];
}

function resolveOptions(options: KMeansOptions, n: number, d: number): Resolved {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidParameterError('options', 'kmeans(X, options) needs an options object with at least k');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'kmeans');
  const o = withDefaults(defaultKMeansOptions, options);
  if (options.k === undefined) throw new InvalidParameterError('k', 'is required (the number of clusters)');
  const k = integerOption('k', o.k, 1, n);
  const warnings: string[] = [];
  let init: KMeansInit;
  if (Array.isArray(o.init)) {
    if (o.init.length !== k) throw new InvalidParameterError('init', `has ${o.init.length} centroids but k is ${k}`);
    const m = toMatrix(o.init, 'init');
    if (m.cols !== d) throw new InvalidParameterError('init', `centroids have ${m.cols} features but X has ${d}`);
    init = o.init;
  } else {
    init = enumOption('init', o.init, ['k-means++', 'random'] as const);
  }
  let nInit: number;
  if (o.nInit === 'auto') nInit = init === 'random' ? 10 : 1;
  else nInit = integerOption('nInit', o.nInit, 1, 1000);
  if (Array.isArray(init) && nInit !== 1) {
    warnings.push(`nInit=${nInit} ignored: given initial centroids are used once`);
    nInit = 1;
  }
  const maxIter = integerOption('maxIter', o.maxIter, 1, 1_000_000);
  const tol = numberOption('tol', o.tol, (v) => v >= 0, 'a finite number >= 0');
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  const alg = enumOption('algorithm', o.algorithm, ['auto', 'lloyd', 'hamerly'] as const);
  const algorithm = alg === 'auto' ? (preferHamerly(k, d) ? 'hamerly' : 'lloyd') : alg;
  const threads = options.threads === undefined ? undefined : integerOption('threads', options.threads, 1, 65);
  return { k, init, nInit, maxIter, tol, seed, algorithm, probe: alg === 'auto' && algorithm === 'hamerly', threads, warnings };
}

/**
 * Clusters the rows of X into k groups. Synchronous; in a browser's main thread call
 * `await init()` once first.
 */
export function kmeans(X: MatrixLike, options: KMeansOptions): KMeansModel {
  return fitKMeans(toMatrixView(X), options);
}

/**
 * kmeans() on a matrix the caller validated (toMatrix): read, never copied or modified,
 * so chooseK, gmm's initialisation and agglomerative's micro-clusters do not pay for
 * another copy and scan of X. Options are validated as kmeans() does.
 */
export function fitKMeans(m: Matrix, options: KMeansOptions): KMeansModel {
  return fitOrInit(m, options, false) as KMeansModel;
}

/**
 * The first init's centroids only (k-means++, random rows or the given ones), in X's
 * coordinates, without Lloyd iterations: MiniBatchKMeans initialises on a sample of X
 * this way, as scikit-learn's does. Options as kmeans()'s.
 */
export function kmeansInitialCentroids(m: Matrix, options: KMeansOptions): Float64Array {
  return fitOrInit(m, options, true) as Float64Array;
}

/**
 * 'auto' on this many rows or more probes Hamerly on an evenly spaced sample of
 * PROBE_SAMPLE_ROWS rows instead of on the first init: a rejected probe then costs a few
 * passes over the sample, not HAMERLY_PROBE_PASSES + 1 full passes thrown away (20-30% of
 * a fit on z-scored or overlapping data, measured on both CPU kinds). The skipped fraction
 * is a property of how well separated points are from their second-nearest centroid,
 * which an even sample keeps.
 */
export const PROBE_SAMPLE_MIN_ROWS = 32_768;
export const PROBE_SAMPLE_ROWS = 8192;

/** The fraction of n*k distances Hamerly's first bounded passes computed on a sample of m. */
function probeOnSample(m: Matrix, opts: Resolved, weights: Float64Array | undefined): number | undefined {
  const { rows: n, cols: d } = m;
  const step = Math.floor(n / PROBE_SAMPLE_ROWS);
  const rows = Math.floor(n / step);
  const data = new Float64Array(rows * d);
  const w = weights ? new Float64Array(rows) : undefined;
  for (let i = 0; i < rows; i++) {
    data.set(m.data.subarray(i * step * d, (i * step + 1) * d), i * d);
    if (w && weights) w[i] = weights[i * step];
  }
  const sample = { data, rows, cols: d };
  if (countDistinctRows(sample, opts.k) < opts.k) return undefined;
  const work = fitOrInit(
    sample,
    { k: opts.k, init: opts.init, seed: opts.seed, algorithm: 'hamerly', maxIter: HAMERLY_PROBE_PASSES + 1, tol: 0, sampleWeight: w },
    false,
    true,
  ) as number | undefined;
  return work;
}

/**
 * A fit laid out and ready for its inits (options resolved, X checked, the algorithm
 * chosen, X centred and packed in a workspace): what every way of running the restarts
 * shares. `best` and `run` follow the restarts done so far.
 */
interface FitPlan {
  opts: Resolved;
  weights: Float64Array | undefined;
  kern: Kernels;
  ctx: FitContext;
  center: Float64Array;
  hamerly: boolean;
  available: number;
  nextStart: () => Float64Array;
  best: SingleRun | undefined;
  run: number;
}

function planFit(m: Matrix, options: KMeansOptions, initOnly: boolean, probeOnly: boolean): FitPlan {
  const { rows: n, cols: d } = m;
  const opts = resolveOptions(options, n, d);
  const weights = toWeights(options.sampleWeight, n);
  if (probeOnly) opts.probe = true;
  const { k } = opts;

  const distinct = countDistinctRows(m, k);
  if (distinct < k) {
    throw new InvalidParameterError('k', `is ${k} but X has only ${distinct} distinct row${distinct === 1 ? '' : 's'}; ask for at most ${distinct} clusters`);
  }
  // Rows that weigh nothing cannot hold a cluster up: count the ones that weigh something.
  if (weights?.some((w) => w === 0)) {
    const kept = weights.reduce((acc, w) => acc + (w > 0 ? 1 : 0), 0);
    const data = new Float64Array(kept * d);
    let p = 0;
    for (let i = 0; i < n; i++) if (weights[i] > 0) data.set(m.data.subarray(i * d, (i + 1) * d), d * p++);
    const weighted = countDistinctRows({ data, rows: kept, cols: d }, k);
    if (weighted < k) {
      throw new InvalidParameterError(
        'k',
        `is ${k} but only ${weighted} distinct row${weighted === 1 ? '' : 's'} of X have a positive sampleWeight; ask for at most ${weighted} clusters`,
      );
    }
  }

  const kern = kernels();
  const available = kern.pool?.threads ?? 1;
  if (opts.threads !== undefined && opts.threads > available) {
    throw new InvalidParameterError(
      'threads',
      `is ${opts.threads} but ${available === 1 ? 'no thread pool is running' : `init({ threads }) started ${available}`}; call await init({ threads: ${opts.threads} }) first (in Node, or in a Web Worker of a cross-origin-isolated page)`,
    );
  }
  const threads = opts.threads ?? (n >= MIN_THREADED_ROWS ? available : 1);
  let hamerly = opts.algorithm === 'hamerly';
  if (opts.probe && !probeOnly && !initOnly && n >= PROBE_SAMPLE_MIN_ROWS) {
    // Before this fit's workspace is laid out: the probe takes one of its own.
    const work = probeOnSample(m, opts, weights);
    if (work !== undefined) {
      opts.probe = false;
      hamerly = work <= HAMERLY_MAX_WORK;
    }
  }
  const { ctx, center } = prepareFit(kern, m, weights, { k, maxIter: opts.maxIter, tol: opts.tol, hamerly, threads });
  // A sample probe measures the whole work (never gives up early: it reports the fraction).
  ctx.probeMaxWork = probeOnly ? Number.POSITIVE_INFINITY : opts.probe ? HAMERLY_MAX_WORK : 0;
  const rng = new Random(opts.seed);
  const nextStart = (): Float64Array => {
    if (Array.isArray(opts.init)) {
      const start = toMatrix(opts.init, 'init').data;
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[c * d + j] -= center[j];
      return start;
    }
    return opts.init === 'random' ? randomInit(ctx, rng) : kmeansPlusPlus(ctx, rng);
  };
  return { opts, weights, kern, ctx, center, hamerly, available, nextStart, best: undefined, run: 0 };
}

/** 'auto' without a sample probe: the first init decides for every init, so nInit runs all use one algorithm. */
function runProbingInit(plan: FitPlan): void {
  const { ctx } = plan;
  if (ctx.probeMaxWork <= 0) return;
  const start = plan.nextStart();
  let result = lloyd(ctx, start, true);
  ctx.probeMaxWork = 0;
  if (result === null) {
    plan.hamerly = ctx.hamerly = false;
    result = lloyd(ctx, start);
  }
  plan.best = result;
  plan.run = 1;
}

/** The rest of the plan's restarts, one after another on this thread. */
function runSerialRestarts(plan: FitPlan): void {
  for (; plan.run < plan.opts.nInit; plan.run++) {
    const result = lloyd(plan.ctx, plan.nextStart());
    if (!plan.best || result.inertia < plan.best.inertia) plan.best = result;
  }
}

/**
 * The remaining restarts as whole tasks another instance can run on its own copy of X:
 * each from the start the serial loop would draw for it. k-means++ takes a fixed number
 * of draws per init, so whoever runs a task draws its start from the stream skipped
 * ahead (the inits are a fifth of a 100k fit's work); other starts are drawn here.
 */
function remainingTasks(plan: FitPlan): { kpp: KMeansRestartJob['kpp']; starts: Float64Array[] } {
  const { opts, ctx } = plan;
  const kpp = opts.init === 'k-means++' ? { seed: opts.seed, firstRun: plan.run, draws: kmeansPlusPlusDraws(opts.k, ctx.nLocalTrials) } : null;
  const starts: Float64Array[] = [];
  if (!kpp) for (let r = plan.run; r < opts.nInit; r++) starts.push(plan.nextStart());
  return { kpp, starts };
}

function modelOf(plan: FitPlan): KMeansModel {
  const best = plan.best!;
  return new KMeansModel({
    center: plan.center,
    centeredCentroids: best.centroids,
    k: plan.opts.k,
    labels: best.labels,
    inertia: best.inertia,
    iterations: best.iterations,
    converged: best.converged,
    algorithm: plan.hamerly ? 'hamerly' : 'lloyd',
    nInit: plan.opts.nInit,
    warnings: plan.opts.warnings,
  });
}

function fitOrInit(m: Matrix, options: KMeansOptions, initOnly: boolean, probeOnly = false): KMeansModel | Float64Array | number | undefined {
  const plan = planFit(m, options, initOnly, probeOnly);
  const { opts, ctx, center, kern } = plan;
  const { k } = opts;
  const { rows: n, cols: d } = m;
  if (initOnly) {
    const start = plan.nextStart();
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[c * d + j] += center[j];
    return start;
  }
  if (probeOnly) {
    lloyd(ctx, plan.nextStart(), true);
    return ctx.probedWork;
  }
  runProbingInit(plan);
  const remaining = opts.nInit - plan.run;
  // Restarts pay from fewer rows than a row split does (MIN_THREADED_ROWS).
  const restartThreads = opts.threads ?? plan.available;
  if (kern.fitPool && restartThreads > 1 && remaining > 1 && n >= MIN_PARALLEL_RESTART_ROWS) {
    const { kpp, starts } = remainingTasks(plan);
    if (kpp) starts.length = remaining;
    plan.run = opts.nInit;
    ctx.threads = 1;
    plan.best = restartsInParallel(kern.fitPool, ctx, m, plan.weights, starts, kpp, plan.best, {
      k,
      maxIter: opts.maxIter,
      tol: opts.tol,
      hamerly: plan.hamerly,
      threads: Math.min(restartThreads, remaining),
    });
  }
  runSerialRestarts(plan);
  return modelOf(plan);
}

/**
 * A K-Means restart job for instances with their own memory (kmeansInWorkers): the same
 * fields as KMeansRestartJob's inputs, in plain arrays that a structured clone copies.
 */
export interface KMeansCopyJob extends RestartSettings {
  X: Float64Array;
  W: Float64Array | null;
  kpp: KMeansRestartJob['kpp'];
  starts: Float64Array;
}

/** What one restart of a KMeansCopyJob gives back: its run, centred as the job's fit keeps it. */
export type KMeansCopyResult = SingleRun;

/**
 * kmeans()'s fit with its remaining restarts (after the probing first init, if any) run
 * by `runTasks`, whole tasks 0..tasks-1 of `job` on any thread in any order; the best is
 * kept in task order, as the serial loop keeps it, so the model is kmeans()'s to the bit.
 * Everything before the restarts runs here, synchronously.
 */
export async function fitKMeansWithRestarts(
  m: Matrix,
  options: KMeansOptions,
  runTasks: (job: KMeansCopyJob, tasks: number) => Promise<KMeansCopyResult[]>,
): Promise<KMeansModel> {
  const plan = planFit(m, options, false, false);
  runProbingInit(plan);
  const { opts } = plan;
  const remaining = opts.nInit - plan.run;
  if (remaining > 1 && m.rows >= MIN_PARALLEL_RESTART_ROWS) {
    const { kpp, starts } = remainingTasks(plan);
    const flat = new Float64Array(kpp ? 0 : remaining * opts.k * m.cols);
    starts.forEach((s, t) => flat.set(s, t * opts.k * m.cols));
    const job: KMeansCopyJob = {
      n: m.rows,
      d: m.cols,
      k: opts.k,
      maxIter: opts.maxIter,
      tol: opts.tol,
      hamerly: plan.hamerly,
      // A view into a larger buffer would be cloned with all of it.
      X: m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? m.data : m.data.slice(),
      W: plan.weights ?? null,
      kpp,
      starts: flat,
    };
    // Nothing below reads this fit's workspace again: another fit may reuse the memory
    // while the tasks run.
    const results = await runTasks(job, remaining);
    for (const r of results) if (!plan.best || r.inertia < plan.best.inertia) plan.best = r;
    plan.run = opts.nInit;
  }
  runSerialRestarts(plan);
  return modelOf(plan);
}

/** A worker's side of a KMeansCopyJob: its own context over its copy of X, then restart t on each call. */
export function copyJobRunner(job: KMeansCopyJob): (t: number) => KMeansCopyResult {
  const m: Matrix = { data: job.X, rows: job.n, cols: job.d };
  const { ctx } = prepareFit(kernels(), m, job.W ?? undefined, { k: job.k, maxIter: job.maxIter, tol: job.tol, hamerly: job.hamerly, threads: 1 });
  return (t) => runRestartTask(ctx, job.kpp, job.starts, t);
}

/**
 * nInit restarts go to init({ threads })'s whole-task workers from this many rows (with
 * threads > 1 and at least two restarts left); below it a restart takes well under a
 * millisecond and the hand-off (copying X into each worker's memory) would not pay.
 */
export const MIN_PARALLEL_RESTART_ROWS = 4096;

/** What every restart of a fit shares, whoever runs it: X's shape and the fit's settings. */
interface RestartSettings {
  n: number;
  d: number;
  k: number;
  maxIter: number;
  tol: number;
  hamerly: boolean;
}

/** A K-Means restart job as posted to whole-task workers (see src/wasm/fitPool.ts). */
export interface KMeansRestartJob extends RestartSettings {
  kind: 'kmeans.restarts';
  X: SharedArrayBuffer;
  W: SharedArrayBuffer | null;
  /** Centred starting centroids, k * d per task (unused with kpp). */
  starts: SharedArrayBuffer;
  /** k-means++ starts drawn by whoever runs the task: task t is run firstRun + t of the seed's stream. */
  kpp: { seed: number; firstRun: number; draws: number } | null;
  /** Per task: inertia, iterations, converged (0/1), then k * d centred centroids. */
  out: SharedArrayBuffer;
  /** Per slot: the labels of its best task; and that task (-1: none yet). */
  labels: SharedArrayBuffer;
  bestTask: SharedArrayBuffer;
  slot?: number;
}

function sharedCopy(src: Float64Array): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(src.length * 8);
  new Float64Array(buf).set(src);
  return buf;
}

/** Restart t of a job (see remainingTasks): its start, then its Lloyd (or Hamerly) run. */
export function runRestartTask(ctx: FitContext, kpp: KMeansRestartJob['kpp'], starts: Float64Array, t: number): SingleRun {
  const { k, d } = ctx;
  let start: Float64Array;
  if (kpp) {
    const rng = new Random(kpp.seed);
    for (let skip = (kpp.firstRun + t) * kpp.draws; skip > 0; skip--) rng.next();
    start = kmeansPlusPlus(ctx, rng);
  } else start = starts.slice(t * k * d, (t + 1) * k * d);
  return lloyd(ctx, start);
}

/** Runs claimed restarts on a prepared context, keeping the slot's best labels. */
function runRestarts(job: KMeansRestartJob, slot: number, ctx: FitContext, next: () => number, finish: (t: number) => void): void {
  const { n, k, d } = job;
  const stride = 3 + k * d;
  const out = new Float64Array(job.out);
  const bestTask = new Int32Array(job.bestTask);
  const starts = new Float64Array(job.starts);
  for (let t = next(); t >= 0; t = next()) {
    const r = runRestartTask(ctx, job.kpp, starts, t);
    out[t * stride] = r.inertia;
    out[t * stride + 1] = r.iterations;
    out[t * stride + 2] = r.converged ? 1 : 0;
    out.set(r.centroids, t * stride + 3);
    const b = bestTask[slot];
    if (b < 0 || r.inertia < out[b * stride] || (r.inertia === out[b * stride] && t < b)) {
      new Int32Array(job.labels, slot * n * 4, n).set(r.labels);
      bestTask[slot] = t;
    }
    finish(t);
  }
}

/** A whole-task worker's side of a restart job: its own context over the shared X. */
export function runRestartJob(job: KMeansRestartJob, claims: TaskClaims): void {
  const m: Matrix = { data: new Float64Array(job.X), rows: job.n, cols: job.d };
  const weights = job.W ? new Float64Array(job.W) : undefined;
  const { ctx } = prepareFit(kernels(), m, weights, { k: job.k, maxIter: job.maxIter, tol: job.tol, hamerly: job.hamerly, threads: 1 });
  runRestarts(
    job,
    job.slot ?? 0,
    ctx,
    () => claims.claim(),
    (t) => claims.finish(t),
  );
}

/**
 * The best of `starts`' restarts (and of `before`, the probing run that came first):
 * lowest inertia, the earliest on a tie, as the serial loop keeps it.
 */
function restartsInParallel(
  pool: FitPool,
  ctx: FitContext,
  m: Matrix,
  weights: Float64Array | undefined,
  starts: Float64Array[],
  kpp: KMeansRestartJob['kpp'],
  before: SingleRun | undefined,
  o: PrepareOptions,
): SingleRun {
  const { n, d, k } = ctx;
  const tasks = starts.length;
  const helpers = Math.min(o.threads - 1, pool.size);
  const startBuf = new SharedArrayBuffer(kpp ? 8 : tasks * k * d * 8);
  const startView = new Float64Array(startBuf);
  if (!kpp) starts.forEach((s, t) => startView.set(s, t * k * d));
  const job: KMeansRestartJob = {
    kind: 'kmeans.restarts',
    n,
    d,
    k,
    maxIter: o.maxIter,
    tol: o.tol,
    hamerly: o.hamerly,
    X: sharedCopy(m.data),
    W: weights ? sharedCopy(weights) : null,
    starts: startBuf,
    kpp,
    out: new SharedArrayBuffer(tasks * (3 + k * d) * 8),
    labels: new SharedArrayBuffer((helpers + 1) * n * 4),
    bestTask: new SharedArrayBuffer((helpers + 1) * 4),
  };
  const bestTask = new Int32Array(job.bestTask);
  bestTask.fill(-1);
  // Once every worker has run out of restarts, this thread's last ones split their rows
  // over the row pool (results do not depend on threads): the whole-task split alone left
  // a core idle for most of a restart at the end (100k x 6, k = 5, nInit 10: ~25 of 143 ms).
  const rowPool = ctx.kern.pool;
  const rowThreads = rowPool && n >= MIN_THREADED_ROWS ? Math.min(o.threads, rowPool.threads) : 1;
  const left = pool.run(job, tasks, helpers, (claims) => {
    if (rowThreads > 1) ctx.passThreads = () => (claims.alone() ? rowThreads : 1);
    try {
      runRestarts(
        job,
        0,
        ctx,
        () => claims.claim(),
        (t) => claims.finish(t),
      );
    } finally {
      ctx.passThreads = undefined;
    }
  });
  // Restarts a worker failed to finish run here, in task order (the workers are done).
  let i = 0;
  ctx.threads = rowThreads;
  try {
    runRestarts(
      job,
      0,
      ctx,
      () => (i < left.length ? left[i++] : -1),
      () => {},
    );
  } finally {
    ctx.threads = 1;
  }
  const stride = 3 + k * d;
  const out = new Float64Array(job.out);
  let slot = -1;
  for (let s = 0; s <= helpers; s++) {
    const t = bestTask[s];
    if (t < 0) continue;
    const b = slot < 0 ? -1 : bestTask[slot];
    if (b < 0 || out[t * stride] < out[b * stride] || (out[t * stride] === out[b * stride] && t < b)) slot = s;
  }
  const t = bestTask[slot];
  if (before && !(out[t * stride] < before.inertia)) return before;
  return {
    labels: new Int32Array(job.labels, slot * n * 4, n).slice(),
    centroids: out.slice(t * stride + 3, (t + 1) * stride),
    inertia: out[t * stride],
    iterations: out[t * stride + 1],
    converged: out[t * stride + 2] === 1,
  };
}

/** What a fit's context needs besides X and its weights. */
interface PrepareOptions {
  k: number;
  maxIter: number;
  tol: number;
  hamerly: boolean;
  threads: number;
}

/**
 * Lays one fit's regions out in a fresh workspace, centres X there and packs it for the
 * kernels: the part of a fit every restart shares, done the same way on the calling
 * thread and in whole-task workers, so their restarts see the same bits.
 */
export function prepareFit(kern: Kernels, m: Matrix, weights: Float64Array | undefined, o: PrepareOptions): { ctx: FitContext; center: Float64Array } {
  const { rows: n, cols: d } = m;
  const { k, hamerly, threads } = o;
  const ws = kern.workspace();
  const r = lloydRegions(ws, n, d, k, weights !== undefined);
  const nLocalTrials = 2 + Math.floor(Math.log(k));
  // k-means++ reads points in pairs: its per-point arrays are padded to an even length.
  const nEven = n + (n & 1);
  const closest = ws.f64(nEven);
  const candidates = ws.f64(nLocalTrials * d);
  const trials = ws.f64(nLocalTrials * nEven);
  const paddedWeights = weights && n !== nEven ? ws.f64(nEven) : null;
  // One potential per candidate per block of rows (lloydBlocks), added up in block order.
  const potentials = ws.f64(nLocalTrials * lloydBlocks(n).count);
  const hitScratch = ws.f64(2 * nLocalTrials);
  const upper = hamerly ? ws.f64(n) : null;
  const lower = hamerly ? ws.f64(n) : null;
  const members = ws.i32(k);
  const shift = ws.f64(k);
  const halfSep = ws.f64(k);
  const cumulative = ws.f64(k + 1);
  const stats = ws.f64(2 * d);
  ws.commit();
  ws.write(r.X, m.data);
  // Centre X (as scikit-learn does) so the assignment's dot products do not cancel;
  // the per-column variances give tol's scale.
  kern.exports.centerColumns(r.X.ptr, n, d, stats.ptr, stats.ptr + d * 8);
  const statView = ws.viewF64(stats);
  const center = statView.slice(0, d);
  const tolAbs = (statView.subarray(d).reduce((a, b) => a + b, 0) / d) * o.tol;
  packPairs(kern, r.X.ptr, n, d, r.Xp.ptr, threads);
  if (weights && r.W) ws.write(r.W, weights);
  // The padding slot weighs nothing (regions are not zeroed between calls: write it).
  if (weights && paddedWeights) {
    const pw = ws.viewF64(paddedWeights);
    pw.set(weights);
    pw[n] = 0;
  }

  const ctx: FitContext = {
    kern,
    ws,
    r,
    n,
    d,
    k,
    weights,
    weightsPtr: r.W ? r.W.ptr : 0,
    pairWeightsPtr: paddedWeights ? paddedWeights.ptr : r.W ? r.W.ptr : 0,
    closest,
    candidates,
    trials,
    potentials,
    hitScratch,
    nLocalTrials,
    upper,
    lower,
    members,
    shift,
    halfSep,
    cumulative,
    maxIter: o.maxIter,
    tolAbs,
    hamerly,
    probeMaxWork: 0,
    threads,
  };
  return { ctx, center };
}

/** K-Means in the registry. */
export const kmeansClusterer: Clusterer<KMeansOptions, KMeansModel> = {
  name: 'kmeans',
  modelType: 'segmint.kmeans',
  takesK: true,
  parameters: OPTION_NAMES,
  fit: fitKMeans,
  fromJSON: (json) => KMeansModel.fromJSON(json as never),
};
