/**
 * k-selection criteria that compare the data with resampled or reference data instead of
 * scoring one fit: the gap statistic (Tibshirani, Walther & Hastie 2001) and prediction
 * strength (Tibshirani & Walther 2005). Both answer "is there real structure at k?",
 * which internal scores (silhouette, Davies-Bouldin) do not: on overlapping log-normal
 * customer segments those peak at k = 2 whatever the number of segments.
 *
 * All fits are K-Means on at most `sampleSize` rows (the criteria need the curve's shape,
 * not every customer), seeded, so a seed gives the same curve everywhere.
 */
import { fitAlgorithm } from '../cluster/registry';
import { type Matrix, rowsOf } from '../matrix';
import { Random, sampleIndices } from '../random';

/** One k of a criterion's curve. */
export interface CriterionPoint {
  k: number;
  score: number;
  /** Gap: the standard error s_k of the reference's log W (the 1-SE rule's margin). */
  se?: number;
}

/** The rows sampleRows(m, size, seed) takes from a matrix of n > size rows, in its order. */
export function sampleRowIndices(n: number, size: number, seed: number): Int32Array {
  return sampleIndices(n, size, new Random(seed ^ 0x6a09e667));
}

/** A seeded sample of at most `size` rows (the matrix itself when it is small enough). */
export function sampleRows(m: Matrix, size: number, seed: number): Matrix {
  if (m.rows <= size) return m;
  return rowsOf(m, sampleRowIndices(m.rows, size, seed));
}

function kmeansFit(m: Matrix, k: number, seed: number, nInit: number) {
  return fitAlgorithm('kmeans', m, { k, seed, nInit });
}

/** Within-cluster sum of squares of one cluster (k = 1): the total sum of squares. */
function totalSumOfSquares(m: Matrix): number {
  const { data, rows, cols } = m;
  let s = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + j];
    mean /= rows;
    for (let i = 0; i < rows; i++) s += (data[i * cols + j] - mean) ** 2;
  }
  return s;
}

/** Eigenvectors of a symmetric d x d matrix (cyclic Jacobi), as the columns of V. */
function symmetricEigenvectors(A: Float64Array, d: number): Float64Array {
  const a = A.slice();
  const V = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = a[r * d + p];
          const arq = a[r * d + q];
          a[r * d + p] = c * arp - s * arq;
          a[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = a[p * d + r];
          const aqr = a[q * d + r];
          a[p * d + r] = c * apr - s * aqr;
          a[q * d + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = V[r * d + p];
          const vrq = V[r * d + q];
          V[r * d + p] = c * vrp - s * vrq;
          V[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return V;
}

/**
 * The reference distribution of the gap statistic: uniform over the box of the data's
 * principal components (Tibshirani et al.'s second choice, which follows the data's
 * shape: a box aligned with the original features overstates the volume of correlated
 * data and so the gap). Returns a sampler of n-row reference sets.
 */
function referenceSampler(m: Matrix, reference: 'pca' | 'box'): (rng: Random) => Matrix {
  const { data, rows: n, cols: d } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let V: Float64Array = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;
  if (reference === 'pca') {
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < d; p++) {
        const xp = data[i * d + p] - mean[p];
        for (let q = p; q < d; q++) cov[p * d + q] += xp * (data[i * d + q] - mean[q]);
      }
    for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) cov[p * d + q] = cov[q * d + p];
    V = symmetricEigenvectors(cov, d);
  }
  // Range of the data along each axis (columns of V).
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < d; c++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += (data[i * d + j] - mean[j]) * V[j * d + c];
      if (z < lo[c]) lo[c] = z;
      if (z > hi[c]) hi[c] = z;
    }
  return (rng) => {
    const out = new Float64Array(n * d);
    const z = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) z[c] = lo[c] + (hi[c] - lo[c]) * rng.next();
      for (let j = 0; j < d; j++) {
        let x = mean[j];
        for (let c = 0; c < d; c++) x += V[j * d + c] * z[c];
        out[i * d + j] = x;
      }
    }
    return { data: out, rows: n, cols: d };
  };
}

export interface GapOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** Reference data sets (B). */
  references: number;
  reference: 'pca' | 'box';
  nInit: number;
}

/**
 * Gap(k) = E*[log W_k] - log W_k over kMin..kMax+1, with s_k = sd * sqrt(1 + 1/B); the
 * chosen k is the smallest with Gap(k) >= Gap(k+1) - s_{k+1} (the 1-SE rule), else the k
 * of the largest gap. W_k is K-Means' inertia (pooled within-cluster sum of squares).
 */
