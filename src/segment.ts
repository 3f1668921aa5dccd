/**
 * segment(): the reference service's request body in, its response body out.
 *
 * records -> prep (matrix) -> k selection -> clustering -> metrics -> profiles -> response.
 * The response has every field of the reference (`segments[].segment_id`, `size`,
 * `characteristics` with `avg_<feature>`, `customers`; `metrics.silhouette_score`,
 * `metrics.davies_bouldin_score`) and adds, without changing those, shares, business
 * labels and descriptions, per-feature profiles, Calinski-Harabasz, how the silhouette
 * was computed, the k-selection curve and `meta` (what was done, warnings, timings).
 *
 * Failures are SegmentationErrors with the reference's error shape (status, error,
 * localized message, code, details { parameter, location }): 400 for a malformed
 * request, 422 for a well-formed one that cannot be served. Anything else that goes
 * wrong is a bug and surfaces as INTERNAL_ERROR (500) without internals.
 *
 * Segment ids: segments are numbered by size, largest first (0, 1, ...), so the same
 * data gives the same ids whatever the algorithm's internal numbering; DBSCAN noise is
 * segment -1, listed last and left out of the metrics.
 */
import { agglomerative, type LinkageMethod as Linkage } from './cluster/agglomerative';
import { dbscan, DbscanModel } from './cluster/dbscan';
import { gmm, GaussianMixtureModel, type CovarianceType } from './cluster/gmm';
import { kmeans, KMeansModel } from './cluster/kmeans';
import { InvalidParameterError, SegmentationError, type SegmentationErrorCode } from './errors';
import { countDistinctRows, type Matrix } from './matrix';
import { calinskiHarabaszScore, daviesBouldinScore } from './metrics/clusterScores';
import { silhouette, SILHOUETTE_EXACT_LIMIT } from './metrics/silhouette';
import {
  prepareRecords,
  transformRecords,
  type ColumnarData,
  type CustomerId,
  type FeatureTransform,
  type MissingPolicy,
  type PrepWarning,
  type Preprocessing,
  type Scaling,
} from './prep/records';
import { ERROR_TITLES, isLocale, negotiateLocale, t, type Locale, type MessageKey } from './i18n/index';
import { profileSegments, type FeatureProfile } from './profile/profile';
import { inferRoles, type FeatureRole } from './profile/roles';
import { chooseK, CHOOSE_K_SILHOUETTE_SAMPLE, type ChooseKMethod } from './select/chooseK';
import { init } from './wasm/index';

export type SegmentAlgorithm = 'kmeans' | 'hierarchical' | 'dbscan' | 'gmm';

export interface SegmentationRequest {
  /** Customer records, or columns: `{ customer_id: [...], spend: Float64Array | number[], ... }`. */
  data: Record<string, unknown>[] | ColumnarData;
  algorithm?: SegmentAlgorithm | 'auto';
  n_clusters?: number | 'auto' | null;
  features?: string[];
  validation?: 'silhouette' | 'davies_bouldin';
  k_selection?: 'silhouette' | 'davies_bouldin' | 'elbow' | 'bic' | 'calinski_harabasz';
  k_range?: [number, number];
  id_field?: string;
  scaling?: Scaling;
  log_transform?: 'auto' | boolean;
  missing?: MissingPolicy;
  seed?: number;
  roles?: Record<string, string>;
  eps?: number | 'auto';
  min_samples?: number;
  linkage?: Linkage;
  covariance_type?: CovarianceType;
  max_categories?: number;
  return_model?: boolean;
}

export interface SegmentResponse {
  segment_id: number;
  size: number;
  characteristics: Record<string, number | null>;
  customers: CustomerId[];
  share: number;
  label: string;
  label_key: string;
  description: string;
  profile: Record<string, FeatureProfile>;
}

export interface SegmentationWarning {
  code: string;
  message: string;
}

