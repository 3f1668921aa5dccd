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
 * 'auto' takes it where the benchmark says it pays (many clusters).
 *
 * k larger than the number of distinct rows is an error (naming k and the count): the
 * extra clusters could only be empty or duplicates, and a segmentation with silently
 * fewer segments than asked for is worse than a clear message.
 */
import { InvalidParameterError } from '../errors';
import { countDistinctRows, subtractRow, toMatrix, toWeights, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random } from '../random';
import { kernels, type Kernels, type Region, type Workspace } from '../wasm/index';

export type KMeansInit = 'k-means++' | 'random' | number[][];
export type KMeansAlgorithm = 'auto' | 'lloyd' | 'hamerly';

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
}

export const defaultKMeansOptions = {
  init: 'k-means++' as KMeansInit,
  nInit: 'auto' as number | 'auto',
  maxIter: 300,
  tol: 1e-4,
  seed: 0,
  algorithm: 'auto' as KMeansAlgorithm,
};

const OPTION_NAMES = ['k', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'sampleWeight', 'algorithm'] as const;

/**
 * 'auto' takes Hamerly up to this many clusters (low dimension) and Lloyd above. Measured
 * here (one k-means++ init, mean of 3): at 100k x 6 Hamerly wins by 1.3-1.5x for k <= 16
 * (k = 5: 21 vs 32 ms), the two tie at 32-64, and Lloyd's blocked SIMD pass wins by 2x at
 * k = 256 and 2048; at 30k x 32 Hamerly wins up to k = 5 and ties at 16-32. Hamerly's
 * bounds save whole distance computations, which pays while k*d is small.
 */
export const HAMERLY_MAX_K = { lowDimension: 32, highDimension: 8, lowDimensionMaxFeatures: 16 };

function preferHamerly(k: number, d: number): boolean {
  return k <= (d <= HAMERLY_MAX_K.lowDimensionMaxFeatures ? HAMERLY_MAX_K.lowDimension : HAMERLY_MAX_K.highDimension);
}

export interface KMeansJSON {
  type: 'segmint.kmeans';
  version: 1;
  k: number;
  nFeatures: number;
  centroids: number[][];
  /** Exact model state: the centring vector and the centroids relative to it. */
  center: number[];
  centeredCentroids: number[];
  inertia: number;
  iterations: number;
  converged: boolean;
  algorithm: 'lloyd' | 'hamerly';
  labels?: number[];
}

export class KMeansModel {
  readonly k: number;
  readonly nFeatures: number;
  readonly centroids: number[][];
  readonly labels: Int32Array;
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly algorithm: 'lloyd' | 'hamerly';
  readonly nInit: number;
  readonly warnings: string[];
  private readonly center: Float64Array;
  private readonly centeredCentroids: Float64Array;

  constructor(args: {
    center: Float64Array;
    centeredCentroids: Float64Array;
    k: number;
    labels: Int32Array;
    inertia: number;
    iterations: number;
    converged: boolean;
    algorithm: 'lloyd' | 'hamerly';
    nInit: number;
    warnings?: string[];
  }) {
    this.k = args.k;
    this.nFeatures = args.center.length;
    this.center = args.center;
    this.centeredCentroids = args.centeredCentroids;
    this.labels = args.labels;
    this.inertia = args.inertia;
    this.iterations = args.iterations;
    this.converged = args.converged;
    this.algorithm = args.algorithm;
    this.nInit = args.nInit;
    this.warnings = args.warnings ?? [];
    const d = this.nFeatures;
    this.centroids = [];
    for (let c = 0; c < this.k; c++) {
      this.centroids.push(Array.from({ length: d }, (_, j) => args.centeredCentroids[c * d + j] + args.center[j]));
    }
  }

