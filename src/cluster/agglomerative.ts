/**
 * Agglomerative (hierarchical) clustering with SciPy's results: `linkage` is
 * scipy.cluster.hierarchy.linkage's (n-1) x 4 matrix [a, b, height, size] on Euclidean
 * distances (rows sorted by height, a < b, merged cluster n + i), and heights are SciPy's
 * (ward heights are its ward distances, as scikit-learn's too).
 *
 * Exact paths (assembly/linkage.ts):
 * - ward: nearest-neighbour chain on centroids and sizes, O(n^2 d) time, O(n d) memory;
 * - single: Prim's minimum spanning tree on the rows, O(n^2 d) time, O(n d) memory;
 * - complete, average: nearest-neighbour chain on the condensed distance matrix, which
 *   takes n^2/2 doubles (400 MB at 10,000 rows), so their exact limit is lower.
 *
 * Above `maxExactRows` (defaults in DEFAULT_MAX_EXACT_ROWS) the rows are first grouped into
 * `microClusters` K-Means micro-clusters (or their distinct rows, when there are few
 * enough) and those are linked, weighted by their sizes: ward uses the exact ward
 * distance of the unions (centroids and sizes), average the size-weighted Lance-Williams
 * mean, complete and single the distances between centroids. The result says so
 * (`approximate`), its linkage has the micro-clusters as leaves (sizes count rows), and
 * every row takes its micro-cluster's label.
 *
 * Flat labels: `k` undoes the last k-1 merges, so there are exactly k clusters (as
 * scikit-learn's n_clusters, and as fcluster(criterion='maxclust') except when the cut
 * falls between merges of equal height, where fcluster may return fewer);
 * `distanceThreshold` applies the merges below it (scikit-learn's distance_threshold).
 *
 * predict(): the exact path labels a new row with the nearest flat cluster's centroid;
 * the approximate path with the cluster of its nearest micro-cluster centroid.
 */
