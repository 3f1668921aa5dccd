// k-prototypes (Huang 1997): rows with numeric features and integer-coded categorical
// ones; the dissimilarity to a prototype is the squared Euclidean distance on the
// numeric part plus gamma times the number of categorical mismatches. The host keeps
// the loop (initialisation, means and modes from these sums, convergence); these are
// its two passes over the rows.

import { f64At, i32At, setF64, setI32 } from './memory';

/**
 * Assigns every row to its nearest prototype (ties to the lower cluster), writes its
 * dissimilarity, and returns how many labels changed; labels holds the previous ones.
 */
export function kprototypesAssign(
  Xnum: usize, // IN f64[n*p]
  codes: usize, // IN i32[n*m], category codes; -1 never matches
  n: i32,
  p: i32,
  m: i32,
  centroids: usize, // IN f64[k*p]
  modes: usize, // IN i32[k*m]
  k: i32,
  gamma: f64,
  labels: usize, // INOUT i32[n]
  costs: usize, // OUT f64[n]
): i32 {
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const x = Xnum + ((<usize>i * p) << 3);
    const c = codes + ((<usize>i * m) << 2);
    let best: f64 = Infinity;
    let bestK = 0;
    for (let j = 0; j < k; j++) {
      const cen = centroids + ((<usize>j * p) << 3);
      let s: f64 = 0;
      for (let t = 0; t < p; t++) {
        const diff = f64At(x, t) - f64At(cen, t);
        s += diff * diff;
      }
      // Branch-free count: categories are random per row, so a branch would mispredict.
      const mo = modes + ((<usize>j * m) << 2);
      let mismatches = 0;
      for (let t = 0; t < m; t++) {
        const v = i32At(c, t);
        mismatches += <i32>(v != i32At(mo, t)) | <i32>(v < 0);
      }
      s += gamma * <f64>mismatches;
      const better = s < best;
      best = select<f64>(s, best, better);
      bestK = select<i32>(j, bestK, better);
    }
    changed += <i32>(i32At(labels, i) != bestK);
    setI32(labels, i, bestK);
    setF64(costs, i, best);
  }
  return changed;
}

/**
 * Per cluster: the sums of its rows' numeric features, its row count, and the count of
 * each category of each categorical feature (feature t's codes start at offsets[t]).
 */
export function kprototypesAccumulate(
  Xnum: usize, // IN f64[n*p]
  codes: usize, // IN i32[n*m]
  n: i32,
  p: i32,
  m: i32,
  labels: usize, // IN i32[n]
  offsets: usize, // IN i32[m], first slot of each feature in a cluster's category counts
  totalCategories: i32,
  k: i32,
  sums: usize, // OUT f64[k*p]
  counts: usize, // OUT i32[k]
  categoryCounts: usize, // OUT i32[k*totalCategories]
): void {
  for (let j = 0; j < k * p; j++) setF64(sums, j, 0);
  for (let j = 0; j < k; j++) setI32(counts, j, 0);
  for (let j = 0; j < k * totalCategories; j++) setI32(categoryCounts, j, 0);
  for (let i = 0; i < n; i++) {
    const l = i32At(labels, i);
    setI32(counts, l, i32At(counts, l) + 1);
    const x = Xnum + ((<usize>i * p) << 3);
    const s = sums + ((<usize>l * p) << 3);
    for (let t = 0; t < p; t++) setF64(s, t, f64At(s, t) + f64At(x, t));
    const c = codes + ((<usize>i * m) << 2);
    const cc = categoryCounts + ((<usize>l * totalCategories) << 2);
    for (let t = 0; t < m; t++) {
      const v = i32At(c, t);
      if (v < 0) continue;
      const slot = i32At(offsets, t) + v;
      setI32(cc, slot, i32At(cc, slot) + 1);
    }
  }
}

/**
 * One iteration's pass of a fit: kprototypesAssign and kprototypesAccumulate fused, on
 * column-major rows (Xt[t*n + i], Ct[t*n + i]) so four rows' values of one feature are
 * one or two vector loads. Every row's dissimilarity is summed in the same order as the
 * scalar kernel (numeric features in order from 0, then gamma * mismatches) and rows
 * are accumulated in row order, so labels, costs, sums and counts are bit-identical to
 * kprototypesAssign followed by kprototypesAccumulate. Writes the rows' costs summed in
 * row order to totalCost[0] and returns how many labels changed.
 */