export interface SegmentationResponse {
  segments: SegmentResponse[];
  metrics: {
    silhouette_score: number | null;
    davies_bouldin_score: number | null;
    calinski_harabasz_score: number | null;
    silhouette: { method: 'exact' | 'sampled'; sample_size: number; customers_scored: number } | null;
  };
  k_selection?: {
    method: string;
    algorithm: string;
    k: number;
    k_range: [number, number];
    curve: { k: number; score: number }[];
    /** Customers the curve was fitted on, when k was chosen on a sample (large data). */
    sample_size?: number;
  };
  meta: {
    algorithm: SegmentAlgorithm;
    n_clusters: number;
    customers: number;
    features: string[];
    model_features: string[];
    roles: Record<string, FeatureRole | null>;
    preprocessing: Preprocessing;
    warnings: SegmentationWarning[];
    timings_ms: Record<string, number>;
    locale: Locale;
    seed: number;
    algorithm_comparison?: { algorithm: SegmentAlgorithm; k: number; score: number | null; metric: string; error?: string }[];
    outliers?: number;
    eps?: number;
  };
  model?: SegmentationModel;
}

export interface SegmentOptions {
  /** Language of labels, descriptions, warnings and error messages; an Accept-Language value also works. Default 'en'. */
  locale?: Locale | string;
  /** Called as each stage starts (the CLI prints it). */
  onProgress?: (stage: string) => void;
}

const REQUEST_FIELDS = [
  'data',
  'algorithm',
  'n_clusters',
  'features',
  'validation',
  'k_selection',
  'k_range',
  'id_field',
  'scaling',
  'log_transform',
  'missing',
  'seed',
  'roles',
  'eps',
  'min_samples',
  'linkage',
  'covariance_type',
  'max_categories',
  'return_model',
] as const;

/** The reference's minimum for a stable segmentation; below it the response warns. */
export const STABLE_MIN_CUSTOMERS = 500;
/**
 * Above this many customers k is chosen on a seeded sample of K_SELECTION_FIT_SAMPLE
 * (the curve's shape needs far fewer rows than the final clustering, which still uses
 * every customer): at 100k customers choosing k over 2..10 went from about 0.5 s to 0.1 s.
 */
export const K_SELECTION_FIT_SAMPLE_ABOVE = 50_000;
export const K_SELECTION_FIT_SAMPLE = 20_000;
/** When the silhouette sample misses a cluster, the score is exact up to this many customers (about 0.2 s), else null. */
export const SILHOUETTE_FALLBACK_EXACT_MAX = 20_000;
/** Above this many customers 'auto' leaves hierarchical clustering out (it would use micro-clusters anyway). */
export const AUTO_HIERARCHICAL_MAX = 20_000;

interface Resolved {
  data: Record<string, unknown>[] | ColumnarData;
  algorithm: SegmentAlgorithm | 'auto';
  k: number | 'auto';
  features?: string[];
  validation: 'silhouette' | 'davies_bouldin';
  kMethod: ChooseKMethod;
  kRange?: [number, number];
  idField: string;
  scaling: Scaling;
  logTransform: 'auto' | boolean;
  missing: MissingPolicy;
  seed: number;
  roles?: Record<string, string>;
  eps: number | 'auto';
  minSamples: number;
  linkage: Linkage;
  covarianceType: CovarianceType;
  maxCategories: number;
  returnModel: boolean;
  unknownFields: string[];
}

function badRequest(parameter: string, reason: string, code: SegmentationErrorCode = 'INVALID_PARAMETER'): SegmentationError {
  return new SegmentationError({
    status: 400,
    code,
    message: `${parameter}: ${reason}`,
    details: { parameter, location: 'body', reason },
    params: { parameter },
  });
}

function unprocessable(code: SegmentationErrorCode, parameter: string, reason: string, params: Record<string, string | number> = {}): SegmentationError {
  return new SegmentationError({
    status: 422,
    code,
    message: `${parameter}: ${reason}`,
    details: { parameter, location: 'body', reason },
    params: { parameter, ...params },
  });
}

