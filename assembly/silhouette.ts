// Silhouette: for every point, the sum of its distances to the points of each cluster,
// in one pass over the pairs i < j. The host sorts the points by cluster, so each
// cluster is a contiguous range of j and point i's sum for that cluster stays in a
// register; the symmetric term (j's distance to i's cluster) is added to sums[ci][j],
// which is contiguous in j because sums is stored cluster-major (k x n).
//
// The points are stored feature-major (d x n) so that two consecutive points j, j+1
// are one v128 load per feature: their two distances finish together and share one
// f64x2.sqrt, the instruction that bounds this kernel (n^2/2 square roots). This is a
// different distance loop from sqdistRows on purpose: that one vectorises over the
// features of one pair, which leaves the square roots scalar.
//
// Bit-identical builds: each lane sums its features in order 0..d-1, exactly as the
// scalar path does for one point, and point i's register sums keep the SIMD lanes
// (even and odd steps from the range start) apart until the range ends.

/** Squared distance from point i to point j, features summed in order (scalar twin of one SIMD lane). */
// @ts-ignore: decorator
@inline
function sqdistColumns(XT: usize, n: i32, d: i32, i: i32, j: i32): f64 {
  const stride = <usize>n << 3;
  const pi = XT + (<usize>i << 3);
  const pj = XT + (<usize>j << 3);
  let s: f64 = 0;
  for (let f = 0; f < d; f++) {
    const off = <usize>f * stride;
    const diff = load<f64>(pi + off) - load<f64>(pj + off);
    s += diff * diff;
  }
  return s;
}

/**
 * Sums of distances from every point to every cluster: sums[c*n + i] = sum over the
 * points j of cluster c of ||x_i - x_j||. Points must be sorted by cluster, cluster c
 * holding points clusterStart[c] .. clusterStart[c+1]-1.
 */
