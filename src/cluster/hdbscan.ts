/**
 * HDBSCAN with scikit-learn 1.6's definitions (sklearn.cluster.HDBSCAN, euclidean):
 * the core distance of a row is the distance to its minSamples-th nearest row, itself
 * counted; mutual reachability is max(core[a], core[b], |a - b|); its minimum spanning
 * tree, sorted, is a single-linkage tree; condensing it with minClusterSize and
 * selecting by excess of mass (or leaves) gives labels (-1 = noise) and probabilities.
 * Outlier scores are GLOSH and predict() is the hdbscan library's approximate_predict,
 * neither of which scikit-learn has.
 *
 * Core distances come from DBSCAN's k-d tree kernel (dbscanKthNeighbourSq); the MST is dense
 * Prim in WASM (assembly/hdbscan.ts), in scikit-learn's visiting order so ties resolve
 * as there, or, from BORUVKA_MIN_ROWS rows, Boruvka over the same k-d tree (same
 * weights; on tied weights other edges, so rows hanging on a tie may land elsewhere,
 * as they may in scikit-learn, whose order there comes from numpy's unstable sort).
 * The tree work after it is linear and lives in hdbscanTree.ts.
 */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { buildKdTree } from '../spatial/kdtree';
import { treeRegions, writeTree } from '../spatial/layout';
import { kernels } from '../wasm/index';
import { readModelJSON, type Clusterer, type ClusterModel } from './clusterer';
import { BORUVKA_MAX_DIM, BORUVKA_MIN_ROWS, boruvkaMst, coreDistances, mutualReachabilityMst } from './hdbscanMst';
import { approximateLabel, type CondensedTree, condenseTree, flatClustering, singleLinkageFromMst } from './hdbscanTree';

export type { CondensedTree } from './hdbscanTree';
export { BORUVKA_MAX_DIM, BORUVKA_MIN_ROWS, boruvkaMst, coreDistances, mutualReachabilityMst } from './hdbscanMst';

/** Options of hdbscan(); minClusterSize is required-ish (default 5, scikit-learn's). */
export interface HdbscanOptions {
  /** Smallest group of rows that counts as a cluster (>= 2). */
  minClusterSize?: number;
  /** Rows within the core distance, the row itself included; default minClusterSize (scikit-learn's). */
  minSamples?: number;
  /** 'eom' (excess of mass, scikit-learn's default) or 'leaf' (the finest clusters). */
  clusterSelectionMethod?: 'eom' | 'leaf';
  /** Clusters split below this distance are merged back (0 = off). */
  clusterSelectionEpsilon?: number;
  /** Let excess of mass return one cluster of everything (scikit-learn's allow_single_cluster). */
  allowSingleCluster?: boolean;
  /**
   * How the MST is built: 'prim' (dense, O(n^2), scikit-learn's edge order, so ties break
   * as there), 'boruvka' (k-d tree, fast on large low-dimensional data; same weights,
   * ties may break otherwise), 'auto' (Boruvka from BORUVKA_MIN_ROWS rows up to BORUVKA_MAX_DIM features).
   */
  mstAlgorithm?: 'auto' | 'prim' | 'boruvka';
}

/** Defaults of hdbscan()'s options (scikit-learn 1.6's). */
export const defaultHdbscanOptions = {
  minClusterSize: 5,
  minSamples: undefined as number | undefined,
  clusterSelectionMethod: 'eom' as 'eom' | 'leaf',
  clusterSelectionEpsilon: 0,
  allowSingleCluster: false,
  mstAlgorithm: 'auto' as 'auto' | 'prim' | 'boruvka',
};

const OPTION_NAMES = ['minClusterSize', 'minSamples', 'clusterSelectionMethod', 'clusterSelectionEpsilon', 'allowSingleCluster', 'mstAlgorithm'] as const;

/** HdbscanModel.toJSON() output. */
export interface HdbscanJSON {
  type: 'segmint.hdbscan';
  version: 1;
  minClusterSize: number;
  minSamples: number;
  clusterSelectionMethod: 'eom' | 'leaf';
  clusterSelectionEpsilon: number;
  allowSingleCluster: boolean;
  nFeatures: number;
  nClusters: number;
  labels: number[];
  probabilities: number[];
  outlierScores: number[];
  coreDistances: number[];
  /** The training rows, row-major: predict() searches them. */
  data: number[];
  /** MST rows [a, b, distance], flattened. Infinity does not survive JSON, so distances are finite here. */
  mst: number[];
  condensedTree: { parent: number[]; child: number[]; lambda: (number | null)[]; size: number[] };
  selectedClusters: number[];
  maxLambdas: (number | null)[];
}

