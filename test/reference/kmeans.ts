/**
 * Plain-TypeScript references for the K-Means kernels: the obvious double loops, no
 * tricks, used by the tests as the independent answer and by the bench as the baseline
 * a user could write by hand. X is row-major n x d.
 */
export function squaredDistancesRef(X: ArrayLike<number>, n: number, d: number, C: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = X[i * d + j] - C[c * d + j];
        s += diff * diff;
      }
      out[i * k + c] = s;
    }
  }
  return out;
}

/** Nearest centroid per row (first wins ties), weighted sums and weights per cluster. */
export function assignNearestRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  C: ArrayLike<number>,
  k: number,
  w?: ArrayLike<number>,
): { labels: Int32Array; sums: Float64Array; counts: Float64Array; minDist: Float64Array } {
  const D = squaredDistancesRef(X, n, d, C, k);
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const minDist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (D[i * k + c] < D[i * k + best]) best = c;
    labels[i] = best;
    minDist[i] = D[i * k + best];
    const wi = w ? w[i] : 1;
    counts[best] += wi;
    for (let j = 0; j < d; j++) sums[best * d + j] += wi * X[i * d + j];
  }
  return { labels, sums, counts, minDist };
}

/** Plain Lloyd from given centroids: the hand-written baseline of the bench. */
export function lloydRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  init: ArrayLike<number>,
  k: number,
  maxIter = 300,
  tolAbs = 0,
): { labels: Int32Array; centroids: Float64Array; inertia: number; iterations: number } {
  const C = Float64Array.from(init);
  let labels: Int32Array = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    const a = assignNearestRef(X, n, d, C, k);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (a.counts[c] === 0) continue;
      for (let j = 0; j < d; j++) {
        const v = a.sums[c * d + j] / a.counts[c];
        shift += (v - C[c * d + j]) ** 2;
        C[c * d + j] = v;
      }
    }
    const same = a.labels.every((l, i) => l === labels[i]);
    labels = a.labels;
    if (same || shift <= tolAbs) break;
  }
  const final = assignNearestRef(X, n, d, C, k);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += final.minDist[i];
  return { labels: final.labels, centroids: C, inertia, iterations: iterations + 1 };
}
