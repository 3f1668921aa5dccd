/**
 * Plain-TS reference of one mini-batch K-Means update without reassignment (scikit-learn's
 * _minibatch_update_dense): every batch row goes to its nearest centroid (squared
 * Euclidean, first index on ties), then each centroid that received rows becomes
 * (c * count + sum of its rows) / (count + their number) and its count grows by that number.
 */
export function miniBatchStepRef(
  centroids: number[][],
  counts: number[],
  batch: number[][],
): { centroids: number[][]; counts: number[]; labels: number[]; inertia: number } {
  const k = centroids.length;
  const d = centroids[0].length;
  const labels: number[] = [];
  let inertia = 0;
  const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const got = new Array<number>(k).fill(0);
  for (const x of batch) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[j] - centroids[c][j]) ** 2;
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    labels.push(best);
    inertia += bestD;
    got[best]++;
    for (let j = 0; j < d; j++) sums[best][j] += x[j];
  }
  const next = centroids.map((row, c) => (got[c] === 0 ? row.slice() : row.map((v, j) => (v * counts[c] + sums[c][j]) / (counts[c] + got[c]))));
  return { centroids: next, counts: counts.map((n, c) => n + got[c]), labels, inertia };
}

/** Adjusted Rand index of two labelings (Hubert and Arabie), 1 for the same partition. */
export function adjustedRandIndexRef(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const rowsA = new Map<number, number>();
  const colsB = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowsA.set(a[i], (rowsA.get(a[i]) ?? 0) + 1);
    colsB.set(b[i], (colsB.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of rowsA.values()) sa += c2(v);
  let sb = 0;
  for (const v of colsB.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
