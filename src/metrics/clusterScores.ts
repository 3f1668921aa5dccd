/**
 * Davies-Bouldin and Calinski-Harabasz scores, scikit-learn's definitions. Both need
 * only per-cluster centroids and distances to them (one O(n*d) kernel pass each).
 * Noise (negative labels) is left out, as if those rows were not in X (see labels.ts).
 *
 * - Davies-Bouldin (lower is better): mean over clusters of
 *   max_{j != i} (s_i + s_j) / ||c_i - c_j||, s_i the mean distance of cluster i's rows
 *   to its centroid. 0 when every s_i or every centroid distance is ~0 (numpy allclose).
 * - Calinski-Harabasz (higher is better): between-cluster over within-cluster
 *   dispersion, times (n - k) / (k - 1); 1 when the within-cluster dispersion is 0.
 */
import { toMatrixView, type Matrix, type MatrixLike } from '../matrix';
import { kernels } from '../wasm/index';
import { checkClusterCount, type CompactLabels, compactLabels } from './labels';

/** Per-cluster centroids, counts and distance sums: all Davies-Bouldin and Calinski-Harabasz need. */
export interface ClusterStatistics {
  n: number;
  d: number;
  k: number;
  /** k x d centroids, row-major. */
  means: Float64Array;
  counts: Float64Array;
  /** Per cluster: sum of distances, and of squared distances, to the centroid. */
  distanceSums: Float64Array;
  squaredSums: Float64Array;
  /** Mean of all the rows. */
  overallMean: Float64Array;
}

/** Rows per call of the statistics kernels. */
const STATISTICS_BLOCK = 16_384;

/** The kernels' steps for the block of `rows` rows from r0 of n: PASS_START (1) on the first, PASS_FINISH (2) on the last. */
function passSteps(r0: number, rows: number, n: number): number {
  return (r0 === 0 ? 1 : 0) | (r0 + rows >= n ? 2 : 0);
}

/** Centroids and distances to them of labelled rows (codes 0..k-1; rows null = all rows of data). */
export function clusterStatistics(data: Float64Array, d: number, rows: Int32Array | null, codes: Int32Array, k: number): ClusterStatistics {
  const n = codes.length;
  const kern = kernels();
  const e = kern.exports;
  const ws = kern.workspace();
  const rX = ws.f64(n * d);
  const rLabels = ws.i32(n);
  const rMeans = ws.f64(k * d);
  const rCounts = ws.f64(k);
  const rDist = ws.f64(k);
  const rSq = ws.f64(k);
  ws.commit();
  if (rows === null) {
    ws.write(rX, data);
  } else {
    const X = ws.viewF64(rX);
    for (let p = 0; p < n; p++) X.set(data.subarray(rows[p] * d, rows[p] * d + d), p * d);
  }
  ws.write(rLabels, codes);
  // In calls of a block of rows: one call over a million rows runs on V8's baseline
  // WebAssembly code throughout; the kernels go on in row order (the one call's sums).
  for (let r0 = 0; r0 === 0 || r0 < n; r0 += STATISTICS_BLOCK) {
    const rows = Math.min(STATISTICS_BLOCK, n - r0);
    e.clusterMeans(rX.ptr + r0 * d * 8, rows, d, rLabels.ptr + r0 * 4, k, rMeans.ptr, rCounts.ptr, passSteps(r0, rows, n));
  }
  for (let r0 = 0; r0 === 0 || r0 < n; r0 += STATISTICS_BLOCK) {
    const rows = Math.min(STATISTICS_BLOCK, n - r0);
    e.centroidDistanceSums(rX.ptr + r0 * d * 8, rows, d, rLabels.ptr + r0 * 4, k, rMeans.ptr, rDist.ptr, rSq.ptr, passSteps(r0, rows, n));
  }
  const means = ws.viewF64(rMeans).slice();
  const counts = ws.viewF64(rCounts).slice();
  // The overall mean from the centroids: the same weighted sum, without another pass.
  const overallMean = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let f = 0; f < d; f++) overallMean[f] += counts[c] * means[c * d + f];
  for (let f = 0; f < d; f++) overallMean[f] /= n;
  return {
    n,
    d,
    k,
    means,
    counts,
    distanceSums: ws.viewF64(rDist).slice(),
    squaredSums: ws.viewF64(rSq).slice(),
    overallMean,
  };
}

