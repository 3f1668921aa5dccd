/**
 * Plain-TypeScript Gaussian mixture EM, written straight from scikit-learn's
 * sklearn/mixture/_gaussian_mixture.py (row-major X, the obvious loops): the independent
 * answer for the tests and the hand-written baseline of the bench.
 *
 * Covariances are flat: full k*d*d, tied d*d, diag k*d, spherical k. Precision
 * Cholesky factors are scikit-learn's precisions_cholesky_: upper-triangular P with
 * P^T Sigma P = I (full: k*d*d, tied: d*d), or 1/sqrt(variance).
 */
export type CovType = 'full' | 'diag' | 'tied' | 'spherical';

export interface RefParams {
  weights: Float64Array;
  means: Float64Array;
  cov: Float64Array;
}

/** scikit-learn's _compute_precision_cholesky: inv(cholesky(cov, lower)).T per matrix. */
export function precisionCholeskyRef(type: CovType, k: number, d: number, cov: Float64Array): Float64Array {
  if (type === 'diag' || type === 'spherical') return cov.map((v) => 1 / Math.sqrt(v));
  const count = type === 'full' ? k : 1;
  const out = new Float64Array(count * d * d);
  for (let c = 0; c < count; c++) {
    const A = cov.subarray(c * d * d, (c + 1) * d * d);
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * d + j];
        for (let m = 0; m < j; m++) s -= L[i * d + m] * L[j * d + m];
        L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j];
      }
    }
    // Solve L Y = I column by column, then P = Y^T.
    const Y = new Float64Array(d * d);
    for (let col = 0; col < d; col++) {
      for (let i = 0; i < d; i++) {
        let s = i === col ? 1 : 0;
        for (let m = 0; m < i; m++) s -= L[i * d + m] * Y[m * d + col];
        Y[i * d + col] = s / L[i * d + i];
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[c * d * d + i * d + j] = Y[j * d + i];
  }
  return out;
}

/** _estimate_log_gaussian_prob + log weights: the n x k weighted log-probabilities. */
export function weightedLogProbRef(X: ArrayLike<number>, n: number, d: number, k: number, type: CovType, p: RefParams): Float64Array {
  const P = precisionCholeskyRef(type, k, d, p.cov);
  const out = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    const mu = p.means.subarray(c * d, (c + 1) * d);
    if (type === 'full' || type === 'tied') {
      const off = type === 'full' ? c * d * d : 0;
      for (let j = 0; j < d; j++) logDet += Math.log(P[off + j * d + j]);
      // y = X P - mu P
      const muP = new Float64Array(d);
      for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) muP[j] += mu[i] * P[off + i * d + j];
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          let y = 0;
          for (let i = 0; i < d; i++) y += X[r * d + i] * P[off + i * d + j];
          y -= muP[j];
          s += y * y;
        }
        out[r * k + c] = -0.5 * (d * Math.log(2 * Math.PI) + s) + logDet + Math.log(p.weights[c]);
      }
    } else {
      for (let j = 0; j < d; j++) logDet += Math.log(type === 'diag' ? P[c * d + j] : P[c]);
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const prec = type === 'diag' ? P[c * d + j] : P[c];
          const y = (X[r * d + j] - mu[j]) * prec;
          s += y * y;
        }
        out[r * k + c] = -0.5 * (d * Math.log(2 * Math.PI) + s) + logDet + Math.log(p.weights[c]);
      }
    }
  }
  return out;
}

