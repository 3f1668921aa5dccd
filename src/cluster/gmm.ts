/**
 * Gaussian mixtures fitted by EM, following scikit-learn's GaussianMixture
 * (sklearn/mixture/_gaussian_mixture.py, init_params='kmeans'):
 *
 * - each of the nInit runs starts from a K-Means labelling (this package's kmeans(), one
 *   k-means++ start, the run's seed) turned into one-hot responsibilities and one M-step;
 * - E-step: log N(x | mu_c, Sigma_c) through the precision Cholesky (Sigma_c = L L^T,
 *   ||L^-1 (x - mu_c)||^2 and log det L^-1, as _estimate_log_gaussian_prob), plus
 *   log weight, then log-sum-exp over components;
 * - M-step: nk = sum of responsibilities + 10 eps, weighted means, covariances from the
 *   weighted scatter about the new means, regCovar added to the diagonal;
 * - a run stops when the mean log-likelihood lower bound changes by less than tol; the
 *   run with the highest lower bound wins, and one last E-step with its parameters
 *   gives labels, probabilities and meanLogLikelihood (scikit-learn's score(X));
 * - bic = -2 n meanLogLikelihood + p ln n, aic = -2 n meanLogLikelihood + 2 p, with p
 *   scikit-learn's _n_parameters for the covariance type.
 *
 * The E-step and the M-step sums run in WASM (assembly/gmm.ts) over X stored
 * feature-major, two points per SIMD lane pair; the k Cholesky factorisations of d x d
 * matrices are done here. A covariance that is not positive definite even after regCovar
 * (collapsed or duplicate points, collinear features) is an InvalidParameterError naming
 * regCovar, never NaN.
 *
 * `probabilities` is a Float64Array of n*k values, row-major: the probability of
 * component c for row i is probabilities[i * k + c]. One flat buffer instead of n small
 * arrays keeps 100k-row results cheap to build and to copy.
 */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random } from '../random';
import { kernels, type Kernels, type Region, type Workspace } from '../wasm/index';
import { fitKMeans } from './kmeans';

export type CovarianceType = 'full' | 'diag' | 'tied' | 'spherical';
export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'diag', 'tied', 'spherical'];

export interface GmmOptions {
  /** Number of components, 1 <= k <= number of distinct rows. */
  k: number;
  /** 'full' (one covariance matrix per component), 'tied' (one shared), 'diag', 'spherical'. */
  covarianceType?: CovarianceType;
  maxIter?: number;
  /** Stop when the mean log-likelihood lower bound changes by less than this. */
  tol?: number;
  /** Added to the covariance diagonals so they stay positive definite. */
  regCovar?: number;
  /** EM runs from different K-Means starts; the highest lower bound wins. */
  nInit?: number;
  seed?: number;
}

export const defaultGmmOptions = {
  covarianceType: 'full' as CovarianceType,
  maxIter: 100,
  tol: 1e-3,
  regCovar: 1e-6,
  nInit: 1,
  seed: 0,
};

const OPTION_NAMES = ['k', 'covarianceType', 'maxIter', 'tol', 'regCovar', 'nInit', 'seed'] as const;

/**
 * Covariances in scikit-learn's shapes: full k x d x d, tied d x d, diag k x d,
 * spherical k (one variance per component).
 */
export type GmmCovariances = number[][][] | number[][] | number[];

export interface GmmJSON {
  type: 'segmint.gmm';
  version: 1;
  k: number;
  nFeatures: number;
  covarianceType: CovarianceType;
  weights: number[];
  means: number[][];
  covariances: GmmCovariances;
  meanLogLikelihood: number;
  lowerBound: number;
  bic: number;
  aic: number;
  converged: boolean;
  iterations: number;
  nSamples: number;
  labels?: number[];
}

/** Free parameters of a mixture, as scikit-learn's GaussianMixture._n_parameters. */
export function gmmParameterCount(covarianceType: CovarianceType, k: number, d: number): number {
  const covParams = covarianceType === 'full' ? (k * d * (d + 1)) / 2 : covarianceType === 'diag' ? k * d : covarianceType === 'tied' ? (d * (d + 1)) / 2 : k;
  return covParams + k * d + k - 1;
}

/** Flat parameter storage; `cov` is full k*d*d, tied d*d, diag k*d or spherical k. */
interface Params {
  weights: Float64Array;
  means: Float64Array;
  cov: Float64Array;
}