export function gapStatistic(m: Matrix, o: GapOptions): { k: number; curve: CriterionPoint[] } {
  const sample = referenceSampler(m, o.reference);
  const rng = new Random(o.seed ^ 0x3c6ef372);
  const refs = Array.from({ length: o.references }, () => sample(rng));
  const logW = (x: Matrix, k: number, seed: number): number =>
    Math.log(k === 1 ? totalSumOfSquares(x) : Math.max(kmeansFit(x, k, seed, o.nInit).inertia, Number.MIN_VALUE));
  const curve: CriterionPoint[] = [];
  const top = Math.min(o.kMax + 1, m.rows - 1);
  for (let k = o.kMin; k <= top; k++) {
    const observed = logW(m, k, o.seed);
    const ref = refs.map((r, b) => logW(r, k, o.seed + b + 1));
    const mean = ref.reduce((a, v) => a + v, 0) / ref.length;
    const sd = Math.sqrt(ref.reduce((a, v) => a + (v - mean) ** 2, 0) / ref.length);
    curve.push({ k, score: mean - observed, se: sd * Math.sqrt(1 + 1 / ref.length) });
  }
  let chosen = -1;
  for (let i = 0; i + 1 < curve.length && curve[i].k <= o.kMax; i++) {
    if (curve[i].score >= curve[i + 1].score - curve[i + 1].se!) {
      chosen = i;
      break;
    }
  }
  if (chosen < 0) {
    chosen = 0;
    for (let i = 1; i < curve.length && curve[i].k <= o.kMax; i++) if (curve[i].score > curve[chosen].score) chosen = i;
  }
  return { k: curve[chosen].k, curve: curve.filter((p) => p.k <= o.kMax) };
}

export interface PredictionStrengthOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** Random halvings averaged per k. */
  splits: number;
  /** The largest k whose strength reaches this is chosen (the paper suggests 0.8 to 0.9). */
  threshold: number;
  nInit: number;
}

/**
 * Prediction strength: split the rows in halves, cluster both; for each cluster of the
 * test half, the share of its pairs that the training half's centroids also put together;
 * ps(k) is the smallest such share (averaged over splits). Real clusters are predicted
 * from the other half, arbitrary cuts of one blob are not. Chosen: the largest k with
 * ps(k) >= threshold (k = kMin when none reaches it).
 */
export function predictionStrength(m: Matrix, o: PredictionStrengthOptions): { k: number; curve: CriterionPoint[] } {
  const rng = new Random(o.seed ^ 0x510e527f);
  const halves: [Matrix, Matrix][] = [];
  for (let s = 0; s < o.splits; s++) {
    const order = sampleIndices(m.rows, m.rows, rng);
    const half = m.rows >> 1;
    halves.push([rowsOf(m, order.subarray(0, half)), rowsOf(m, order.subarray(half))]);
  }
  const curve: CriterionPoint[] = [];
  for (let k = o.kMin; k <= o.kMax; k++) {
    let total = 0;
    halves.forEach(([train, test], s) => {
      const trained = kmeansFit(train, k, o.seed + s, o.nInit);
      const own = kmeansFit(test, k, o.seed + s + 1000, o.nInit).labels;
      const predicted = trained.predictMatrix!(test);
      total += minCoMembership(own, predicted, k);
    });
    curve.push({ k, score: total / o.splits });
  }
  let chosen = 0;
  for (let i = 0; i < curve.length; i++) if (curve[i].score >= o.threshold) chosen = i;
  return { k: curve[chosen].k, curve };
}

/** min over clusters j of `own` of the share of j's pairs that `predicted` also puts together. */
export function minCoMembership(own: Int32Array, predicted: Int32Array, k: number): number {
  // A loop, not Math.max(...predicted): spreading 100k labels overflows the call stack.
  let kp = k;
  for (const p of predicted) if (p + 1 > kp) kp = p + 1;
  const table = new Float64Array(k * kp);
  const size = new Float64Array(k);
  for (let i = 0; i < own.length; i++) {
    table[own[i] * kp + predicted[i]]++;
    size[own[i]]++;
  }
  let worst = 1;
  for (let j = 0; j < k; j++) {
    const nj = size[j];
    if (nj < 2) continue;
    let together = 0;
    for (let c = 0; c < kp; c++) {
      const v = table[j * kp + c];
      together += v * (v - 1);
    }
    worst = Math.min(worst, together / (nj * (nj - 1)));
  }
  return worst;
}