import { InvalidParameterError } from '../errors';
import { countDistinctRows, columnMeans, groupMeans, subtractRow, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { nearestCentres } from '../spatial/nearest';
import { kernels } from '../wasm/index';
import { fitKMeans } from './kmeans';
import { Random, sampleIndices } from '../random';

type Ptr = number;

export type LinkageMethod = 'ward' | 'complete' | 'average' | 'single';

interface LinkageKernels {
  condensedDistances(X: Ptr, n: number, d: number, D: Ptr): void;
  matrixNNChain(D: Ptr, n: number, method: number, sizes: Ptr, chain: Ptr, Z: Ptr): void;
  wardNNChain(X: Ptr, sizes: Ptr, slots: Ptr, n: number, d: number, CT: Ptr, xbuf: Ptr, chain: Ptr, newPos: Ptr, Z: Ptr): void;
  singlePrim(X: Ptr, slots: Ptr, n: number, d: number, nearest: Ptr, Z: Ptr): void;
}

/** Codes of the Lance-Williams update in matrixNNChain. */
const MATRIX_METHOD = { complete: 0, average: 1, single: 2 } as const;

export interface AgglomerativeOptions {
  /** Number of flat clusters (1..n). Exactly one of k and distanceThreshold. */
  k?: number;
  /** Merges with a height below this are applied; the rest are cut. */
  distanceThreshold?: number;
  linkage?: LinkageMethod;
  /** Above this many rows, link micro-clusters instead (default per linkage: DEFAULT_MAX_EXACT_ROWS). */
  maxExactRows?: number;
  /** Number of K-Means micro-clusters on the approximate path. */
  microClusters?: number;
  /** Seed of the micro-clustering K-Means. */
  seed?: number;
}

/**
 * Exact up to these sizes. Ward and single need O(n d) memory and O(n^2 d) time (about
 * 0.2 s at 10,000 x 6, 0.9 s at 20,000 on a 2-core EPYC); complete and average hold the
 * condensed matrix (n^2/2 doubles: 100 MB at 5,000 rows). WebAssembly memory never
 * shrinks, so a server that once linked 10,000 rows exactly would keep 400 MB for good:
 * the defaults stay at 5,000 and callers who want more pass maxExactRows.
 */
export const DEFAULT_MAX_EXACT_ROWS: Record<LinkageMethod, number> = {
  ward: 20_000,
  single: 20_000,
  complete: 5_000,
  average: 5_000,
};

export const defaultAgglomerativeOptions = {
  linkage: 'ward' as LinkageMethod,
  microClusters: 2048,
  seed: 0,
};

const OPTION_NAMES = ['k', 'distanceThreshold', 'linkage', 'maxExactRows', 'microClusters', 'seed'] as const;
const LINKAGES = ['ward', 'complete', 'average', 'single'] as const;

/** How the rows were reduced before linking, when they were. */
export interface ApproximateInfo {
  /** Number of leaves of the linkage (micro-clusters, or distinct rows when fewer). */
  microClusters: number;
  /** Micro-cluster of each row. */
  microLabels: Int32Array;
  /** 'kmeans' micro-clusters, or 'distinct' rows (then the linkage is exact up to zero-height merges). */
  reduction: 'kmeans' | 'distinct';
}

export interface AgglomerativeJSON {
  type: 'segmint.agglomerative';
  version: 1;
  method: LinkageMethod;
  nFeatures: number;
  nClusters: number;
  labels: number[];
  linkage: number[];
  centroids: number[][];
  approximate: null | {
    microClusters: number;
    reduction: 'kmeans' | 'distinct';
    microLabels: number[];
    microCentroids: number[][];
    microToCluster: number[];
  };
}

export class AgglomerativeModel {
  readonly method: LinkageMethod;
  readonly nFeatures: number;
  readonly nClusters: number;
  /** Flat cluster of each row, 0..nClusters-1 in order of first appearance. */
  readonly labels: Int32Array;
  /** SciPy's linkage matrix, row-major (leaves - 1) x 4: [a, b, height, size]. */
  readonly linkage: Float64Array;
  /** Mean of each flat cluster. */
  readonly centroids: number[][];
  readonly approximate: ApproximateInfo | null;
  private readonly microCentroids: Float64Array | null;
  private readonly microToCluster: Int32Array | null;

  constructor(args: {
    method: LinkageMethod;
    nFeatures: number;
    nClusters: number;
    labels: Int32Array;
    linkage: Float64Array;
    centroids: number[][];
    approximate: ApproximateInfo | null;
    microCentroids: Float64Array | null;
    microToCluster: Int32Array | null;
  }) {
    this.method = args.method;
    this.nFeatures = args.nFeatures;
    this.nClusters = args.nClusters;
    this.labels = args.labels;
    this.linkage = args.linkage;
    this.centroids = args.centroids;
    this.approximate = args.approximate;
    this.microCentroids = args.microCentroids;
    this.microToCluster = args.microToCluster;
  }

  /** Merge heights in order (column 2 of the linkage). */
  get heights(): Float64Array {
    const m = this.linkage.length / 4;
    const h = new Float64Array(m);
    for (let i = 0; i < m; i++) h[i] = this.linkage[4 * i + 2];
    return h;
  }

  /**
   * Labels new rows: exact path, the nearest flat-cluster centroid; approximate path, the
   * cluster of the nearest micro-cluster centroid.
   */
  predict(X: MatrixLike): Int32Array {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    }
    const d = m.cols;
    const centres = this.microCentroids ?? Float64Array.from(this.centroids.flat());
    const nc = centres.length / d;
    const nearest = nearestCentres(m, centres, nc);
    if (this.microToCluster) for (let i = 0; i < nearest.length; i++) nearest[i] = this.microToCluster[nearest[i]];
    return nearest;
  }

  toJSON(): AgglomerativeJSON {
    const d = this.nFeatures;
    return {
      type: 'segmint.agglomerative',
      version: 1,
      method: this.method,
      nFeatures: d,
      nClusters: this.nClusters,
      labels: Array.from(this.labels),
      linkage: Array.from(this.linkage),
      centroids: this.centroids,
      approximate:
        this.approximate && this.microCentroids && this.microToCluster
          ? {
              microClusters: this.approximate.microClusters,
              reduction: this.approximate.reduction,
              microLabels: Array.from(this.approximate.microLabels),
              microCentroids: rowsOf(this.microCentroids, this.microCentroids.length / d, d),
              microToCluster: Array.from(this.microToCluster),
            }
          : null,
    };
  }

  /** Rebuilds a model from toJSON() output (or its string); predictions are identical. */
  static fromJSON(json: AgglomerativeJSON | string): AgglomerativeModel {
    const j: AgglomerativeJSON = typeof json === 'string' ? JSON.parse(json) : json;
    if (j?.type !== 'segmint.agglomerative' || j.version !== 1) {
      throw new InvalidParameterError('json', "is not a segmint agglomerative model (expected type 'segmint.agglomerative', version 1)");
    }
    const method = enumOption('json.method', j.method, LINKAGES);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    const nClusters = integerOption('json.nClusters', j.nClusters, 1);
    if (!Array.isArray(j.centroids) || j.centroids.length !== nClusters) {
      throw new InvalidParameterError('json.centroids', `must hold nClusters = ${nClusters} rows`);
    }
    const centroids = j.centroids.map((row) => Array.from(toMatrix([row], 'json.centroids').data));
    if (centroids.some((row) => row.length !== d)) throw new InvalidParameterError('json.centroids', `rows must have ${d} values`);
    let approximate: ApproximateInfo | null = null;
    let microCentroids: Float64Array | null = null;
    let microToCluster: Int32Array | null = null;
    if (j.approximate) {
      const a = j.approximate;
      const mc = toMatrix(a.microCentroids, 'json.approximate.microCentroids');
      if (mc.cols !== d) throw new InvalidParameterError('json.approximate.microCentroids', `rows must have ${d} values`);
      if (!Array.isArray(a.microToCluster) || a.microToCluster.length !== mc.rows) {
        throw new InvalidParameterError('json.approximate.microToCluster', `must hold one cluster per micro-cluster (${mc.rows})`);
      }
      microToCluster = Int32Array.from(a.microToCluster, (c, i) => integerOption(`json.approximate.microToCluster[${i}]`, c, 0, nClusters - 1));
      microCentroids = mc.data;
      approximate = { microClusters: mc.rows, reduction: a.reduction, microLabels: Int32Array.from(a.microLabels ?? []) };
    }
    return new AgglomerativeModel({
      method,
      nFeatures: d,
      nClusters,
      labels: Int32Array.from(j.labels ?? []),
      linkage: Float64Array.from(j.linkage ?? []),
      centroids,
      approximate,
      microCentroids,
      microToCluster,
    });
  }
}