/** Fields the model is built from. */
interface HdbscanParts {
  labels: Int32Array;
  probabilities: Float64Array;
  outlierScores: Float64Array;
  coreDistances: Float64Array;
  data: Float64Array;
  nFeatures: number;
  mst: Float64Array;
  condensedTree: CondensedTree;
  selectedClusters: Int32Array;
  maxLambdas: Float64Array;
  minClusterSize: number;
  minSamples: number;
  clusterSelectionMethod: 'eom' | 'leaf';
  clusterSelectionEpsilon: number;
  allowSingleCluster: boolean;
}

/**
 * A fitted HDBSCAN. labels (-1 = noise) and probabilities equal scikit-learn's
 * labels_ and probabilities_; outlierScores are GLOSH (0 inlier .. 1 outlier);
 * condensedTree and minimumSpanningTree are in hdbscanTree.ts's documented formats.
 */
export class HdbscanModel implements ClusterModel {
  readonly labels: Int32Array;
  readonly nClusters: number;
  readonly probabilities: Float64Array;
  readonly outlierScores: Float64Array;
  /** Distance of each row to its minSamples-th nearest row, itself counted. */
  readonly coreDistances: Float64Array;
  /** (n-1) rows [a, b, mutual reachability], sorted by distance. */
  readonly minimumSpanningTree: Float64Array;
  readonly condensedTree: CondensedTree;
  /** Condensed-tree id of the cluster behind each label. */
  readonly selectedClusters: Int32Array;
  readonly minClusterSize: number;
  readonly minSamples: number;
  readonly clusterSelectionMethod: 'eom' | 'leaf';
  readonly clusterSelectionEpsilon: number;
  readonly allowSingleCluster: boolean;
  readonly nFeatures: number;
  private readonly data: Float64Array;
  private readonly maxLambdas: Float64Array;

  constructor(p: HdbscanParts) {
    this.labels = p.labels;
    this.probabilities = p.probabilities;
    this.outlierScores = p.outlierScores;
    this.coreDistances = p.coreDistances;
    this.data = p.data;
    this.nFeatures = p.nFeatures;
    this.minimumSpanningTree = p.mst;
    this.condensedTree = p.condensedTree;
    this.selectedClusters = p.selectedClusters;
    this.maxLambdas = p.maxLambdas;
    this.nClusters = p.selectedClusters.length;
    this.minClusterSize = p.minClusterSize;
    this.minSamples = p.minSamples;
    this.clusterSelectionMethod = p.clusterSelectionMethod;
    this.clusterSelectionEpsilon = p.clusterSelectionEpsilon;
    this.allowSingleCluster = p.allowSingleCluster;
  }

  /** SciPy-format single-linkage tree ((n-1) rows [left, right, distance, size]) rebuilt from the MST. */
  get singleLinkageTree(): Float64Array {
    return singleLinkageFromMst(this.minimumSpanningTree, this.labels.length).linkage;
  }

  /**
   * labels with every noise row given the label of its nearest clustered training row
   * (Euclidean, ties to the lower row): the segment an outlier most resembles, for
   * callers that need every row in a cluster. All noise when there is no cluster.
   */
  labelsWithOutliersAssigned(): Int32Array {
    const n = this.labels.length;
    const d = this.nFeatures;
    const out = Int32Array.from(this.labels);
    const clustered: number[] = [];
    const noise: number[] = [];
    for (let i = 0; i < n; i++) (this.labels[i] >= 0 ? clustered : noise).push(i);
    if (clustered.length === 0 || noise.length === 0) return out;
    const pick = (rows: number[]) => {
      const data = new Float64Array(rows.length * d);
      rows.forEach((r, i) => data.set(this.data.subarray(r * d, r * d + d), i * d));
      return data;
    };
    const C = pick(clustered);
    const tree = buildKdTree({ data: C, rows: clustered.length, cols: d });
    const e = kernels().exports;
    const ws = kernels().workspace();
    const idx = treeRegions(ws, tree, clustered.length, d);
    const ids = ws.i32(clustered.length);
    const Q = ws.f64(noise.length * d);
    const nearest = ws.i32(noise.length);
    ws.commit();
    writeTree(ws, idx, tree, C, d);
    ws.write(ids, tree.perm);
    ws.write(Q, pick(noise));
    e.dbscanNearestWithin(idx.header.ptr, ids.ptr, Q.ptr, noise.length, Infinity, nearest.ptr);
    const near = ws.viewI32(nearest);
    noise.forEach((r, i) => (out[r] = this.labels[clustered[tree.perm[near[i]]]]));
    return out;
  }

