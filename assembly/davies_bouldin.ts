// Per-cluster statistics behind the Davies-Bouldin and Calinski-Harabasz scores: both
// are O(n*d) passes, centroids first, then each point's distance to its centroid.

import { sqdistRows } from './distance';

/** steps of a pass split over calls: the first call zeroes the outputs, the last finishes them. */
export const PASS_START: i32 = 1;
export const PASS_FINISH: i32 = 2;

/**
 * Writes each cluster's centroid (mean of its rows) and size; labels must be in 0..k-1.
 * A pass may be split over calls on consecutive blocks of rows (steps: PASS_START on the
 * first, PASS_FINISH on the last, both for one call): the sums go on in row order, so
 * the result is the one call's, and V8 optimises the kernel after the first block (one
 * long call runs on its baseline code throughout).
 */
export function clusterMeans(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  labels: usize, // IN i32[n]
  k: i32,
  means: usize, // INOUT f64[k*d]
  counts: usize, // INOUT f64[k]
  steps: i32,
): void {
  const rowBytes = <usize>d << 3;
  if (steps & PASS_START) {
    memory.fill(means, 0, <usize>k * rowBytes);
    memory.fill(counts, 0, <usize>k << 3);
  }
  for (let i = 0; i < n; i++) {
    const label = load<i32>(labels + (<usize>i << 2));
    const x = X + <usize>i * rowBytes;
    const s = means + <usize>label * rowBytes;
    // Element-wise sums: the SIMD lanes and the scalar loop add the same numbers in the same order.
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < d; j += 2) {
        const off = <usize>j << 3;
        v128.store(s + off, f64x2.add(v128.load(s + off), v128.load(x + off)));
      }
    }
    for (; j < d; j++) {
      const off = <usize>j << 3;
      store<f64>(s + off, load<f64>(s + off) + load<f64>(x + off));
    }
    const cp = counts + (<usize>label << 3);
    store<f64>(cp, load<f64>(cp) + 1.0);
  }
  if (!(steps & PASS_FINISH)) return;
  for (let c = 0; c < k; c++) {
    const cnt = load<f64>(counts + (<usize>c << 3));
    if (cnt == 0) continue;
    const s = means + <usize>c * rowBytes;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      store<f64>(s + off, load<f64>(s + off) / cnt);
    }
  }
}

/**
 * Per cluster, the sum of its rows' distances to its centroid (Davies-Bouldin's
 * intra-cluster spread) and of their squared distances (Calinski-Harabasz's dispersion).
 * Split over calls as clusterMeans (steps: PASS_START zeroes the sums).
 */
export function centroidDistanceSums(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  labels: usize, // IN i32[n]
  k: i32,
  means: usize, // IN f64[k*d] from clusterMeans
  distanceSums: usize, // INOUT f64[k]
  squaredSums: usize, // INOUT f64[k]
  steps: i32,
): void {
  const rowBytes = <usize>d << 3;
  if (steps & PASS_START) {
    memory.fill(distanceSums, 0, <usize>k << 3);
    memory.fill(squaredSums, 0, <usize>k << 3);
  }
  for (let i = 0; i < n; i++) {
    const label = load<i32>(labels + (<usize>i << 2));
    const dd = sqdistRows(X + <usize>i * rowBytes, means + <usize>label * rowBytes, d);
    const off = <usize>label << 3;
    store<f64>(distanceSums + off, load<f64>(distanceSums + off) + Math.sqrt(dd));
    store<f64>(squaredSums + off, load<f64>(squaredSums + off) + dd);
  }
}