function oneOf<T extends string>(parameter: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw badRequest(parameter, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function integer(parameter: string, value: unknown, min: number): number {
  // Numeric strings are accepted: form-encoded and PHP clients often send "3".
  const v = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(parameter, `must be an integer, got ${JSON.stringify(value)}`);
  if (v < min) throw badRequest(parameter, `must be at least ${min}, got ${v}`);
  return v;
}

const K_METHODS: Record<string, ChooseKMethod> = {
  silhouette: 'silhouette',
  davies_bouldin: 'davies-bouldin',
  'davies-bouldin': 'davies-bouldin',
  elbow: 'elbow',
  bic: 'bic',
  calinski_harabasz: 'calinski-harabasz',
  'calinski-harabasz': 'calinski-harabasz',
};

function resolveRequest(request: unknown): Resolved {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw badRequest('body', 'the request body must be a JSON object');
  }
  const r = request as Record<string, unknown>;
  if (r.data === undefined || r.data === null) {
    throw new SegmentationError({
      status: 400,
      code: 'MISSING_PARAMETER',
      message: "Required parameter 'data' is missing",
      details: { parameter: 'data', location: 'body' },
      params: { parameter: 'data' },
    });
  }
  if (typeof r.data !== 'object') {
    throw badRequest('data', 'must be an array of customer objects, or an object of columns (one array per field)');
  }
  const algorithm =
    r.algorithm === undefined || r.algorithm === null
      ? 'kmeans'
      : oneOf('algorithm', r.algorithm, ['kmeans', 'hierarchical', 'dbscan', 'gmm', 'auto'] as const);
  const k = r.n_clusters === undefined || r.n_clusters === null || r.n_clusters === 'auto' ? 'auto' : integer('n_clusters', r.n_clusters, 1);
  let features: string[] | undefined;
  if (r.features !== undefined && r.features !== null) {
    if (!Array.isArray(r.features) || r.features.some((f) => typeof f !== 'string' || f === '')) {
      throw badRequest('features', 'must be an array of field names (strings)');
    }
    if (r.features.length === 0) throw badRequest('features', 'must name at least one field (omit it to use every numeric field)');
    const dup = r.features.find((f, i) => r.features !== undefined && (r.features as string[]).indexOf(f) !== i);
    if (dup !== undefined) throw badRequest('features', `names '${dup}' twice`);
    features = r.features as string[];
  }
  const validationRaw =
    r.validation === undefined || r.validation === null ? 'silhouette' : r.validation === 'davies-bouldin' ? 'davies_bouldin' : r.validation;
  const validation = oneOf('validation', validationRaw, ['silhouette', 'davies_bouldin'] as const);
  let kMethod: ChooseKMethod = K_METHODS[validation];
  if (r.k_selection !== undefined && r.k_selection !== null) {
    // Checked as a string first: indexing with an arbitrary object would call its toString.
    const m = typeof r.k_selection === 'string' && Object.hasOwn(K_METHODS, r.k_selection) ? K_METHODS[r.k_selection] : undefined;
    if (!m) {
      throw badRequest(
        'k_selection',
        `must be one of 'silhouette', 'davies_bouldin', 'elbow', 'bic', 'calinski_harabasz', got ${JSON.stringify(r.k_selection)}`,
      );
    }
    kMethod = m;
  }
  let kRange: [number, number] | undefined;
  if (r.k_range !== undefined && r.k_range !== null) {
    if (!Array.isArray(r.k_range) || r.k_range.length !== 2) throw badRequest('k_range', 'must be [min, max]');
    const lo = integer('k_range', r.k_range[0], 2);
    const hi = integer('k_range', r.k_range[1], 2);
    if (hi < lo) throw badRequest('k_range', `max (${hi}) is below min (${lo})`);
    kRange = [lo, hi];
  }
  const idField = r.id_field === undefined || r.id_field === null ? 'customer_id' : r.id_field;
  if (typeof idField !== 'string' || idField === '') throw badRequest('id_field', 'must be a non-empty string');
  const scaling = r.scaling === undefined || r.scaling === null ? 'zscore' : oneOf('scaling', r.scaling, ['zscore', 'robust', 'minmax', 'none'] as const);
  const logTransform = r.log_transform === undefined || r.log_transform === null ? 'auto' : r.log_transform;
  if (logTransform !== 'auto' && logTransform !== true && logTransform !== false) {
    throw badRequest('log_transform', `must be 'auto', true or false, got ${JSON.stringify(logTransform)}`);
  }
  const missing = r.missing === undefined || r.missing === null ? 'median' : oneOf('missing', r.missing, ['median', 'mean', 'error'] as const);
  const seed = r.seed === undefined || r.seed === null ? 0 : integer('seed', r.seed, -(2 ** 31));
  let roles: Record<string, string> | undefined;
  if (r.roles !== undefined && r.roles !== null) {
    if (typeof r.roles !== 'object' || Array.isArray(r.roles)) throw badRequest('roles', 'must be an object mapping feature names to roles');
    roles = r.roles as Record<string, string>;
  }
  let eps: number | 'auto' = 'auto';
  if (r.eps !== undefined && r.eps !== null && r.eps !== 'auto') {
    if (typeof r.eps !== 'number' || !Number.isFinite(r.eps) || r.eps <= 0)
      throw badRequest('eps', `must be a positive number or 'auto', got ${JSON.stringify(r.eps)}`);
    eps = r.eps;
  }
  const minSamples = r.min_samples === undefined || r.min_samples === null ? 5 : integer('min_samples', r.min_samples, 1);
  const linkage = r.linkage === undefined || r.linkage === null ? 'ward' : oneOf('linkage', r.linkage, ['ward', 'complete', 'average', 'single'] as const);
  const covarianceType =
    r.covariance_type === undefined || r.covariance_type === null
      ? 'full'
      : oneOf('covariance_type', r.covariance_type, ['full', 'diag', 'tied', 'spherical'] as const);
  const maxCategories = r.max_categories === undefined || r.max_categories === null ? 20 : integer('max_categories', r.max_categories, 1);
  if (r.return_model !== undefined && r.return_model !== null && typeof r.return_model !== 'boolean') {
    throw badRequest('return_model', 'must be true or false');
  }
  const unknownFields = Object.keys(r).filter((key) => !(REQUEST_FIELDS as readonly string[]).includes(key));
  return {
    data: r.data as Record<string, unknown>[] | ColumnarData,
    algorithm,
    k,
    features,
    validation,
    kMethod,
    kRange,
    idField,
    scaling,
    logTransform,
    missing,
    seed,
    roles,
    eps,
    minSamples,
    linkage,
    covarianceType,
    maxCategories,
    returnModel: r.return_model === true,
    unknownFields,
  };
}

interface Clustering {
  labels: Int32Array;
  predictor: PredictorJSON;
  eps?: number;
}

/** What assignSegments needs to place a new customer (scaled space). */
type PredictorJSON =
  | { kind: 'kmeans'; model: unknown }
  | { kind: 'gmm'; model: unknown }
  | { kind: 'dbscan'; model: unknown }
  | { kind: 'centroids'; centroids: number[][] };

function runAlgorithm(algorithm: SegmentAlgorithm, m: Matrix, k: number, req: Resolved): Clustering {
  switch (algorithm) {
    case 'kmeans': {
      const model = kmeans(m, { k, seed: req.seed });
      return { labels: model.labels, predictor: { kind: 'kmeans', model: model.toJSON() } };
    }
    case 'gmm': {
      const model = gmm(m, { k, covarianceType: req.covarianceType, seed: req.seed });
      return { labels: model.labels, predictor: { kind: 'gmm', model: model.toJSON() } };
    }
    case 'hierarchical': {
      const result = agglomerative(m, { k, linkage: req.linkage, seed: req.seed });
      return { labels: result.labels, predictor: { kind: 'centroids', centroids: labelCentroids(m, result.labels, k) } };
    }
    case 'dbscan': {
      const model = dbscan(m, { eps: req.eps, minSamples: req.minSamples });
      return { labels: model.labels, predictor: { kind: 'dbscan', model: model.toJSON() }, eps: model.eps };
    }
  }
}

function labelCentroids(m: Matrix, labels: Int32Array, k: number): number[][] {
  const { data, rows, cols } = m;
  const sums = Array.from({ length: k }, () => new Array<number>(cols).fill(0));
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    counts[l]++;
    for (let j = 0; j < cols; j++) sums[l][j] += data[i * cols + j];
  }
  return sums.map((s, c) => s.map((v) => v / Math.max(1, counts[c])));
}