/** _e_step: responsibilities (n x k, row-major) and the mean of log-sum-exp. */
export function eStepRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  type: CovType,
  p: RefParams,
): { resp: Float64Array; meanLogLikelihood: number } {
  const wlp = weightedLogProbRef(X, n, d, k, type, p);
  const resp = new Float64Array(n * k);
  let total = 0;
  for (let r = 0; r < n; r++) {
    let top = -Infinity;
    for (let c = 0; c < k; c++) top = Math.max(top, wlp[r * k + c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(wlp[r * k + c] - top);
    const lse = top + Math.log(s);
    total += lse;
    for (let c = 0; c < k; c++) resp[r * k + c] = Math.exp(wlp[r * k + c] - lse);
  }
  return { resp, meanLogLikelihood: total / n };
}

/** _estimate_gaussian_parameters (+ weights normalised to sum 1), with scikit-learn's formulas per type. */
export function mStepRef(X: ArrayLike<number>, n: number, d: number, k: number, type: CovType, resp: ArrayLike<number>, regCovar: number): RefParams {
  const eps = 2.220446049250313e-16;
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      nk[c] += resp[r * k + c];
      for (let j = 0; j < d; j++) means[c * d + j] += resp[r * k + c] * X[r * d + j];
    }
  }
  for (let c = 0; c < k; c++) {
    nk[c] += 10 * eps;
    for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  }
  let cov: Float64Array;
  if (type === 'full') {
    cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      for (let r = 0; r < n; r++) {
        const w = resp[r * k + c];
        for (let i = 0; i < d; i++) {
          const di = X[r * d + i] - means[c * d + i];
          for (let j = 0; j < d; j++) cov[c * d * d + i * d + j] += w * di * (X[r * d + j] - means[c * d + j]);
        }
      }
      for (let t = 0; t < d * d; t++) cov[c * d * d + t] /= nk[c];
      for (let i = 0; i < d; i++) cov[c * d * d + i * d + i] += regCovar;
    }
  } else if (type === 'tied') {
    cov = new Float64Array(d * d);
    let nkSum = 0;
    for (let c = 0; c < k; c++) nkSum += nk[c];
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let x2 = 0;
        for (let r = 0; r < n; r++) x2 += X[r * d + i] * X[r * d + j];
        let m2 = 0;
        for (let c = 0; c < k; c++) m2 += nk[c] * means[c * d + i] * means[c * d + j];
        cov[i * d + j] = (x2 - m2) / nkSum;
      }
      cov[i * d + i] += regCovar;
    }
  } else {
    const diag = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        let x2 = 0;
        for (let r = 0; r < n; r++) x2 += resp[r * k + c] * X[r * d + j] * X[r * d + j];
        const m = means[c * d + j];
        diag[c * d + j] = x2 / nk[c] - m * m + regCovar;
      }
    }
    if (type === 'diag') cov = diag;
    else {
      cov = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += diag[c * d + j];
        cov[c] = s / d;
      }
    }
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += nk[c];
  const weights = nk.map((v) => v / total);
  return { weights, means, cov };
}

/** EM from a hard labelling, as GaussianMixture.fit with one init; then score(X) with the result. */
export function gmmRef(
  X: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  type: CovType,
  startLabels: ArrayLike<number>,
  { maxIter = 100, tol = 1e-3, regCovar = 1e-6 } = {},
): RefParams & { meanLogLikelihood: number; lowerBound: number; iterations: number; converged: boolean } {
  const resp0 = new Float64Array(n * k);
  for (let r = 0; r < n; r++) resp0[r * k + startLabels[r]] = 1;
  let params = mStepRef(X, n, d, k, type, resp0, regCovar);
  let lowerBound = -Infinity;
  let iter = 1;
  let converged = false;
  for (; iter <= maxIter; iter++) {
    const prev = lowerBound;
    const e = eStepRef(X, n, d, k, type, params);
    params = mStepRef(X, n, d, k, type, e.resp, regCovar);
    lowerBound = e.meanLogLikelihood;
    if (Math.abs(lowerBound - prev) < tol) {
      converged = true;
      break;
    }
  }
  const final = eStepRef(X, n, d, k, type, params);
  return { ...params, meanLogLikelihood: final.meanLogLikelihood, lowerBound, iterations: Math.min(iter, maxIter), converged };
}

/** scikit-learn's _n_parameters. */
export function nParametersRef(type: CovType, k: number, d: number): number {
  const cov = type === 'full' ? (k * d * (d + 1)) / 2 : type === 'diag' ? k * d : type === 'tied' ? (d * (d + 1)) / 2 : k;
  return cov + d * k + k - 1;
}
