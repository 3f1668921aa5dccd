/**
 * EM for Gaussian mixtures over X stored feature-major in linear memory: the precision
 * Cholesky of each component (done here, k small d x d factorisations), the E-step and
 * the M-step sums (assembly/gmm_estep.ts, gmm_mstep.ts), and one EM run from a hard labelling.
 */
import { InvalidParameterError } from '../errors';
import type { Matrix } from '../matrix';
import { kernels, type KernelExports, type Kernels, type Region, type Workspace } from '../wasm/index';

/** Covariance structure of the components (scikit-learn's covariance_type). */
export type CovarianceType = 'full' | 'diag' | 'tied' | 'spherical';
/** Every CovarianceType, for validation. */
export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'diag', 'tied', 'spherical'];

/** Flat parameter storage; `cov` is full k*d*d, tied d*d, diag k*d or spherical k. */
export interface Params {
  weights: Float64Array;
  means: Float64Array;
  cov: Float64Array;
}

/** What the E-step kernel reads: precision Cholesky (L^-1 or 1/sigma) and per-component constants. */
export interface Precision {
  prec: Float64Array;
  logConst: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

function singular(component: number, detail: string): InvalidParameterError {
  return new InvalidParameterError(
    'regCovar',
    `the covariance of component ${component} is singular even after adding regCovar (${detail}); ` +
      'this happens with collapsed or duplicate points or collinear features: increase regCovar, ' +
      'use fewer components or remove redundant features',
  );
}

/**
 * Lower Cholesky factor of the d x d matrix at A[off..], inverted into out[outOff..]
 * (lower-triangular L^-1). Returns log det(L^-1). A pivot that is not positive, or that
 * lost everything but rounding noise relative to its diagonal entry, means singular.
 */
function invertedCholesky(A: Float64Array, off: number, d: number, out: Float64Array, outOff: number, component: number): number {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const ajj = A[off + j * d + j];
    let s = ajj;
    for (let m = 0; m < j; m++) s -= L[j * d + m] * L[j * d + m];
    if (!(s > Number.EPSILON * ajj) || !Number.isFinite(s)) {
      throw singular(component, `pivot ${j} is ${s.toPrecision(3)}`);
    }
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = A[off + i * d + j];
      for (let m = 0; m < j; m++) t -= L[i * d + m] * L[j * d + m];
      L[i * d + j] = t / ljj;
    }
  }
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let t = i === c ? 1 : 0;
      for (let m = c; m < i; m++) t -= L[i * d + m] * out[outOff + m * d + c];
      out[outOff + i * d + c] = t / L[i * d + i];
    }
    for (let i = 0; i < c; i++) out[outOff + i * d + c] = 0;
    logDet -= Math.log(L[c * d + c]);
  }
  return logDet;
}

/** Precision Cholesky and E-step constants of the given parameters; throws (naming regCovar) when singular. */
export function precisionOf(type: CovarianceType, k: number, d: number, p: Params): Precision {
  const logConst = new Float64Array(k);
  let prec: Float64Array;
  if (type === 'full' || type === 'tied') {
    prec = new Float64Array(k * d * d);
    if (type === 'full') {
      for (let c = 0; c < k; c++) logConst[c] = invertedCholesky(p.cov, c * d * d, d, prec, c * d * d, c);
    } else {
      const shared = invertedCholesky(p.cov, 0, d, prec, 0, 0);
      for (let c = 0; c < k; c++) {
        prec.copyWithin(c * d * d, 0, d * d);
        logConst[c] = shared;
      }
    }
  } else {
    prec = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        const v = type === 'diag' ? p.cov[c * d + j] : p.cov[c];
        if (!(v > 0) || !Number.isFinite(v)) throw singular(c, `variance of feature ${j} is ${v.toPrecision(3)}`);
        const inv = 1 / Math.sqrt(v);
        prec[c * d + j] = inv;
        logDet += Math.log(inv);
      }
      logConst[c] = logDet;
    }
  }
  for (let c = 0; c < k; c++) logConst[c] += Math.log(p.weights[c]) - 0.5 * d * LOG_2PI;
  return { prec, logConst };
}