  /** Labels new rows with their nearest centroid. */
  predict(X: MatrixLike): Int32Array {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    }
    subtractRow(m, this.center);
    const kern = kernels();
    const ws = kern.workspace();
    const r = lloydRegions(ws, m.rows, m.cols, this.k, false);
    ws.commit();
    ws.write(r.X, m.data);
    kern.exports.packPointPairs(r.X.ptr, m.rows, m.cols, r.Xp.ptr);
    ws.write(r.C, this.centeredCentroids);
    ws.viewI32(r.labels).fill(-1);
    assignLloyd(kern, r, m.rows, m.cols, this.k, 0, false);
    return ws.viewI32(r.labels).slice();
  }

  toJSON(): KMeansJSON {
    return {
      type: 'segmint.kmeans',
      version: 1,
      k: this.k,
      nFeatures: this.nFeatures,
      centroids: this.centroids,
      center: Array.from(this.center),
      centeredCentroids: Array.from(this.centeredCentroids),
      inertia: this.inertia,
      iterations: this.iterations,
      converged: this.converged,
      algorithm: this.algorithm,
      labels: Array.from(this.labels),
    };
  }

  /** Rebuilds a model from toJSON() output (or its JSON.parse'd string); predictions are bit-identical. */
  static fromJSON(json: KMeansJSON | string): KMeansModel {
    const j: KMeansJSON = typeof json === 'string' ? JSON.parse(json) : json;
    if (j?.type !== 'segmint.kmeans' || j.version !== 1) {
      throw new InvalidParameterError('json', "is not a segmint K-Means model (expected type 'segmint.kmeans', version 1)");
    }
    const k = integerOption('json.k', j.k, 1);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    if (!Array.isArray(j.center) || j.center.length !== d) throw new InvalidParameterError('json.center', `must have ${d} values`);
    if (!Array.isArray(j.centeredCentroids) || j.centeredCentroids.length !== k * d) {
      throw new InvalidParameterError('json.centeredCentroids', `must have k * nFeatures = ${k * d} values`);
    }
    for (const v of [...j.center, ...j.centeredCentroids]) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParameterError('json', 'holds a value that is not a finite number');
    }
    return new KMeansModel({
      k,
      center: Float64Array.from(j.center),
      centeredCentroids: Float64Array.from(j.centeredCentroids),
      labels: Int32Array.from(j.labels ?? []),
      inertia: j.inertia,
      iterations: j.iterations,
      converged: j.converged,
      algorithm: j.algorithm,
      nInit: 1,
    });
  }
}

export type KMeansResult = KMeansModel;

interface LloydRegions {
  X: Region;
  Xp: Region;
  W: Region | null;
  C: Region;
  halfNorm: Region;
  labels: Region;
  sums: Region;
  counts: Region;
}

function lloydRegions(ws: Workspace, n: number, d: number, k: number, weighted: boolean, pairs = true): LloydRegions {
  return {
    X: ws.f64(n * d),
    // Hamerly reads rows only; the pair layout is for the Lloyd kernel.
    Xp: ws.f64(pairs ? ((n + 1) >> 1) * 2 * d : 0),
    W: weighted ? ws.f64(n) : null,
    C: ws.f64(k * d),
    halfNorm: ws.f64(k),
    labels: ws.i32(n),
    sums: ws.f64(k * d),
    counts: ws.f64(k),
  };
}

function assignLloyd(kern: Kernels, r: LloydRegions, n: number, d: number, k: number, weightsPtr: number, accumulate: boolean): number {
  const e = kern.exports;
  e.halfSquaredNorms(r.C.ptr, k, d, r.halfNorm.ptr);
  return e.assignNearest(
    r.Xp.ptr,
    r.X.ptr,
    n,
    d,
    r.C.ptr,
    r.halfNorm.ptr,
    k,
    weightsPtr,
    r.labels.ptr,
    accumulate ? r.sums.ptr : 0,
    accumulate ? r.counts.ptr : 0,
  );
}

interface Resolved {
  k: number;
  init: KMeansInit;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
  algorithm: 'lloyd' | 'hamerly';
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
  return { k, init, nInit, maxIter, tol, seed, algorithm, warnings };
}

