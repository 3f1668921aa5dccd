/**
 * Plain-TypeScript HDBSCAN front half: brute-force core distances (the minSamples-th
 * smallest distance of each row, itself counted) and dense Prim over mutual
 * reachability with scikit-learn's scan order and tie rules (mst_from_data_matrix).
 * The tests check the WASM kernels against it; the bench uses it, with segmint's tree
 * code, as the baseline a user could write by hand.
 */
export function coreDistancesRef(X: ArrayLike<number>, n: number, d: number, minSamples: number): Float64Array {
  const out = new Float64Array(n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (X[i * d + k] - X[j * d + k]) ** 2;
      row[j] = Math.sqrt(s);
    }
    out[i] = Float64Array.from(row).sort()[minSamples - 1];
  }
  return out;
}

/** Prim's MST over max(core[a], core[b], |a - b|) from row 0: edge i = [source, target, distance], in joining order. */
export function primMstRef(X: ArrayLike<number>, n: number, d: number, core: ArrayLike<number>): Float64Array {
  const inTree = new Uint8Array(n);
  const minReach = new Float64Array(n).fill(Infinity);
  const sources = new Int32Array(n).fill(1);
  const mst = new Float64Array(3 * (n - 1));
  let current = 0;
  for (let i = 0; i < n - 1; i++) {
    inTree[current] = 1;
    let best = Number.MAX_VALUE;
    let source = 0;
    let next = 0;
    for (let j = 0; j < n; j++) {
      if (inTree[j]) continue;
      let s = 0;
      for (let k = 0; k < d; k++) s += (X[current * d + k] - X[j * d + k]) ** 2;
      const mrd = Math.max(core[current], core[j], Math.sqrt(s));
      if (mrd < minReach[j]) {
        minReach[j] = mrd;
        sources[j] = current;
        if (mrd < best) {
          best = mrd;
          source = current;
          next = j;
        }
      } else if (minReach[j] < best) {
        best = minReach[j];
        source = sources[j];
        next = j;
      }
    }
    mst.set([source, next, best], 3 * i);
    current = next;
  }
  return mst;
}
