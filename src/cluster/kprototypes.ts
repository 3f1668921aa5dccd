/**
 * k-prototypes (Huang 1997, 1998) for rows with numeric and categorical features, with
 * the conventions of the kmodes library (nicodv/kmodes): the dissimilarity of a row to
 * a prototype is the squared Euclidean distance on the numeric features plus gamma
 * times the number of categorical features that differ; prototypes are means (numeric)
 * and modes (categorical, ties to the lowest category); gamma defaults to half the mean
 * population standard deviation of the numeric features; 'huang' and 'cao' initialise
 * the modes (kmodes' init_huang / init_cao) and the numeric part is drawn from a normal
 * around the feature means with their standard deviations; cost is the sum of every
 * row's dissimilarity to its prototype, and the best of nInit runs is kept.
 *
 * Unlike kmodes, which moves one row at a time and updates two prototypes after each
 * move, the iterations here are batch (assign every row, then recompute every
 * prototype), so the assignment is one WASM pass over integer-coded categories
 * (assembly/kprototypes.ts). Each step can only lower the cost, so the cost never
 * increases; results equal kmodes' in definition, not run for run.
 *
 * Categories are any strings, finite numbers or booleans; null or undefined is a
 * missing value, which matches no mode. Each feature's categories are coded in sorted
 * order (numbers, then strings, then booleans), as numpy's unique would.
 */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random } from '../random';
import { kernels } from '../wasm/index';
import { readModelJSON, type Clusterer, type ClusterModel } from './clusterer';
import { type CategoryValue, checkCategory, type Encoded, encodeCategorical, encodeWith, splitColumns } from './kprototypesCodes';
import {
  assignRegions,
  caoModes,
  columnStats,
  huangModes,
  normalCentroids,
  type Problem,
  type Run,
  runFrom,
  transposeProblem,
  writeAssignInputs,
} from './kprototypesFit';

export type { CategoryValue } from './kprototypesCodes';

/** Explicit initial prototypes: k numeric centroids and k rows of modes. */
export interface KPrototypesInit {
  centroids: number[][];
  modes: CategoryValue[][];
}

/** Options of kprototypes(). */
export interface KPrototypesOptions {
  /** Number of clusters. */
  k: number;
  /** Weight of one categorical mismatch against squared numeric distance; default 0.5 * mean numeric std (kmodes'). */
  gamma?: number;
  /** 'huang' (kmodes' default), 'cao', or explicit prototypes (then nInit must be 1). */
  init?: 'huang' | 'cao' | KPrototypesInit;
  /** Runs from different seeds; the lowest cost wins (kmodes' n_init, 10). */
  nInit?: number;
  /** Iterations per run (kmodes' max_iter, 100). */
  maxIter?: number;
  seed?: number;
}

/** Defaults of kprototypes()'s options (kmodes'). */
export const defaultKPrototypesOptions = {
  gamma: undefined as number | undefined,
  init: 'huang' as 'huang' | 'cao' | KPrototypesInit,
  nInit: 10,
  maxIter: 100,
  seed: 0,
};

const OPTION_NAMES = ['k', 'gamma', 'init', 'nInit', 'maxIter', 'seed'] as const;
/** The registry's options: kprototypes()'s plus which columns of the matrix are categorical. */
const REGISTRY_OPTION_NAMES = [...OPTION_NAMES, 'categoricalColumns'] as const;

/** KPrototypesModel.toJSON() output. */
export interface KPrototypesJSON {
  type: 'segmint.kprototypes';
  version: 1;
  k: number;
  gamma: number;
  cost: number;
  labels: number[];
  centroids: number[][];
  /** Per cluster, per categorical feature, the category code of its mode (-1 = none). */
  modeCodes: number[][];
  /** Per categorical feature, its categories in code order. */
  categories: CategoryValue[][];
  /** Positions of the categorical features in predictMatrix()'s combined rows. */
  categoricalColumns: number[];
  nFeatures: number;
}

