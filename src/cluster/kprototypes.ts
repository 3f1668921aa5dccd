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

/** A categorical value; null (or undefined) is missing. */
export type CategoryValue = string | number | boolean | null;

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

/** Integer codes of categorical rows and the categories of each feature. */
interface Encoded {
  codes: Int32Array;
  categories: CategoryValue[][];
}

const TYPE_ORDER: Record<string, number> = { number: 0, string: 1, boolean: 2 };

function compareCategories(a: CategoryValue, b: CategoryValue): number {
  const ta = TYPE_ORDER[typeof a];
  const tb = TYPE_ORDER[typeof b];
  if (ta !== tb) return ta - tb;
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

function checkCategory(param: string, v: unknown): CategoryValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new InvalidParameterError(param, `holds ${typeof v === 'number' ? v : typeof v}, not a string, finite number, boolean or null`);
}

/** Validates n rows of m categorical values and codes them, each feature in sorted order. */
function encodeCategorical(categorical: unknown, n: number): Encoded {
  if (!Array.isArray(categorical) || categorical.length !== n) {
    throw new InvalidParameterError('categorical', `must be an array of ${n} rows (one per row of X)`);
  }
  const first = categorical[0];
  if (!Array.isArray(first) || first.length === 0) throw new InvalidParameterError('categorical', 'rows must be non-empty arrays of categories');
  const m = first.length;
  const values: CategoryValue[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < n; i++) {
    const row = categorical[i];
    if (!Array.isArray(row) || row.length !== m) throw new InvalidParameterError('categorical', `row ${i} must be an array of ${m} categories`);
    for (let t = 0; t < m; t++) values[t].push(checkCategory(`categorical[${i}][${t}]`, row[t]));
  }
  const categories = values.map((col) => [...new Set(col.filter((v) => v !== null))].sort(compareCategories));
  const codes = new Int32Array(n * m);
  for (let t = 0; t < m; t++) {
    const index = new Map(categories[t].map((v, c) => [v, c]));
    for (let i = 0; i < n; i++) {
      const v = values[t][i];
      codes[i * m + t] = v === null ? -1 : index.get(v)!;
    }
  }
  return { codes, categories };
}

/** Codes new categorical rows with a fitted model's categories; unseen ones get -1 (a mismatch with every mode). */
function encodeWith(categorical: unknown, n: number, categories: CategoryValue[][]): Int32Array {
  const m = categories.length;
  if (!Array.isArray(categorical) || categorical.length !== n) throw new InvalidParameterError('categorical', `must be an array of ${n} rows`);
  const index = categories.map((cats) => new Map(cats.map((v, c) => [v, c])));
  const codes = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = categorical[i];
    if (!Array.isArray(row) || row.length !== m) throw new InvalidParameterError('categorical', `row ${i} must be an array of ${m} categories`);
    for (let t = 0; t < m; t++) {
      const v = checkCategory(`categorical[${i}][${t}]`, row[t]);
      codes[i * m + t] = v === null ? -1 : (index[t].get(v) ?? -1);
    }
  }
  return codes;
}

/** One run's result. */
interface Run {
  labels: Int32Array;
  centroids: Float64Array;
  modes: Int32Array;
  cost: number;
  iterations: number;
  converged: boolean;
  costHistory: number[];
}

/** The data of a fit, numeric and coded, as the kernels read it. */
interface Problem {
  num: Float64Array;
  codes: Int32Array;
  n: number;
  p: number;
  m: number;
  sizes: number[];
  gamma: number;
}

function mismatches(codes: Int32Array, i: number, m: number, mode: Int32Array, j: number): number {
  let s = 0;
  for (let t = 0; t < m; t++) {
    const v = codes[i * m + t];
    if (v < 0 || v !== mode[j * m + t]) s++;
  }
  return s;
}

