// K-Means kernels: nearest-centroid assignment (Lloyd, blocked, SIMD), the Hamerly
// triangle-inequality pass, inertia and the k-means++ distance update.
//
// Lloyd's assignment ranks centroids by 0.5*||c||^2 - x.c, which is the squared distance
// less a per-point constant: one multiply-add per term instead of three operations.
// scikit-learn ranks the same way (GEMM plus centre norms); the host centres X first so
// the dot products do not cancel. Inertia and every reported distance use the exact
// difference form. Centroids are packed two per 128-bit lane pair ("panels") so one
// load serves two centroids, and four points share each load: 8 independent
// accumulators keep both vector FP ports busy.

import { sqdistRows } from './distance';

// @ts-ignore: decorator
@inline
function weightAt(weights: usize, i: i32): f64 {
  return weights == 0 ? 1.0 : load<f64>(weights + (<usize>i << 3));
}

/** Rounds k up to the panel width (2). */
// @ts-ignore: decorator
@inline
function paddedK(k: i32): i32 {
  return (k + 1) & ~1;
}

/** Packs centroids into feature-major panels of two and writes 0.5*||c||^2 (+Inf for the padding slot). */
export function packCentroids(
  C: usize, // IN f64[k*d]
  k: i32,
  d: i32,
  panel: usize, // OUT f64[kPad*d], kPad = k rounded up to even
  halfNorm: usize, // OUT f64[kPad]
): void {
  const kPad = paddedK(k);
  for (let c = 0; c < kPad; c++) {
    const base = panel + ((<usize>(c >> 1) * <usize>d * 2 + <usize>(c & 1)) << 3);
    let norm: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v: f64 = c < k ? load<f64>(C + ((<usize>c * <usize>d + <usize>j) << 3)) : 0.0;
      store<f64>(base + (<usize>j << 4), v);
      norm += v * v;
    }
    store<f64>(halfNorm + (<usize>c << 3), c < k ? 0.5 * norm : Infinity);
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

/** Scores 4 consecutive points against all panels into scores[p*kPad + c] (0.5||c||^2 - x.c). */
// @ts-ignore: decorator
@inline
function scoreBlockOf4(x0: usize, d: i32, panel: usize, halfNorm: usize, kPad: i32, scores: usize): void {
  const rowBytes = <usize>d << 3;
  const x1 = x0 + rowBytes;
  const x2 = x1 + rowBytes;
  const x3 = x2 + rowBytes;
  const panelBytes = <usize>d << 4;
  const sRow = <usize>kPad << 3;
  let c = 0;
  // Two panels (four centroids) at a time: 8 accumulators.
  for (; c + 3 < kPad; c += 4) {
    const pA = panel + <usize>(c >> 1) * panelBytes;
    const pB = pA + panelBytes;
    if (ASC_FEATURE_SIMD) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
      for (let j = 0; j < d; j++) {
        const cA = v128.load(pA + (<usize>j << 4));
        const cB = v128.load(pB + (<usize>j << 4));
        const off = <usize>j << 3;
        const v0 = v128.load64_splat(x0 + off);
        const v1 = v128.load64_splat(x1 + off);
        const v2 = v128.load64_splat(x2 + off);
        const v3 = v128.load64_splat(x3 + off);
        a0 = f64x2.add(a0, f64x2.mul(v0, cA)); b0 = f64x2.add(b0, f64x2.mul(v0, cB));
        a1 = f64x2.add(a1, f64x2.mul(v1, cA)); b1 = f64x2.add(b1, f64x2.mul(v1, cB));
        a2 = f64x2.add(a2, f64x2.mul(v2, cA)); b2 = f64x2.add(b2, f64x2.mul(v2, cB));
        a3 = f64x2.add(a3, f64x2.mul(v3, cA)); b3 = f64x2.add(b3, f64x2.mul(v3, cB));
      }
      const hA = v128.load(halfNorm + (<usize>c << 3));
      const hB = v128.load(halfNorm + (<usize>c << 3), 16);
      const o = scores + (<usize>c << 3);
      v128.store(o, f64x2.sub(hA, a0)); v128.store(o, f64x2.sub(hB, b0), 16);
      v128.store(o + sRow, f64x2.sub(hA, a1)); v128.store(o + sRow, f64x2.sub(hB, b1), 16);
      v128.store(o + 2 * sRow, f64x2.sub(hA, a2)); v128.store(o + 2 * sRow, f64x2.sub(hB, b2), 16);
      v128.store(o + 3 * sRow, f64x2.sub(hA, a3)); v128.store(o + 3 * sRow, f64x2.sub(hB, b3), 16);
    } else {
      scalarScore(x0, x1, x2, x3, d, pA, halfNorm, c, scores, sRow);
      scalarScore(x0, x1, x2, x3, d, pB, halfNorm, c + 2, scores, sRow);
    }
  }
  // A last single panel when kPad is not a multiple of 4.
  if (c < kPad) {
    const pA = panel + <usize>(c >> 1) * panelBytes;
    if (ASC_FEATURE_SIMD) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      for (let j = 0; j < d; j++) {
        const cA = v128.load(pA + (<usize>j << 4));
        const off = <usize>j << 3;
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(x0 + off), cA));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(x1 + off), cA));
        a2 = f64x2.add(a2, f64x2.mul(v128.load64_splat(x2 + off), cA));
        a3 = f64x2.add(a3, f64x2.mul(v128.load64_splat(x3 + off), cA));
      }
      const hA = v128.load(halfNorm + (<usize>c << 3));
      const o = scores + (<usize>c << 3);
      v128.store(o, f64x2.sub(hA, a0));
      v128.store(o + sRow, f64x2.sub(hA, a1));
      v128.store(o + 2 * sRow, f64x2.sub(hA, a2));
      v128.store(o + 3 * sRow, f64x2.sub(hA, a3));
    } else {
      scalarScore(x0, x1, x2, x3, d, pA, halfNorm, c, scores, sRow);
    }
  }
}

