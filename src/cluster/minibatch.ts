/**
 * Mini-batch K-Means, following scikit-learn's MiniBatchKMeans (sklearn/cluster/_kmeans.py):
 * centroids initialised on a random sample of 3 x batchSize rows (the best of nInit by
 * inertia on another such sample), then batches of batchSize rows drawn with replacement,
 * each assigned to its nearest centroid by the WASM Lloyd kernel and folded in with
 * per-centroid learning rates 1 / (count seen so far): c <- (c * n_c + sum of the batch's
 * points in c) / (n_c + their number). Centroids that have seen less than
 * reassignmentRatio x the largest count are moved onto random batch rows every
 * 10 k rows seen (or whenever one has seen none); fitting stops after
 * maxIter x n / batchSize batches, when the centroids moved less than tol (squared,
 * relative to the mean feature variance; 0 disables it), or when the smoothed batch
 * inertia has not improved for maxNoImprovement batches.
 *
 * partialFit(batch) folds one batch in (the first one also initialises), for data that
 * arrives in chunks or does not fit in memory. Inertia is K-Means' (sum of squared
 * distances to the nearest centroid); after fit() it and labels are over all of X, after
 * partialFit() over the last batch, as in scikit-learn.
 *
 * The kernel ranks centroids by dot products, which cancel on data far from the origin,
 * so rows are shifted by a fixed centre (X's column means in fit, the first batch's in
 * partialFit) before they reach it; centroids are kept relative to that centre.
 */
import { InvalidParameterError } from '../errors';
import { columnMeans, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random } from '../random';
import { kernels } from '../wasm/index';
import { readModelJSON, type ClusterModel, type Clusterer } from './clusterer';
import { kmeansInitialCentroids, type KMeansInit } from './kmeans';
import { assignLloyd, lloydRegions, packPairs } from './kmeansLloyd';

/** Options of miniBatchKMeans(); every one but k has a default (defaultMiniBatchKMeansOptions). */
export interface MiniBatchKMeansOptions {
  /** Number of clusters. */
  k: number;
  /** Rows per batch (at most the number of rows). */
  batchSize?: number;
  /** Passes over X, counted in batches: at most maxIter x n / batchSize batches. */
  maxIter?: number;
  /** Stop after this many batches without improving the smoothed inertia; null: never. */
  maxNoImprovement?: number | null;
  /** Centroids that saw less than this fraction of the largest count are moved; 0: never. */
  reassignmentRatio?: number;
  /** Stop when the squared centroid movement of a batch is below tol x mean feature variance; 0: off. */
  tol?: number;
  seed?: number;
  /** Inits tried on the init sample, the best kept; 'auto' is 3 for 'random', else 1. */
  nInit?: number | 'auto';
  init?: KMeansInit;
}

/** Defaults of miniBatchKMeans()'s options (scikit-learn's). */
export const defaultMiniBatchKMeansOptions = {
  batchSize: 1024,
  maxIter: 100,
  maxNoImprovement: 10 as number | null,
  reassignmentRatio: 0.01,
  tol: 0,
  seed: 0,
  nInit: 'auto' as number | 'auto',
  init: 'k-means++' as KMeansInit,
};

const OPTION_NAMES = ['k', 'batchSize', 'maxIter', 'maxNoImprovement', 'reassignmentRatio', 'tol', 'seed', 'nInit', 'init'] as const;

interface Resolved {
  k: number;
  batchSize: number;
  maxIter: number;
  maxNoImprovement: number | null;
  reassignmentRatio: number;
  tol: number;
  seed: number;
  nInit: number;
  init: KMeansInit;
}