export type AgglomerativeResult = AgglomerativeModel;

function rowsOf(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from({ length: cols }, (_, j) => data[i * cols + j]));
  return out;
}

interface Resolved {
  k: number | undefined;
  distanceThreshold: number | undefined;
  linkage: LinkageMethod;
  maxExactRows: number;
  microClusters: number;
  seed: number;
}

function resolveOptions(options: AgglomerativeOptions | undefined, n: number): Resolved {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidParameterError('options', 'agglomerative(X, options) takes an options object with k or distanceThreshold');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'agglomerative');
  const o = withDefaults(defaultAgglomerativeOptions, options);
  const hasK = o.k !== undefined;
  const hasThreshold = o.distanceThreshold !== undefined;
  if (hasK === hasThreshold) {
    throw new InvalidParameterError(
      hasK ? 'distanceThreshold' : 'k',
      hasK ? 'cannot be given together with k; pass exactly one of them' : 'or distanceThreshold is required (exactly one of them)',
    );
  }
  const linkage = enumOption('linkage', o.linkage, LINKAGES);
  const k = hasK ? integerOption('k', o.k, 1, n) : undefined;
  const distanceThreshold = hasThreshold ? numberOption('distanceThreshold', o.distanceThreshold, (v) => v >= 0, 'a finite number >= 0') : undefined;
  const maxExactRows = o.maxExactRows === undefined ? DEFAULT_MAX_EXACT_ROWS[linkage] : integerOption('maxExactRows', o.maxExactRows, 1);
  const microClusters = integerOption('microClusters', o.microClusters, 2, 100_000);
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  return { k, distanceThreshold, linkage, maxExactRows, microClusters, seed };
}

