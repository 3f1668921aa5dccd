// K-Means kernels shared by every algorithm (scikit-learn's _k_means_common): the
// point-pair layout the SIMD kernels read, centring, inertia, and the small helpers
// the Lloyd, Hamerly and k-means++ files all use.
//
// The host centres X (centerColumns) so Lloyd's dot products do not cancel, and lays it
// out as pairs of points (packPointPairs), so a v128 holds feature j of two points and
// each centroid value is broadcast once for both. Inertia and every reported distance
// use the exact difference form (sqdistRows).

import { sqdistRows } from './distance';

/** Weight of point i: 1 when weights == 0 (unit weights). */
// @ts-ignore: decorator
@inline
export function weightAt(weights: usize, i: i32): f64 {
  return weights == 0 ? 1.0 : load<f64>(weights + (<usize>i << 3));
}

// Strict <, so the first of equal scores wins (scikit-learn's rule), matching
// pmin(best, s) = s < best ? s : best, which callers use to keep best.
/** One step of a running argmin over centroids for the two points in a v128's lanes: labels where score < best, else the old labels. */
// @ts-ignore: decorator
@inline
export function betterLabels(score: v128, best: v128, labels: v128, c: i32): v128 {
  return v128.bitselect(f64x2.splat(<f64>c), labels, f64x2.lt(score, best));
}

// The scalar builds repeat this loop lane by lane in their own kernels rather than share
// a helper: a scalar helper has two results to hand back, and passing the second through
// a global measured about 5% slower on hamerlyInitPairs (scalar, 200k x 6, k = 5).
/** Squared distances (difference form) from the two points of a pair at xp (packPointPairs layout) to one row, in a v128's lanes. */
// @ts-ignore: decorator
@inline
export function pairSqdist(xp: usize, row: usize, d: i32): v128 {
  let acc = f64x2.splat(0);
  for (let j = 0; j < d; j++) {
    const diff = f64x2.sub(v128.load(xp + (<usize>j << 4)), v128.load64_splat(row + (<usize>j << 3)));
    acc = f64x2.add(acc, f64x2.mul(diff, diff));
  }
  return acc;
}

/** Lays X out as pairs of points, feature-major within a pair, so one v128 load holds feature j of two points; an odd last point is paired with zeros. */
export function packPointPairs(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  Xp: usize, // OUT f64[ceil(n/2)*2*d]
): void {
  const nPairs = (n + 1) >> 1;
  for (let p = 0; p < nPairs; p++) {
    const out = Xp + ((<usize>p * <usize>d) << 4);
    for (let lane = 0; lane < 2; lane++) {
      const i = 2 * p + lane;
      for (let j = 0; j < d; j++) {
        const v: f64 = i < n ? load<f64>(X + ((<usize>i * <usize>d + <usize>j) << 3)) : 0.0;
        store<f64>(out + (<usize>j << 4) + (<usize>lane << 3), v);
      }
    }
  }
}

/** Weighted sum of squared distances from each point to its assigned centroid; writes each distance to out when out != 0. */
export function assignedSquaredDistances(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  C: usize, // IN f64[k*d]
  labels: usize, // IN i32[n]
  weights: usize, // IN f64[n] or 0
  out: usize, // OUT f64[n] or 0
): f64 {
  const rowBytes = <usize>d << 3;
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const label = load<i32>(labels + (<usize>i << 2));
    const dd = sqdistRows(X + <usize>i * rowBytes, C + <usize>label * rowBytes, d);
    if (out != 0) store<f64>(out + (<usize>i << 3), dd);
    total += weightAt(weights, i) * dd;
  }
  return total;
}

/**
 * Column means and population variances of X, then X centred in place (two passes,
 * so the variance is computed from centred values without cancellation).
 */
export function centerColumns(
  X: usize, // INOUT f64[n*d]
  n: i32,
  d: i32,
  mean: usize, // OUT f64[d]
  variance: usize, // OUT f64[d]
): void {
  const rowBytes = <usize>d << 3;
  memory.fill(mean, 0, rowBytes);
  memory.fill(variance, 0, rowBytes);
  // Four rows are summed before touching mean[j]: one read-modify-write of memory per
  // four values instead of a store-to-load chain per value.
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const x = X + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      const s = (load<f64>(x + off) + load<f64>(x + rowBytes + off)) + (load<f64>(x + 2 * rowBytes + off) + load<f64>(x + 3 * rowBytes + off));
      store<f64>(mean + off, load<f64>(mean + off) + s);
    }
  }
  for (; i < n; i++) {
    const x = X + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      store<f64>(mean + off, load<f64>(mean + off) + load<f64>(x + off));
    }
  }
  for (let j = 0; j < d; j++) store<f64>(mean + (<usize>j << 3), load<f64>(mean + (<usize>j << 3)) / <f64>n);
  i = 0;
  for (; i + 3 < n; i += 4) {
    const x = X + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      const mj = load<f64>(mean + off);
      const v0 = load<f64>(x + off) - mj;
      const v1 = load<f64>(x + rowBytes + off) - mj;
      const v2 = load<f64>(x + 2 * rowBytes + off) - mj;
      const v3 = load<f64>(x + 3 * rowBytes + off) - mj;
      store<f64>(x + off, v0);
      store<f64>(x + rowBytes + off, v1);
      store<f64>(x + 2 * rowBytes + off, v2);
      store<f64>(x + 3 * rowBytes + off, v3);
      store<f64>(variance + off, load<f64>(variance + off) + ((v0 * v0 + v1 * v1) + (v2 * v2 + v3 * v3)));
    }
  }
  for (; i < n; i++) {
    const x = X + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      const v = load<f64>(x + off) - load<f64>(mean + off);
      store<f64>(x + off, v);
      store<f64>(variance + off, load<f64>(variance + off) + v * v);
    }
  }
  for (let j = 0; j < d; j++) store<f64>(variance + (<usize>j << 3), load<f64>(variance + (<usize>j << 3)) / <f64>n);
}
