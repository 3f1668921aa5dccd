/** The fitted Gaussian mixture: prediction, scores and its JSON form. */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption } from '../options';
import { readModelJSON, type ClusterModel } from './clusterer';
import {
  argmaxRows,
  COVARIANCE_TYPES,
  type CovarianceType,
  type EmContext,
  emContext,
  eStep,
  type Params,
  type Precision,
  precisionOf,
  responsibilitiesRowMajor,
} from './gmmEm';

/**
 * Covariances in scikit-learn's shapes: full k x d x d, tied d x d, diag k x d,
 * spherical k (one variance per component).
 */
export type GmmCovariances = number[][][] | number[][] | number[];

/** GaussianMixtureModel.toJSON() output. */
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

/** The flat covariances in scikit-learn's nested shapes. */
function covariancesOut(type: CovarianceType, k: number, d: number, cov: Float64Array): GmmCovariances {
  const matrix = (off: number): number[][] => Array.from({ length: d }, (_, i) => Array.from(cov.subarray(off + i * d, off + (i + 1) * d)));
  if (type === 'full') return Array.from({ length: k }, (_, c) => matrix(c * d * d));
  if (type === 'tied') return matrix(0);
  if (type === 'diag') return Array.from({ length: k }, (_, c) => Array.from(cov.subarray(c * d, (c + 1) * d)));
  return Array.from(cov);
}

/** A fitted Gaussian mixture: parameters, responsibilities, bic/aic; predict/predictProba for new rows. */
export class GaussianMixtureModel implements ClusterModel {
  readonly k: number;
  /** The same as k: the number of components. */
  readonly nClusters: number;
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
    this.nClusters = k;
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
    return this.runMatrix(toMatrix(X));
  }

  private runMatrix(m: Matrix): { ctx: EmContext; meanLogLikelihood: number } {
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

  /** predict() on a validated matrix, which is read, not copied. */
  predictMatrix(m: Matrix): Int32Array {
    const { ctx } = this.runMatrix(m);
    return argmaxRows(responsibilitiesRowMajor(ctx), ctx.n, this.k);
  }

  /** Mean per-row log-likelihood of X under the model (scikit-learn's score). */
  score(X: MatrixLike): number {
    return this.run(X).meanLogLikelihood;
  }

  /** Plain JSON of the model: parameters in scikit-learn's shapes and the fit's scores. */
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
    const j = readModelJSON<GmmJSON>(json, 'segmint.gmm', 1, 'Gaussian mixture');
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

/** What gmm() returns. */
export type GmmResult = GaussianMixtureModel;