export function kprototypesStep(
  Xt: usize, // IN f64[p*n], column-major
  Ct: usize, // IN i32[m*n], column-major codes; -1 never matches
  n: i32,
  p: i32,
  m: i32,
  centroids: usize, // IN f64[k*p]
  modes: usize, // IN i32[k*m]
  k: i32,
  gamma: f64,
  labels: usize, // INOUT i32[n]
  costs: usize, // OUT f64[n]
  offsets: usize, // IN i32[m], first slot of each feature in a cluster's category counts
  totalCategories: i32,
  sums: usize, // OUT f64[k*p]
  counts: usize, // OUT i32[k]
  categoryCounts: usize, // OUT i32[k*totalCategories]
  totalCost: usize, // OUT f64[1]
): i32 {
  for (let j = 0; j < k * p; j++) setF64(sums, j, 0);
  for (let j = 0; j < k; j++) setI32(counts, j, 0);
  for (let j = 0; j < k * totalCategories; j++) setI32(categoryCounts, j, 0);
  const colF = <usize>n << 3;
  const colI = <usize>n << 2;
  let changed = 0;
  let cost: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const g = f64x2.splat(gamma);
    const zero = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const xf = Xt + (<usize>i << 3);
      const xc = Ct + (<usize>i << 2);
      let bestA = f64x2.splat(Infinity);
      let bestB = f64x2.splat(Infinity);
      let labA = i64x2.splat(0);
      let labB = i64x2.splat(0);
      for (let j = 0; j < k; j++) {
        const cen = centroids + ((<usize>j * p) << 3);
        let sA = f64x2.splat(0);
        let sB = f64x2.splat(0);
        let col = xf;
        for (let t = 0; t < p; t++) {
          const c = v128.load64_splat(cen + (<usize>t << 3));
          const dA = f64x2.sub(v128.load(col), c);
          const dB = f64x2.sub(v128.load(col, 16), c);
          sA = f64x2.add(sA, f64x2.mul(dA, dA));
          sB = f64x2.add(sB, f64x2.mul(dB, dB));
          col += colF;
        }
        const mo = modes + ((<usize>j * m) << 2);
        // Each lane counts down by one per mismatch (comparison masks are -1).
        let mism = zero;
        let cc = xc;
        for (let t = 0; t < m; t++) {
          const v = v128.load(cc);
          mism = i32x4.add(mism, v128.or(i32x4.ne(v, v128.load32_splat(mo + (<usize>t << 2))), i32x4.lt_s(v, zero)));
          cc += colI;
        }
        const count = i32x4.sub(zero, mism);
        sA = f64x2.add(sA, f64x2.mul(g, f64x2.convert_low_i32x4_s(count)));
        sB = f64x2.add(sB, f64x2.mul(g, f64x2.convert_low_i32x4_s(i32x4.shuffle(count, count, 2, 3, 0, 1))));
        const betterA = f64x2.lt(sA, bestA);
        const betterB = f64x2.lt(sB, bestB);
        const jj = i64x2.splat(<i64>j);
        bestA = v128.bitselect(sA, bestA, betterA);
        bestB = v128.bitselect(sB, bestB, betterB);
        labA = v128.bitselect(jj, labA, betterA);
        labB = v128.bitselect(jj, labB, betterB);
      }
      changed += settle(i, <i32>i64x2.extract_lane(labA, 0), f64x2.extract_lane(bestA, 0), Xt, Ct, n, p, m, labels, costs, offsets, totalCategories, sums, counts, categoryCounts);
      changed += settle(i + 1, <i32>i64x2.extract_lane(labA, 1), f64x2.extract_lane(bestA, 1), Xt, Ct, n, p, m, labels, costs, offsets, totalCategories, sums, counts, categoryCounts);
      changed += settle(i + 2, <i32>i64x2.extract_lane(labB, 0), f64x2.extract_lane(bestB, 0), Xt, Ct, n, p, m, labels, costs, offsets, totalCategories, sums, counts, categoryCounts);
      changed += settle(i + 3, <i32>i64x2.extract_lane(labB, 1), f64x2.extract_lane(bestB, 1), Xt, Ct, n, p, m, labels, costs, offsets, totalCategories, sums, counts, categoryCounts);
      cost += f64x2.extract_lane(bestA, 0);
      cost += f64x2.extract_lane(bestA, 1);
      cost += f64x2.extract_lane(bestB, 0);
      cost += f64x2.extract_lane(bestB, 1);
    }
  }
  for (; i < n; i++) {
    let best: f64 = Infinity;
    let bestK = 0;
    for (let j = 0; j < k; j++) {
      const cen = centroids + ((<usize>j * p) << 3);
      let s: f64 = 0;
      let col = Xt + (<usize>i << 3);
      for (let t = 0; t < p; t++) {
        const diff = load<f64>(col) - f64At(cen, t);
        s += diff * diff;
        col += colF;
      }
      const mo = modes + ((<usize>j * m) << 2);
      let mismatches = 0;
      let cc = Ct + (<usize>i << 2);
      for (let t = 0; t < m; t++) {
        const v = load<i32>(cc);
        mismatches += <i32>(v != i32At(mo, t)) | <i32>(v < 0);
        cc += colI;
      }
      s += gamma * <f64>mismatches;
      const better = s < best;
      best = select<f64>(s, best, better);
      bestK = select<i32>(j, bestK, better);
    }
    changed += settle(i, bestK, best, Xt, Ct, n, p, m, labels, costs, offsets, totalCategories, sums, counts, categoryCounts);
    cost += best;
  }
  setF64(totalCost, 0, cost);
  return changed;
}

/** Row i's new label and cost, and its share of its cluster's sums and counts; 1 when its label changed. */
// @ts-ignore: decorator
@inline
function settle(
  i: i32, l: i32, cost: f64, Xt: usize, Ct: usize, n: i32, p: i32, m: i32, labels: usize, costs: usize,
  offsets: usize, totalCategories: i32, sums: usize, counts: usize, categoryCounts: usize,
): i32 {
  const moved = <i32>(i32At(labels, i) != l);
  setI32(labels, i, l);
  setF64(costs, i, cost);
  setI32(counts, l, i32At(counts, l) + 1);
  const s = sums + ((<usize>l * p) << 3);
  let col = Xt + (<usize>i << 3);
  for (let t = 0; t < p; t++) {
    setF64(s, t, f64At(s, t) + load<f64>(col));
    col += <usize>n << 3;
  }
  const cc = categoryCounts + ((<usize>l * totalCategories) << 2);
  let c = Ct + (<usize>i << 2);
  for (let t = 0; t < m; t++) {
    const v = load<i32>(c);
    c += <usize>n << 2;
    if (v < 0) continue;
    const slot = i32At(offsets, t) + v;
    setI32(cc, slot, i32At(cc, slot) + 1);
  }
  return moved;
}