/** Labels renumbered by cluster size (largest = 0); ties by first appearance. Noise stays -1. */
function relabelBySize(labels: Int32Array): { labels: Int32Array; mapping: Map<number, number> } {
  const size = new Map<number, number>();
  const first = new Map<number, number>();
  labels.forEach((l, i) => {
    if (l < 0) return;
    size.set(l, (size.get(l) ?? 0) + 1);
    if (!first.has(l)) first.set(l, i);
  });
  const order = [...size.keys()].sort((a, b) => size.get(b)! - size.get(a)! || first.get(a)! - first.get(b)!);
  const mapping = new Map(order.map((l, i) => [l, i]));
  return { labels: Int32Array.from(labels, (l) => (l < 0 ? -1 : mapping.get(l)!)), mapping };
}

interface Scores {
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  silhouetteInfo: SegmentationResponse['metrics']['silhouette'];
}

function scoreLabels(m: Matrix, labels: Int32Array, seed: number): Scores {
  const clusters = new Set<number>();
  let labelled = 0;
  for (const l of labels) {
    if (l >= 0) {
      clusters.add(l);
      labelled++;
    }
  }
  // Every metric needs 2 to n-1 clusters among the labelled customers.
  if (clusters.size < 2 || clusters.size > labelled - 1) {
    return { silhouette: null, daviesBouldin: null, calinskiHarabasz: null, silhouetteInfo: null };
  }
  // Above the exact limit, score the same seeded sample chooseK scores every k on, so the
  // reported silhouette equals the k-selection curve's value at the chosen k. A sample can
  // miss a tiny cluster entirely; then the score is exact where that stays affordable.
  let sil: ReturnType<typeof silhouette> | null = null;
  try {
    sil = silhouette(m, labels, { seed, ...(labelled > SILHOUETTE_EXACT_LIMIT ? { sampleSize: CHOOSE_K_SILHOUETTE_SAMPLE } : {}) });
  } catch (err) {
    if (!(err instanceof InvalidParameterError) || err.parameter !== 'sampleSize') throw err;
    if (labelled <= SILHOUETTE_FALLBACK_EXACT_MAX) sil = silhouette(m, labels, { exact: true });
  }
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    silhouette: sil ? finite(sil.score) : null,
    daviesBouldin: finite(daviesBouldinScore(m, labels)),
    calinskiHarabasz: finite(calinskiHarabaszScore(m, labels)),
    silhouetteInfo: sil ? { method: sil.sampled ? 'sampled' : 'exact', sample_size: sil.sampleSize, customers_scored: sil.n } : null,
  };
}