/** A fitted k-prototypes: labels, numeric centroids, categorical modes, cost. */
export class KPrototypesModel implements ClusterModel {
  readonly labels: Int32Array;
  readonly nClusters: number;
  /** k x numeric features. */
  readonly centroids: number[][];
  /** k x categorical features: each cluster's most frequent category (null when the feature was all missing). */
  readonly modes: CategoryValue[][];
  /** Sum over rows of squared numeric distance + gamma * mismatches to their prototype. */
  readonly cost: number;
  readonly gamma: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** The winning run's cost after each assignment (never increasing). */
  readonly costHistory: number[];
  readonly categories: CategoryValue[][];
  readonly categoricalColumns: number[];
  readonly nFeatures: number;
  private readonly modeCodes: Int32Array;

  constructor(a: {
    labels: Int32Array;
    centroids: Float64Array;
    modeCodes: Int32Array;
    k: number;
    cost: number;
    gamma: number;
    iterations: number;
    converged: boolean;
    costHistory: number[];
    categories: CategoryValue[][];
    categoricalColumns: number[];
    nFeatures: number;
  }) {
    const p = a.nFeatures - a.categoricalColumns.length;
    const m = a.categoricalColumns.length;
    this.labels = a.labels;
    this.nClusters = a.k;
    this.centroids = Array.from({ length: a.k }, (_, j) => Array.from(a.centroids.subarray(j * p, j * p + p)));
    this.modeCodes = a.modeCodes;
    this.modes = Array.from({ length: a.k }, (_, j) => Array.from({ length: m }, (_, t) => a.categories[t][a.modeCodes[j * m + t]] ?? null));
    this.cost = a.cost;
    this.gamma = a.gamma;
    this.iterations = a.iterations;
    this.converged = a.converged;
    this.costHistory = a.costHistory;
    this.categories = a.categories;
    this.categoricalColumns = a.categoricalColumns;
    this.nFeatures = a.nFeatures;
  }

  /**
   * Nearest prototype of new rows: X numeric and `categorical` their categories (as fit
   * took them), or X alone in the registry's combined layout (categoricalColumns hold
   * category values). Unseen categories mismatch every mode.
   */
  predict(X: MatrixLike, categorical?: unknown[][]): Int32Array {
    const q = toMatrix(X);
    if (categorical === undefined) return this.predictMatrix(q);
    const p = this.nFeatures - this.categoricalColumns.length;
    if (q.cols !== p) throw new InvalidParameterError('X', `has ${q.cols} columns but the model has ${p} numeric features`);
    return this.assign(q.data, encodeWith(categorical, q.rows, this.categories), q.rows);
  }

  /** predict() on a validated combined matrix (numeric and categorical columns as at fit), read, not copied. */
  predictMatrix(q: Matrix): Int32Array {
    if (q.cols !== this.nFeatures) throw new InvalidParameterError('X', `has ${q.cols} columns but the model was fitted on ${this.nFeatures}`);
    const { num, cat } = splitColumns(q, this.categoricalColumns);
    return this.assign(num, encodeWith(cat, q.rows, this.categories), q.rows);
  }

  private assign(num: Float64Array, codes: Int32Array, n: number): Int32Array {
    const k = this.nClusters;
    const m = this.categoricalColumns.length;
    const p = this.nFeatures - m;
    const e = kernels().exports;
    const ws = kernels().workspace();
    const r = assignRegions(ws, n, p, m, k);
    ws.commit();
    writeAssignInputs(ws, r, num, codes, this.centroids.flat(), this.modeCodes);
    const { Xr, Cr, cenR, modR, labR, costR } = r;
    e.kprototypesAssign(Xr.ptr, Cr.ptr, n, p, m, cenR.ptr, modR.ptr, k, this.gamma, labR.ptr, costR.ptr);
    return ws.viewI32(labR).slice();
  }