/** Scalar twin of one SIMD panel: same accumulation order, so bit-identical scores. */
// @ts-ignore: decorator
@inline
function scalarScore(
  x0: usize, x1: usize, x2: usize, x3: usize, d: i32,
  p: usize, halfNorm: usize, c: i32, scores: usize, sRow: usize,
): void {
  let a00: f64 = 0, a01: f64 = 0, a10: f64 = 0, a11: f64 = 0;
  let a20: f64 = 0, a21: f64 = 0, a30: f64 = 0, a31: f64 = 0;
  for (let j = 0; j < d; j++) {
    const c0 = load<f64>(p + (<usize>j << 4));
    const c1 = load<f64>(p + (<usize>j << 4), 8);
    const off = <usize>j << 3;
    const v0 = load<f64>(x0 + off), v1 = load<f64>(x1 + off);
    const v2 = load<f64>(x2 + off), v3 = load<f64>(x3 + off);
    a00 += v0 * c0; a01 += v0 * c1;
    a10 += v1 * c0; a11 += v1 * c1;
    a20 += v2 * c0; a21 += v2 * c1;
    a30 += v3 * c0; a31 += v3 * c1;
  }
  const h0 = load<f64>(halfNorm + (<usize>c << 3));
  const h1 = load<f64>(halfNorm + (<usize>c << 3), 8);
  const o = scores + (<usize>c << 3);
  store<f64>(o, h0 - a00); store<f64>(o, h1 - a01, 8);
  store<f64>(o + sRow, h0 - a10); store<f64>(o + sRow, h1 - a11, 8);
  store<f64>(o + 2 * sRow, h0 - a20); store<f64>(o + 2 * sRow, h1 - a21, 8);
  store<f64>(o + 3 * sRow, h0 - a30); store<f64>(o + 3 * sRow, h1 - a31, 8);
}

/** Index of the smallest of k scores; the first one wins a tie, as in scikit-learn. */
// @ts-ignore: decorator
@inline
function argminScores(s: usize, k: i32): i32 {
  let best = load<f64>(s);
  let label = 0;
  for (let c = 1; c < k; c++) {
    const v = load<f64>(s + (<usize>c << 3));
    if (v < best) {
      best = v;
      label = c;
    }
  }
  return label;
}

/**
 * Lloyd assignment: labels every point with its nearest centroid and, when sums != 0,
 * accumulates weighted per-cluster sums and weights. Returns how many labels changed.
 */