/** Higher is better, for comparing algorithms by the request's validation metric. */
function validationValue(scores: Scores, validation: 'silhouette' | 'davies_bouldin'): number | null {
  if (validation === 'silhouette') return scores.silhouette;
  return scores.daviesBouldin === null ? null : -scores.daviesBouldin;
}

/** Maps an algorithm's InvalidParameterError to the request's parameter names. */
function fromAlgorithmError(err: unknown, algorithm: SegmentAlgorithm): never {
  if (err instanceof InvalidParameterError) {
    const names: Record<string, string> = {
      k: 'n_clusters',
      eps: 'eps',
      minSamples: 'min_samples',
      linkage: 'linkage',
      covarianceType: 'covariance_type',
      regCovar: 'covariance_type',
    };
    const parameter = names[err.parameter] ?? 'data';
    const code: SegmentationErrorCode = err.parameter === 'k' ? 'INSUFFICIENT_DATA' : 'INVALID_PARAMETER';
    throw unprocessable(code, parameter, `${algorithm}: ${err.message}`, { min: 2, n: 0 });
  }
  throw err;
}

function localizeWarning(locale: Locale, key: string, params: Record<string, string | number>): SegmentationWarning {
  return { code: key, message: t(locale, `warning.${key}` as MessageKey, params) };
}

function prepWarning(locale: Locale, w: PrepWarning): SegmentationWarning {
  switch (w.key) {
    case 'imputed':
      return localizeWarning(locale, 'imputed', { ...w.params, method: t(locale, `method.${w.params.method}` as MessageKey) });
    case 'constant_dropped':
      return localizeWarning(locale, 'constant_dropped', w.params);
    case 'log_transformed':
      return localizeWarning(locale, 'log_transform', w.params);
    case 'ignored_fields':
      return localizeWarning(locale, 'ignored_fields', w.params);
  }
}

/** The same message in the caller's language (prep and validation build English ones). */
function localizeError(err: SegmentationError, locale: Locale): SegmentationError {
  const title = err.status === 422 || err.code === 'MISSING_PARAMETER' ? ERROR_TITLES.validation_failed : ERROR_TITLES.invalid_parameters;
  const params = { ...err.params };
  if (err.code === 'INSUFFICIENT_DATA' && params.n === undefined) params.n = 0;
  let localized: string;
  try {
    localized = t(locale, (err.messageKey ?? `error.${err.code}`) as MessageKey, params);
  } catch {
    // A code without a catalogue entry must still give the caller its (English) message.
    localized = err.message;
  }
  return new SegmentationError({
    status: err.status,
    code: err.code,
    error: title,
    message: localized,
    details: err.details,
    params: err.params,
  });
}

