/**
 * Agglomerative clustering of mixed numeric and categorical rows on Gower distance
 * (src/metrics/gower.ts), exact, with SciPy's linkage format and flat cuts as
 * agglomerative() (agglomerativeLinkage.ts):
 * - average, complete: the condensed Gower matrix (n^2/2 doubles in WASM memory) and the
 *   NN-chain kernel that agglomerative() uses on Euclidean distances (assembly/linkage.ts);
 * - single: Prim's minimum spanning tree with Gower distances computed on the fly, O(n)
 *   memory.
 * Ward is not defined here: its merge cost is a change in within-cluster variance, which
 * needs a Euclidean space with centroids; Gower distance has neither.
 *
 * The size limits are agglomerative()'s exact limits for the same linkage
 * (DEFAULT_MAX_EXACT_ROWS: 5,000 for average and complete, 20,000 for single); above
 * them this refuses (there is no Gower micro-clustering yet) and the service says so.
 */
import { InvalidParameterError } from '../errors';
import type { Matrix } from '../matrix';
import { gowerCondensed, gowerPair, gowerSpace, gowerToPrototype, type GowerSpace } from '../metrics/gower';
import { kernels } from '../wasm/index';
import { LINKAGE_AVERAGE, LINKAGE_COMPLETE } from '../wasm/layout';
import { DEFAULT_MAX_EXACT_ROWS } from './agglomerative';
import { applyMerges, mergesToApply, sortAndRelabel } from './agglomerativeLinkage';

/** The linkages defined on Gower distance. */
export type GowerLinkage = 'average' | 'complete' | 'single';
/** Every linkage gowerAgglomerative() takes. */
export const GOWER_LINKAGES: readonly GowerLinkage[] = ['average', 'complete', 'single'];

/** Options of gowerAgglomerative(). */
export interface GowerAgglomerativeOptions {
  k: number;
  linkage: GowerLinkage;
  /** Matrix columns holding category codes; the rest are numeric. */
  categoricalColumns: readonly number[];
  /** 1 / range of each numeric column (default: from these rows). */
  invRange?: Float64Array;
}

/** Labels (0..k-1, by first appearance) and SciPy's linkage matrix. */
export interface GowerAgglomerativeResult {
  labels: Int32Array;
  linkage: Float64Array;
  nClusters: number;
}

/** The largest number of rows gowerAgglomerative() links for a linkage. */
export function gowerMaxExactRows(linkage: GowerLinkage): number {
  return DEFAULT_MAX_EXACT_ROWS[linkage];
}

/** Hierarchical clustering of a combined matrix on Gower distance, cut into exactly k clusters. */
export function gowerAgglomerative(X: Matrix, options: GowerAgglomerativeOptions): GowerAgglomerativeResult {
  const n = X.rows;
  const { linkage } = options;
  if (!(GOWER_LINKAGES as readonly string[]).includes(linkage)) {
    throw new InvalidParameterError(
      'linkage',
      `must be one of 'average', 'complete', 'single' on Gower distance (ward needs Euclidean centroids), got ${JSON.stringify(linkage)}`,
    );
  }
  if (!Number.isInteger(options.k) || options.k < 1 || options.k > n)
    throw new InvalidParameterError('k', `must be an integer from 1 to ${n}, got ${options.k}`);
  const limit = gowerMaxExactRows(linkage);
  if (n > limit) {
    throw new InvalidParameterError('maxExactRows', `Gower linkage '${linkage}' is exact up to ${limit} rows, got ${n}`);
  }
  const space = gowerSpace(X, options.categoricalColumns, options.invRange);
  const raw = linkage === 'single' ? primSingle(space) : condensedNNChain(space, linkage);
  const Z = sortAndRelabel(raw, n);
  const merges = mergesToApply(Z, n, { k: options.k });
  return { labels: applyMerges(Z, n, merges), linkage: Z, nClusters: n - merges };
}

