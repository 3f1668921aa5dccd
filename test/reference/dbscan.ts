/**
 * Plain-TypeScript DBSCAN: brute-force neighbourhoods (every pair, distance <= eps) and
 * scikit-learn's expansion loop (sklearn/cluster/_dbscan_inner.pyx) transcribed as is:
 * clusters grow depth-first from each unlabelled core row in row order. The tests use
 * it as the independent answer, the bench as the baseline a user could write by hand.
 * Memory is O(n * neighbours), like scikit-learn's.
 */
export function dbscanRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  eps: number,
  minSamples: number,
): { labels: Int32Array; coreSampleIndices: Int32Array; nClusters: number } {
  const neighbourhoods: number[][] = [];
  for (let i = 0; i < n; i++) {
    const list: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = X[i * d + k] - X[j * d + k];
        s += diff * diff;
      }
      if (Math.sqrt(s) <= eps) list.push(j);
    }
    neighbourhoods.push(list);
  }
  const isCore = neighbourhoods.map((nb) => nb.length >= minSamples);
  const labels = new Int32Array(n).fill(-1);
  let label = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !isCore[start]) continue;
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (labels[i] !== -1) continue;
      labels[i] = label;
      if (!isCore[i]) continue;
      for (const v of neighbourhoods[i]) if (labels[v] === -1) stack.push(v);
    }
    label++;
  }
  const core: number[] = [];
  isCore.forEach((c, i) => c && core.push(i));
  return { labels, coreSampleIndices: Int32Array.from(core), nClusters: label };
}