  toJSON(): KPrototypesJSON {
    const m = this.categoricalColumns.length;
    return {
      type: 'segmint.kprototypes',
      version: 1,
      k: this.nClusters,
      gamma: this.gamma,
      cost: this.cost,
      labels: Array.from(this.labels),
      centroids: this.centroids.map((c) => [...c]),
      modeCodes: Array.from({ length: this.nClusters }, (_, j) => Array.from(this.modeCodes.subarray(j * m, j * m + m))),
      categories: this.categories.map((c) => [...c]),
      categoricalColumns: [...this.categoricalColumns],
      nFeatures: this.nFeatures,
    };
  }

  /** Rebuilds a model from toJSON() output (or its JSON string); predict() gives the same labels. */
  static fromJSON(json: KPrototypesJSON | string): KPrototypesModel {
    const j = readModelJSON<KPrototypesJSON>(json, 'segmint.kprototypes', 1, 'k-prototypes model');
    const k = integerOption('json.k', j.k, 1);
    const nFeatures = integerOption('json.nFeatures', j.nFeatures, 1);
    if (!Array.isArray(j.categoricalColumns) || j.categoricalColumns.some((c) => !Number.isInteger(c) || c < 0 || c >= nFeatures)) {
      throw new InvalidParameterError('json.categoricalColumns', `must be column indices below ${nFeatures}`);
    }
    const m = j.categoricalColumns.length;
    const p = nFeatures - m;
    if (
      !Array.isArray(j.centroids) ||
      j.centroids.length !== k ||
      j.centroids.some((c) => !Array.isArray(c) || c.length !== p || c.some((v) => !Number.isFinite(v)))
    ) {
      throw new InvalidParameterError('json.centroids', `must be ${k} rows of ${p} finite numbers`);
    }
    if (!Array.isArray(j.categories) || j.categories.length !== m || j.categories.some((c) => !Array.isArray(c))) {
      throw new InvalidParameterError('json.categories', `must be ${m} arrays of categories`);
    }
    if (
      !Array.isArray(j.modeCodes) ||
      j.modeCodes.length !== k ||
      j.modeCodes.some((r) => !Array.isArray(r) || r.length !== m || r.some((c, t) => !Number.isInteger(c) || c < -1 || c >= j.categories[t].length))
    ) {
      throw new InvalidParameterError('json.modeCodes', `must be ${k} rows of ${m} category codes`);
    }
    return new KPrototypesModel({
      labels: Int32Array.from(Array.isArray(j.labels) ? j.labels : []),
      centroids: Float64Array.from(j.centroids.flat()),
      modeCodes: Int32Array.from(j.modeCodes.flat()),
      k,
      cost: numberOption('json.cost', j.cost, (v) => v >= 0, 'a number >= 0'),
      gamma: numberOption('json.gamma', j.gamma, (v) => v >= 0, 'a number >= 0'),
      iterations: 0,
      converged: true,
      costHistory: [],
      categories: j.categories,
      categoricalColumns: j.categoricalColumns,
      nFeatures,
    });
  }
}

/** What kprototypes() returns. */
export type KPrototypesResult = KPrototypesModel;

interface Resolved {
  k: number;
  gamma: number | undefined;
  init: 'huang' | 'cao' | KPrototypesInit;
  nInit: number;
  maxIter: number;
  seed: number;
}

function resolveOptions(options: KPrototypesOptions | undefined, n: number, allowed: readonly string[]): Resolved {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidParameterError('options', 'kprototypes(X, categorical, options) needs an options object with k');
  }
  rejectUnknownOptions(options, allowed, 'kprototypes');
  const o = withDefaults(defaultKPrototypesOptions, options);
  const k = integerOption('k', o.k, 1, n);
  const gamma = o.gamma === undefined ? undefined : numberOption('gamma', o.gamma, (v) => v >= 0, 'a finite number >= 0');
  const init = typeof o.init === 'object' && o.init !== null ? o.init : enumOption('init', o.init, ['huang', 'cao'] as const);
  const nInit = integerOption('nInit', o.nInit, 1);
  if (typeof init === 'object' && nInit !== 1 && options.nInit !== undefined) {
    throw new InvalidParameterError('nInit', 'must be 1 with explicit initial prototypes');
  }
  return {
    k,
    gamma,
    init,
    nInit: typeof init === 'object' ? 1 : nInit,
    maxIter: integerOption('maxIter', o.maxIter, 1),
    seed: integerOption('seed', o.seed, -(2 ** 31)),
  };
}