function resolveLocale(locale: SegmentOptions['locale']): Locale {
  if (locale === undefined) return 'en';
  return isLocale(locale) ? locale : negotiateLocale(locale);
}

/** The pipeline, synchronously (workers and the CLI call this; segment() wraps it). */
export function segmentSync(request: unknown, options: SegmentOptions = {}): SegmentationResponse {
  const locale = resolveLocale(options.locale);
  try {
    return run(request, locale, options.onProgress ?? (() => {}));
  } catch (err) {
    if (err instanceof SegmentationError) throw localizeError(err, locale);
    throw err;
  }
}

/** Segments customers: the reference service's request in, its response out. */
export async function segment(request: unknown, options: SegmentOptions = {}): Promise<SegmentationResponse> {
  await init();
  return segmentSync(request, options);
}

function run(request: unknown, locale: Locale, progress: (stage: string) => void): SegmentationResponse {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  let mark = t0;
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round((now - mark) * 100) / 100;
    mark = now;
  };

  const req = resolveRequest(request);
  const rowCount = Array.isArray(req.data) ? req.data.length : undefined;
  if (rowCount !== undefined && rowCount < 2) {
    throw unprocessable('INSUFFICIENT_DATA', 'data', `at least 2 customers are needed, got ${rowCount}`, { min: 2, n: rowCount });
  }

  progress('prep');
  const prep = prepareRecords(req.data, {
    idField: req.idField,
    features: req.features,
    scaling: req.scaling,
    logTransform: req.logTransform,
    missing: req.missing,
    maxCategories: req.maxCategories,
  });
  let roles: Record<string, FeatureRole | undefined>;
  try {
    roles = inferRoles(prep.profileFeatures, req.roles);
  } catch (err) {
    if (err instanceof InvalidParameterError) throw badRequest('roles', err.message.replace(/^roles: /, ''));
    throw err;
  }
  const m = prep.matrix;
  const n = m.rows;
  if (n < 2) throw unprocessable('INSUFFICIENT_DATA', 'data', `at least 2 customers are needed, got ${n}`, { min: 2, n });
  const warnings: SegmentationWarning[] = [];
  // The service serves what the data allows (the reference's own example asks for 3
  // segments of 2 customers): more segments than distinct customers become as many
  // segments as there are distinct customers, with a warning. kmeans()/gmm() stay strict.
  let requestedK = req.k;
  if (typeof requestedK === 'number' && req.algorithm !== 'dbscan') {
    const distinct = countDistinctRows(m, requestedK);
    if (distinct < requestedK) {
      warnings.push(localizeWarning(locale, 'n_clusters_reduced', { requested: requestedK, k: distinct }));
      requestedK = distinct;
    }
  }
  if (n < STABLE_MIN_CUSTOMERS) warnings.push(localizeWarning(locale, 'small_sample', { n }));
  for (const w of prep.warnings) warnings.push(prepWarning(locale, w));
  if (req.unknownFields.length > 0) warnings.push(localizeWarning(locale, 'unknown_parameters', { parameters: req.unknownFields.join(', ') }));
  lap('prep');

  // Which algorithms to run.
  const candidates: SegmentAlgorithm[] =
    req.algorithm === 'auto' ? (n <= AUTO_HIERARCHICAL_MAX ? ['kmeans', 'gmm', 'hierarchical'] : ['kmeans', 'gmm']) : [req.algorithm];

  // k: given, or chosen on the curve (DBSCAN finds its own number of clusters).
  let k = 0;
  let kSelection: SegmentationResponse['k_selection'];
  const needsK = candidates.some((a) => a !== 'dbscan');
  if (req.algorithm === 'dbscan' && typeof req.k === 'number') {
    warnings.push(localizeWarning(locale, 'n_clusters_ignored', { n_clusters: req.k }));
  }
  if (needsK) {
    if (req.k === 'auto') {
      progress('k_selection');
      const distinct = countDistinctRows(m, 11);
      const maxK = Math.min(n - 1, distinct);
      const [lo, hi] = req.kRange ?? [2, Math.min(10, maxK)];
      if (maxK < 2 || lo > maxK) {
        throw unprocessable('INSUFFICIENT_DATA', req.kRange ? 'k_range' : 'data', `choosing k needs at least ${lo + 1} distinct customers`, { min: lo + 1, n });
      }
      const kAlgorithm = req.kMethod === 'bic' || candidates[0] === 'gmm' ? 'gmm' : 'kmeans';
      try {
        const chosen = chooseK(m, {
          kMin: lo,
          kMax: Math.min(hi, maxK),
          method: req.kMethod,
          algorithm: kAlgorithm,
          seed: req.seed,
          ...(n > K_SELECTION_FIT_SAMPLE_ABOVE ? { fitSampleSize: K_SELECTION_FIT_SAMPLE } : {}),
        });
        k = chosen.k;
        kSelection = {
          method: req.kMethod,
          algorithm: chosen.algorithm,
          k,
          k_range: [lo, Math.min(hi, maxK)],
          curve: chosen.curve.map((p) => ({ k: p.k, score: p.score })),
          ...(chosen.fitSampleSize ? { sample_size: chosen.fitSampleSize } : {}),
        };
      } catch (err) {
        fromAlgorithmError(err, kAlgorithm);
      }
      warnings.push(localizeWarning(locale, 'k_auto', { k }));
      lap('k_selection');
    } else {
      k = requestedK as number;
    }
  }

  // Cluster (and, for 'auto', keep the best by the validation metric).
  progress('clustering');
  let best: { algorithm: SegmentAlgorithm; clustering: Clustering; scores: Scores } | undefined;
  let metricsMs = 0;
  const comparison: NonNullable<SegmentationResponse['meta']['algorithm_comparison']> = [];
  for (const algorithm of candidates) {
    let clustering: Clustering;
    try {
      clustering = runAlgorithm(algorithm, m, k, req);
    } catch (err) {
      if (candidates.length > 1 && err instanceof InvalidParameterError) {
        comparison.push({ algorithm, k, score: null, metric: req.validation, error: err.message });
        continue;
      }
      fromAlgorithmError(err, algorithm);
    }
    const metricsStart = performance.now();
    const scores = scoreLabels(m, clustering.labels, req.seed);
    metricsMs += performance.now() - metricsStart;
    const value = validationValue(scores, req.validation);
    if (candidates.length > 1) {
      const metric = req.validation === 'silhouette' ? scores.silhouette : scores.daviesBouldin;
      comparison.push({ algorithm, k, score: metric, metric: req.validation });
    }
    const bestValue = best ? validationValue(best.scores, req.validation) : null;
    if (!best || (value !== null && (bestValue === null || value > bestValue))) best = { algorithm, clustering, scores };
  }
  if (!best) throw unprocessable('INSUFFICIENT_DATA', 'algorithm', 'no algorithm could segment this data', { min: 2, n });
  lap('clustering');
  timings.clustering = Math.round((timings.clustering - metricsMs) * 100) / 100;
  timings.metrics = Math.round(metricsMs * 100) / 100;

  const { algorithm, clustering, scores } = best;
  const { labels, mapping } = relabelBySize(clustering.labels);
  const found = mapping.size;
  if (algorithm !== 'dbscan' && found < k) warnings.push(localizeWarning(locale, 'fewer_clusters', { found, requested: k }));
  if (scores.silhouetteInfo?.method === 'sampled') warnings.push(localizeWarning(locale, 'silhouette_sampled', { n: scores.silhouetteInfo.sample_size }));
  if (scores.silhouette === null || scores.daviesBouldin === null || scores.calinskiHarabasz === null) {
    warnings.push(localizeWarning(locale, 'metrics_unavailable', { clusters: found }));
  }

  progress('profiles');
  const profiles = profileSegments(prep.columns, prep.profileFeatures, labels, roles, locale, prep.fields);
  const members = new Map<number, CustomerId[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    let list = members.get(l);
    if (!list) {
      list = [];
      members.set(l, list);
    }
    list.push(prep.ids[i]);
  }
  const segments: SegmentResponse[] = profiles.map((p) => ({
    segment_id: p.segmentId,
    size: p.size,
    characteristics: p.characteristics,
    customers: members.get(p.segmentId) ?? [],
    share: p.share,
    label: p.label,
    label_key: p.labelKey,
    description: p.description,
    profile: p.profile,
  }));
  lap('profiles');
  timings.total = Math.round((performance.now() - t0) * 100) / 100;

  const outliers = members.get(-1)?.length ?? 0;
  const response: SegmentationResponse = {
    segments,
    metrics: {
      silhouette_score: scores.silhouette,
      davies_bouldin_score: scores.daviesBouldin,
      calinski_harabasz_score: scores.calinskiHarabasz,
      silhouette: scores.silhouetteInfo,
    },
    ...(kSelection ? { k_selection: kSelection } : {}),
    meta: {
      algorithm,
      n_clusters: found,
      customers: n,
      features: prep.features,
      model_features: prep.transforms.map((tr) => tr.name),
      roles: Object.fromEntries(prep.profileFeatures.map((f) => [f, roles[f] ?? null])),
      preprocessing: prep.preprocessing,
      warnings,
      timings_ms: timings,
      locale,
      seed: req.seed,
      ...(comparison.length > 0 ? { algorithm_comparison: comparison } : {}),
      ...(algorithm === 'dbscan' ? { outliers, eps: clustering.eps } : {}),
    },
  };
  if (req.returnModel) {
    response.model = {
      type: 'segmint.segmentation',
      version: 1,
      id_field: req.idField,
      algorithm,
      transforms: prep.transforms,
      predictor: clustering.predictor,
      segment_of_label: Object.fromEntries([...mapping].map(([from, to]) => [String(from), to])),
      segments: segments.map((s) => ({ segment_id: s.segment_id, label: s.label, label_key: s.label_key })),
    };
  }
  return response;
}