function resolveOptions(options: MiniBatchKMeansOptions): Resolved {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidParameterError('options', 'miniBatchKMeans(X, options) needs an options object with at least k');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'miniBatchKMeans');
  const o = withDefaults(defaultMiniBatchKMeansOptions, options);
  if (options.k === undefined) throw new InvalidParameterError('k', 'is required (the number of clusters)');
  const k = integerOption('k', o.k, 1);
  const batchSize = integerOption('batchSize', o.batchSize, 1);
  const maxIter = integerOption('maxIter', o.maxIter, 1, 1_000_000);
  const maxNoImprovement = o.maxNoImprovement === null ? null : integerOption('maxNoImprovement', o.maxNoImprovement, 0);
  const reassignmentRatio = numberOption('reassignmentRatio', o.reassignmentRatio, (v) => v >= 0, 'a finite number >= 0');
  const tol = numberOption('tol', o.tol, (v) => v >= 0, 'a finite number >= 0');
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  const init = Array.isArray(o.init) ? o.init : enumOption('init', o.init, ['k-means++', 'random'] as const);
  if (Array.isArray(init) && init.length !== k) throw new InvalidParameterError('init', `has ${init.length} centroids but k is ${k}`);
  let nInit = o.nInit === 'auto' ? (init === 'random' ? 3 : 1) : integerOption('nInit', o.nInit, 1, 1000);
  if (Array.isArray(init)) nInit = 1;
  return { k, batchSize, maxIter, maxNoImprovement, reassignmentRatio, tol, seed, nInit, init };
}

/** Labels of rows (already shifted by the model's centre) and their inertia, by the WASM Lloyd pass. */
function assignRows(
  rows: Float64Array,
  n: number,
  d: number,
  C: Float64Array,
  k: number,
  withSums: boolean,
): { labels: Int32Array; inertia: number; sums: Float64Array; counts: Float64Array } {
  const kern = kernels();
  const ws = kern.workspace();
  const r = lloydRegions(ws, n, d, k, false);
  ws.commit();
  ws.write(r.X, rows);
  packPairs(kern, r.X.ptr, n, d, r.Xp.ptr);
  ws.write(r.C, C);
  ws.viewI32(r.labels).fill(-1);
  assignLloyd(kern, r, n, d, k, 0, withSums);
  const inertia = kern.exports.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, 0, 0);
  return {
    labels: ws.viewI32(r.labels).slice(),
    inertia,
    sums: withSums ? ws.viewF64(r.sums).slice() : new Float64Array(0),
    counts: withSums ? ws.viewF64(r.counts).slice() : new Float64Array(0),
  };
}

function shifted(m: Matrix, center: Float64Array): Float64Array {
  const out = Float64Array.from(m.data);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < d; j++) out[i * d + j] -= center[j];
  return out;
}

/** MiniBatchKMeansModel.toJSON() output. */
export interface MiniBatchKMeansJSON {
  type: 'segmint.minibatchkmeans';
  version: 1;
  k: number;
  nFeatures: number;
  centroids: number[][];
  /** Exact model state: the centre, the centroids relative to it, the per-centroid counts. */
  center: number[];
  centeredCentroids: number[];
  counts: number[];
  inertia: number;
  nSteps: number;
  nIter: number;
  sinceReassign: number;
  batchSize: number;
  reassignmentRatio: number;
  seed: number;
}

/**
 * A mini-batch K-Means model: centroids, per-centroid counts, labels and inertia;
 * partialFit() folds in another batch, predict() labels rows, toJSON()/fromJSON()
 * round-trip (a model read back continues partialFit with a generator reseeded from
 * seed and nSteps, so its reassignments differ from the original's).
 */
export class MiniBatchKMeansModel implements ClusterModel {
  readonly k: number;
  readonly nClusters: number;
  nFeatures: number;
  /** fit(): every row's cluster; partialFit(): the last batch's. */
  labels: Int32Array = new Int32Array(0);
  /** fit(): over X; partialFit(): over the last batch, after its update. */
  inertia = Number.NaN;
  /** Batches folded in. */
  nSteps = 0;
  /** fit(): passes over X, ceil(nSteps x batchSize / n). */
  nIter = 0;
  private center: Float64Array | null = null;
  private C: Float64Array | null = null;
  private weightSums: Float64Array;
  private sinceReassign = 0;
  private readonly opts: Resolved;
  private rng: Random;

