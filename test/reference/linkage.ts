/**
 * Plain-TypeScript hierarchical clustering by the definitions, no tricks: at every step
 * compute every pair of clusters' linkage distance from their members and merge the
 * closest pair. O(n^3) and more; for small n only. Used by the tests as the answer that
 * shares no code and no algorithm (no NN-chain, no Lance-Williams) with segmint's.
 */
export type ReferenceLinkage = 'ward' | 'complete' | 'average' | 'single';

function dist(X: ArrayLike<number>, d: number, a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const diff = X[a * d + j] - X[b * d + j];
    s += diff * diff;
  }
  return Math.sqrt(s);
}

function clusterDistance(X: ArrayLike<number>, d: number, A: number[], B: number[], method: ReferenceLinkage): number {
  if (method === 'ward') {
    // sqrt(2 |A||B| / (|A|+|B|)) times the distance between the centroids (SciPy's ward height).
    let sq = 0;
    for (let j = 0; j < d; j++) {
      let ca = 0;
      let cb = 0;
      for (const i of A) ca += X[i * d + j];
      for (const i of B) cb += X[i * d + j];
      const diff = ca / A.length - cb / B.length;
      sq += diff * diff;
    }
    return Math.sqrt(((2 * A.length * B.length) / (A.length + B.length)) * sq);
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const a of A) {
    for (const b of B) {
      const v = dist(X, d, a, b);
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
  }
  return method === 'single' ? min : method === 'complete' ? max : sum / (A.length * B.length);
}

/** Merge heights and sizes in merge order, and the flat labels after n - k merges. */
export function linkageRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  method: ReferenceLinkage,
  k: number,
): { heights: number[]; sizes: number[]; labelsK: Int32Array } {
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const heights: number[] = [];
  const sizes: number[] = [];
  let labelsK: Int32Array = new Int32Array(n);
  for (let step = 0; step < n - 1; step++) {
    if (clusters.length === k) labelsK = labelsOf(clusters, n);
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const v = clusterDistance(X, d, clusters[i], clusters[j], method);
        if (v < best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = [...clusters[bi], ...clusters[bj]];
    clusters = clusters.filter((_, idx) => idx !== bi && idx !== bj);
    clusters.push(merged);
    heights.push(best);
    sizes.push(merged.length);
  }
  if (clusters.length === k) labelsK = labelsOf(clusters, n);
  return { heights, sizes, labelsK };
}

function labelsOf(clusters: number[][], n: number): Int32Array {
  const labels = new Int32Array(n);
  clusters.forEach((members, c) => members.forEach((i) => (labels[i] = c)));
  return labels;
}
