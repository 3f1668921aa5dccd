// K-Means kernels: nearest-centroid assignment (Lloyd, blocked, SIMD), the Hamerly
// triangle-inequality pass, inertia and the k-means++ distance update.
//
// Lloyd's assignment ranks centroids by 0.5*||c||^2 - x.c, which is the squared distance
// less a per-point constant: one multiply-add per term instead of three operations.
// scikit-learn ranks the same way (GEMM plus centre norms); the host centres X first so
// the dot products do not cancel. Inertia and every reported distance use the exact
// difference form. The host also lays X out as pairs of points (packPointPairs), so a
// v128 holds two points and each centroid value is broadcast once for four points:
// 8 independent accumulators keep the vector FP ports busy, and the argmin is a
// branch-free vertical select.

import { sqdistRows } from './distance';

// @ts-ignore: decorator
@inline
function weightAt(weights: usize, i: i32): f64 {
  return weights == 0 ? 1.0 : load<f64>(weights + (<usize>i << 3));
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

// Running argmin over centroids for two points in the lanes of one v128: strict <, so the
// first of equal scores wins (scikit-learn's rule); pmin(best, s) = s < best ? s : best.
// @ts-ignore: decorator
@inline
function betterLabels(score: v128, best: v128, labels: v128, c: i32): v128 {
  return v128.bitselect(f64x2.splat(<f64>c), labels, f64x2.lt(score, best));
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

/** Adds (sign = 1) or removes (sign = -1) point x's weighted contribution to cluster c. */
// @ts-ignore: decorator
@inline
function moveContribution(x: usize, d: i32, w: f64, c: i32, sums: usize, counts: usize, members: usize, sign: i32): void {
  const s = sums + ((<usize>c * <usize>d) << 3);
  const ws = sign > 0 ? w : -w;
  for (let j = 0; j < d; j++) {
    const off = <usize>j << 3;
    store<f64>(s + off, load<f64>(s + off) + ws * load<f64>(x + off));
  }
  const cp = counts + (<usize>c << 3);
  store<f64>(cp, load<f64>(cp) + ws);
  const mp = members + (<usize>c << 2);
  const m = load<i32>(mp) + sign;
  store<i32>(mp, m);
  // An emptied cluster gets exact zeros, not the rounding residue of its removals.
  if (m == 0) {
    memory.fill(s, 0, <usize>d << 3);
    store<f64>(cp, 0);
  }
}

/**
 * One Hamerly pass (exact distances, triangle-inequality bounds). With init != 0 the
 * bounds, sums, counts and member counts are built from scratch; otherwise the bounds
 * are first loosened by how far each centroid moved, and only points that change
 * cluster update the sums (so a late iteration costs little more than the bound checks).
 * Returns how many labels changed.
 */
export function hamerlyAssign(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  C: usize, // IN f64[k*d]
  k: i32,
  weights: usize, // IN f64[n] or 0
  centroidShift: usize, // IN f64[k]: distance each centroid moved since the last pass
  halfSeparation: usize, // SCRATCH f64[k]
  labels: usize, // INOUT i32[n]
  upper: usize, // INOUT f64[n]: bound on the distance to the assigned centroid
  lower: usize, // INOUT f64[n]: bound on the distance to every other centroid
  sums: usize, // INOUT f64[k*d]: weighted sums per cluster
  counts: usize, // INOUT f64[k]: weights per cluster
  members: usize, // INOUT i32[k]: points per cluster
  init: i32,
): i32 {
  const rowBytes = <usize>d << 3;
  if (init != 0) {
    memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
    memory.fill(counts, 0, <usize>k << 3);
    memory.fill(members, 0, <usize>k << 2);
  }

  // Half the distance from each centroid to its nearest other centroid.
  for (let a = 0; a < k; a++) {
    let m = Infinity;
    for (let b = 0; b < k; b++) {
      if (a == b) continue;
      const dd = sqdistRows(C + <usize>a * rowBytes, C + <usize>b * rowBytes, d);
      if (dd < m) m = dd;
    }
    store<f64>(halfSeparation + (<usize>a << 3), 0.5 * Math.sqrt(m));
  }

  // The largest and second largest shifts loosen every lower bound.
  let max1: f64 = 0, max2: f64 = 0;
  let arg1 = -1;
  if (init == 0) {
    for (let c = 0; c < k; c++) {
      const s = load<f64>(centroidShift + (<usize>c << 3));
      if (s > max1) {
        max2 = max1;
        max1 = s;
        arg1 = c;
      } else if (s > max2) {
        max2 = s;
      }
    }
  }

  let changed = 0;
  for (let i = 0; i < n; i++) {
    const lp = labels + (<usize>i << 2);
    const up = upper + (<usize>i << 3);
    const lo = lower + (<usize>i << 3);
    const x = X + <usize>i * rowBytes;
    const a = load<i32>(lp);
    if (init == 0) {
      let u = load<f64>(up) + load<f64>(centroidShift + (<usize>a << 3));
      const l = load<f64>(lo) - (a == arg1 ? max2 : max1);
      store<f64>(lo, l);
      const z = max(l, load<f64>(halfSeparation + (<usize>a << 3)));
      if (u <= z) {
        store<f64>(up, u);
        continue;
      }
      u = Math.sqrt(sqdistRows(x, C + <usize>a * rowBytes, d));
      store<f64>(up, u);
      if (u <= z) continue;
    }
    let best = Infinity, second = Infinity;
    let label = 0;
    for (let c = 0; c < k; c++) {
      const dd = sqdistRows(x, C + <usize>c * rowBytes, d);
      if (dd < best) {
        second = best;
        best = dd;
        label = c;
      } else if (dd < second) {
        second = dd;
      }
    }
    store<f64>(up, Math.sqrt(best));
    store<f64>(lo, Math.sqrt(second));
    if (label != a) {
      changed++;
      store<i32>(lp, label);
      const w = weightAt(weights, i);
      if (init == 0) moveContribution(x, d, w, a, sums, counts, members, -1);
      moveContribution(x, d, w, label, sums, counts, members, 1);
    }
  }
  return changed;
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
 * k-means++ step for m candidate centres in one pass over X:
 * trials[t*n + i] = min(closest[i], ||x_i - cand_t||^2) (closest == 0: no previous centre),
 * potentials[t] = sum_i w_i * trials[t*n + i]. Points are read in pairs (packPointPairs),
 * so one v128 subtract-square-add serves two points.
 */
export function closestSquaredDistances(
  Xp: usize, // IN from packPointPairs
  n: i32,
  d: i32,
  candidates: usize, // IN f64[m*d]
  m: i32,
  closest: usize, // IN f64[n] or 0
  weights: usize, // IN f64[n] or 0
  trials: usize, // OUT f64[m*n]
  potentials: usize, // OUT f64[m]
): void {
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  for (let t = 0; t < m; t++) {
    const cand = candidates + ((<usize>t * <usize>d) << 3);
    const out = trials + ((<usize>t * <usize>n) << 3);
    let potEven: f64 = 0, potOdd: f64 = 0;
    for (let p = 0; p < nPairs; p++) {
      const xp = Xp + <usize>p * pairBytes;
      let e0: f64, e1: f64;
      if (ASC_FEATURE_SIMD) {
        let acc = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const diff = f64x2.sub(v128.load(xp + (<usize>j << 4)), v128.load64_splat(cand + (<usize>j << 3)));
          acc = f64x2.add(acc, f64x2.mul(diff, diff));
        }
        e0 = f64x2.extract_lane(acc, 0);
        e1 = f64x2.extract_lane(acc, 1);
      } else {
        e0 = 0;
        e1 = 0;
        for (let j = 0; j < d; j++) {
          const cj = load<f64>(cand + (<usize>j << 3));
          const d0 = load<f64>(xp + (<usize>j << 4)) - cj;
          const d1 = load<f64>(xp + (<usize>j << 4), 8) - cj;
          e0 += d0 * d0;
          e1 += d1 * d1;
        }
      }
      const i = 2 * p;
      if (closest != 0) e0 = min(e0, load<f64>(closest + (<usize>i << 3)));
      store<f64>(out + (<usize>i << 3), e0);
      potEven += weightAt(weights, i) * e0;
      if (i + 1 < n) {
        if (closest != 0) e1 = min(e1, load<f64>(closest + (<usize>(i + 1) << 3)));
        store<f64>(out + (<usize>(i + 1) << 3), e1);
        potOdd += weightAt(weights, i + 1) * e1;
      }
    }
    store<f64>(potentials + (<usize>t << 3), potEven + potOdd);
  }
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