/** numpy.allclose(values, 0): every |v| <= 1e-8. */
function allNearZero(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > 1e-8) return false;
  return true;
}

/** Davies-Bouldin from cluster statistics (chooseK scores many labellings of one X this way). */
export function daviesBouldinFromStatistics(s: ClusterStatistics): number {
  const { k, d, means, counts } = s;
  const spread = new Float64Array(k);
  for (let c = 0; c < k; c++) spread[c] = s.distanceSums[c] / counts[c];
  const separation = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let sq = 0;
      for (let f = 0; f < d; f++) {
        const diff = means[a * d + f] - means[b * d + f];
        sq += diff * diff;
      }
      separation[a * k + b] = Math.sqrt(sq);
    }
  }
  if (allNearZero(spread) || allNearZero(separation)) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      const sep = separation[a * k + b];
      // Coincident centroids count as infinitely far apart (scikit-learn's rule), not as a division by 0.
      const ratio = sep === 0 ? 0 : (spread[a] + spread[b]) / sep;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / k;
}

/** Calinski-Harabasz from cluster statistics. */
export function calinskiHarabaszFromStatistics(s: ClusterStatistics): number {
  const { n, k, d, means, counts, overallMean } = s;
  let within = 0;
  for (let c = 0; c < k; c++) within += s.squaredSums[c];
  if (within === 0) return 1;
  let between = 0;
  for (let c = 0; c < k; c++) {
    let sq = 0;
    for (let f = 0; f < d; f++) {
      const diff = means[c * d + f] - overallMean[f];
      sq += diff * diff;
    }
    between += counts[c] * sq;
  }
  return (between * (n - k)) / (within * (k - 1));
}

function statisticsOf(m: Matrix, labels: ArrayLike<number>, fn: string, compact?: CompactLabels): ClusterStatistics {
  const lab = compact ?? compactLabels(labels, m.rows);
  checkClusterCount(lab.k, lab.rows.length, fn);
  return clusterStatistics(m.data, m.cols, lab.nNoise === 0 ? null : lab.rows, lab.codes, lab.k);
}

/** Both indices from one pass of cluster statistics (segment() reports both); compact as silhouetteOfMatrix's. */
export function clusterIndicesOfMatrix(m: Matrix, labels: ArrayLike<number>, compact?: CompactLabels): { daviesBouldin: number; calinskiHarabasz: number } {
  const stats = statisticsOf(m, labels, 'daviesBouldinScore', compact);
  return { daviesBouldin: daviesBouldinFromStatistics(stats), calinskiHarabasz: calinskiHarabaszFromStatistics(stats) };
}

/** Davies-Bouldin index (lower is better; 0 is the minimum). Noise rows (negative labels) are left out. */
export function daviesBouldinScore(X: MatrixLike, labels: ArrayLike<number>): number {
  return daviesBouldinFromStatistics(statisticsOf(toMatrixView(X), labels, 'daviesBouldinScore'));
}

/** daviesBouldinScore() on a validated matrix (toMatrix's output), which it reads without copying. */
export function daviesBouldinOfMatrix(m: Matrix, labels: ArrayLike<number>): number {
  return daviesBouldinFromStatistics(statisticsOf(m, labels, 'daviesBouldinScore'));
}

/** Calinski-Harabasz index (variance ratio; higher is better). Noise rows (negative labels) are left out. */
export function calinskiHarabaszScore(X: MatrixLike, labels: ArrayLike<number>): number {
  return calinskiHarabaszFromStatistics(statisticsOf(toMatrixView(X), labels, 'calinskiHarabaszScore'));
}

/** calinskiHarabaszScore() on a validated matrix (toMatrix's output), which it reads without copying. */
export function calinskiHarabaszOfMatrix(m: Matrix, labels: ArrayLike<number>): number {
  return calinskiHarabaszFromStatistics(statisticsOf(m, labels, 'calinskiHarabaszScore'));
}