  /** Labels of new rows (approximate: they do not change the tree), as the hdbscan library's approximate_predict. */
  predict(X: MatrixLike): Int32Array {
    return this.predictMatrix(toMatrix(X));
  }

  /** predict() on a validated matrix, which is read, not copied. */
  predictMatrix(q: Matrix): Int32Array {
    return this.approximatePredict(q).labels;
  }

  /** Labels and membership strengths of new rows (approximate_predict). */
  predictWithProbabilities(X: MatrixLike): { labels: Int32Array; probabilities: Float64Array } {
    return this.approximatePredict(toMatrix(X));
  }

  private approximatePredict(q: Matrix): { labels: Int32Array; probabilities: Float64Array } {
    const d = this.nFeatures;
    if (q.cols !== d) throw new InvalidParameterError('X', `has ${q.cols} columns but the model was fitted on ${d}`);
    const n = this.labels.length;
    const m = q.rows;
    // approximate_predict asks for 2 * min_samples neighbours and takes the new row's
    // core distance as the distance to the (min_samples + 1)-th of them.
    const k = Math.min(2 * this.minSamples, n);
    const tree = buildKdTree({ data: this.data, rows: n, cols: d });
    const e = kernels().exports;
    const ws = kernels().workspace();
    const r = treeRegions(ws, tree, n, d);
    const Q = ws.f64(m * d);
    const idx = ws.i32(m * k);
    const dist = ws.f64(m * k);
    ws.commit();
    writeTree(ws, r, tree, this.data, d);
    ws.write(Q, q.data);
    e.hdbscanQueryKnn(r.header.ptr, Q.ptr, m, k, idx.ptr, dist.ptr);
    const nbIdx = Int32Array.from(ws.viewI32(idx), (j) => tree.perm[j]);
    const nbDist = ws.viewF64(dist).slice();

    const t = this.condensedTree;
    let nIds = 1;
    for (const p of t.parent) if (p - n + 1 > nIds) nIds = p - n + 1;
    const clusterParent = new Int32Array(nIds).fill(-1);
    const clusterBirth = new Float64Array(nIds);
    const pointParent = new Int32Array(n);
    const pointLambda = new Float64Array(n);
    for (let i = 0; i < t.parent.length; i++) {
      const c = t.child[i];
      if (c >= n) {
        clusterParent[c - n] = t.parent[i];
        clusterBirth[c - n] = t.lambda[i];
      } else {
        pointParent[c] = t.parent[i];
        pointLambda[c] = t.lambda[i];
      }
    }
    const labelOfCluster = new Int32Array(nIds).fill(-1);
    this.selectedClusters.forEach((c, i) => (labelOfCluster[c - n] = i));
    const condensed = { pointParent, pointLambda, clusterParent, clusterBirth };
    const labels = new Int32Array(m).fill(-1);
    const probabilities = new Float64Array(m);
    const coreAt = Math.min(this.minSamples, k - 1);
    for (let r = 0; r < m; r++) {
      const base = r * k;
      const ownCore = nbDist[base + coreAt];
      let best = Infinity;
      let nearest = -1;
      for (let j = 0; j < k; j++) {
        const nb = nbIdx[base + j];
        const mrd = Math.max(this.coreDistances[nb], ownCore, nbDist[base + j]);
        if (mrd < best) {
          best = mrd;
          nearest = nb;
        }
      }
      const lambda = best > 0 ? 1 / best : Number.MAX_VALUE;
      const res = approximateLabel(condensed, n, labelOfCluster, this.maxLambdas, nearest, lambda);
      labels[r] = res.label;
      probabilities[r] = res.probability;
    }
    return { labels, probabilities };
  }