export function assignNearest(
  X: usize, // IN f64[n*d], centred by the host
  n: i32,
  d: i32,
  panel: usize, // IN from packCentroids
  halfNorm: usize, // IN from packCentroids
  k: i32,
  weights: usize, // IN f64[n], or 0 for unit weights
  scores: usize, // SCRATCH f64[4*kPad]
  labels: usize, // INOUT i32[n]: previous labels in, nearest centroid out
  sums: usize, // OUT f64[k*d], or 0 to skip accumulation
  counts: usize, // OUT f64[k] (sum of weights), ignored when sums == 0
): i32 {
  const kPad = paddedK(k);
  const rowBytes = <usize>d << 3;
  const sRow = <usize>kPad << 3;
  if (sums != 0) {
    memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
    memory.fill(counts, 0, <usize>k << 3);
  }
  let changed = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const x0 = X + <usize>i * rowBytes;
    scoreBlockOf4(x0, d, panel, halfNorm, kPad, scores);
    for (let p = 0; p < 4; p++) {
      const label = argminScores(scores + <usize>p * sRow, k);
      const lp = labels + (<usize>(i + p) << 2);
      if (load<i32>(lp) != label) changed++;
      store<i32>(lp, label);
      if (sums != 0) accumulate(x0 + <usize>p * rowBytes, d, weightAt(weights, i + p), label, sums, counts);
    }
  }
  // Tail: score the last points one at a time, in the same order as the blocked path.
  for (; i < n; i++) {
    const x = X + <usize>i * rowBytes;
    for (let c = 0; c < kPad; c++) {
      const p = panel + <usize>(c >> 1) * (<usize>d << 4) + (<usize>(c & 1) << 3);
      let acc: f64 = 0;
      for (let j = 0; j < d; j++) acc += load<f64>(x + (<usize>j << 3)) * load<f64>(p + (<usize>j << 4));
      store<f64>(scores + (<usize>c << 3), load<f64>(halfNorm + (<usize>c << 3)) - acc);
    }
    const label = argminScores(scores, k);
    const lp = labels + (<usize>i << 2);
    if (load<i32>(lp) != label) changed++;
    store<i32>(lp, label);
    if (sums != 0) accumulate(x, d, weightAt(weights, i), label, sums, counts);
  }
  return changed;
}

/**
 * One Hamerly pass (exact distances, triangle-inequality bounds). With init != 0 the
 * bounds are built from scratch; otherwise they are first loosened by how far each
 * centroid moved. Accumulates sums and counts like assignNearest; returns labels changed.
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
  lower: usize, // INOUT f64[n]: bound on the distance to the second nearest
  sums: usize, // OUT f64[k*d]
  counts: usize, // OUT f64[k]
  init: i32,
): i32 {
  const rowBytes = <usize>d << 3;
  memory.fill(sums, 0, (<usize>k * <usize>d) << 3);
  memory.fill(counts, 0, <usize>k << 3);

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
    const x = X + <usize>i * rowBytes;
    const lp = labels + (<usize>i << 2);
    const up = upper + (<usize>i << 3);
    const lo = lower + (<usize>i << 3);
    let a = load<i32>(lp);
    let needScan = init != 0;
    if (!needScan) {
      let u = load<f64>(up) + load<f64>(centroidShift + (<usize>a << 3));
      const l = load<f64>(lo) - (a == arg1 ? max2 : max1);
      store<f64>(lo, l);
      const z = max(l, load<f64>(halfSeparation + (<usize>a << 3)));
      if (u > z) {
        u = Math.sqrt(sqdistRows(x, C + <usize>a * rowBytes, d));
        if (u > z) needScan = true;
      }
      store<f64>(up, u);
    }
    if (needScan) {
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
      if (label != a) changed++;
      a = label;
      store<i32>(lp, a);
      store<f64>(up, Math.sqrt(best));
      store<f64>(lo, Math.sqrt(second));
    }
    accumulate(x, d, weightAt(weights, i), a, sums, counts);
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
 * k-means++ step: out[i] = min(closest[i], ||x_i - point||^2) (closest == 0 means no
 * previous centre). Returns the weighted potential sum(w_i * out[i]).
 */
export function closestSquaredDistances(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  point: usize, // IN f64[d]
  closest: usize, // IN f64[n] or 0
  weights: usize, // IN f64[n] or 0
  out: usize, // OUT f64[n]
): f64 {
  const rowBytes = <usize>d << 3;
  let potential: f64 = 0;
  for (let i = 0; i < n; i++) {
    let dd = sqdistRows(X + <usize>i * rowBytes, point, d);
    if (closest != 0) dd = min(dd, load<f64>(closest + (<usize>i << 3)));
    store<f64>(out + (<usize>i << 3), dd);
    potential += weightAt(weights, i) * dd;
  }
  return potential;
}