  constructor(options: MiniBatchKMeansOptions) {
    this.opts = resolveOptions(options);
    this.k = this.nClusters = this.opts.k;
    this.nFeatures = 0;
    this.weightSums = new Float64Array(this.k);
    this.rng = new Random(this.opts.seed);
  }

  /** The centroids, one row per cluster, in X's coordinates. */
  get centroids(): number[][] {
    const { C, center } = this;
    if (!C || !center) return [];
    const d = this.nFeatures;
    return Array.from({ length: this.k }, (_, c) => Array.from({ length: d }, (_, j) => C[c * d + j] + center[j]));
  }

  /** Weight (number of batch rows) each centroid has absorbed; reassignment resets it. */
  get counts(): number[] {
    return Array.from(this.weightSums);
  }

  /** Initial centroids from `m` (shifted by the centre) as kmeans' init does, best of nInit on `valid`. */
  private initialise(sample: Matrix, valid: Float64Array, nValid: number): void {
    const { k, nInit, init } = this.opts;
    const d = sample.cols;
    const center = this.center!;
    let best: Float64Array | null = null;
    let bestInertia = Infinity;
    for (let t = 0; t < nInit; t++) {
      const start = kmeansInitialCentroids(sample, { k, init, nInit: 1, seed: this.rng.nextUint32() });
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[c * d + j] -= center[j];
      const { inertia } = nInit === 1 ? { inertia: 0 } : assignRows(valid, nValid, d, start, k, false);
      if (!best || inertia < bestInertia) {
        best = start;
        bestInertia = inertia;
      }
    }
    this.C = best;
  }

  /**
   * One mini-batch step on rows already shifted by the centre: assignment to the current
   * centroids, the count-weighted update, then reassignment when due. Returns the batch's
   * inertia against the centroids before the update (what the early stopping smooths).
   */
  private step(batch: Float64Array, b: number, batchSize: number): number {
    const { k, reassignmentRatio } = this.opts;
    const d = this.nFeatures;
    const C = this.C!;
    const ws = this.weightSums;
    const { inertia, sums, counts } = assignRows(batch, b, d, C, k, true);
    for (let c = 0; c < k; c++) {
      const w = counts[c];
      if (w <= 0) continue;
      const old = ws[c];
      const total = old + w;
      for (let j = 0; j < d; j++) C[c * d + j] = (C[c * d + j] * old + sums[c * d + j]) / total;
      ws[c] = total;
    }
    // scikit-learn's _random_reassign: every 10 k rows, or at once if a centroid saw none.
    this.sinceReassign += batchSize;
    let due = false;
    if (ws.some((w) => w === 0) || this.sinceReassign >= 10 * k) {
      this.sinceReassign = 0;
      due = true;
    }
    if (due && reassignmentRatio > 0) {
      let max = 0;
      for (let c = 0; c < k; c++) if (ws[c] > max) max = ws[c];
      let move: number[] = [];
      for (let c = 0; c < k; c++) if (ws[c] < reassignmentRatio * max) move.push(c);
      // At most half a batch of centroids move: the ones that saw least (stable order).
      const limit = Math.floor(0.5 * b);
      if (move.length > 0.5 * b) {
        const order = Array.from({ length: k }, (_, c) => c).sort((p, q) => ws[p] - ws[q] || p - q);
        const keep = new Set(order.slice(0, limit));
        move = move.filter((c) => keep.has(c));
      }
      if (move.length > 0) {
        // Distinct batch rows, uniformly (a partial Fisher-Yates shuffle).
        const idx = Array.from({ length: b }, (_, i) => i);
        for (let t = 0; t < move.length; t++) {
          const s = t + this.rng.int(b - t);
          [idx[t], idx[s]] = [idx[s], idx[t]];
          C.set(batch.subarray(idx[t] * d, idx[t] * d + d), move[t] * d);
        }
        // Their counts restart at the smallest count kept, so they are not moved again at once.
        const moving = new Set(move);
        let min = Infinity;
        for (let c = 0; c < k; c++) if (!moving.has(c) && ws[c] < min) min = ws[c];
        for (const c of move) ws[c] = min;
      }
    }
    return inertia;
  }