/**
 * Sorts SciPy's raw NN-chain / MST rows by height (stable, as its mergesort) and
 * relabels them with a union-find: a < b are the current cluster ids, size the rows
 * (leaf weights) under the new cluster n + i. In place.
 */
export function sortAndRelabel(Z: Float64Array, leaves: number, leafSizes?: ArrayLike<number>): Float64Array {
  const merges = leaves - 1;
  const order = Array.from({ length: merges }, (_, i) => i);
  order.sort((a, b) => Z[4 * a + 2] - Z[4 * b + 2] || a - b);
  const sorted = new Float64Array(merges * 4);
  order.forEach((src, i) => sorted.set(Z.subarray(4 * src, 4 * src + 4), 4 * i));
  const parent = new Int32Array(2 * leaves - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const size = new Float64Array(2 * leaves - 1);
  for (let i = 0; i < leaves; i++) size[i] = leafSizes ? leafSizes[i] : 1;
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root];
    while (parent[x] !== root) {
      const next = parent[x];
      parent[x] = root;
      x = next;
    }
    return root;
  };
  for (let i = 0; i < merges; i++) {
    const x = find(sorted[4 * i]);
    const y = find(sorted[4 * i + 1]);
    const next = leaves + i;
    sorted[4 * i] = Math.min(x, y);
    sorted[4 * i + 1] = Math.max(x, y);
    parent[x] = parent[y] = next;
    size[next] = size[x] + size[y];
    sorted[4 * i + 3] = size[next];
  }
  return sorted;
}

/** Leaf labels after applying the first `merges` rows of a sorted linkage, numbered by first appearance. */
export function applyMerges(Z: Float64Array, leaves: number, merges: number): Int32Array {
  const parent = new Int32Array(2 * leaves - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  for (let i = 0; i < merges; i++) parent[Z[4 * i]] = parent[Z[4 * i + 1]] = leaves + i;
  const rootLabel = new Map<number, number>();
  const labels = new Int32Array(leaves);
  for (let i = 0; i < leaves; i++) {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    parent[i] = r; // later leaves under the same merge reach the root sooner
    let l = rootLabel.get(r);
    if (l === undefined) {
      l = rootLabel.size;
      rootLabel.set(r, l);
    }
    labels[i] = l;
  }
  return labels;
}

/** How many merges of a sorted linkage a k or a distance threshold keeps. */
function mergesToApply(Z: Float64Array, leaves: number, cut: { k?: number; distanceThreshold?: number }): number {
  if (cut.k !== undefined) return leaves - cut.k;
  let m = 0;
  while (m < leaves - 1 && Z[4 * m + 2] < cut.distanceThreshold!) m++;
  return m;
}

/** Runs the kernel of `method` on `leaves` rows (weighted by sizes) and returns SciPy's sorted linkage. */
function linkLeaves(method: LinkageMethod, data: Float64Array, leaves: number, d: number, sizes?: Float64Array): Float64Array {
  if (leaves === 1) return new Float64Array(0);
  const kern = kernels();
  const e = kern.exports as unknown as LinkageKernels;
  const ws = kern.workspace();
  const Z = ws.f64((leaves - 1) * 4);
  const X = ws.f64(leaves * d);
  if (method === 'ward') {
    const cap = (leaves + 3) & ~3;
    const S = ws.f64(cap);
    const slots = ws.i32(leaves);
    const CT = ws.f64(d * cap);
    const xbuf = ws.f64(d);
    const chain = ws.i32(leaves);
    const newPos = ws.i32(leaves);
    ws.commit();
    ws.write(X, data);
    if (sizes) ws.viewF64(S).set(sizes);
    else ws.viewF64(S).fill(1, 0, leaves);
    const s = ws.viewI32(slots);
    for (let i = 0; i < leaves; i++) s[i] = i;
    e.wardNNChain(X.ptr, S.ptr, slots.ptr, leaves, d, CT.ptr, xbuf.ptr, chain.ptr, newPos.ptr, Z.ptr);
  } else if (method === 'single') {
    const slots = ws.i32(leaves);
    const nearest = ws.f64(leaves);
    ws.commit();
    ws.write(X, data);
    const s = ws.viewI32(slots);
    for (let i = 0; i < leaves; i++) s[i] = i;
    e.singlePrim(X.ptr, slots.ptr, leaves, d, nearest.ptr, Z.ptr);
  } else {
    const D = ws.f64((leaves * (leaves - 1)) / 2);
    const S = ws.f64(leaves);
    const chain = ws.i32(leaves);
    ws.commit();
    ws.write(X, data);
    if (sizes) ws.write(S, sizes);
    else ws.viewF64(S).fill(1);
    e.condensedDistances(X.ptr, leaves, d, D.ptr);
    e.matrixNNChain(D.ptr, leaves, MATRIX_METHOD[method], S.ptr, chain.ptr, Z.ptr);
  }
  const raw = ws.viewF64(Z).slice();
  return sortAndRelabel(raw, leaves, sizes);
}

/** Up to `limit` distinct rows with their counts, or null when there are more. */
function distinctRows(m: Matrix, limit: number): { rows: Float64Array; counts: Float64Array; index: Int32Array } | null {
  const { data, rows: n, cols: d } = m;
  const seen = new Map<string, number>();
  const index = new Int32Array(n);
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = Array.prototype.join.call(data.subarray(i * d, (i + 1) * d), ',');
    let id = seen.get(key);
    if (id === undefined) {
      if (seen.size === limit) return null;
      id = seen.size;
      seen.set(key, id);
      counts.push(0);
    }
    counts[id]++;
    index[i] = id;
  }
  const out = new Float64Array(seen.size * d);
  const filled = new Uint8Array(seen.size);
  for (let i = 0; i < n; i++) {
    if (filled[index[i]]) continue;
    filled[index[i]] = 1;
    out.set(data.subarray(i * d, (i + 1) * d), index[i] * d);
  }
  return { rows: out, counts: Float64Array.from(counts), index };
}

