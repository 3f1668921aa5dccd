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