  /** fit(): the whole scikit-learn loop on X (validated by the caller). */
  fitMatrix(m: Matrix): this {
    const { rows: n, cols: d } = m;
    const { k, maxIter, maxNoImprovement } = this.opts;
    if (k > n) throw new InvalidParameterError('k', `is ${k} but X has only ${n} rows`);
    this.nFeatures = d;
    this.center = columnMeans(m);
    const batchSize = Math.min(this.opts.batchSize, n);
    const initSize = Math.min(Math.max(3 * batchSize, 3 * k), n);
    const rng = this.rng;
    const gather = (count: number): Matrix => {
      const data = new Float64Array(count * d);
      for (let t = 0; t < count; t++) {
        const i = rng.int(n);
        data.set(m.data.subarray(i * d, i * d + d), t * d);
      }
      return { data, rows: count, cols: d };
    };
    const valid = gather(initSize);
    this.initialise(gather(initSize), shifted(valid, this.center), initSize);

    // tol is relative to the mean per-feature variance of X, as in kmeans().
    let meanVar = 0;
    for (let j = 0; j < d; j++) {
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (m.data[i * d + j] - this.center[j]) ** 2;
      meanVar += ss / n;
    }
    const tolAbs = (meanVar / d) * this.opts.tol;
    const nSteps = Math.floor((maxIter * n) / batchSize);
    const alpha = Math.min((batchSize * 2) / (n + 1), 1);
    let ewa: number | null = null;
    let ewaMin: number | null = null;
    let noImprovement = 0;
    const batch = new Float64Array(batchSize * d);
    const before = new Float64Array(k * d);
    let step = 0;
    for (; step < nSteps; step++) {
      for (let t = 0; t < batchSize; t++) {
        const i = rng.int(n);
        for (let j = 0; j < d; j++) batch[t * d + j] = m.data[i * d + j] - this.center[j];
      }
      before.set(this.C!);
      const batchInertia = this.step(batch, batchSize, batchSize) / batchSize;
      // scikit-learn's _mini_batch_convergence; the first batch's inertia is the init's.
      if (step === 0) continue;
      ewa = ewa === null ? batchInertia : ewa * (1 - alpha) + batchInertia * alpha;
      if (tolAbs > 0) {
        let moved = 0;
        for (let q = 0; q < k * d; q++) moved += (this.C![q] - before[q]) ** 2;
        if (moved <= tolAbs) break;
      }
      if (ewaMin === null || ewa < ewaMin) {
        noImprovement = 0;
        ewaMin = ewa;
      } else noImprovement++;
      if (maxNoImprovement !== null && noImprovement >= maxNoImprovement) break;
    }
    this.nSteps = Math.min(step + 1, nSteps);
    this.nIter = Math.ceil((this.nSteps * batchSize) / n);
    const all = assignRows(shifted(m, this.center), n, d, this.C!, k, false);
    this.labels = all.labels;
    this.inertia = all.inertia;
    return this;
  }

