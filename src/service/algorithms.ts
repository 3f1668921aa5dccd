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
import type { HdbscanJSON, HdbscanModel } from '../cluster/hdbscan';
import type { KMeansJSON } from '../cluster/kmeans';
import type { KMeansModel } from '../cluster/kmeansModel';
import type { KPrototypesJSON } from '../cluster/kprototypes';
import { fitKPrototypesSeeded } from '../cluster/kprototypesSeeded';
import { gowerAgglomerative, gowerMaxExactRows, gowerPrototypes, nearestGowerPrototype, type GowerLinkage } from '../cluster/agglomerativeGower';
import { fitAlgorithm as fitRegistered, loadModel, paramsFor } from '../cluster/registry';
import { DataError, InvalidParameterError } from '../errors';
import type { MessageKey } from '../i18n/index';
import { groupMeans, type Matrix } from '../matrix';
import { sampleRows } from '../select/resampling';
import { unservable } from './errors';

/** An algorithm a request can name (besides 'auto'). */
export type SegmentAlgorithm = 'kmeans' | 'hierarchical' | 'dbscan' | 'gmm' | 'hdbscan';

/** Every algorithm a request can name, in the order error messages list them. */
export const SEGMENT_ALGORITHMS: readonly SegmentAlgorithm[] = ['kmeans', 'hierarchical', 'dbscan', 'gmm', 'hdbscan'];

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
  /** K-Means: the algorithm (kmeans()'s `algorithm`; 'auto' when undefined). */
  kmeansAlgorithm?: 'lloyd' | 'hamerly';
  /** HDBSCAN's smallest segment; undefined = hdbscanMinClusterSize(customers). */
  minClusterSize?: number;
  /** HDBSCAN: give every outlier the segment of its nearest clustered customer. */
  assignOutliers?: boolean;
  /**
   * Mixed data: the matrix columns holding category codes (prep's categoricalColumns).
   * With any, 'kmeans' runs k-prototypes and 'hierarchical' Gower linkage (see fitMixed).
   */
  categoricalColumns?: number[];
  /** Mixed data: 1 / range of each numeric column over every customer (Gower), so refits on samples keep the same scale. */
  gowerInvRange?: Float64Array;
}

/**
 * k-prototypes restarts when kmeansRestarts is not set (explain's stability refits; the
 * service's final fit on mixed data always sets KMEANS_RESTARTS). One restart is about
 * 20-40 ms at 2,000 customers here, and the stability plan refits 20 times.
 */
export const KPROTOTYPES_DEFAULT_RESTARTS = 1;

/** The algorithms a request can run on mixed numeric and categorical data. */
export const MIXED_ALGORITHMS: readonly SegmentAlgorithm[] = ['kmeans', 'hierarchical'];

/**
 * The service's default HDBSCAN min_cluster_size: 1% of the customers, at least 5
 * (scikit-learn's default, which alone makes dozens of micro-segments on customer data).
 */
export function hdbscanMinClusterSize(customers: number): number {
  return Math.max(5, Math.round(customers * 0.01));
}

/** What places a new customer (in the model's scaled space); part of the return_model format. */
export type PredictorJSON =
  | { kind: 'kmeans'; model: KMeansJSON }
  | { kind: 'gmm'; model: GmmJSON }
  | { kind: 'dbscan'; model: DbscanJSON }
  | { kind: 'hdbscan'; model: HdbscanJSON }
  | { kind: 'centroids'; centroids: number[][] }
  /** Mixed data, algorithm 'kmeans': the k-prototypes model (its rows in the combined layout of prep). */
  | { kind: 'kprototypes'; model: KPrototypesJSON }
  /** Mixed data, algorithm 'hierarchical': nearest segment prototype (numeric means, category modes) by Gower distance. */
  | { kind: 'gower'; numeric: number[][]; modes: number[][]; inv_range: number[]; categorical_columns: number[] };

