/**
 * Plain-TypeScript references for the quality metrics: the obvious loops straight from
 * scikit-learn's definitions, no sorting, no symmetry, no SIMD. Tests use them as the
 * independent answer; the bench uses silhouetteSamplesRef as the hand-written baseline.
 * X is row-major n x d; labels are 0..k-1 (no noise).
 */
function distance(X: ArrayLike<number>, d: number, i: number, j: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const diff = X[i * d + f] - X[j * d + f];
    s += diff * diff;
  }
  return Math.sqrt(s);
}

export function silhouetteSamplesRef(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): Float64Array {
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, labels[i] + 1);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) size[labels[i]]++;
  const out = new Float64Array(n);
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]] += distance(X, d, i, j);
    const own = labels[i];
    if (size[own] === 1) {
      out[i] = 0;
      continue;
    }
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
    const m = Math.max(a, b);
    out[i] = m > 0 ? (b - a) / m : 0;
  }
  return out;
}

export function silhouetteScoreRef(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): number {
  const s = silhouetteSamplesRef(X, n, d, labels);
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i];
  return t / n;
}

function centroids(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>, k: number) {
  const C = new Float64Array(k * d);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    size[labels[i]]++;
    for (let f = 0; f < d; f++) C[labels[i] * d + f] += X[i * d + f];
  }
  for (let c = 0; c < k; c++) for (let f = 0; f < d; f++) C[c * d + f] /= size[c];
  return { C, size };
}

function clusterCount(labels: ArrayLike<number>, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, labels[i] + 1);
  return k;
}

export function daviesBouldinRef(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): number {
  const k = clusterCount(labels, n);
  const { C, size } = centroids(X, n, d, labels, k);
  const s = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let f = 0; f < d; f++) sq += (X[i * d + f] - C[labels[i] * d + f]) ** 2;
    s[labels[i]] += Math.sqrt(sq) / size[labels[i]];
  }
  const sep = (a: number, b: number) => {
    let sq = 0;
    for (let f = 0; f < d; f++) sq += (C[a * d + f] - C[b * d + f]) ** 2;
    return Math.sqrt(sq);
  };
  let allSpreadZero = true;
  let allSepZero = true;
  for (let a = 0; a < k; a++) {
    if (Math.abs(s[a]) > 1e-8) allSpreadZero = false;
    for (let b = 0; b < k; b++) if (sep(a, b) > 1e-8) allSepZero = false;
  }
  if (allSpreadZero || allSepZero) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      const dist = sep(a, b);
      if (b !== a && dist > 0) worst = Math.max(worst, (s[a] + s[b]) / dist);
    }
    total += worst;
  }
  return total / k;
}

export function calinskiHarabaszRef(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): number {
  const k = clusterCount(labels, n);
  const { C, size } = centroids(X, n, d, labels, k);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) mean[f] += X[i * d + f] / n;
  let between = 0;
  let within = 0;
  for (let c = 0; c < k; c++) for (let f = 0; f < d; f++) between += size[c] * (C[c * d + f] - mean[f]) ** 2;
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) within += (X[i * d + f] - C[labels[i] * d + f]) ** 2;
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}