/** The workspace of one E-step (and, with `mStep`, of EM). */
interface EmRegions {
  X: Region; // d * nPad, feature-major
  resp: Region; // k * nPad, component-major
  logNorm: Region;
  means: Region;
  prec: Region;
  logConst: Region;
  diff: Region;
  logProb: Region;
  acc: Region;
  nk: Region;
  sums: Region;
  scatter: Region;
}

/** X laid out feature-major in a workspace, with the regions EM needs. */
export interface EmContext {
  kern: Kernels;
  e: KernelExports;
  ws: Workspace;
  r: EmRegions;
  n: number;
  nPad: number;
  d: number;
  k: number;
  type: CovarianceType;
  /** Threads the E-step is split over (init({ threads })'s pool), 1 without one. */
  threads: number;
}

/** From this many rows the E-step is split over init({ threads }) (as K-Means' assignment). */
export const MIN_THREADED_EM_ROWS = 20_000;

const isFullKernel = (type: CovarianceType): boolean => type === 'full' || type === 'tied';

/** Lays out X feature-major (padded to a multiple of 4 with copies of the last row) in a fresh workspace. */
export function emContext(m: Matrix, k: number, type: CovarianceType): EmContext {
  const { rows: n, cols: d, data } = m;
  const nPad = (n + 3) & ~3;
  const kern = kernels();
  const ws = kern.workspace();
  const full = isFullKernel(type);
  const threads = kern.pool && n >= MIN_THREADED_EM_ROWS ? kern.pool.threads : 1;
  const r: EmRegions = {
    X: ws.f64(d * nPad),
    resp: ws.f64(k * nPad),
    logNorm: ws.f64(nPad),
    means: ws.f64(k * d),
    prec: ws.f64(full ? k * d * d : k * d),
    logConst: ws.f64(k),
    // Scratch of four points per thread (diff: 8 * d kept for the single-thread layout).
    diff: ws.f64(Math.max(8 * d, 4 * d * threads)),
    logProb: ws.f64(4 * k * threads),
    acc: ws.f64(2 * k * Math.max(d + 1, full ? d * d : d)),
    nk: ws.f64(k),
    sums: ws.f64(k * d),
    scatter: ws.f64(full ? k * d * d : k * d),
  };
  ws.commit();
  const XT = ws.viewF64(r.X);
  for (let i = 0; i < nPad; i++) {
    const src = Math.min(i, n - 1) * d;
    for (let j = 0; j < d; j++) XT[j * nPad + i] = data[src + j];
  }
  return { kern, e: kern.exports, ws, r, n, nPad, d, k, type, threads };
}

/** Runs the E-step kernel; responsibilities land in r.resp. Returns the mean log-likelihood. */
export function eStep(ctx: EmContext, means: Float64Array, p: Precision): number {
  const { ws, r, e, n, nPad, d, k } = ctx;
  ws.write(r.means, means);
  ws.write(r.prec, p.prec);
  ws.write(r.logConst, p.logConst);
  const full = isFullKernel(ctx.type);
  let total: number;
  if (ctx.threads > 1 && ctx.kern.pool) {
    // Rows are independent; the log-likelihood is summed afterwards in row order.
    ctx.kern.pool.eStepRows(
      ctx.threads,
      full,
      r.X.ptr,
      nPad,
      d,
      r.means.ptr,
      r.prec.ptr,
      r.logConst.ptr,
      k,
      r.diff.ptr,
      r.logProb.ptr,
      r.resp.ptr,
      r.logNorm.ptr,
    );
    total = e.gmmEStepFinish(n, nPad, k, r.resp.ptr, r.logNorm.ptr);
  } else {
    total = full
      ? e.gmmEStepFull(r.X.ptr, n, nPad, d, r.means.ptr, r.prec.ptr, r.logConst.ptr, k, r.diff.ptr, r.logProb.ptr, r.resp.ptr, r.logNorm.ptr)
      : e.gmmEStepDiag(r.X.ptr, n, nPad, d, r.means.ptr, r.prec.ptr, r.logConst.ptr, k, r.logProb.ptr, r.resp.ptr, r.logNorm.ptr);
  }
  if (!Number.isFinite(total)) {
    throw new InvalidParameterError(
      'regCovar',
      'the log-likelihood is not finite: the covariances are too ill-conditioned for the scale of X; standardize X or increase regCovar',
    );
  }
  return total / n;
}