  /** Plain JSON of the model; Infinity lambdas (duplicate rows) are written as null. */
  toJSON(): HdbscanJSON {
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    const t = this.condensedTree;
    return {
      type: 'segmint.hdbscan',
      version: 1,
      minClusterSize: this.minClusterSize,
      minSamples: this.minSamples,
      clusterSelectionMethod: this.clusterSelectionMethod,
      clusterSelectionEpsilon: this.clusterSelectionEpsilon,
      allowSingleCluster: this.allowSingleCluster,
      nFeatures: this.nFeatures,
      nClusters: this.nClusters,
      labels: Array.from(this.labels),
      probabilities: Array.from(this.probabilities),
      outlierScores: Array.from(this.outlierScores),
      coreDistances: Array.from(this.coreDistances),
      data: Array.from(this.data),
      mst: Array.from(this.minimumSpanningTree),
      condensedTree: { parent: Array.from(t.parent), child: Array.from(t.child), lambda: Array.from(t.lambda, finite), size: Array.from(t.size) },
      selectedClusters: Array.from(this.selectedClusters),
      maxLambdas: Array.from(this.maxLambdas, finite),
    };
  }

  /** Rebuilds a model from toJSON() output (or its JSON string); predict() gives the same labels. */
  static fromJSON(json: HdbscanJSON | string): HdbscanModel {
    const j = readModelJSON<HdbscanJSON>(json, 'segmint.hdbscan', 1, 'HDBSCAN model');
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    const arr = (name: string, v: unknown, len?: number): unknown[] => {
      if (!Array.isArray(v) || (len !== undefined && v.length !== len)) {
        throw new InvalidParameterError(`json.${name}`, len === undefined ? 'must be an array' : `must be an array of ${len} values`);
      }
      return v;
    };
    const n = arr('labels', j.labels).length;
    const nums = (name: string, v: unknown, len?: number) => {
      const a = arr(name, v, len);
      for (const x of a) if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidParameterError(`json.${name}`, 'holds a value that is not a number');
      return a as number[];
    };
    const lambdas = (name: string, v: unknown, len?: number) =>
      arr(name, v, len).map((x) => {
        if (x === null) return Infinity;
        if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidParameterError(`json.${name}`, 'holds a value that is not a number or null');
        return x;
      });
    const ct = j.condensedTree;
    if (!ct || typeof ct !== 'object') throw new InvalidParameterError('json.condensedTree', 'must be an object');
    const rows = arr('condensedTree.parent', ct.parent).length;
    const selected = nums('selectedClusters', j.selectedClusters);
    return new HdbscanModel({
      labels: Int32Array.from(nums('labels', j.labels)),
      probabilities: Float64Array.from(nums('probabilities', j.probabilities, n)),
      outlierScores: Float64Array.from(nums('outlierScores', j.outlierScores, n)),
      coreDistances: Float64Array.from(nums('coreDistances', j.coreDistances, n)),
      data: Float64Array.from(nums('data', j.data, n * d)),
      nFeatures: d,
      mst: Float64Array.from(nums('mst', j.mst, 3 * Math.max(0, n - 1))),
      condensedTree: {
        parent: Int32Array.from(nums('condensedTree.parent', ct.parent, rows)),
        child: Int32Array.from(nums('condensedTree.child', ct.child, rows)),
        lambda: Float64Array.from(lambdas('condensedTree.lambda', ct.lambda, rows)),
        size: Int32Array.from(nums('condensedTree.size', ct.size, rows)),
      },
      selectedClusters: Int32Array.from(selected),
      maxLambdas: Float64Array.from(lambdas('maxLambdas', j.maxLambdas, selected.length)),
      minClusterSize: integerOption('json.minClusterSize', j.minClusterSize, 2),
      minSamples: integerOption('json.minSamples', j.minSamples, 1),
      clusterSelectionMethod: enumOption('json.clusterSelectionMethod', j.clusterSelectionMethod, ['eom', 'leaf'] as const),
      clusterSelectionEpsilon: numberOption('json.clusterSelectionEpsilon', j.clusterSelectionEpsilon, (v) => v >= 0, 'a number >= 0'),
      allowSingleCluster: j.allowSingleCluster === true,
    });
  }
}

/** What hdbscan() returns. */
export type HdbscanResult = HdbscanModel;