/** kmodes' init_huang on the codes: a frequency-weighted draw per feature, then the nearest row not already a mode. */
function huangModes(P: Problem, k: number, rng: Random): Int32Array {
  const { codes, n, m } = P;
  const modes = new Int32Array(k * m);
  // Drawing a category in proportion to its frequency is drawing a random row's value.
  for (let j = 0; j < k; j++) for (let t = 0; t < m; t++) modes[j * m + t] = codes[rng.int(n) * m + t];
  const equalsAMode = (i: number) => {
    for (let j = 0; j < k; j++) if (mismatches(codes, i, m, modes, j) === 0) return true;
    return false;
  };
  for (let j = 0; j < k; j++) {
    let best = -1;
    let bestD = Infinity;
    let fallback = 0;
    let fallbackD = Infinity;
    for (let i = 0; i < n; i++) {
      const dis = mismatches(codes, i, m, modes, j);
      if (dis < fallbackD) {
        fallbackD = dis;
        fallback = i;
      }
      if (dis < bestD && !equalsAMode(i)) {
        bestD = dis;
        best = i;
      }
    }
    const row = best >= 0 ? best : fallback;
    for (let t = 0; t < m; t++) modes[j * m + t] = codes[row * m + t];
  }
  return modes;
}

/** kmodes' init_cao: the densest row, then rows maximising density times the mismatches to the nearest chosen mode. */
function caoModes(P: Problem, k: number): Int32Array {
  const { codes, n, m, sizes } = P;
  const freq = sizes.map((s) => new Float64Array(s));
  for (let i = 0; i < n; i++) for (let t = 0; t < m; t++) if (codes[i * m + t] >= 0) freq[t][codes[i * m + t]]++;
  const dens = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < m; t++) if (codes[i * m + t] >= 0) dens[i] += freq[t][codes[i * m + t]] / n / m;
  const modes = new Int32Array(k * m);
  let first = 0;
  for (let i = 1; i < n; i++) if (dens[i] > dens[first]) first = i;
  modes.set(codes.subarray(first * m, first * m + m), 0);
  const nearest = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let pick = 0;
    let pickV = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = mismatches(codes, i, m, modes, j - 1) * dens[i];
      if (v < nearest[i]) nearest[i] = v;
      if (nearest[i] > pickV) {
        pickV = nearest[i];
        pick = i;
      }
    }
    modes.set(codes.subarray(pick * m, pick * m + m), j * m);
  }
  return modes;
}

/** kmodes' numeric start: feature mean + standard normal * feature standard deviation, per cluster. */
function normalCentroids(P: Problem, k: number, rng: Random): Float64Array {
  const { num, n, p } = P;
  const { mean, std } = columnStats(num, n, p);
  const out = new Float64Array(k * p);
  for (let j = 0; j < k; j++) for (let t = 0; t < p; t++) out[j * p + t] = mean[t] + rng.normal() * std[t];
  return out;
}

function columnStats(num: Float64Array, n: number, p: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let t = 0; t < p; t++) mean[t] += num[i * p + t];
  for (let t = 0; t < p; t++) mean[t] /= n;
  for (let i = 0; i < n; i++) for (let t = 0; t < p; t++) std[t] += (num[i * p + t] - mean[t]) ** 2;
  for (let t = 0; t < p; t++) std[t] = Math.sqrt(std[t] / n);
  return { mean, std };
}

