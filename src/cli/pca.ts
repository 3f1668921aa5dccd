/**
 * A 2-D view of the customers (the playground's scatter and the HTML report's): the first two principal components of the chosen
 * features, prepared as the model saw them: log1p where segment() log-transformed a
 * skewed feature, then z-scored (so spend in dollars does not drown out rates in [0, 1]),
 * with missing values at the column mean. Jacobi rotations on the d x d covariance are
 * exact enough and instant for the handful of features a segmentation uses.
 */
export interface Projection {
  x: Float64Array;
  y: Float64Array;
  /** Share of the (standardized) variance each of the two axes explains. */
  explained: [number, number];
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

export function pca2(
  data: Record<string, unknown>[] | Record<string, ArrayLike<unknown>>,
  features: string[],
  logTransformed: ReadonlySet<string> = new Set(),
): Projection {
  // Records (the playground's sample) or columns (readCustomers()' result).
  const n = Array.isArray(data) ? data.length : (data[features[0]]?.length ?? 0);
  const cell = Array.isArray(data) ? (i: number, f: string) => data[i][f] : (i: number, f: string) => data[f][i];
  const d = features.length;
  const Z = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let count = 0;
    const log = logTransformed.has(features[j]);
    for (let i = 0; i < n; i++) {
      const raw = toNumber(cell(i, features[j]));
      const v = log ? Math.log1p(raw) : raw;
      Z[i * d + j] = v;
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    const mean = count ? sum / count : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = Number.isFinite(Z[i * d + j]) ? Z[i * d + j] - mean : 0;
      Z[i * d + j] = v;
      ss += v * v;
    }
    const sd = Math.sqrt(ss / Math.max(1, n - 1)) || 1;
    for (let i = 0; i < n; i++) Z[i * d + j] /= sd;
  }
  const C: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const za = Z[i * d + a];
      for (let b = a; b < d; b++) C[a][b] += za * Z[i * d + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) C[b][a] = C[a][b] /= Math.max(1, n - 1);
  const { values, vectors } = jacobiEigen(C);
  const order = values
    .map((v, i) => [v, i] as const)
    .sort((p, q) => q[0] - p[0])
    .map(([, i]) => i);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  const axis = (r: number): number[] => (order[r] === undefined ? new Array<number>(d).fill(0) : vectors.map((row) => row[order[r]]));
  const u = axis(0);
  const w = axis(1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let j = 0; j < d; j++) {
      px += Z[i * d + j] * u[j];
      py += Z[i * d + j] * w[j];
    }
    x[i] = px;
    y[i] = py;
  }
  const explainedOf = (r: number): number => (order[r] === undefined ? 0 : Math.max(0, values[order[r]]) / total);
  return { x, y, explained: [explainedOf(0), explainedOf(1)] };
}

/** Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations. */
export function jacobiEigen(S: number[][]): { values: number[]; vectors: number[][] } {
  const d = S.length;
  const A = S.map((row) => row.slice());
  const V: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: A.map((row, i) => row[i]), vectors: V };
}