/**
 * Clusters the rows of X into k groups. Synchronous; in a browser's main thread call
 * `await init()` once first.
 */
export function kmeans(X: MatrixLike, options: KMeansOptions): KMeansModel {
  const m = toMatrix(X);
  const { rows: n, cols: d } = m;
  const opts = resolveOptions(options, n, d);
  const weights = toWeights(options.sampleWeight, n);
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
  const ws = kern.workspace();
  const hamerly = opts.algorithm === 'hamerly';
  const r = lloydRegions(ws, n, d, k, weights !== undefined);
  const nLocalTrials = 2 + Math.floor(Math.log(k));
  // k-means++ reads points in pairs: its per-point arrays are padded to an even length.
  const nEven = n + (n & 1);
  const closest = ws.f64(nEven);
  const candidates = ws.f64(nLocalTrials * d);
  const trials = ws.f64(nLocalTrials * nEven);
  const paddedWeights = weights && n !== nEven ? ws.f64(nEven) : null;
  const potentials = ws.f64(nLocalTrials);
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
  const tolAbs = (statView.subarray(d).reduce((a, b) => a + b, 0) / d) * opts.tol;
  kern.exports.packPointPairs(r.X.ptr, n, d, r.Xp.ptr);
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
    nLocalTrials,
    upper,
    lower,
    members,
    shift,
    halfSep,
    cumulative,
    maxIter: opts.maxIter,
    tolAbs,
    hamerly,
  };
  const rng = new Random(opts.seed);

  let best: SingleRun | undefined;
  for (let run = 0; run < opts.nInit; run++) {
    let start: Float64Array;
    if (Array.isArray(opts.init)) {
      start = toMatrix(opts.init, 'init').data;
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[c * d + j] -= center[j];
    } else if (opts.init === 'random') {
      start = randomInit(ctx, rng);
    } else {
      start = kmeansPlusPlus(ctx, rng);
    }
    const result = lloyd(ctx, start);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return new KMeansModel({
    center,
    centeredCentroids: best!.centroids,
    k,
    labels: best!.labels,
    inertia: best!.inertia,
    iterations: best!.iterations,
    converged: best!.converged,
    algorithm: opts.algorithm,
    nInit: opts.nInit,
    warnings: opts.warnings,
  });
}

interface FitContext {
  kern: Kernels;
  ws: Workspace;
  r: LloydRegions;
  n: number;
  d: number;
  k: number;
  weights: Float64Array | undefined;
  weightsPtr: number;
  /** Weights padded to an even length for the pair-wise k-means++ kernel (0 when unweighted). */
  pairWeightsPtr: number;
  closest: Region;
  candidates: Region;
  trials: Region;
  potentials: Region;
  nLocalTrials: number;
  members: Region;
  upper: Region | null;
  lower: Region | null;
  shift: Region;
  halfSep: Region;
  /** Hamerly: total shift per centroid, then the total of the largest shifts (see the kernel). */
  cumulative: Region;
  maxIter: number;
  tolAbs: number;
  hamerly: boolean;
}

interface SingleRun {
  labels: Int32Array;
  centroids: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

function rowOf(ctx: FitContext, i: number): Float64Array {
  return ctx.ws.viewF64(ctx.r.X).subarray(i * ctx.d, (i + 1) * ctx.d);
}

/** Index of the first cumulative weight >= target (numpy.searchsorted, side='left'). */
function searchCumulative(cum: Float64Array, target: number): number {
  let lo = 0;
  let hi = cum.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, cum.length - 1);
}