/** Fits on numeric rows and coded categories; shared by kprototypes() and the registry. */
function fitCoded(num: Float64Array, p: number, enc: Encoded, n: number, o: Resolved, categoricalColumns: number[]): KPrototypesModel {
  const m = enc.categories.length;
  let gamma = o.gamma;
  // One pass for the numeric starts of every restart and for gamma's default.
  const stats = columnStats(num, n, p);
  if (gamma === undefined) {
    const { std } = stats;
    gamma = 0.5 * (p > 0 ? std.reduce((a, b) => a + b, 0) / p : 1);
    // Constant numeric features would make gamma 0 and the categories irrelevant.
    if (!(gamma > 0)) gamma = 1;
  }
  const P: Problem = { num, codes: enc.codes, n, p, m, sizes: enc.categories.map((c) => c.length), gamma };
  const { k } = o;
  // Transposed once for all restarts: the kernel reads four rows of a feature at a time.
  const T = transposeProblem(P);
  let best: Run | undefined;
  if (typeof o.init === 'object') {
    const init = o.init;
    if (
      !Array.isArray(init.centroids) ||
      init.centroids.length !== k ||
      init.centroids.some((c) => !Array.isArray(c) || c.length !== p || c.some((v) => !Number.isFinite(v)))
    ) {
      throw new InvalidParameterError('init.centroids', `must be ${k} rows of ${p} finite numbers`);
    }
    if (!Array.isArray(init.modes) || init.modes.length !== k) throw new InvalidParameterError('init.modes', `must be ${k} rows of ${m} categories`);
    const modes = encodeWith(init.modes, k, enc.categories);
    best = runFrom(P, k, Float64Array.from(init.centroids.flat()), modes, o.maxIter, T);
  } else {
    for (let r = 0; r < o.nInit; r++) {
      const rng = new Random(o.seed + r);
      const modes = o.init === 'cao' ? caoModes(P, k) : huangModes(P, k, rng);
      const run = runFrom(P, k, normalCentroids(P, k, rng, stats), modes, o.maxIter, T);
      if (!best || run.cost < best.cost) best = run;
    }
  }
  const b = best!;
  return new KPrototypesModel({
    labels: b.labels,
    centroids: b.centroids,
    modeCodes: b.modes,
    k,
    cost: b.cost,
    gamma,
    iterations: b.iterations,
    converged: b.converged,
    costHistory: b.costHistory,
    categories: enc.categories,
    categoricalColumns,
    nFeatures: p + m,
  });
}

/**
 * Clusters rows with numeric features X and categorical features `categorical` (one
 * array of categories per row of X). Synchronous; in a browser's main thread call
 * `await init()` once first.
 */
export function kprototypes(X: MatrixLike, categorical: unknown[][], options: KPrototypesOptions): KPrototypesModel {
  return fitWithCodes(X, options, (rows) => encodeCategorical(categorical, rows));
}

/** Categorical features already coded as integers, the input of kprototypesCoded(). */
export interface KPrototypesCodes {
  /** n * m codes, row-major (row i's feature t at i * m + t): an index into categories[t], or -1 for missing. */
  codes: Int32Array;
  /** Per categorical feature, its categories in code order (distinct values). */
  categories: CategoryValue[][];
}

