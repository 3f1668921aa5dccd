/**
 * Everything the service knows about particular clustering algorithms, in one place: how
 * to fit one by name on the model matrix, how to load the predictor a fitted
 * segmentation stores (`return_model`), and how to tell a caller, in the request's own
 * terms and with the real numbers, why an algorithm refused the request. The rest of the
 * service only passes algorithm names around; the fitting and loading themselves go
 * through the cluster registry (src/cluster/registry.ts).
 */
import { DEFAULT_MAX_EXACT_ROWS, defaultAgglomerativeOptions, type LinkageMethod } from '../cluster/agglomerative';
import type { DbscanJSON, DbscanModel } from '../cluster/dbscan';
import type { CovarianceType, GmmJSON } from '../cluster/gmm';
import type { KMeansJSON } from '../cluster/kmeans';
import { fitAlgorithm as fitRegistered, loadModel, paramsFor } from '../cluster/registry';
import { DataError, InvalidParameterError } from '../errors';
import type { MessageKey } from '../i18n/index';
import { groupMeans, type Matrix } from '../matrix';
import { unservable } from './errors';

/** An algorithm a request can name (besides 'auto'). */
export type SegmentAlgorithm = 'kmeans' | 'hierarchical' | 'dbscan' | 'gmm';

/** Every algorithm a request can name, in the order error messages list them. */
export const SEGMENT_ALGORITHMS: readonly SegmentAlgorithm[] = ['kmeans', 'hierarchical', 'dbscan', 'gmm'];

/** The request's settings an algorithm may read (each reads only its own). */
export interface FitOptions {
  k: number;
  seed: number;
  linkage: LinkageMethod;
  covarianceType: CovarianceType;
  eps: number | 'auto';
  minSamples: number;
  /** K-Means restarts of the final fit (kmeans()'s nInit; its default when undefined). */
  kmeansRestarts?: number;
}

/** What places a new customer (in the model's scaled space); part of the return_model format. */
export type PredictorJSON =
  | { kind: 'kmeans'; model: KMeansJSON }
  | { kind: 'gmm'; model: GmmJSON }
  | { kind: 'dbscan'; model: DbscanJSON }
  | { kind: 'centroids'; centroids: number[][] };

/** A fitted algorithm: its labels (-1 = noise), its predictor, and the eps DBSCAN used. */
export interface Fitted {
  labels: Int32Array;
  predictor: PredictorJSON;
  eps?: number;
}

/** Where and with what an algorithm was run, so its refusal can be told in the request's terms. */
export interface AlgorithmContext {
  algorithm: SegmentAlgorithm;
  /** 'k_selection' when the refusal came from fitting the k-selection curve. */
  stage: 'fit' | 'k_selection';
  customers: number;
  options: Partial<FitOptions>;
}

/**
 * Checks, before fitting, of what an algorithm would refuse later in its own terms: said
 * here with the request's parameters and the real numbers.
 */
const PRECHECKS: Partial<Record<SegmentAlgorithm, (X: Matrix, o: FitOptions) => void>> = {
  hierarchical: (X, o) => {
    // Above maxExactRows agglomerative() links micro-clusters, so k cannot exceed their number.
    const maxExactRows = DEFAULT_MAX_EXACT_ROWS[o.linkage];
    const microClusters = defaultAgglomerativeOptions.microClusters;
    if (X.rows > maxExactRows && o.k > microClusters) {
      throw unservable(
        'INSUFFICIENT_DATA',
        'n_clusters',
        `hierarchical: n_clusters is ${o.k} but the ${X.rows} customers (above ${maxExactRows} for linkage '${o.linkage}') are linked as ${microClusters} micro-clusters; ask for at most ${microClusters}`,
        { n_clusters: o.k, max: microClusters, n: X.rows, max_exact_rows: maxExactRows, linkage: o.linkage },
        'error.n_clusters_above_micro_clusters',
      );
    }
  },
  dbscan: (X, o) => {
    if (o.eps === 'auto' && o.minSamples > X.rows) {
      throw unservable(
        'REJECTED_PARAMETER',
        'min_samples',
        `dbscan: min_samples is ${o.minSamples} but there are only ${X.rows} customers; eps 'auto' needs min_samples <= customers`,
        { min_samples: o.minSamples, n: X.rows },
        'error.min_samples_above_customers',
      );
    }
  },
};