/** Picks an index with probability proportional to weight (uniform without weights). */
function weightedIndex(weights: Float64Array | undefined, n: number, rng: Random): number {
  if (!weights) return rng.int(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  let target = rng.next() * total;
  for (let i = 0; i < n; i++) {
    target -= weights[i];
    if (target < 0 && weights[i] > 0) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return n - 1;
}

/** Greedy k-means++ as in scikit-learn's _kmeans_plusplus (2 + ln k candidates per step). */
function kmeansPlusPlus(ctx: FitContext, rng: Random): Float64Array {
  const { kern, ws, n, d, k, weights, nLocalTrials } = ctx;
  const e = kern.exports;
  const nEven = n + (n & 1);
  const centers = new Float64Array(k * d);
  const cum = new Float64Array(n);
  // No centre yet: every point is infinitely far; the padding slot stays 0 so it adds nothing.
  const closestView = ws.viewF64(ctx.closest);
  closestView.fill(Infinity);
  if (nEven !== n) closestView[n] = 0;
  // Scores every candidate in one pass and makes the best one's distances the new "closest".
  const tryCandidates = (ids: number[]): number => {
    const cand = ws.viewF64(ctx.candidates);
    ids.forEach((id, t) => cand.set(rowOf(ctx, id), t * d));
    e.closestSquaredDistances(ctx.r.Xp.ptr, n, d, ctx.candidates.ptr, ids.length, ctx.closest.ptr, ctx.pairWeightsPtr, ctx.trials.ptr, ctx.potentials.ptr);
    const pots = ws.viewF64(ctx.potentials);
    let best = 0;
    for (let t = 1; t < ids.length; t++) if (pots[t] < pots[best]) best = t;
    ws.viewF64(ctx.closest).set(ws.viewF64(ctx.trials).subarray(best * nEven, (best + 1) * nEven));
    return best;
  };
  const first = weightedIndex(weights, n, rng);
  centers.set(rowOf(ctx, first), 0);
  tryCandidates([first]);
  let potential = ws.viewF64(ctx.potentials)[0];
  for (let c = 1; c < k; c++) {
    const dist = ws.viewF64(ctx.closest);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += (weights ? weights[i] : 1) * dist[i];
      cum[i] = acc;
    }
    const ids: number[] = [];
    for (let t = 0; t < nLocalTrials; t++) ids.push(searchCumulative(cum, rng.next() * potential));
    const best = tryCandidates(ids);
    potential = ws.viewF64(ctx.potentials)[best];
    centers.set(rowOf(ctx, ids[best]), c * d);
  }
  return centers;
}

/** k distinct rows drawn at random (weighted by sampleWeight), as scikit-learn's init='random'. */
function randomInit(ctx: FitContext, rng: Random): Float64Array {
  const { n, d, k, weights } = ctx;
  const centers = new Float64Array(k * d);
  const taken = new Set<number>();
  const w = weights ? Float64Array.from(weights) : undefined;
  for (let c = 0; c < k; c++) {
    let idx: number;
    if (w?.some((v) => v > 0)) {
      idx = weightedIndex(w, n, rng);
      w[idx] = 0;
    } else {
      // Unweighted, or fewer positive-weight rows than k: uniform over the rows not taken.
      do idx = rng.int(n);
      while (taken.has(idx));
    }
    taken.add(idx);
    centers.set(rowOf(ctx, idx), c * d);
  }
  return centers;
}

/** Moves each empty cluster onto one of the points farthest from their centres (scikit-learn's rule). */
function relocateEmptyClusters(ctx: FitContext, sums: Float64Array, counts: Float64Array): number {
  const { kern, ws, r, n, d, k, weights, weightsPtr } = ctx;
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return 0;
  let moved = 0;
  kern.exports.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, weightsPtr, ctx.trials.ptr);
  const dist = ws.viewF64(ctx.trials).subarray(0, n);
  const labels = ws.viewI32(r.labels);
  const X = ws.viewF64(r.X);
  const used = new Set<number>();
  for (const target of empty) {
    // Only a point that weighs something can give a cluster weight (and a centroid).
    let far = -1;
    for (let i = 0; i < n; i++) {
      if (used.has(i) || (weights && weights[i] === 0)) continue;
      if (far < 0 || dist[i] > dist[far]) far = i;
    }
    if (far < 0) break;
    used.add(far);
    moved++;
    const w = weights ? weights[far] : 1;
    const old = labels[far];
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= X[far * d + j] * w;
      sums[target * d + j] = X[far * d + j] * w;
    }
    counts[target] = w;
    counts[old] -= w;
    if (ctx.hamerly) {
      // Hamerly keeps its sums incrementally, so the moved point must also carry its new
      // label. Its bounds become 0 (distance to its own new centroid, and a lower bound
      // that forces a full check), stored relative to the running totals as the kernel does.
      const members = ws.viewI32(ctx.members);
      members[target] = 1;
      members[old] -= 1;
      labels[far] = target;
      const cumulative = ws.viewF64(ctx.cumulative);
      ws.viewF64(ctx.upper!)[far] = 0 - cumulative[target];
      ws.viewF64(ctx.lower!)[far] = 0 + cumulative[k];
    }
  }
  return moved;
}