/** M-step from the responsibilities in r.resp (scikit-learn's _estimate_gaussian_parameters). */
function mStep(ctx: EmContext, regCovar: number): Params {
  const { ws, r, e, nPad, d, k, type } = ctx;
  e.gmmWeightedSums(r.X.ptr, nPad, d, r.resp.ptr, k, r.acc.ptr, r.nk.ptr, r.sums.ptr);
  const nk = ws.viewF64(r.nk).slice();
  const sums = ws.viewF64(r.sums);
  const means = new Float64Array(k * d);
  let nkTotal = 0;
  for (let c = 0; c < k; c++) {
    nk[c] += 10 * Number.EPSILON;
    nkTotal += nk[c];
    for (let j = 0; j < d; j++) means[c * d + j] = sums[c * d + j] / nk[c];
  }
  ws.write(r.means, means);
  let cov: Float64Array;
  if (isFullKernel(type)) {
    e.gmmWeightedScatter(r.X.ptr, nPad, d, r.resp.ptr, r.means.ptr, k, r.diff.ptr, r.acc.ptr, r.scatter.ptr);
    const S = ws.viewF64(r.scatter);
    if (type === 'full') {
      cov = new Float64Array(k * d * d);
      for (let c = 0; c < k; c++) {
        for (let t = 0; t < d * d; t++) cov[c * d * d + t] = S[c * d * d + t] / nk[c];
        for (let j = 0; j < d; j++) cov[c * d * d + j * d + j] += regCovar;
      }
    } else {
      // Sum of the per-component scatters = X^T X - sum nk mu mu^T, scikit-learn's tied estimate.
      cov = new Float64Array(d * d);
      for (let c = 0; c < k; c++) for (let t = 0; t < d * d; t++) cov[t] += S[c * d * d + t];
      for (let t = 0; t < d * d; t++) cov[t] /= nkTotal;
      for (let j = 0; j < d; j++) cov[j * d + j] += regCovar;
    }
  } else {
    e.gmmWeightedScatterDiag(r.X.ptr, nPad, d, r.resp.ptr, r.means.ptr, k, r.acc.ptr, r.scatter.ptr);
    const S = ws.viewF64(r.scatter);
    if (type === 'diag') {
      cov = new Float64Array(k * d);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d + j] = S[c * d + j] / nk[c] + regCovar;
    } else {
      cov = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += S[c * d + j] / nk[c] + regCovar;
        cov[c] = s / d;
      }
    }
  }
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = nk[c] / nkTotal;
  return { weights, means, cov };
}

/** The outcome of one EM run. */
export interface EmRun {
  params: Params;
  lowerBound: number;
  iterations: number;
  converged: boolean;
}

/** One EM run from a hard labelling (scikit-learn's _initialize from one-hot responsibilities, then fit). */
export function runEm(ctx: EmContext, startLabels: Int32Array, maxIter: number, tol: number, regCovar: number): EmRun {
  const { ws, r, n, nPad } = ctx;
  const resp = ws.viewF64(r.resp);
  resp.fill(0);
  for (let i = 0; i < n; i++) resp[startLabels[i] * nPad + i] = 1;
  let params = mStep(ctx, regCovar);
  let lowerBound = -Infinity;
  let converged = false;
  let iter = 1;
  for (; iter <= maxIter; iter++) {
    const previous = lowerBound;
    lowerBound = eStep(ctx, params.means, precisionOf(ctx.type, ctx.k, ctx.d, params));
    params = mStep(ctx, regCovar);
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, iterations: Math.min(iter, maxIter), converged };
}

/** Responsibilities in r.resp (component-major, padded) as row-major n*k. */
export function responsibilitiesRowMajor(ctx: EmContext): Float64Array {
  const { ws, r, n, nPad, k } = ctx;
  const R = ws.viewF64(r.resp);
  const out = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const col = c * nPad;
    for (let i = 0; i < n; i++) out[i * k + c] = R[col + i];
  }
  return out;
}

/** Most probable component per row (first wins ties, as numpy's argmax). */
export function argmaxRows(P: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (P[i * k + c] > P[i * k + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