function checkCodes(coded: KPrototypesCodes, n: number): Encoded {
  if (coded === null || typeof coded !== 'object' || !(coded.codes instanceof Int32Array)) {
    throw new InvalidParameterError('coded.codes', 'must be an Int32Array of category codes');
  }
  const { codes, categories } = coded;
  if (!Array.isArray(categories) || categories.length === 0 || categories.some((c) => !Array.isArray(c))) {
    throw new InvalidParameterError('coded.categories', 'must be a non-empty array with one array of categories per categorical feature');
  }
  const m = categories.length;
  for (let t = 0; t < m; t++) {
    const cats = categories[t];
    for (let c = 0; c < cats.length; c++) {
      if (checkCategory(`coded.categories[${t}][${c}]`, cats[c]) === null) {
        throw new InvalidParameterError(`coded.categories[${t}][${c}]`, 'is missing (null); missing values are code -1, not a category');
      }
    }
    if (new Set(cats).size !== cats.length) throw new InvalidParameterError(`coded.categories[${t}]`, 'holds a category twice');
  }
  if (codes.length !== n * m)
    throw new InvalidParameterError('coded.codes', `has ${codes.length} codes but ${n} rows x ${m} categorical features need ${n * m}`);
  const sizes = categories.map((c) => c.length);
  for (let x = 0; x < codes.length; x++) {
    const v = codes[x];
    if (v < -1 || v >= sizes[x % m]) {
      throw new InvalidParameterError('coded.codes', `row ${Math.floor(x / m)} feature ${x % m} has code ${v}, not -1 (missing) or below ${sizes[x % m]}`);
    }
  }
  return { codes, categories };
}

/**
 * kprototypes() on categories the caller has already coded as integers (for callers
 * that hold codes, or fit the same rows more than once): skips coding the strings.
 * With each feature's categories in sorted order (numbers, then strings, then
 * booleans, as kprototypes() codes them) the result equals kprototypes()'s on the
 * decoded values; in another order, ties between modes go to the lower code, so modes
 * may differ where counts tie. The codes are read, not copied or changed.
 */
export function kprototypesCoded(X: MatrixLike, coded: KPrototypesCodes, options: KPrototypesOptions): KPrototypesModel {
  return fitWithCodes(X, options, (rows) => checkCodes(coded, rows));
}

/** Validates X and the options, codes the categories (after X: errors name X first) and fits. */
function fitWithCodes(X: MatrixLike, options: KPrototypesOptions, code: (rows: number) => ReturnType<typeof checkCodes>): KPrototypesModel {
  const q = toMatrix(X);
  const o = resolveOptions(options, q.rows, OPTION_NAMES);
  const enc = code(q.rows);
  const m = enc.categories.length;
  return fitCoded(
    q.data,
    q.cols,
    enc,
    q.rows,
    o,
    Array.from({ length: m }, (_, t) => q.cols + t),
  );
}

/** The registry's options: kprototypes()'s plus the matrix columns that hold category values. */
export interface KPrototypesMatrixOptions extends KPrototypesOptions {
  categoricalColumns: number[];
}

/** k-prototypes on one validated matrix whose categoricalColumns hold category values (numbers). */
export function fitKPrototypes(mat: Matrix, params: KPrototypesMatrixOptions): KPrototypesModel {
  const o = resolveOptions(params, mat.rows, REGISTRY_OPTION_NAMES);
  const cols = params.categoricalColumns;
  if (
    !Array.isArray(cols) ||
    cols.length === 0 ||
    cols.length >= mat.cols ||
    new Set(cols).size !== cols.length ||
    cols.some((c) => !Number.isInteger(c) || c < 0 || c >= mat.cols)
  ) {
    throw new InvalidParameterError('categoricalColumns', `must list between 1 and ${mat.cols - 1} distinct column indices below ${mat.cols}`);
  }
  const { num, cat } = splitColumns(mat, cols);
  return fitCoded(num, mat.cols - cols.length, encodeCategorical(cat, mat.rows), mat.rows, o, [...cols]);
}

/** k-prototypes in the registry (options: kprototypes()'s plus categoricalColumns). */
export const kprototypesClusterer: Clusterer<KPrototypesMatrixOptions, KPrototypesModel> = {
  name: 'kprototypes',
  modelType: 'segmint.kprototypes',
  takesK: true,
  parameters: REGISTRY_OPTION_NAMES,
  fit: fitKPrototypes,
  fromJSON: (json) => KPrototypesModel.fromJSON(json as never),
};