interface Resolved {
  minClusterSize: number;
  minSamples: number;
  clusterSelectionMethod: 'eom' | 'leaf';
  clusterSelectionEpsilon: number;
  allowSingleCluster: boolean;
  mstAlgorithm: 'auto' | 'prim' | 'boruvka';
}

function resolveOptions(options: HdbscanOptions | undefined, n: number): Resolved {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidParameterError('options', 'hdbscan(X, options) takes an options object');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'hdbscan');
  const o = withDefaults(defaultHdbscanOptions, options);
  const minClusterSize = integerOption('minClusterSize', o.minClusterSize, 2);
  const minSamples = o.minSamples === undefined ? minClusterSize : integerOption('minSamples', o.minSamples, 1);
  if (minSamples > n) throw new InvalidParameterError('minSamples', `is ${minSamples} but X has only ${n} rows`);
  const clusterSelectionMethod = enumOption('clusterSelectionMethod', o.clusterSelectionMethod, ['eom', 'leaf'] as const);
  const clusterSelectionEpsilon = numberOption('clusterSelectionEpsilon', o.clusterSelectionEpsilon, (v) => v >= 0, 'a finite number >= 0');
  if (typeof o.allowSingleCluster !== 'boolean')
    throw new InvalidParameterError('allowSingleCluster', `must be true or false, got ${JSON.stringify(o.allowSingleCluster)}`);
  const mstAlgorithm = enumOption('mstAlgorithm', o.mstAlgorithm, ['auto', 'prim', 'boruvka'] as const);
  return { minClusterSize, minSamples, clusterSelectionMethod, clusterSelectionEpsilon, allowSingleCluster: o.allowSingleCluster, mstAlgorithm };
}

/**
 * Hierarchical density-based clustering of the rows of X; label -1 marks noise.
 * Synchronous; in a browser's main thread call `await init()` once first.
 */
export function hdbscan(X: MatrixLike, options?: HdbscanOptions): HdbscanModel {
  return fitHdbscan(toMatrix(X), options);
}

/** hdbscan() on a matrix the caller validated (toMatrix): read, never copied or modified. */
export function fitHdbscan(m: Matrix, options?: HdbscanOptions): HdbscanModel {
  const { rows: n, cols: d } = m;
  const o = resolveOptions(options, n);
  if (n < 2) throw new InvalidParameterError('X', `has ${n} row; HDBSCAN needs at least 2`);
  const useBoruvka = o.mstAlgorithm === 'boruvka' || (o.mstAlgorithm === 'auto' && n >= BORUVKA_MIN_ROWS && d <= BORUVKA_MAX_DIM);
  let core: Float64Array;
  let mst: Float64Array;
  if (useBoruvka) ({ core, mst } = boruvkaMst(m, o.minSamples));
  else {
    core = coreDistances(m, o.minSamples);
    mst = mutualReachabilityMst(m, core);
  }
  const { sortedMst, linkage } = singleLinkageFromMst(mst, n);
  const condensedTree = condenseTree(linkage, n, o.minClusterSize);
  const flat = flatClustering(condensedTree, n, {
    method: o.clusterSelectionMethod,
    allowSingleCluster: o.allowSingleCluster,
    epsilon: o.clusterSelectionEpsilon,
  });
  return new HdbscanModel({
    labels: flat.labels,
    probabilities: flat.probabilities,
    outlierScores: flat.outlierScores,
    coreDistances: core,
    data: Float64Array.from(m.data.subarray(0, n * d)),
    nFeatures: d,
    mst: sortedMst,
    condensedTree,
    selectedClusters: flat.selected,
    maxLambdas: flat.maxLambdas,
    minClusterSize: o.minClusterSize,
    minSamples: o.minSamples,
    clusterSelectionMethod: o.clusterSelectionMethod,
    clusterSelectionEpsilon: o.clusterSelectionEpsilon,
    allowSingleCluster: o.allowSingleCluster,
  });
}

/** HDBSCAN in the registry. */
export const hdbscanClusterer: Clusterer<HdbscanOptions | undefined, HdbscanModel> = {
  name: 'hdbscan',
  modelType: 'segmint.hdbscan',
  takesK: false,
  parameters: OPTION_NAMES,
  fit: fitHdbscan,
  fromJSON: (json) => HdbscanModel.fromJSON(json as never),
};
