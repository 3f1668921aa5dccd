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
 * The E-step and the M-step sums run in WASM (assembly/gmm_estep.ts, gmm_mstep.ts) over X stored
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
import type { Clusterer } from './clusterer';
import { COVARIANCE_TYPES, type CovarianceType, type EmRun, emContext, eStep, precisionOf, responsibilitiesRowMajor, argmaxRows, runEm } from './gmmEm';
import { GaussianMixtureModel } from './gmmModel';
import { fitKMeans } from './kmeans';

/** Covariance types, re-exported so './cluster/gmm' stays the one import path. */
export { COVARIANCE_TYPES, type CovarianceType } from './gmmEm';
/** The model and its types, re-exported so './cluster/gmm' stays the one import path. */
export { GaussianMixtureModel, gmmParameterCount, type GmmCovariances, type GmmJSON, type GmmResult } from './gmmModel';

/** Options of gmm(); every one but k has a default (defaultGmmOptions). */
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

/** Defaults of gmm()'s options (scikit-learn's). */
export const defaultGmmOptions = {
  covarianceType: 'full' as CovarianceType,
  maxIter: 100,
  tol: 1e-3,
  regCovar: 1e-6,
  nInit: 1,
  seed: 0,
};

const OPTION_NAMES = ['k', 'covarianceType', 'maxIter', 'tol', 'regCovar', 'nInit', 'seed'] as const;

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
  return fitGmm(toMatrix(X), options);
}

/** gmm() on a matrix the caller validated (toMatrix): read, never copied or modified. */
export function fitGmm(m: Matrix, options: GmmOptions): GaussianMixtureModel {
  return fitResolved(m, resolveOptions(options, m.rows));
}

function fitResolved(m: Matrix, o: Resolved): GaussianMixtureModel {
  const { rows: n, cols: d } = m;
  const { k, covarianceType: type } = o;
  // K-Means starts first: fitKMeans() takes its own workspace, which would invalidate ours.
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

/** Options of gmmBicCurve(): gmm()'s without k, and the range of k. */
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
    const model = fitResolved(m, resolveOptions({ ...rest, k }, m.rows));
    curve.push({ k, bic: model.bic, aic: model.aic, meanLogLikelihood: model.meanLogLikelihood });
  }
  return curve;
}

/** Gaussian mixtures in the registry. */
export const gmmClusterer: Clusterer<GmmOptions, GaussianMixtureModel> = {
  name: 'gmm',
  modelType: 'segmint.gmm',
  takesK: true,
  parameters: OPTION_NAMES,
  fit: fitGmm,
  fromJSON: (json) => GaussianMixtureModel.fromJSON(json as never),
};
