// HDBSCAN's hot loops: the minimum spanning tree of the mutual-reachability graph
// (mrd(a, b) = max(core[a], core[b], |a - b|)) and the nearest training rows of new
// rows for approximate prediction. Core distances come from dbscanKthNeighbourSq.
//
// hdbscanPrimMst is dense Prim, O(n^2 d) time and O(n) memory, with scikit-learn's
// scan order and tie rules (mst_from_data_matrix), so its edges are the very ones
// scikit-learn 1.6 finds: ties decide which point joins first, and the condensed tree
// depends on that order when heights are equal.

import { sqdistRows } from './distance';
import { f64At, i32At, setF64, setI32 } from './memory';

/**
 * Prim's MST over mutual reachability, started at row 0, as scikit-learn's
 * mst_from_data_matrix: edge i is [source, target, mrd], in the order rows join.
 */
export function hdbscanPrimMst(
  X: usize, // IN f64[n*d]
  core: usize, // IN f64[n], core distance of each row
  n: i32,
  d: i32,
  inTree: usize, // SCRATCH i32[n]
  minReach: usize, // SCRATCH f64[n]
  sources: usize, // SCRATCH i32[n]
  mst: usize, // OUT f64[(n-1)*3]: source, target, distance
): void {
  const rowBytes = <usize>d << 3;
  for (let j = 0; j < n; j++) {
    setI32(inTree, j, 0);
    setF64(minReach, j, Infinity);
    setI32(sources, j, 1); // scikit-learn's initial value; read only for unreachable rows
  }
  let current = 0;
  for (let i = 0; i < n - 1; i++) {
    setI32(inTree, current, 1);
    const coreCurrent = f64At(core, current);
    const cx = X + <usize>current * rowBytes;
    let best: f64 = f64.MAX_VALUE;
    let source = 0;
    let next = 0;
    for (let j = 0; j < n; j++) {
      if (i32At(inTree, j)) continue;
      const reach = f64At(minReach, j);
      let mrd = Math.sqrt(sqdistRows(cx, X + <usize>j * rowBytes, d));
      const cj = f64At(core, j);
      if (coreCurrent > mrd) mrd = coreCurrent;
      if (cj > mrd) mrd = cj;
      if (mrd < reach) {
        setF64(minReach, j, mrd);
        setI32(sources, j, current);
        if (mrd < best) {
          best = mrd;
          source = current;
          next = j;
        }
      } else if (reach < best) {
        best = reach;
        source = i32At(sources, j);
        next = j;
      }
    }
    const row = mst + ((<usize>i * 3) << 3);
    store<f64>(row, <f64>source);
    store<f64>(row, <f64>next, 8);
    store<f64>(row, best, 16);
    current = next;
  }
}

/**
 * For each query row, its k nearest training rows (ascending distance, ties to the
 * lower row), by brute force: approximate prediction asks for 2 * minSamples of them.
 */
export function hdbscanQueryNeighbours(
  X: usize, // IN f64[n*d], training rows
  n: i32,
  d: i32,
  Q: usize, // IN f64[m*d]
  m: i32,
  k: i32, // 1 <= k <= n
  outIdx: usize, // OUT i32[m*k]
  outDist: usize, // OUT f64[m*k], Euclidean distances
): void {
  const rowBytes = <usize>d << 3;
  for (let q = 0; q < m; q++) {
    const x = Q + <usize>q * rowBytes;
    const idx = outIdx + ((<usize>q * k) << 2);
    const dist = outDist + ((<usize>q * k) << 3);
    let size = 0;
    for (let j = 0; j < n; j++) {
      const s = sqdistRows(x, X + <usize>j * rowBytes, d);
      if (size == k && s >= f64At(dist, k - 1)) continue;
      // Insertion into the sorted prefix; equal distances keep the earlier row first.
      let p = size < k ? size : k - 1;
      while (p > 0 && f64At(dist, p - 1) > s) {
        setF64(dist, p, f64At(dist, p - 1));
        setI32(idx, p, i32At(idx, p - 1));
        p--;
      }
      setF64(dist, p, s);
      setI32(idx, p, j);
      if (size < k) size++;
    }
    for (let t = 0; t < k; t++) setF64(dist, t, Math.sqrt(f64At(dist, t)));
  }
}