/** A fitted segmentation (`return_model: true`): preprocessing plus what places a customer. */
export interface SegmentationModel {
  type: 'segmint.segmentation';
  version: 1;
  id_field: string;
  algorithm: SegmentAlgorithm;
  transforms: FeatureTransform[];
  predictor: PredictorJSON;
  /** Algorithm label -> segment_id of the response. */
  segment_of_label: Record<string, number>;
  segments: { segment_id: number; label: string; label_key: string }[];
}

export interface SegmentAssignment {
  customer_id: CustomerId | null;
  segment_id: number;
  label: string;
}

/**
 * Places new customers into the segments of a fitted segmentation (`return_model: true`):
 * the same preprocessing (imputation, log transform, scaling, one-hot), then the
 * algorithm's own rule (nearest K-Means centroid, most likely mixture component, DBSCAN
 * core point within eps, or nearest segment centroid for hierarchical clustering).
 */
export function assignSegments(model: SegmentationModel | string, customers: unknown[]): SegmentAssignment[] {
  const m: SegmentationModel = typeof model === 'string' ? JSON.parse(model) : model;
  if (m?.type !== 'segmint.segmentation' || m.version !== 1 || !Array.isArray(m.transforms) || !m.predictor) {
    throw badRequest('model', 'is not a segmint segmentation model (from segment() with return_model: true)');
  }
  if (!Array.isArray(customers)) throw badRequest('customers', 'must be an array of customer objects');
  if (customers.length === 0) return [];
  const X = transformRecords(customers, m.transforms);
  let labels: Int32Array;
  const p = m.predictor;
  if (p.kind === 'kmeans') labels = KMeansModel.fromJSON(p.model as never).predict(X);
  else if (p.kind === 'gmm') labels = GaussianMixtureModel.fromJSON(p.model as never).predict(X);
  else if (p.kind === 'dbscan') labels = DbscanModel.fromJSON(p.model as never).predict(X);
  else {
    labels = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = Infinity;
      p.centroids.forEach((c, label) => {
        let s = 0;
        for (let j = 0; j < X.cols; j++) s += (X.data[i * X.cols + j] - c[j]) ** 2;
        if (s < best) {
          best = s;
          labels[i] = label;
        }
      });
    }
  }
  const names = new Map(m.segments.map((s) => [s.segment_id, s.label]));
  return Array.from(labels, (l, i) => {
    const segmentId = l < 0 ? -1 : (m.segment_of_label[String(l)] ?? -1);
    const id = (customers[i] as Record<string, unknown>)[m.id_field];
    return {
      customer_id: typeof id === 'string' || typeof id === 'number' ? id : null,
      segment_id: segmentId,
      label: names.get(segmentId) ?? '',
    };
  });
}