/** Lloyd (or Hamerly) iterations from the given centred centroids. */
function lloyd(ctx: FitContext, start: Float64Array): SingleRun {
  const { kern, ws, r, n, d, k, weightsPtr, hamerly } = ctx;
  const e = kern.exports;
  ws.write(r.C, start);
  ws.viewI32(r.labels).fill(-1);
  const old = new Float64Array(k * d);
  let strict = false;
  let converged = false;
  let iter = 0;
  const pass = (first: boolean): number => {
    if (hamerly && first) {
      // Every label changes from -1 on the first pass.
      e.hamerlyInitPairs(
        r.Xp.ptr,
        r.X.ptr,
        n,
        d,
        r.C.ptr,
        k,
        weightsPtr,
        ctx.cumulative.ptr,
        r.labels.ptr,
        ctx.upper!.ptr,
        ctx.lower!.ptr,
        r.sums.ptr,
        r.counts.ptr,
        ctx.members.ptr,
      );
      return n;
    }
    return hamerly
      ? e.hamerlyAssign(
          r.X.ptr,
          n,
          d,
          r.C.ptr,
          k,
          weightsPtr,
          ctx.shift.ptr,
          ctx.halfSep.ptr,
          ctx.cumulative.ptr,
          r.labels.ptr,
          ctx.upper!.ptr,
          ctx.lower!.ptr,
          r.sums.ptr,
          r.counts.ptr,
          ctx.members.ptr,
          0,
        )
      : assignLloyd(kern, r, n, d, k, weightsPtr, true);
  };
  for (; iter < ctx.maxIter; iter++) {
    const C = ws.viewF64(r.C);
    old.set(C);
    let changed = pass(iter === 0);
    const sums = ws.viewF64(r.sums);
    const counts = ws.viewF64(r.counts);
    // A relocation moves a centroid: not converged yet, whatever the labels did.
    changed += relocateEmptyClusters(ctx, sums, counts);
    const shift = ws.viewF64(ctx.shift);
    let shiftTotal = 0;
    for (let c = 0; c < k; c++) {
      let s2 = 0;
      const cnt = counts[c];
      for (let j = 0; j < d; j++) {
        const v = cnt > 0 ? sums[c * d + j] / cnt : old[c * d + j];
        const delta = v - old[c * d + j];
        s2 += delta * delta;
        C[c * d + j] = v;
      }
      shift[c] = Math.sqrt(s2);
      shiftTotal += s2;
    }
    if (changed === 0) {
      strict = true;
      converged = true;
      break;
    }
    if (shiftTotal <= ctx.tolAbs) {
      converged = true;
      break;
    }
  }
  const iterations = Math.min(iter + 1, ctx.maxIter);
  // Labels must belong to the final centroids: one more assignment unless nothing moved.
  if (!strict) pass(false);
  const inertia = e.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, weightsPtr, 0);
  return {
    labels: ws.viewI32(r.labels).slice(),
    centroids: ws.viewF64(r.C).slice(),
    inertia,
    iterations,
    converged,
  };
}
