// Lloyd's assignment step: nearest centroid for every point (blocked, SIMD), with the
// per-cluster sums of the update step accumulated on the way.
//
// The assignment ranks centroids by 0.5*||c||^2 - x.c, which is the squared distance
// less a per-point constant: one multiply-add per term instead of three operations.
// scikit-learn ranks the same way (GEMM plus centre norms); the host centres X first so
// the dot products do not cancel. On the pair layout (packPointPairs) each centroid
// value is broadcast once for four points: 8 independent accumulators keep the vector
// FP ports busy, and the argmin is a branch-free vertical select.

import { betterLabels, weightAt } from './kmeans_common';

/** Writes 0.5*||c||^2 for each of the k centroids. */
export function halfSquaredNorms(
  C: usize, // IN f64[k*d]
  k: i32,
  d: i32,
  out: usize, // OUT f64[k]
): void {
  for (let c = 0; c < k; c++) {
    let norm: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v = load<f64>(C + ((<usize>c * <usize>d + <usize>j) << 3));
      norm += v * v;
    }
    store<f64>(out + (<usize>c << 3), 0.5 * norm);
  }
}

/** Adds w*x into sums[label] and w into counts[label]. */
// @ts-ignore: decorator
@inline
function accumulate(x: usize, d: i32, w: f64, label: i32, sums: usize, counts: usize): void {
  const s = sums + ((<usize>label * <usize>d) << 3);
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const wv = f64x2.splat(w);
    for (; j + 1 < d; j += 2) {
      const off = <usize>j << 3;
      v128.store(s + off, f64x2.add(v128.load(s + off), f64x2.mul(wv, v128.load(x + off))));
    }
  }
  for (; j < d; j++) {
    const off = <usize>j << 3;
    store<f64>(s + off, load<f64>(s + off) + w * load<f64>(x + off));
  }
  const cp = counts + (<usize>label << 3);
  store<f64>(cp, load<f64>(cp) + w);
}


/** Labels one point (or marks it) and accumulates it; returns 1 when its label changed. */
// @ts-ignore: decorator
@inline
function settle(
  i: i32, label: i32, X: usize, d: i32, weights: usize, labels: usize, sums: usize, counts: usize,
): i32 {
  const lp = labels + (<usize>i << 2);
  const changed = load<i32>(lp) != label ? 1 : 0;
  store<i32>(lp, label);
  if (sums != 0) accumulate(X + ((<usize>i * <usize>d) << 3), d, weightAt(weights, i), label, sums, counts);
  return changed;
}

/**
 * Lloyd assignment: labels every point with its nearest centroid and, when sums != 0,
 * accumulates weighted per-cluster sums and weights. Returns how many labels changed.
 * Centroids are ranked by 0.5*||c||^2 - x.c with two points per vector lane pair and
 * four centroids per pass over the features (8 independent accumulators), so the
 * argmin is a vertical compare-and-select with no horizontal step and no branch.
 */
