/**
 * The request body -> a Plan: every field checked once, at the boundary, with defaults
 * filled in and the reference's spellings mapped to the library's. A malformed field is a
 * DataError naming it (400); nothing past this module validates the request again.
 */
import type { LinkageMethod } from '../cluster/agglomerative';
import type { CovarianceType } from '../cluster/gmm';
import type { CategoricalMode, ColumnarData, MissingPolicy, Scaling } from '../prep/records';
import type { ChooseKMethod } from '../select/chooseK';
import { SEGMENT_ALGORITHMS, type SegmentAlgorithm } from './algorithms';
import { badRequest, missingParameter } from './errors';

/** The reference service's request body (segment()'s first argument). */
export interface SegmentationRequest {
  /** Customer records, or columns: `{ customer_id: [...], spend: Float64Array | number[], ... }`. */
  data: Record<string, unknown>[] | ColumnarData;
  algorithm?: SegmentAlgorithm | 'auto';
  n_clusters?: number | 'auto' | null;
  features?: string[];
  validation?: 'silhouette' | 'davies_bouldin';
  k_selection?: 'auto' | 'gap' | 'prediction_strength' | 'silhouette' | 'davies_bouldin' | 'elbow' | 'bic' | 'calinski_harabasz';
  k_range?: [number, number];
  id_field?: string;
  scaling?: Scaling;
  log_transform?: 'auto' | boolean;
  missing?: MissingPolicy;
  seed?: number;
  roles?: Record<string, string>;
  eps?: number | 'auto';
  min_samples?: number;
  /** HDBSCAN's smallest segment (default: 1% of the customers, at least 5). */
  min_cluster_size?: number;
  /** HDBSCAN: attach every outlier to the segment of its nearest clustered customer. */
  assign_outliers?: boolean;
  linkage?: LinkageMethod;
  covariance_type?: CovarianceType;
  max_categories?: number;
  /**
   * Text features named in `features`: 'auto' (default) codes them as categories when the
   * features mix numbers and text (k-prototypes / Gower), 'onehot' one-hot encodes them
   * as before, 'kprototypes' codes them and refuses data with nothing to mix.
   */
  categorical?: CategoricalMode;
  return_model?: boolean;
  /** Label names: 'rfm' or 'business'; default RFM when the roles are exactly recency, frequency and monetary. */
  labels?: 'rfm' | 'business';
  /** Rules, stability (and their cost); default true. */
  explain?: boolean;
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
  'min_cluster_size',
  'assign_outliers',
  'linkage',
  'covariance_type',
  'max_categories',
  'categorical',
  'return_model',
  'labels',
  'explain',
] as const;

/** A checked request: what the pipeline runs. */
export interface Plan {
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
  /** undefined: the service's default for the number of customers (hdbscanMinClusterSize). */
  minClusterSize?: number;
  assignOutliers: boolean;
  linkage: LinkageMethod;
  /** Whether the request named its linkage (on mixed data the default is 'average', Ward being undefined for Gower). */
  linkageGiven: boolean;
  covarianceType: CovarianceType;
  maxCategories: number;
  categorical: CategoricalMode;
  returnModel: boolean;
  labels?: 'rfm' | 'business';
  explain: boolean;
  unknownFields: string[];
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
  auto: 'auto',
  gap: 'gap-statistic',
  gap_statistic: 'gap-statistic',
  'gap-statistic': 'gap-statistic',
  prediction_strength: 'prediction-strength',
  'prediction-strength': 'prediction-strength',
};

/** Checks the request body and fills in the defaults; throws a DataError naming the first bad field. */
export function resolveRequest(request: unknown): Plan {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw badRequest('body', 'the request body must be a JSON object');
  }
  const r = request as Record<string, unknown>;
  if (r.data === undefined || r.data === null) {
    throw missingParameter('data');
  }
  if (typeof r.data !== 'object') {
    throw badRequest('data', 'must be an array of customer objects, or an object of columns (one array per field)');
  }
  const algorithm = r.algorithm === undefined || r.algorithm === null ? 'kmeans' : oneOf('algorithm', r.algorithm, [...SEGMENT_ALGORITHMS, 'auto'] as const);
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
  // k_selection 'auto' (mixture BIC on the observed rows, measured best at finding known segments) is
  // the default; a request that names its validation metric but no k_selection keeps
  // choosing k by that metric, as it always has.
  let kMethod: ChooseKMethod = r.validation === undefined || r.validation === null ? 'auto' : K_METHODS[validation];
  if (r.k_selection !== undefined && r.k_selection !== null) {
    // Checked as a string first: indexing with an arbitrary object would call its toString.
    const m = typeof r.k_selection === 'string' && Object.hasOwn(K_METHODS, r.k_selection) ? K_METHODS[r.k_selection] : undefined;
    if (!m) {
      throw badRequest(
        'k_selection',
        `must be one of 'auto', 'gap', 'prediction_strength', 'silhouette', 'davies_bouldin', 'elbow', 'bic', 'calinski_harabasz', got ${JSON.stringify(r.k_selection)}`,
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
  const minClusterSize = r.min_cluster_size === undefined || r.min_cluster_size === null ? undefined : integer('min_cluster_size', r.min_cluster_size, 2);
  if (r.assign_outliers !== undefined && r.assign_outliers !== null && typeof r.assign_outliers !== 'boolean') {
    throw badRequest('assign_outliers', 'must be true or false');
  }
  const linkage = r.linkage === undefined || r.linkage === null ? 'ward' : oneOf('linkage', r.linkage, ['ward', 'complete', 'average', 'single'] as const);
  const covarianceType =
    r.covariance_type === undefined || r.covariance_type === null
      ? 'full'
      : oneOf('covariance_type', r.covariance_type, ['full', 'diag', 'tied', 'spherical'] as const);
  const maxCategories = r.max_categories === undefined || r.max_categories === null ? 20 : integer('max_categories', r.max_categories, 1);
  const categorical =
    r.categorical === undefined || r.categorical === null ? 'auto' : oneOf('categorical', r.categorical, ['auto', 'onehot', 'kprototypes'] as const);
  if (r.return_model !== undefined && r.return_model !== null && typeof r.return_model !== 'boolean') {
    throw badRequest('return_model', 'must be true or false');
  }
  const labels = r.labels === undefined || r.labels === null ? undefined : oneOf('labels', r.labels, ['rfm', 'business'] as const);
  if (r.explain !== undefined && r.explain !== null && typeof r.explain !== 'boolean') throw badRequest('explain', 'must be true or false');
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
    minClusterSize,
    assignOutliers: r.assign_outliers === true,
    linkage,
    linkageGiven: r.linkage !== undefined && r.linkage !== null,
    covarianceType,
    maxCategories,
    categorical,
    returnModel: r.return_model === true,
    ...(labels !== undefined ? { labels } : {}),
    explain: r.explain !== false,
    unknownFields,
  };
}