/** A fitted algorithm: its labels (-1 = noise), its predictor, and the eps DBSCAN used. */
export interface Fitted {
  labels: Int32Array;
  predictor: PredictorJSON;
  eps?: number;
  /** HDBSCAN: the min_cluster_size used and how many outliers assign_outliers attached. */
  minClusterSize?: number;
  outliersAssigned?: number;
  /** K-Means: the algorithm 'auto' settled on. */
  kmeansAlgorithm?: 'lloyd' | 'hamerly';
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
 * Above this many customers the final K-Means fit's restarts run on a seeded sample of
 * RESTARTS_SAMPLE_SIZE rows and one fit on every row refines the best of them: the
 * restarts only have to find the right basin, which a sample shows as well as every row,
 * and each full restart is a pass over all of them per iteration. Measured against the
 * best of 20 (10 at 1M) full fits, on kdata-style sets (customers k 3-8, low to high
 * overlap; blobs at 100k): at 100,000 rows, 23 sets, restarts on 20,000 rows then the refit
 * were 3.3x faster than five full restarts, mean ARI 0.986 against 0.988, worst excess
 * inertia 1.1% against 2.7%; at 1M rows, 8 overlapping sets, samples of 20,000 / 50,000 /
 * 200,000 rows gave mean ARI 0.994 / 0.922 / 0.962 (a missed basin is the restarts' luck,
 * not the sample's size) in 2.5 / 2.6 / 5.1 s in all.
 */
export const RESTARTS_SAMPLE_ABOVE = 50_000;
export const RESTARTS_SAMPLE_SIZE = 20_000;

function kmeansRestartsOnSample(X: Matrix, k: number, seed: number, nInit: number, algorithm: KMeansModel['algorithm'] | undefined) {
  const sample = sampleRows(X, RESTARTS_SAMPLE_SIZE, seed);
  const best = fitRegistered('kmeans', sample, { k, seed, nInit, algorithm }) as unknown as KMeansModel;
  // The refinement keeps the algorithm the sample settled on: a sample of the rows has their
  // bounds' character, and a second probe would cost passes over every row.
  return fitRegistered('kmeans', X, { k, seed, init: best.centroids, nInit: 1, algorithm: best.algorithm });
}

/**
 * Fits the algorithm `name` on X (prep's validated matrix, read without a copy) through the
 * cluster registry; a refusal comes out as the algorithm's InvalidParameterError (see
 * fromAlgorithmError) or a DataError.
 */
export function fitAlgorithm(name: SegmentAlgorithm, X: Matrix, options: FitOptions): Fitted {
  if (options.categoricalColumns !== undefined && options.categoricalColumns.length > 0) return fitMixed(name, X, options, options.categoricalColumns);
  PRECHECKS[name]?.(X, options);
  const { k, seed, linkage, covarianceType, eps, minSamples } = options;
  if (name === 'hdbscan') return fitHdbscanSegments(X, options);
  const nInit = name === 'kmeans' ? options.kmeansRestarts : undefined;
  const model =
    name === 'kmeans' && nInit !== undefined && nInit > 1 && X.rows > RESTARTS_SAMPLE_ABOVE
      ? kmeansRestartsOnSample(X, k, seed, nInit, options.kmeansAlgorithm)
      : fitRegistered(
          name,
          X,
          paramsFor(name, { k, seed, linkage, covarianceType, eps, minSamples, nInit, algorithm: name === 'kmeans' ? options.kmeansAlgorithm : undefined }),
        );
  if (name === 'hierarchical') {
    // Hierarchical clustering has no predict of its own: new customers go to the nearest segment mean.
    const { means } = groupMeans(X, model.labels, k);
    const centroids = Array.from({ length: k }, (_, c) => Array.from(means.subarray(c * X.cols, (c + 1) * X.cols)));
    return { labels: model.labels, predictor: { kind: 'centroids', centroids } };
  }
  // The model's JSON (a plain array of every label among it) only when a caller reads it
  // (return_model, the CLI's --probabilities): at a million customers it cost 40 ms and
  // a million-element array for the garbage collector on every run.
  let predictor: PredictorJSON | undefined;
  return {
    labels: model.labels,
    get predictor() {
      predictor ??= { kind: name, model: model.toJSON() } as PredictorJSON;
      return predictor;
    },
    ...(name === 'dbscan' ? { eps: (model as DbscanModel).eps } : {}),
    ...(name === 'kmeans' ? { kmeansAlgorithm: (model as KMeansModel).algorithm } : {}),
  };
}

/**
 * Mixed numeric and categorical data: 'kmeans' is k-prototypes (through the registry,
 * gamma kmodes' default: half the mean std of the scaled numeric columns), 'hierarchical'
 * Gower linkage up to its exact limit. The other algorithms need a vector space (a
 * mixture's covariances, DBSCAN's and HDBSCAN's radii on Euclidean distance): refused
 * with the way out rather than run on category codes as if they were amounts.
 */
function fitMixed(name: SegmentAlgorithm, X: Matrix, options: FitOptions, categoricalColumns: number[]): Fitted {
  const { k, seed } = options;
  if (name === 'kmeans') {
    // k-means++ seeds on k-prototypes' dissimilarity (src/cluster/kprototypesSeeded.ts says why).
    const nInit = options.kmeansRestarts ?? KPROTOTYPES_DEFAULT_RESTARTS;
    const model = fitKPrototypesSeeded(X, { k, seed, restarts: nInit, categoricalColumns });
    return { labels: model.labels, predictor: { kind: 'kprototypes', model: model.toJSON() } };
  }
  if (name === 'hierarchical') {
    checkGowerLinkage(options.linkage, X.rows);
    const linkage = options.linkage as GowerLinkage;
    const result = gowerAgglomerative(X, { k, linkage, categoricalColumns, invRange: options.gowerInvRange });
    const prototypes = gowerPrototypes(X, categoricalColumns, result.labels, result.nClusters);
    const invRange = options.gowerInvRange ?? gowerInverseRanges(X, categoricalColumns);
    return {
      labels: result.labels,
      predictor: { kind: 'gower', ...prototypes, inv_range: Array.from(invRange), categorical_columns: [...categoricalColumns] },
    };
  }
  throw unservable(
    'REJECTED_PARAMETER',
    'algorithm',
    `${name} needs numeric features only; these features include categorical ones (${categoricalColumns.length}). Use algorithm 'kmeans' (k-prototypes) or 'hierarchical' (Gower), or categorical: 'onehot'`,
    { algorithm: name },
    'error.algorithm_not_mixed',
  );
}

/** Ward needs Euclidean centroids; the other linkages are exact on Gower up to agglomerative()'s exact limit. */
export function checkGowerLinkage(linkage: LinkageMethod, customers: number): void {
  if (linkage === 'ward') {
    throw unservable(
      'REJECTED_PARAMETER',
      'linkage',
      "Ward linkage is not defined for Gower distance (mixed numeric and categorical features); use 'average', 'complete' or 'single', or categorical: 'onehot'",
      { value: linkage },
      'error.linkage_not_mixed',
    );
  }
  const max = gowerMaxExactRows(linkage);
  if (customers > max) {
    throw unservable(
      'REJECTED_PARAMETER',
      'algorithm',
      `hierarchical clustering on Gower distance is exact up to ${max} customers for linkage '${linkage}', got ${customers}; use algorithm 'kmeans' (k-prototypes) or categorical: 'onehot'`,
      { n: customers, max, linkage },
      'error.gower_too_many_customers',
    );
  }
}

/** 1 / range of every numeric column of a combined matrix (0 for a constant one). */
export function gowerInverseRanges(X: Matrix, categoricalColumns: readonly number[]): Float64Array {
  const isCat = new Uint8Array(X.cols);
  for (const c of categoricalColumns) isCat[c] = 1;
  const out: number[] = [];
  for (let c = 0; c < X.cols; c++) {
    if (isCat[c]) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < X.rows; i++) {
      const v = X.data[i * X.cols + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    out.push(range > 0 && Number.isFinite(range) ? 1 / range : 0);
  }
  return Float64Array.from(out);
}

/** HDBSCAN through the registry, with the service's min_cluster_size default and assign_outliers. */
function fitHdbscanSegments(X: Matrix, options: FitOptions): Fitted {
  const minClusterSize = options.minClusterSize ?? hdbscanMinClusterSize(X.rows);
  const model = fitRegistered('hdbscan', X, { minClusterSize, minSamples: options.minSamples }) as HdbscanModel;
  const predictor: PredictorJSON = { kind: 'hdbscan', model: model.toJSON() };
  if (!options.assignOutliers) return { labels: model.labels, predictor, minClusterSize };
  const labels = model.labelsWithOutliersAssigned();
  let outliersAssigned = 0;
  for (let i = 0; i < labels.length; i++) if (model.labels[i] < 0 && labels[i] >= 0) outliersAssigned++;
  return { labels, predictor, minClusterSize, outliersAssigned };
}

/** Loads a stored predictor by its kind; the function it returns gives each row of X its label (-1 = noise). */
export function loadPredictor(predictor: PredictorJSON): (X: Matrix) => Int32Array {
  if (predictor.kind === 'centroids') return (X) => nearestCentroid(X, predictor.centroids);
  if (predictor.kind === 'gower') {
    return (X) => nearestGowerPrototype(X, predictor.categorical_columns, predictor.inv_range, predictor);
  }
  const model = loadModel(predictor.model);
  return (X) => model.predictMatrix!(X);
}

/** The request parameter behind each algorithm option, and the value the request gave it. */
const REQUEST_PARAMETERS: Record<string, { parameter: string; value?: (o: Partial<FitOptions>) => string | number | undefined }> = {
  k: { parameter: 'n_clusters', value: (o) => o.k },
  eps: { parameter: 'eps', value: (o) => o.eps },
  minSamples: { parameter: 'min_samples', value: (o) => o.minSamples },
  minClusterSize: { parameter: 'min_cluster_size', value: (o) => o.minClusterSize },
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
