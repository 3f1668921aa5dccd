// Hamerly's K-Means (scikit-learn's _k_means_elkan sibling): exact distances, one upper
// and one lower bound per point, so after the first passes most points are skipped
// without computing a distance. The first pass scores every point at once on the pair
// layout (hamerlyInitPairs); later passes go point by point (hamerlyAssign).

import { sqdistRows } from './distance';
import { betterLabels, pairSqdist, weightAt } from './kmeans_common';

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

// Distances computed by the last hamerlyAssign pass (bound checks + full scans): what
// kmeans' 'auto' reads to judge, on the data at hand, whether the bounds pay.
let lastPassDistances: f64 = 0;

/** How many point-centroid distances the last hamerlyAssign pass computed (n*k would be Lloyd's). */
export function hamerlyLastPassDistances(): f64 {
  return lastPassDistances;
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
  let bounded = 0, scanned = 0;
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
      bounded++;
      if (u <= z) {
        store<f64>(up, u - Sa);
        continue;
      }
    }
    // Branch-free: which centroid is nearest is data-dependent and mispredicts often.
    scanned++;
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
  lastPassDistances = <f64>bounded + <f64>scanned * <f64>k;
  return changed;
}

/**
 * The first Hamerly pass, for every point at once: exact distances to every centroid
 * computed two points per v128 (pair layout, difference form), the nearest and second
 * nearest kept by vertical compare-and-select, and from them labels, bounds (relative to
 * zero running totals), sums, counts and member counts. Four times faster than scanning
 * point by point, which the later passes only do for the few points their bounds fail.
 * May be called on consecutive blocks of rows (an even number each but the last; pointers
 * to the block's rows, start = 1 on the first): the sums go on in row order, so the
 * result is one call's, and V8 optimises the kernel after the first block.
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
  sums: usize, // INOUT f64[k*d]
  counts: usize, // INOUT f64[k]
  members: usize, // INOUT i32[k]
  start: i32, // 1: zero cumulative, sums, counts, members first (the first block of rows)
): void {
  const rowBytes = <usize>d << 3;
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  if (start) {
    memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
    memory.fill(counts, 0, <usize>k << 3);
    memory.fill(members, 0, <usize>k << 2);
    memory.fill(cumulative, 0, (<usize>k + 1) << 3);
  }
  for (let p = 0; p < nPairs; p++) {
    const xp = Xp + <usize>p * pairBytes;
    let b0: f64, b1: f64, s0: f64, s1: f64;
    let l0: i32, l1: i32;
    if (ASC_FEATURE_SIMD) {
      let best = f64x2.splat(Infinity), second = f64x2.splat(Infinity), lab = f64x2.splat(0);
      for (let c = 0; c < k; c++) {
        const cr = C + <usize>c * rowBytes;
        const acc = pairSqdist(xp, cr, d);
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