/** One batch run from the given prototypes: assign (WASM), recompute means and modes, until no row moves. */
function runFrom(P: Problem, k: number, centroids: Float64Array, modes: Int32Array, maxIter: number): Run {
  const { num, codes, n, p, m, sizes, gamma } = P;
  const offsets = new Int32Array(m);
  let total = 0;
  for (let t = 0; t < m; t++) {
    offsets[t] = total;
    total += sizes[t];
  }
  const e = kernels().exports;
  const ws = kernels().workspace();
  const Xr = ws.f64(n * p);
  const Cr = ws.i32(n * m);
  const cenR = ws.f64(k * p);
  const modR = ws.i32(k * m);
  const labR = ws.i32(n);
  const costR = ws.f64(n);
  const offR = ws.i32(m);
  const sumR = ws.f64(k * p);
  const cntR = ws.i32(k);
  const catR = ws.i32(Math.max(1, k * total));
  ws.commit();
  ws.write(Xr, num);
  ws.write(Cr, codes);
  ws.write(cenR, centroids);
  ws.write(modR, modes);
  ws.write(offR, offsets);
  ws.viewI32(labR).fill(-1);
  const costHistory: number[] = [];
  const assign = (): number => {
    const changed = e.kprototypesAssign(Xr.ptr, Cr.ptr, n, p, m, cenR.ptr, modR.ptr, k, gamma, labR.ptr, costR.ptr);
    let cost = 0;
    for (const c of ws.viewF64(costR)) cost += c;
    costHistory.push(cost);
    return changed;
  };
  assign();
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    e.kprototypesAccumulate(Xr.ptr, Cr.ptr, n, p, m, labR.ptr, offR.ptr, total, k, sumR.ptr, cntR.ptr, catR.ptr);
    const sums = ws.viewF64(sumR);
    const counts = ws.viewI32(cntR);
    const cats = ws.viewI32(catR);
    const cen = ws.viewF64(cenR);
    const mod = ws.viewI32(modR);
    const costs = ws.viewF64(costR);
    const reseeded = new Set<number>();
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // An empty cluster restarts at the row that fits its prototype worst: that row's
        // cost drops to 0 on the next assignment, so the cost still does not increase.
        let worst = -1;
        for (let i = 0; i < n; i++) if (!reseeded.has(i) && (worst < 0 || costs[i] > costs[worst])) worst = i;
        reseeded.add(worst);
        for (let t = 0; t < p; t++) cen[j * p + t] = num[worst * p + t];
        for (let t = 0; t < m; t++) mod[j * m + t] = codes[worst * m + t];
        costs[worst] = 0;
        continue;
      }
      for (let t = 0; t < p; t++) cen[j * p + t] = sums[j * p + t] / counts[j];
      for (let t = 0; t < m; t++) {
        let best = -1;
        let bestCount = 0;
        for (let c = 0; c < sizes[t]; c++) {
          const v = cats[j * total + offsets[t] + c];
          if (v > bestCount) {
            bestCount = v;
            best = c;
          }
        }
        if (best >= 0) mod[j * m + t] = best; // all missing: keep the previous mode
      }
    }
    if (assign() === 0) {
      converged = true;
      break;
    }
  }
  return {
    labels: ws.viewI32(labR).slice(),
    centroids: ws.viewF64(cenR).slice(),
    modes: ws.viewI32(modR).slice(),
    cost: costHistory[costHistory.length - 1],
    iterations,
    converged,
    costHistory,
  };
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
    const Xr = ws.f64(n * p);
    const Cr = ws.i32(n * m);
    const cenR = ws.f64(k * p);
    const modR = ws.i32(k * m);
    const labR = ws.i32(n);
    const costR = ws.f64(n);
    ws.commit();
    ws.write(Xr, num);
    ws.write(Cr, codes);
    ws.write(cenR, this.centroids.flat());
    ws.write(modR, this.modeCodes);
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

function splitColumns(q: Matrix, categoricalColumns: number[]): { num: Float64Array; cat: number[][] } {
  const isCat = new Uint8Array(q.cols);
  for (const c of categoricalColumns) isCat[c] = 1;
  const p = q.cols - categoricalColumns.length;
  const num = new Float64Array(q.rows * p);
  const cat: number[][] = [];
  for (let i = 0; i < q.rows; i++) {
    let w = 0;
    for (let c = 0; c < q.cols; c++) if (!isCat[c]) num[i * p + w++] = q.data[i * q.cols + c];
    cat.push(categoricalColumns.map((c) => q.data[i * q.cols + c]));
  }
  return { num, cat };
}

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
  if (gamma === undefined) {
    const { std } = columnStats(num, n, p);
    gamma = 0.5 * (p > 0 ? std.reduce((a, b) => a + b, 0) / p : 1);
    // Constant numeric features would make gamma 0 and the categories irrelevant.
    if (!(gamma > 0)) gamma = 1;
  }
  const P: Problem = { num, codes: enc.codes, n, p, m, sizes: enc.categories.map((c) => c.length), gamma };
  const { k } = o;
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
    best = runFrom(P, k, Float64Array.from(init.centroids.flat()), modes, o.maxIter);
  } else {
    for (let r = 0; r < o.nInit; r++) {
      const rng = new Random(o.seed + r);
      const modes = o.init === 'cao' ? caoModes(P, k) : huangModes(P, k, rng);
      const run = runFrom(P, k, normalCentroids(P, k, rng), modes, o.maxIter);
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
  const q = toMatrix(X);
  const o = resolveOptions(options, q.rows, OPTION_NAMES);
  const enc = encodeCategorical(categorical, q.rows);
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