/**
 * Fits the algorithm `name` on X (prep's validated matrix, read without a copy) through the
 * cluster registry; a refusal comes out as the algorithm's InvalidParameterError (see
 * fromAlgorithmError) or a DataError.
 */
export function fitAlgorithm(name: SegmentAlgorithm, X: Matrix, options: FitOptions): Fitted {
  PRECHECKS[name]?.(X, options);
  const { k, seed, linkage, covarianceType, eps, minSamples } = options;
  const nInit = name === 'kmeans' ? options.kmeansRestarts : undefined;
  const model = fitRegistered(name, X, paramsFor(name, { k, seed, linkage, covarianceType, eps, minSamples, nInit }));
  if (name === 'hierarchical') {
    // Hierarchical clustering has no predict of its own: new customers go to the nearest segment mean.
    const { means } = groupMeans(X, model.labels, k);
    const centroids = Array.from({ length: k }, (_, c) => Array.from(means.subarray(c * X.cols, (c + 1) * X.cols)));
    return { labels: model.labels, predictor: { kind: 'centroids', centroids } };
  }
  const predictor = { kind: name, model: model.toJSON() } as PredictorJSON;
  return { labels: model.labels, predictor, ...(name === 'dbscan' ? { eps: (model as DbscanModel).eps } : {}) };
}

/** Loads a stored predictor by its kind; the function it returns gives each row of X its label (-1 = noise). */
export function loadPredictor(predictor: PredictorJSON): (X: Matrix) => Int32Array {
  if (predictor.kind === 'centroids') return (X) => nearestCentroid(X, predictor.centroids);
  const model = loadModel(predictor.model);
  return (X) => model.predictMatrix!(X);
}

/** The request parameter behind each algorithm option, and the value the request gave it. */
const REQUEST_PARAMETERS: Record<string, { parameter: string; value?: (o: Partial<FitOptions>) => string | number | undefined }> = {
  k: { parameter: 'n_clusters', value: (o) => o.k },
  eps: { parameter: 'eps', value: (o) => o.eps },
  minSamples: { parameter: 'min_samples', value: (o) => o.minSamples },
  linkage: { parameter: 'linkage', value: (o) => o.linkage },
  covarianceType: { parameter: 'covariance_type', value: (o) => o.covarianceType },
  regCovar: { parameter: 'covariance_type', value: (o) => o.covarianceType },
};

/** The k-selection curve's options: every k it fits comes from k_range. */
const K_SELECTION_PARAMETERS: Record<string, string> = { k: 'k_range', kMin: 'k_range', kMax: 'k_range' };

/**
 * An algorithm's refusal (InvalidParameterError) as a DataError naming the request's
 * parameter, its real value and the customers; anything else (a DataError already, or a
 * bug) is returned as it is. The algorithm's own English explanation goes to details.reason.
 */
export function fromAlgorithmError(err: unknown, context: AlgorithmContext): unknown {
  if (!(err instanceof InvalidParameterError) || err instanceof DataError) return err;
  const { algorithm, customers: n, options } = context;
  const reason = `${algorithm}: ${err.message}`;
  if (context.stage === 'k_selection') {
    const parameter = K_SELECTION_PARAMETERS[err.parameter] ?? 'data';
    return unservable('REJECTED_PARAMETER', parameter, reason, { algorithm, n }, 'error.k_selection_refused');
  }
  const known = REQUEST_PARAMETERS[err.parameter];
  const parameter = known?.parameter ?? 'data';
  const value = known?.value?.(options);
  const params: Record<string, string | number> = { algorithm, n, ...(value !== undefined ? { value } : {}) };
  if (err.parameter === 'k') return unservable('INSUFFICIENT_DATA', parameter, reason, params, 'error.n_clusters_refused');
  let messageKey: MessageKey | undefined;
  if (err.parameter === 'regCovar') messageKey = 'error.covariance_singular';
  else if (value !== undefined) messageKey = 'error.parameter_refused';
  return unservable('REJECTED_PARAMETER', parameter, reason, params, messageKey);
}

/** Nearest centroid by squared distance, the lower label on a tie (the saved format's rule, kept bit for bit). */
function nearestCentroid(X: Matrix, centroids: number[][]): Int32Array {
  const labels = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let best = Infinity;
    centroids.forEach((c, label) => {
      let s = 0;
      for (let j = 0; j < X.cols; j++) s += (X.data[i * X.cols + j] - c[j]) ** 2;
      if (s < best) {
        best = s;
        labels[i] = label;
      }
    });
  }
  return labels;
}