/** Rows of the K-Means sample per micro-cluster (see microCluster). */
export const MICRO_SAMPLE_FACTOR = 20;

/** Micro-clusters of the approximate path: distinct rows when few enough, else K-Means. */
function microCluster(
  m: Matrix,
  count: number,
  seed: number,
): { centres: Float64Array; sizes: Float64Array; labels: Int32Array; reduction: 'kmeans' | 'distinct' } {
  const distinct = distinctRows(m, count);
  if (distinct) return { centres: distinct.rows, sizes: distinct.counts, labels: distinct.index, reduction: 'distinct' };
  // Random seeding and few iterations: micro-clusters only need to be small and tight,
  // and k-means++ at a few thousand centres costs more than the linkage itself. Above
  // MICRO_SAMPLE_FACTOR rows per micro-cluster the centres are fitted on a seeded sample
  // and every row is then assigned once (100k rows, 2048 centres: about 0.6 s instead of
  // 3 s); the centres are then recomputed as the means of all their rows, so the linkage
  // sees exact centroids and sizes.
  const n = m.rows;
  const d = m.cols;
  let fitOn: Matrix = m;
  if (n > MICRO_SAMPLE_FACTOR * count) {
    const size = MICRO_SAMPLE_FACTOR * count;
    // Draw order, not sorted: the sample's row order is part of what the seed fixes.
    const picked = sampleIndices(n, size, new Random(seed));
    const sample = new Float64Array(size * d);
    for (let s = 0; s < size; s++) sample.set(m.data.subarray(picked[s] * d, (picked[s] + 1) * d), s * d);
    fitOn = { data: sample, rows: size, cols: d };
  }
  // The sample (or data with large groups of equal rows) may hold fewer distinct rows than
  // micro-clusters wanted: ask K-Means for no more than it has, never surfacing an
  // internal k to the caller.
  const available = countDistinctRows(fitOn, count);
  const km = fitKMeans(fitOn, { k: Math.min(count, available), init: 'random', nInit: 1, maxIter: fitOn === m ? 20 : 10, seed });
  const assigned = fitOn === m ? km.labels : km.predictMatrix(m);
  const { means, counts: sizes } = groupMeans(m, assigned, count);
  // Drop empty micro-clusters (K-Means relocates them, but a row can only be in one).
  const keep = new Int32Array(count).fill(-1);
  let kept = 0;
  for (let c = 0; c < count; c++) if (sizes[c] > 0) keep[c] = kept++;
  const centres = new Float64Array(kept * d);
  const keptSizes = new Float64Array(kept);
  for (let c = 0; c < count; c++) {
    if (keep[c] < 0) continue;
    centres.set(means.subarray(c * d, (c + 1) * d), keep[c] * d);
    keptSizes[keep[c]] = sizes[c];
  }
  const labels = Int32Array.from(assigned, (c) => keep[c]);
  return { centres, sizes: keptSizes, labels, reduction: 'kmeans' };
}