  /** Folds one batch (rows x the model's features) into the centroids; the first batch also initialises them. */
  partialFit(batch: MatrixLike): this {
    const m = toMatrix(batch, 'batch');
    const { k } = this.opts;
    if (!this.C) {
      if (m.rows < k) throw new InvalidParameterError('batch', `has ${m.rows} rows; the first batch needs at least k = ${k}`);
      this.nFeatures = m.cols;
      this.center = columnMeans(m);
      this.initialise(m, shifted(m, this.center), m.rows);
    } else if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('batch', `has ${m.cols} columns but the model has ${this.nFeatures}`);
    }
    const rows = shifted(m, this.center!);
    this.step(rows, m.rows, Math.min(this.opts.batchSize, m.rows));
    const after = assignRows(rows, m.rows, this.nFeatures, this.C!, k, false);
    this.labels = after.labels;
    this.inertia = after.inertia;
    this.nSteps++;
    return this;
  }

  /** Labels rows with their nearest centroid. */
  predict(X: MatrixLike): Int32Array {
    return this.predictMatrix(toMatrix(X));
  }

  /** predict() on a validated matrix. */
  predictMatrix(m: Matrix): Int32Array {
    if (!this.C) throw new InvalidParameterError('model', 'is not fitted: call fit (miniBatchKMeans) or partialFit first');
    if (m.cols !== this.nFeatures) throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    return assignRows(shifted(m, this.center!), m.rows, m.cols, this.C, this.k, false).labels;
  }

  toJSON(): MiniBatchKMeansJSON {
    if (!this.C || !this.center) throw new InvalidParameterError('model', 'is not fitted: nothing to serialise');
    return {
      type: 'segmint.minibatchkmeans',
      version: 1,
      k: this.k,
      nFeatures: this.nFeatures,
      centroids: this.centroids,
      center: Array.from(this.center),
      centeredCentroids: Array.from(this.C),
      counts: this.counts,
      inertia: this.inertia,
      nSteps: this.nSteps,
      nIter: this.nIter,
      sinceReassign: this.sinceReassign,
      batchSize: this.opts.batchSize,
      reassignmentRatio: this.opts.reassignmentRatio,
      seed: this.opts.seed,
    };
  }

  static fromJSON(json: MiniBatchKMeansJSON | string): MiniBatchKMeansModel {
    const j = readModelJSON<MiniBatchKMeansJSON>(json, 'segmint.minibatchkmeans', 1, 'mini-batch K-Means model');
    const k = integerOption('json.k', j.k, 1);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    for (const [name, arr, len] of [
      ['json.center', j.center, d],
      ['json.centeredCentroids', j.centeredCentroids, k * d],
      ['json.counts', j.counts, k],
    ] as const) {
      if (!Array.isArray(arr) || arr.length !== len || arr.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw new InvalidParameterError(name, `must be ${len} finite numbers`);
      }
    }
    const model = new MiniBatchKMeansModel({ k, batchSize: j.batchSize, reassignmentRatio: j.reassignmentRatio, seed: j.seed });
    model.nFeatures = d;
    model.center = Float64Array.from(j.center);
    model.C = Float64Array.from(j.centeredCentroids);
    model.weightSums = Float64Array.from(j.counts);
    model.inertia = j.inertia;
    model.nSteps = j.nSteps;
    model.nIter = j.nIter;
    model.sinceReassign = j.sinceReassign;
    model.rng = new Random((j.seed ^ Math.imul(j.nSteps, 0x9e3779b1)) | 0);
    return model;
  }
}

/** Mini-batch K-Means on X; see the module comment. */
export function miniBatchKMeans(X: MatrixLike, options: MiniBatchKMeansOptions): MiniBatchKMeansModel {
  return fitMiniBatchKMeans(toMatrix(X), options);
}

/** miniBatchKMeans() on a validated matrix, which is read, never copied or modified. */
export function fitMiniBatchKMeans(m: Matrix, options: MiniBatchKMeansOptions): MiniBatchKMeansModel {
  return new MiniBatchKMeansModel(options).fitMatrix(m);
}

/** An unfitted model for partialFit over chunks (data bigger than memory). */
export function createMiniBatchKMeans(options: MiniBatchKMeansOptions): MiniBatchKMeansModel {
  return new MiniBatchKMeansModel(options);
}

/** Mini-batch K-Means in the registry. */
export const miniBatchKMeansClusterer: Clusterer<MiniBatchKMeansOptions, MiniBatchKMeansModel> = {
  name: 'miniBatchKMeans',
  modelType: 'segmint.minibatchkmeans',
  takesK: true,
  parameters: OPTION_NAMES,
  fit: fitMiniBatchKMeans,
  fromJSON: (json) => MiniBatchKMeansModel.fromJSON(json as never),
};