export function assignNearest(
  Xp: usize, // IN from packPointPairs (centred X)
  X: usize, // IN f64[n*d], the same centred X row-major (for the sums)
  n: i32,
  d: i32,
  C: usize, // IN f64[k*d]
  halfNorm: usize, // IN f64[k] from halfSquaredNorms
  k: i32,
  weights: usize, // IN f64[n], or 0 for unit weights
  labels: usize, // INOUT i32[n]: previous labels in, nearest centroid out
  sums: usize, // OUT f64[k*d], or 0 to skip accumulation
  counts: usize, // OUT f64[k] (sum of weights), ignored when sums == 0
): i32 {
  const rowBytes = <usize>d << 3;
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  if (sums != 0) {
    memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
    memory.fill(counts, 0, <usize>k << 3);
  }
  let changed = 0;
  for (let p = 0; p < nPairs; p += 2) {
    const xa = Xp + <usize>p * pairBytes;
    // An odd last pair is scored twice (as A and B) and only A's points are kept.
    const xb = p + 1 < nPairs ? xa + pairBytes : xa;
    let l0: i32 = 0, l1: i32 = 0, l2: i32 = 0, l3: i32 = 0;
    if (ASC_FEATURE_SIMD) {
      let bestA = f64x2.splat(Infinity), bestB = f64x2.splat(Infinity);
      let labA = f64x2.splat(0), labB = f64x2.splat(0);
      let c = 0;
      for (; c + 3 < k; c += 4) {
        const c0 = C + <usize>c * rowBytes;
        const c1 = c0 + rowBytes;
        const c2 = c1 + rowBytes;
        const c3 = c2 + rowBytes;
        let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
        let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const va = v128.load(xa + (<usize>j << 4));
          const vb = v128.load(xb + (<usize>j << 4));
          const off = <usize>j << 3;
          const s0 = v128.load64_splat(c0 + off);
          const s1 = v128.load64_splat(c1 + off);
          const s2 = v128.load64_splat(c2 + off);
          const s3 = v128.load64_splat(c3 + off);
          a0 = f64x2.add(a0, f64x2.mul(va, s0)); b0 = f64x2.add(b0, f64x2.mul(vb, s0));
          a1 = f64x2.add(a1, f64x2.mul(va, s1)); b1 = f64x2.add(b1, f64x2.mul(vb, s1));
          a2 = f64x2.add(a2, f64x2.mul(va, s2)); b2 = f64x2.add(b2, f64x2.mul(vb, s2));
          a3 = f64x2.add(a3, f64x2.mul(va, s3)); b3 = f64x2.add(b3, f64x2.mul(vb, s3));
        }
        const hp = halfNorm + (<usize>c << 3);
        let h = v128.load64_splat(hp);
        let sa = f64x2.sub(h, a0), sb = f64x2.sub(h, b0);
        labA = betterLabels(sa, bestA, labA, c); bestA = f64x2.pmin(bestA, sa);
        labB = betterLabels(sb, bestB, labB, c); bestB = f64x2.pmin(bestB, sb);
        h = v128.load64_splat(hp, 8);
        sa = f64x2.sub(h, a1); sb = f64x2.sub(h, b1);
        labA = betterLabels(sa, bestA, labA, c + 1); bestA = f64x2.pmin(bestA, sa);
        labB = betterLabels(sb, bestB, labB, c + 1); bestB = f64x2.pmin(bestB, sb);
        h = v128.load64_splat(hp, 16);
        sa = f64x2.sub(h, a2); sb = f64x2.sub(h, b2);
        labA = betterLabels(sa, bestA, labA, c + 2); bestA = f64x2.pmin(bestA, sa);
        labB = betterLabels(sb, bestB, labB, c + 2); bestB = f64x2.pmin(bestB, sb);
        h = v128.load64_splat(hp, 24);
        sa = f64x2.sub(h, a3); sb = f64x2.sub(h, b3);
        labA = betterLabels(sa, bestA, labA, c + 3); bestA = f64x2.pmin(bestA, sa);
        labB = betterLabels(sb, bestB, labB, c + 3); bestB = f64x2.pmin(bestB, sb);
      }
      for (; c < k; c++) {
        const c0 = C + <usize>c * rowBytes;
        let a0 = f64x2.splat(0), b0 = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const s0 = v128.load64_splat(c0 + (<usize>j << 3));
          a0 = f64x2.add(a0, f64x2.mul(v128.load(xa + (<usize>j << 4)), s0));
          b0 = f64x2.add(b0, f64x2.mul(v128.load(xb + (<usize>j << 4)), s0));
        }
        const h = v128.load64_splat(halfNorm + (<usize>c << 3));
        const sa = f64x2.sub(h, a0), sb = f64x2.sub(h, b0);
        labA = betterLabels(sa, bestA, labA, c); bestA = f64x2.pmin(bestA, sa);
        labB = betterLabels(sb, bestB, labB, c); bestB = f64x2.pmin(bestB, sb);
      }
      l0 = <i32>f64x2.extract_lane(labA, 0);
      l1 = <i32>f64x2.extract_lane(labA, 1);
      l2 = <i32>f64x2.extract_lane(labB, 0);
      l3 = <i32>f64x2.extract_lane(labB, 1);
    } else {
      l0 = scalarNearest(xa, d, C, halfNorm, k);
      l1 = scalarNearest(xa + 8, d, C, halfNorm, k);
      l2 = scalarNearest(xb, d, C, halfNorm, k);
      l3 = scalarNearest(xb + 8, d, C, halfNorm, k);
    }
    const i0 = 2 * p;
    changed += settle(i0, l0, X, d, weights, labels, sums, counts);
    if (i0 + 1 < n) changed += settle(i0 + 1, l1, X, d, weights, labels, sums, counts);
    if (p + 1 < nPairs) {
      changed += settle(i0 + 2, l2, X, d, weights, labels, sums, counts);
      if (i0 + 3 < n) changed += settle(i0 + 3, l3, X, d, weights, labels, sums, counts);
    }
  }
  return changed;
}

/** Scalar twin of one SIMD lane (x is a lane of a point pair, stride 16 bytes): same operations in the same order, so the same label. */
// @ts-ignore: decorator
@inline
function scalarNearest(x: usize, d: i32, C: usize, halfNorm: usize, k: i32): i32 {
  let best = Infinity;
  let label = 0;
  for (let c = 0; c < k; c++) {
    const cr = C + ((<usize>c * <usize>d) << 3);
    let acc: f64 = 0;
    for (let j = 0; j < d; j++) acc += load<f64>(x + (<usize>j << 4)) * load<f64>(cr + (<usize>j << 3));
    const score = load<f64>(halfNorm + (<usize>c << 3)) - acc;
    label = select(c, label, score < best);
    best = select(score, best, score < best);
  }
  return label;
}