/** Means of the rows of each label, as number[][]. */
function clusterMeans(m: Matrix, labels: Int32Array, k: number): number[][] {
  return rowsOf(groupMeans(m, labels, k).means, k, m.cols);
}

/**
 * Hierarchical clustering of the rows of X. Synchronous; in a browser's main thread call
 * `await init()` once first.
 */
export function agglomerative(X: MatrixLike, options?: AgglomerativeOptions): AgglomerativeModel {
  const m = toMatrix(X);
  const { rows: n, cols: d } = m;
  const opts = resolveOptions(options, n);
  const cut = { k: opts.k, distanceThreshold: opts.distanceThreshold };
  // Ward's centroid arithmetic is more accurate near the origin; distances alone are
  // computed on the raw rows, as SciPy's pdist does.
  const prepared = (data: Float64Array, rows: number): Float64Array => {
    if (opts.linkage !== 'ward') return data;
    const copy = { data: Float64Array.from(data), rows, cols: d };
    subtractRow(copy, columnMeans(copy));
    return copy.data;
  };

  if (n <= opts.maxExactRows) {
    const linkage = linkLeaves(opts.linkage, prepared(m.data, n), n, d);
    const merges = mergesToApply(linkage, n, cut);
    const labels = applyMerges(linkage, n, merges);
    const nClusters = n - merges;
    return new AgglomerativeModel({
      method: opts.linkage,
      nFeatures: d,
      nClusters,
      labels,
      linkage,
      centroids: clusterMeans(m, labels, nClusters),
      approximate: null,
      microCentroids: null,
      microToCluster: null,
    });
  }

  const micro = microCluster(m, Math.min(opts.microClusters, n), opts.seed);
  const leaves = micro.sizes.length;
  if (opts.k !== undefined && opts.k > leaves) {
    throw new InvalidParameterError(
      'k',
      `is ${opts.k} but the ${n} rows were reduced to ${leaves} micro-clusters (above maxExactRows = ${opts.maxExactRows}); ask for at most ${leaves} clusters or raise microClusters`,
    );
  }
  const linkage = linkLeaves(opts.linkage, prepared(micro.centres, leaves), leaves, d, micro.sizes);
  const merges = mergesToApply(linkage, leaves, cut);
  const microToCluster = applyMerges(linkage, leaves, merges);
  const nClusters = leaves - merges;
  // Renumber by first appearance among the rows, as the exact path does.
  const rename = new Int32Array(nClusters).fill(-1);
  let next = 0;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = microToCluster[micro.labels[i]];
    if (rename[c] < 0) rename[c] = next++;
    labels[i] = rename[c];
  }
  for (let c = 0; c < leaves; c++) microToCluster[c] = rename[microToCluster[c]];
  return new AgglomerativeModel({
    method: opts.linkage,
    nFeatures: d,
    nClusters,
    labels,
    linkage,
    centroids: clusterMeans(m, labels, nClusters),
    approximate: { microClusters: leaves, microLabels: micro.labels, reduction: micro.reduction },
    microCentroids: micro.centres,
    microToCluster,
  });
}