/** Unsorted merges [a, b, height, 0] of the minimum spanning tree (Prim, from row 0). */
function primSingle(s: GowerSpace): Float64Array {
  const n = s.n;
  const Z = new Float64Array(Math.max(0, n - 1) * 4);
  const nearest = new Float64Array(n).fill(Infinity);
  const from = new Int32Array(n);
  const inTree = new Uint8Array(n);
  let x = 0;
  for (let step = 0; step < n - 1; step++) {
    inTree[x] = 1;
    let best = Infinity;
    let y = -1;
    for (let i = 0; i < n; i++) {
      if (inTree[i]) continue;
      const d = gowerPair(s, x, i);
      if (d < nearest[i]) {
        nearest[i] = d;
        from[i] = x;
      }
      if (nearest[i] < best) {
        best = nearest[i];
        y = i;
      }
    }
    Z[4 * step] = from[y];
    Z[4 * step + 1] = y;
    Z[4 * step + 2] = best;
    x = y;
  }
  return Z;
}

/** Unsorted merges of the NN-chain kernel over the condensed Gower matrix. */
function condensedNNChain(s: GowerSpace, linkage: 'average' | 'complete'): Float64Array {
  const n = s.n;
  if (n < 2) return new Float64Array(0);
  const kern = kernels();
  const e = kern.exports;
  const ws = kern.workspace();
  const Z = ws.f64((n - 1) * 4);
  const D = ws.f64((n * (n - 1)) / 2);
  const S = ws.f64(n);
  const chain = ws.i32(n);
  ws.commit();
  gowerCondensed(s, ws.viewF64(D));
  ws.viewF64(S).fill(1);
  e.matrixNNChain(D.ptr, n, linkage === 'average' ? LINKAGE_AVERAGE : LINKAGE_COMPLETE, S.ptr, chain.ptr, Z.ptr);
  return ws.viewF64(Z).slice();
}

/** Each cluster's prototype on Gower terms: numeric means and categorical modes (ties to the lowest code). */
export function gowerPrototypes(X: Matrix, categoricalColumns: readonly number[], labels: Int32Array, k: number): { numeric: number[][]; modes: number[][] } {
  const cols = X.cols;
  const isCat = new Uint8Array(cols);
  for (const c of categoricalColumns) isCat[c] = 1;
  const numCols: number[] = [];
  for (let c = 0; c < cols; c++) if (!isCat[c]) numCols.push(c);
  const sums = Array.from({ length: k }, () => new Float64Array(numCols.length));
  const sizes = new Float64Array(k);
  const counts = Array.from({ length: k }, () => categoricalColumns.map(() => new Map<number, number>()));
  for (let i = 0; i < X.rows; i++) {
    const l = labels[i];
    if (l < 0 || l >= k) continue;
    sizes[l]++;
    numCols.forEach((c, f) => {
      sums[l][f] += X.data[i * cols + c];
    });
    categoricalColumns.forEach((c, t) => {
      const code = X.data[i * cols + c];
      counts[l][t].set(code, (counts[l][t].get(code) ?? 0) + 1);
    });
  }
  const numeric = sums.map((s, l) => Array.from(s, (v) => (sizes[l] > 0 ? v / sizes[l] : 0)));
  const modes = counts.map((perFeature) =>
    perFeature.map((m) => {
      let best = Number.NaN;
      let bestCount = -1;
      for (const [code, count] of m) if (count > bestCount || (count === bestCount && code < best)) [best, bestCount] = [code, count];
      return bestCount < 0 ? -1 : best;
    }),
  );
  return { numeric, modes };
}

/** Nearest prototype by Gower distance (the lower label on a tie), for new rows in the fitted layout. */
export function nearestGowerPrototype(
  X: Matrix,
  categoricalColumns: readonly number[],
  invRange: ArrayLike<number>,
  prototypes: { numeric: number[][]; modes: number[][] },
): Int32Array {
  const space = gowerSpace(X, categoricalColumns, Float64Array.from(invRange));
  const labels = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let best = Infinity;
    for (let c = 0; c < prototypes.numeric.length; c++) {
      const d = gowerToPrototype(space, i, prototypes.numeric[c], prototypes.modes[c]);
      if (d < best) {
        best = d;
        labels[i] = c;
      }
    }
  }
  return labels;
}
