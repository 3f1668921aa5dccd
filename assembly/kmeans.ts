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
 * cluster update the sums. Returns how many labels changed.
 *
 * The bounds are stored relative to running totals, so loosening them costs nothing per
 * point: upperRel[i] = upper - S[label] and lowerRel[i] = lower + M, where S[c] is the
 * total distance centroid c has moved and M the total of the largest move per pass
 * (cumulative[k]). A point whose bounds still separate it from every other centroid is
 * skipped with five loads and no store, which is most points after the first passes.
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
  cumulative: usize, // INOUT f64[k+1]: S[0..k) total shift per centroid, then M
  labels: usize, // INOUT i32[n]
  upperRel: usize, // INOUT f64[n]: upper bound on the distance to the assigned centroid, minus S[label]
  lowerRel: usize, // INOUT f64[n]: lower bound on the distance to every other centroid, plus M
  sums: usize, // INOUT f64[k*d]: weighted sums per cluster
  counts: usize, // INOUT f64[k]: weights per cluster
  members: usize, // INOUT i32[k]: points per cluster
  init: i32,
): i32 {
  const rowBytes = <usize>d << 3;
  const mp = cumulative + (<usize>k << 3);
  if (init != 0) {
    memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
    memory.fill(counts, 0, <usize>k << 3);
    memory.fill(members, 0, <usize>k << 2);
    memory.fill(cumulative, 0, (<usize>k + 1) << 3);
  } else {
    let largest: f64 = 0;
    for (let c = 0; c < k; c++) {
      const shift = load<f64>(centroidShift + (<usize>c << 3));
      const sp = cumulative + (<usize>c << 3);
      store<f64>(sp, load<f64>(sp) + shift);
      if (shift > largest) largest = shift;
    }
    store<f64>(mp, load<f64>(mp) + largest);
  }
  const M = load<f64>(mp);

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

  let changed = 0;
  for (let i = 0; i < n; i++) {
    const lp = labels + (<usize>i << 2);
    const up = upperRel + (<usize>i << 3);
    const lo = lowerRel + (<usize>i << 3);
    const x = X + <usize>i * rowBytes;
    const a = load<i32>(lp);
    if (init == 0) {
      const Sa = load<f64>(cumulative + (<usize>a << 3));
      const z = max(load<f64>(lo) - M, load<f64>(halfSeparation + (<usize>a << 3)));
      if (load<f64>(up) + Sa <= z) continue;
      const u = Math.sqrt(sqdistRows(x, C + <usize>a * rowBytes, d));
      if (u <= z) {
        store<f64>(up, u - Sa);
        continue;
      }
    }
    // Branch-free: which centroid is nearest is data-dependent and mispredicts often.
    let best = Infinity, second = Infinity;
    let label = 0;
    for (let c = 0; c < k; c++) {
      const dd = sqdistRows(x, C + <usize>c * rowBytes, d);
      const nearer = dd < best;
      second = select<f64>(best, min(second, dd), nearer);
      label = select<i32>(c, label, nearer);
      best = select<f64>(dd, best, nearer);
    }
    store<f64>(up, Math.sqrt(best) - load<f64>(cumulative + (<usize>label << 3)));
    store<f64>(lo, Math.sqrt(second) + M);
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

/**
 * The first Hamerly pass, for every point at once: exact distances to every centroid
 * computed two points per v128 (pair layout, difference form), the nearest and second
 * nearest kept by vertical compare-and-select, and from them labels, bounds (relative to
 * zero running totals), sums, counts and member counts. Four times faster than scanning
 * point by point, which the later passes only do for the few points their bounds fail.
 */
export function hamerlyInitPairs(
  Xp: usize, // IN from packPointPairs
  X: usize, // IN f64[n*d] (the same points, row-major, for the sums)
  n: i32,
  d: i32,
  C: usize, // IN f64[k*d]
  k: i32,
  weights: usize, // IN f64[n] or 0
  cumulative: usize, // OUT f64[k+1]: zeroed
  labels: usize, // OUT i32[n]
  upperRel: usize, // OUT f64[n]
  lowerRel: usize, // OUT f64[n]
  sums: usize, // OUT f64[k*d]
  counts: usize, // OUT f64[k]
  members: usize, // OUT i32[k]
): void {
  const rowBytes = <usize>d << 3;
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
  memory.fill(counts, 0, <usize>k << 3);
  memory.fill(members, 0, <usize>k << 2);
  memory.fill(cumulative, 0, (<usize>k + 1) << 3);
  for (let p = 0; p < nPairs; p++) {
    const xp = Xp + <usize>p * pairBytes;
    let b0: f64, b1: f64, s0: f64, s1: f64;
    let l0: i32, l1: i32;
    if (ASC_FEATURE_SIMD) {
      let best = f64x2.splat(Infinity), second = f64x2.splat(Infinity), lab = f64x2.splat(0);
      for (let c = 0; c < k; c++) {
        const cr = C + <usize>c * rowBytes;
        let acc = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const diff = f64x2.sub(v128.load(xp + (<usize>j << 4)), v128.load64_splat(cr + (<usize>j << 3)));
          acc = f64x2.add(acc, f64x2.mul(diff, diff));
        }
        second = f64x2.pmin(second, f64x2.pmax(best, acc));
        lab = betterLabels(acc, best, lab, c);
        best = f64x2.pmin(best, acc);
      }
      best = f64x2.sqrt(best);
      second = f64x2.sqrt(second);
      b0 = f64x2.extract_lane(best, 0);
      b1 = f64x2.extract_lane(best, 1);
      s0 = f64x2.extract_lane(second, 0);
      s1 = f64x2.extract_lane(second, 1);
      l0 = <i32>f64x2.extract_lane(lab, 0);
      l1 = <i32>f64x2.extract_lane(lab, 1);
    } else {
      // Lane by lane, the same operations in the same order as the SIMD path
      // (pmin(a, b) = b < a ? b : a, pmax(a, b) = a < b ? b : a).
      b0 = Infinity; b1 = Infinity; s0 = Infinity; s1 = Infinity;
      l0 = 0; l1 = 0;
      for (let c = 0; c < k; c++) {
        const cr = C + <usize>c * rowBytes;
        let e0: f64 = 0, e1: f64 = 0;
        for (let j = 0; j < d; j++) {
          const cj = load<f64>(cr + (<usize>j << 3));
          const d0 = load<f64>(xp + (<usize>j << 4)) - cj;
          const d1 = load<f64>(xp + (<usize>j << 4), 8) - cj;
          e0 += d0 * d0;
          e1 += d1 * d1;
        }
        const m0 = b0 < e0 ? e0 : b0;
        const m1 = b1 < e1 ? e1 : b1;
        s0 = m0 < s0 ? m0 : s0;
        s1 = m1 < s1 ? m1 : s1;
        l0 = select<i32>(c, l0, e0 < b0);
        l1 = select<i32>(c, l1, e1 < b1);
        b0 = e0 < b0 ? e0 : b0;
        b1 = e1 < b1 ? e1 : b1;
      }
      b0 = Math.sqrt(b0); b1 = Math.sqrt(b1);
      s0 = Math.sqrt(s0); s1 = Math.sqrt(s1);
    }
    const i = 2 * p;
    store<i32>(labels + (<usize>i << 2), l0);
    store<f64>(upperRel + (<usize>i << 3), b0);
    store<f64>(lowerRel + (<usize>i << 3), s0);
    moveContribution(X + <usize>i * rowBytes, d, weightAt(weights, i), l0, sums, counts, members, 1);
    if (i + 1 < n) {
      store<i32>(labels + (<usize>(i + 1) << 2), l1);
      store<f64>(upperRel + (<usize>(i + 1) << 3), b1);
      store<f64>(lowerRel + (<usize>(i + 1) << 3), s1);
      moveContribution(X + <usize>(i + 1) * rowBytes, d, weightAt(weights, i + 1), l1, sums, counts, members, 1);
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
 * k-means++ step for m candidate centres:
 * trials[t*nEven + i] = min(closest[i], ||x_i - cand_t||^2) and
 * potentials[t] = sum_i w_i * trials[t*nEven + i], nEven = n rounded up to even.
 * Points are read in pairs (packPointPairs) and closest, trials and weights are padded to
 * nEven, so the whole step is vertical v128 arithmetic: distances of two points, their
 * minimum with closest, their store and their weighted sum, with no lane extraction. The
 * host sets the padding to closest = 0 (and weight 0), so it adds nothing; before the
 * first centre, closest is +Infinity.
 */
export function closestSquaredDistances(
  Xp: usize, // IN from packPointPairs
  n: i32,
  d: i32,
  candidates: usize, // IN f64[m*d]
  m: i32,
  closest: usize, // IN f64[nEven]
  weights: usize, // IN f64[nEven] or 0
  trials: usize, // OUT f64[m*nEven]
  potentials: usize, // OUT f64[m]
): void {
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  const rowBytes = <usize>(2 * nPairs) << 3;
  for (let t = 0; t < m; t++) {
    const cand = candidates + ((<usize>t * <usize>d) << 3);
    const out = trials + <usize>t * rowBytes;
    if (ASC_FEATURE_SIMD) {
      let pot = f64x2.splat(0);
      for (let p = 0; p < nPairs; p++) {
        const xp = Xp + <usize>p * pairBytes;
        let acc = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const diff = f64x2.sub(v128.load(xp + (<usize>j << 4)), v128.load64_splat(cand + (<usize>j << 3)));
          acc = f64x2.add(acc, f64x2.mul(diff, diff));
        }
        const off = <usize>p << 4;
        acc = f64x2.pmin(acc, v128.load(closest + off));
        v128.store(out + off, acc);
        pot = f64x2.add(pot, weights == 0 ? acc : f64x2.mul(v128.load(weights + off), acc));
      }
      store<f64>(potentials + (<usize>t << 3), f64x2.extract_lane(pot, 0) + f64x2.extract_lane(pot, 1));
    } else {
      // Lane by lane, the same operations in the same order as the SIMD path.
      let potEven: f64 = 0, potOdd: f64 = 0;
      for (let p = 0; p < nPairs; p++) {
        const xp = Xp + <usize>p * pairBytes;
        let e0: f64 = 0, e1: f64 = 0;
        for (let j = 0; j < d; j++) {
          const cj = load<f64>(cand + (<usize>j << 3));
          const d0 = load<f64>(xp + (<usize>j << 4)) - cj;
          const d1 = load<f64>(xp + (<usize>j << 4), 8) - cj;
          e0 += d0 * d0;
          e1 += d1 * d1;
        }
        const off = <usize>p << 4;
        const c0 = load<f64>(closest + off);
        const c1 = load<f64>(closest + off, 8);
        // pmin(a, b) is b < a ? b : a.
        e0 = c0 < e0 ? c0 : e0;
        e1 = c1 < e1 ? c1 : e1;
        store<f64>(out + off, e0);
        store<f64>(out + off, e1, 8);
        potEven += weights == 0 ? e0 : load<f64>(weights + off) * e0;
        potOdd += weights == 0 ? e1 : load<f64>(weights + off, 8) * e1;
      }
      store<f64>(potentials + (<usize>t << 3), potEven + potOdd);
    }
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
