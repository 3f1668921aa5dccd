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
import { columnMeans, countDistinctRows, groupMeans, subtractRow, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random, sampleIndices } from '../random';
import type { Clusterer } from './clusterer';
import { applyMerges, linkLeaves, mergesToApply } from './agglomerativeLinkage';
import { AgglomerativeModel, LINKAGES, type LinkageMethod, rowsOf } from './agglomerativeModel';
import { fitKMeans } from './kmeans';

/** SciPy linkage helpers, re-exported where tests and callers have always imported them. */
export { applyMerges, sortAndRelabel } from './agglomerativeLinkage';
/** The model and its types, re-exported so './cluster/agglomerative' stays the one import path. */
export { AgglomerativeModel, type AgglomerativeJSON, type AgglomerativeResult, type ApproximateInfo, type LinkageMethod } from './agglomerativeModel';

/** Options of agglomerative(): exactly one of k and distanceThreshold, the rest defaulted. */
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

/** Defaults of agglomerative()'s options. */
export const defaultAgglomerativeOptions = {
  linkage: 'ward' as LinkageMethod,
  microClusters: 2048,
  seed: 0,
};

const OPTION_NAMES = ['k', 'distanceThreshold', 'linkage', 'maxExactRows', 'microClusters', 'seed'] as const;
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
  return fitAgglomerative(toMatrix(X), options);
}

/** agglomerative() on a matrix the caller validated (toMatrix): read, never copied or modified. */
export function fitAgglomerative(m: Matrix, options?: AgglomerativeOptions): AgglomerativeModel {
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

  // The approximate path adds its micro-clusters; the exact one has none.
  const model = (linkage: Float64Array, labels: Int32Array, nClusters: number, micro?: ReturnType<typeof microCluster>, microToCluster?: Int32Array) =>
    new AgglomerativeModel({
      method: opts.linkage,
      nFeatures: d,
      nClusters,
      labels,
      linkage,
      centroids: clusterMeans(m, labels, nClusters),
      approximate: micro ? { microClusters: micro.sizes.length, microLabels: micro.labels, reduction: micro.reduction } : null,
      microCentroids: micro ? micro.centres : null,
      microToCluster: microToCluster ?? null,
    });

  if (n <= opts.maxExactRows) {
    const linkage = linkLeaves(opts.linkage, prepared(m.data, n), n, d);
    const merges = mergesToApply(linkage, n, cut);
    return model(linkage, applyMerges(linkage, n, merges), n - merges);
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
  return model(linkage, labels, nClusters, micro, microToCluster);
}

/** Agglomerative clustering in the registry (also under its service name, 'hierarchical'). */
export const agglomerativeClusterer: Clusterer<AgglomerativeOptions | undefined, AgglomerativeModel> = {
  name: 'agglomerative',
  modelType: 'segmint.agglomerative',
  takesK: true,
  parameters: OPTION_NAMES,
  fit: fitAgglomerative,
  fromJSON: (json) => AgglomerativeModel.fromJSON(json as never),
};