/** What the E-step kernel reads: precision Cholesky (L^-1 or 1/sigma) and per-component constants. */
interface Precision {
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
function precisionOf(type: CovarianceType, k: number, d: number, p: Params): Precision {
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

interface GmmKernels {
  gmmEStepFull(
    X: number,
    n: number,
    nPad: number,
    d: number,
    means: number,
    precChol: number,
    logConst: number,
    k: number,
    diff: number,
    logProb: number,
    resp: number,
    logNorm: number,
  ): number;
  gmmEStepDiag(
    X: number,
    n: number,
    nPad: number,
    d: number,
    means: number,
    precDiag: number,
    logConst: number,
    k: number,
    logProb: number,
    resp: number,
    logNorm: number,
  ): number;
  gmmWeightedSums(X: number, nPad: number, d: number, resp: number, k: number, acc: number, nk: number, sums: number): void;
  gmmWeightedScatter(X: number, nPad: number, d: number, resp: number, means: number, k: number, diff: number, acc: number, scatter: number): void;
  gmmWeightedScatterDiag(X: number, nPad: number, d: number, resp: number, means: number, k: number, acc: number, scatter: number): void;
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

interface EmContext {
  kern: Kernels;
  e: GmmKernels;
  ws: Workspace;
  r: EmRegions;
  n: number;
  nPad: number;
  d: number;
  k: number;
  type: CovarianceType;
}

const isFullKernel = (type: CovarianceType): boolean => type === 'full' || type === 'tied';

/** Lays out X feature-major (padded to a multiple of 4 with copies of the last row) in a fresh workspace. */
function emContext(m: Matrix, k: number, type: CovarianceType): EmContext {
  const { rows: n, cols: d, data } = m;
  const nPad = (n + 3) & ~3;
  const kern = kernels();
  const ws = kern.workspace();
  const full = isFullKernel(type);
  const r: EmRegions = {
    X: ws.f64(d * nPad),
    resp: ws.f64(k * nPad),
    logNorm: ws.f64(nPad),
    means: ws.f64(k * d),
    prec: ws.f64(full ? k * d * d : k * d),
    logConst: ws.f64(k),
    diff: ws.f64(8 * d),
    logProb: ws.f64(4 * k),
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
  return { kern, e: kern.exports as unknown as GmmKernels, ws, r, n, nPad, d, k, type };
}

/** Runs the E-step kernel; responsibilities land in r.resp. Returns the mean log-likelihood. */
function eStep(ctx: EmContext, means: Float64Array, p: Precision): number {
  const { ws, r, e, n, nPad, d, k } = ctx;
  ws.write(r.means, means);
  ws.write(r.prec, p.prec);
  ws.write(r.logConst, p.logConst);
  const total = isFullKernel(ctx.type)
    ? e.gmmEStepFull(r.X.ptr, n, nPad, d, r.means.ptr, r.prec.ptr, r.logConst.ptr, k, r.diff.ptr, r.logProb.ptr, r.resp.ptr, r.logNorm.ptr)
    : e.gmmEStepDiag(r.X.ptr, n, nPad, d, r.means.ptr, r.prec.ptr, r.logConst.ptr, k, r.logProb.ptr, r.resp.ptr, r.logNorm.ptr);
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

interface EmRun {
  params: Params;
  lowerBound: number;
  iterations: number;
  converged: boolean;
}

/** One EM run from a hard labelling (scikit-learn's _initialize from one-hot responsibilities, then fit). */
function runEm(ctx: EmContext, startLabels: Int32Array, maxIter: number, tol: number, regCovar: number): EmRun {
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
function responsibilitiesRowMajor(ctx: EmContext): Float64Array {
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
function argmaxRows(P: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (P[i * k + c] > P[i * k + best]) best = c;
    labels[i] = best;
  }
  return labels;
}

function covariancesOut(type: CovarianceType, k: number, d: number, cov: Float64Array): GmmCovariances {
  const matrix = (off: number): number[][] => Array.from({ length: d }, (_, i) => Array.from(cov.subarray(off + i * d, off + (i + 1) * d)));
  if (type === 'full') return Array.from({ length: k }, (_, c) => matrix(c * d * d));
  if (type === 'tied') return matrix(0);
  if (type === 'diag') return Array.from({ length: k }, (_, c) => Array.from(cov.subarray(c * d, (c + 1) * d)));
  return Array.from(cov);
}

export class GaussianMixtureModel {
  readonly k: number;
  readonly nFeatures: number;
  readonly covarianceType: CovarianceType;
  readonly weights: number[];
  readonly means: number[][];
  /** scikit-learn's shapes: full k x d x d, tied d x d, diag k x d, spherical k. */
  readonly covariances: GmmCovariances;
  /** Most probable component per training row (empty after fromJSON without labels). */
  readonly labels: Int32Array;
  /** Row-major n*k: probabilities[i * k + c] (empty after fromJSON). */
  readonly probabilities: Float64Array;
  /** Mean per-row log-likelihood of the training data (scikit-learn's score(X)). */
  readonly meanLogLikelihood: number;
  /** Best run's final lower bound (scikit-learn's lower_bound_). */
  readonly lowerBound: number;
  readonly bic: number;
  readonly aic: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly nSamples: number;
  private readonly params: Params;
  private readonly precision: Precision;

  constructor(args: {
    k: number;
    d: number;
    covarianceType: CovarianceType;
    params: Params;
    labels: Int32Array;
    probabilities: Float64Array;
    meanLogLikelihood: number;
    lowerBound: number;
    converged: boolean;
    iterations: number;
    nSamples: number;
    precision?: Precision;
  }) {
    const { k, d, covarianceType, params } = args;
    this.k = k;
    this.nFeatures = d;
    this.covarianceType = covarianceType;
    this.params = params;
    this.precision = args.precision ?? precisionOf(covarianceType, k, d, params);
    this.weights = Array.from(params.weights);
    this.means = Array.from({ length: k }, (_, c) => Array.from(params.means.subarray(c * d, (c + 1) * d)));
    this.covariances = covariancesOut(covarianceType, k, d, params.cov);
    this.labels = args.labels;
    this.probabilities = args.probabilities;
    this.meanLogLikelihood = args.meanLogLikelihood;
    this.lowerBound = args.lowerBound;
    this.converged = args.converged;
    this.iterations = args.iterations;
    this.nSamples = args.nSamples;
    const p = gmmParameterCount(covarianceType, k, d);
    const n = args.nSamples;
    this.bic = -2 * args.meanLogLikelihood * n + p * Math.log(n);
    this.aic = -2 * args.meanLogLikelihood * n + 2 * p;
  }

  private run(X: MatrixLike): { ctx: EmContext; meanLogLikelihood: number } {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    }
    const ctx = emContext(m, this.k, this.covarianceType);
    return { ctx, meanLogLikelihood: eStep(ctx, this.params.means, this.precision) };
  }

  /** Probability of each component for each row: row-major n*k, [i * k + c]. */
  predictProba(X: MatrixLike): Float64Array {
    return responsibilitiesRowMajor(this.run(X).ctx);
  }

  /** Most probable component of each row. */
  predict(X: MatrixLike): Int32Array {
    const { ctx } = this.run(X);
    return argmaxRows(responsibilitiesRowMajor(ctx), ctx.n, this.k);
  }

  /** Mean per-row log-likelihood of X under the model (scikit-learn's score). */
  score(X: MatrixLike): number {
    return this.run(X).meanLogLikelihood;
  }

  toJSON(): GmmJSON {
    return {
      type: 'segmint.gmm',
      version: 1,
      k: this.k,
      nFeatures: this.nFeatures,
      covarianceType: this.covarianceType,
      weights: this.weights,
      means: this.means,
      covariances: this.covariances,
      meanLogLikelihood: this.meanLogLikelihood,
      lowerBound: this.lowerBound,
      bic: this.bic,
      aic: this.aic,
      converged: this.converged,
      iterations: this.iterations,
      nSamples: this.nSamples,
      labels: Array.from(this.labels),
    };
  }

  /**
   * Rebuilds a model from toJSON() output (or its string). JSON numbers round-trip
   * exactly and the precision Cholesky is recomputed by the same code, so predict and
   * predictProba give identical results.
   */
  static fromJSON(json: GmmJSON | string): GaussianMixtureModel {
    const j: GmmJSON = typeof json === 'string' ? JSON.parse(json) : json;
    if (j?.type !== 'segmint.gmm' || j.version !== 1) {
      throw new InvalidParameterError('json', "is not a segmint Gaussian mixture (expected type 'segmint.gmm', version 1)");
    }
    const k = integerOption('json.k', j.k, 1);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    const type = enumOption('json.covarianceType', j.covarianceType, COVARIANCE_TYPES);
    const flat = (name: string, value: unknown, shape: number[]): Float64Array => {
      const out: number[] = [];
      const walk = (v: unknown, depth: number): void => {
        if (depth === shape.length) {
          if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParameterError(name, 'holds a value that is not a finite number');
          out.push(v);
          return;
        }
        if (!Array.isArray(v) || v.length !== shape[depth]) {
          throw new InvalidParameterError(name, `must have shape [${shape.join(', ')}]`);
        }
        for (const x of v) walk(x, depth + 1);
      };
      walk(value, 0);
      return Float64Array.from(out);
    };
    const covShape = type === 'full' ? [k, d, d] : type === 'tied' ? [d, d] : type === 'diag' ? [k, d] : [k];
    const params: Params = {
      weights: flat('json.weights', j.weights, [k]),
      means: flat('json.means', j.means, [k, d]),
      cov: flat('json.covariances', j.covariances, covShape),
    };
    for (const w of params.weights) if (!(w > 0)) throw new InvalidParameterError('json.weights', 'must all be > 0');
    const labels = Int32Array.from(j.labels ?? []);
    return new GaussianMixtureModel({
      k,
      d,
      covarianceType: type,
      params,
      labels,
      probabilities: new Float64Array(0),
      meanLogLikelihood: j.meanLogLikelihood,
      lowerBound: j.lowerBound,
      converged: j.converged,
      iterations: j.iterations,
      nSamples: j.nSamples,
    });
  }
}

export type GmmResult = GaussianMixtureModel;

interface Resolved {
  k: number;
  covarianceType: CovarianceType;
  maxIter: number;
  tol: number;
  regCovar: number;
  nInit: number;
  seed: number;
}

function resolveOptions(options: GmmOptions, n: number): Resolved {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidParameterError('options', 'gmm(X, options) needs an options object with at least k');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'gmm');
  const o = withDefaults(defaultGmmOptions, options);
  if (options.k === undefined) throw new InvalidParameterError('k', 'is required (the number of components)');
  return {
    k: integerOption('k', o.k, 1, n),
    covarianceType: enumOption('covarianceType', o.covarianceType, COVARIANCE_TYPES),
    maxIter: integerOption('maxIter', o.maxIter, 1, 1_000_000),
    tol: numberOption('tol', o.tol, (v) => v >= 0, 'a finite number >= 0'),
    regCovar: numberOption('regCovar', o.regCovar, (v) => v >= 0, 'a finite number >= 0'),
    nInit: integerOption('nInit', o.nInit, 1, 1000),
    seed: numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer'),
  };
}

/**
 * Fits a Gaussian mixture of k components to the rows of X by EM. Synchronous; in a
 * browser's main thread call `await init()` once first.
 */
export function gmm(X: MatrixLike, options: GmmOptions): GaussianMixtureModel {
  const m = toMatrix(X);
  return fitMatrix(m, resolveOptions(options, m.rows));
}

function fitMatrix(m: Matrix, o: Resolved): GaussianMixtureModel {
  const { rows: n, cols: d } = m;
  const { k, covarianceType: type } = o;
  // K-Means starts first: kmeans() takes its own workspace, which would invalidate ours.
  // Run 0 uses the seed itself, so its start is exactly kmeans(X, { k, seed }).
  const rng = new Random(o.seed);
  const starts: Int32Array[] = [];
  for (let run = 0; run < o.nInit; run++) {
    const seed = run === 0 ? o.seed : rng.nextUint32();
    starts.push(fitKMeans(m, { k, nInit: 1, seed }).labels);
  }
  const ctx = emContext(m, k, type);
  let best: EmRun | undefined;
  for (const start of starts) {
    const result = runEm(ctx, start, o.maxIter, o.tol, o.regCovar);
    if (!best || result.lowerBound > best.lowerBound) best = result;
  }
  const precision = precisionOf(type, k, d, best!.params);
  const meanLogLikelihood = eStep(ctx, best!.params.means, precision);
  const probabilities = responsibilitiesRowMajor(ctx);
  return new GaussianMixtureModel({
    k,
    d,
    covarianceType: type,
    params: best!.params,
    precision,
    labels: argmaxRows(probabilities, n, k),
    probabilities,
    meanLogLikelihood,
    lowerBound: best!.lowerBound,
    converged: best!.converged,
    iterations: best!.iterations,
    nSamples: n,
  });
}

export interface GmmBicCurveOptions extends Omit<GmmOptions, 'k'> {
  kMin?: number;
  kMax?: number;
}

/**
 * BIC (and AIC) of a mixture for each k in kMin..kMax on the same data: what
 * chooseK's 'bic' method needs (lowest BIC wins). X is validated once.
 */
export function gmmBicCurve(X: MatrixLike, options: GmmBicCurveOptions = {}): { k: number; bic: number; aic: number; meanLogLikelihood: number }[] {
  const m = toMatrix(X);
  const { kMin = 2, kMax = 10, ...rest } = options ?? {};
  const lo = integerOption('kMin', kMin, 1, m.rows);
  const hi = integerOption('kMax', kMax, lo, m.rows);
  const curve: { k: number; bic: number; aic: number; meanLogLikelihood: number }[] = [];
  for (let k = lo; k <= hi; k++) {
    const model = fitMatrix(m, resolveOptions({ ...rest, k }, m.rows));
    curve.push({ k, bic: model.bic, aic: model.aic, meanLogLikelihood: model.meanLogLikelihood });
  }
  return curve;
}