export function silhouetteClusterSums(
  XT: usize, // IN f64[d*n], feature-major: XT[f*n + i]
  n: i32,
  d: i32,
  clusterStart: usize, // IN i32[k+1], clusterStart[k] == n
  k: i32,
  sums: usize, // OUT f64[k*n]
): void {
  memory.fill(sums, 0, (<usize>k * <usize>n) << 3);
  const stride = <usize>n << 3;
  const featureBytes = <usize>d * stride;
  for (let ci = 0; ci < k; ci++) {
    const ownEnd = load<i32>(clusterStart + (<usize>(ci + 1) << 2));
    const ownStart = load<i32>(clusterStart + (<usize>ci << 2));
    // sums[ci][j]: where j's distances to cluster ci collect.
    const toOwnCluster = sums + ((<usize>ci * <usize>n) << 3);
    for (let i = ownStart; i < ownEnd; i++) {
      // Clusters before ci were paired with i when their own points were the i.
      for (let c = ci; c < k; c++) {
        const first = c == ci ? i + 1 : load<i32>(clusterStart + (<usize>c << 2));
        const end = load<i32>(clusterStart + (<usize>(c + 1) << 2));
        let j = first;
        let total: f64 = 0;
        if (ASC_FEATURE_SIMD) {
          const pi = XT + (<usize>i << 3);
          let acc = f64x2.splat(0);
          let acc2 = f64x2.splat(0);
          // Four points j per step: one splat of x_i feeds two v128 lanes pairs.
          for (; j + 3 < end; j += 4) {
            const pj = XT + (<usize>j << 3);
            let dd = f64x2.splat(0);
            let dd2 = f64x2.splat(0);
            for (let off: usize = 0; off < featureBytes; off += stride) {
              const xi = v128.load64_splat(pi + off);
              const diff = f64x2.sub(xi, v128.load(pj + off));
              const diff2 = f64x2.sub(xi, v128.load(pj + off, 16));
              dd = f64x2.add(dd, f64x2.mul(diff, diff));
              dd2 = f64x2.add(dd2, f64x2.mul(diff2, diff2));
            }
            const dist = f64x2.sqrt(dd);
            const dist2 = f64x2.sqrt(dd2);
            acc = f64x2.add(acc, dist);
            acc2 = f64x2.add(acc2, dist2);
            const back = toOwnCluster + (<usize>j << 3);
            v128.store(back, f64x2.add(v128.load(back), dist));
            v128.store(back, f64x2.add(v128.load(back, 16), dist2), 16);
          }
          if (j + 1 < end) {
            const pj = XT + (<usize>j << 3);
            let dd = f64x2.splat(0);
            for (let off: usize = 0; off < featureBytes; off += stride) {
              const diff = f64x2.sub(v128.load64_splat(pi + off), v128.load(pj + off));
              dd = f64x2.add(dd, f64x2.mul(diff, diff));
            }
            const dist = f64x2.sqrt(dd);
            acc = f64x2.add(acc, dist);
            const back = toOwnCluster + (<usize>j << 3);
            v128.store(back, f64x2.add(v128.load(back), dist));
            j += 2;
          }
          total = (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)) + (f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1));
        } else {
          let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
          for (; j + 3 < end; j += 4) {
            const d0 = Math.sqrt(sqdistColumns(XT, n, d, i, j));
            const d1 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 1));
            const d2 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 2));
            const d3 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 3));
            a0 += d0; a1 += d1; a2 += d2; a3 += d3;
            const back = toOwnCluster + (<usize>j << 3);
            store<f64>(back, load<f64>(back) + d0);
            store<f64>(back, load<f64>(back, 8) + d1, 8);
            store<f64>(back, load<f64>(back, 16) + d2, 16);
            store<f64>(back, load<f64>(back, 24) + d3, 24);
          }
          if (j + 1 < end) {
            const d0 = Math.sqrt(sqdistColumns(XT, n, d, i, j));
            const d1 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 1));
            a0 += d0; a1 += d1;
            const back = toOwnCluster + (<usize>j << 3);
            store<f64>(back, load<f64>(back) + d0);
            store<f64>(back, load<f64>(back, 8) + d1, 8);
            j += 2;
          }
          total = (a0 + a1) + (a2 + a3);
        }
        if (j < end) {
          const dist = Math.sqrt(sqdistColumns(XT, n, d, i, j));
          total += dist;
          const back = toOwnCluster + (<usize>j << 3);
          store<f64>(back, load<f64>(back) + dist);
        }
        const mine = sums + ((<usize>c * <usize>n + <usize>i) << 3);
        store<f64>(mine, load<f64>(mine) + total);
      }
    }
  }
}

/**
 * Silhouette of every point from its cluster sums (scikit-learn's definition: a
 * singleton scores 0, and 0/0 when a == b == 0 scores 0). Returns the sum of the values.
 */
export function silhouetteFromSums(
  sums: usize, // IN f64[k*n] from silhouetteClusterSums
  n: i32,
  clusterStart: usize, // IN i32[k+1]
  k: i32,
  out: usize, // OUT f64[n], in sorted order
): f64 {
  let total: f64 = 0;
  for (let ci = 0; ci < k; ci++) {
    const start = load<i32>(clusterStart + (<usize>ci << 2));
    const end = load<i32>(clusterStart + (<usize>(ci + 1) << 2));
    const size = end - start;
    for (let i = start; i < end; i++) {
      let s: f64 = 0;
      if (size > 1) {
        const a = load<f64>(sums + ((<usize>ci * <usize>n + <usize>i) << 3)) / <f64>(size - 1);
        let b = Infinity;
        for (let c = 0; c < k; c++) {
          if (c == ci) continue;
          const cs = load<i32>(clusterStart + (<usize>c << 2));
          const ce = load<i32>(clusterStart + (<usize>(c + 1) << 2));
          const mean = load<f64>(sums + ((<usize>c * <usize>n + <usize>i) << 3)) / <f64>(ce - cs);
          if (mean < b) b = mean;
        }
        const m = max(a, b);
        s = m > 0 ? (b - a) / m : 0;
      }
      store<f64>(out + (<usize>i << 3), s);
      total += s;
    }
  }
  return total;
}
