/**
 * segmint: WebAssembly-accelerated clustering for customer segmentation.
 * Public API; names here are a contract (see DESIGN.md).
 */
/** Loading the kernels: init() once (idempotent), and which build was picked. */
export { init, info as wasmInfo, simdSupported } from './wasm/index';
/** Options and description of the loaded kernels. */
export type { InitOptions, WasmInfo, WasmVariant } from './wasm/index';
/** The core's errors: a bad option or input, and a bad value in the customers' data. */
export { DataError, InvalidParameterError } from './errors';
/** The codes a DataError carries. */
export type { DataErrorCode } from './errors';
/** Matrices: row arrays or a flat row-major buffer. */
export type { Matrix, MatrixLike } from './matrix';
/** K-Means. */
export { kmeans, KMeansModel, defaultKMeansOptions } from './cluster/kmeans';
/** K-Means options, results and model JSON. */
export type { KMeansOptions, KMeansResult, KMeansJSON, KMeansInit, KMeansAlgorithm } from './cluster/kmeans';
export { miniBatchKMeans, createMiniBatchKMeans, MiniBatchKMeansModel, defaultMiniBatchKMeansOptions } from './cluster/minibatch';
export type { MiniBatchKMeansOptions, MiniBatchKMeansJSON } from './cluster/minibatch';
/** A seeded generator of customer-like data. */
export { sampleCustomers, sampleCustomerMatrix, SAMPLE_FEATURES } from './sample';
/** One generated customer. */
export type { SampleCustomer } from './sample';

/** DBSCAN. */
export { dbscan, DbscanModel, defaultDbscanOptions } from './cluster/dbscan';
/** DBSCAN options, results and model JSON. */
export type { DbscanOptions, DbscanResult, DbscanJSON, DbscanAlgorithm } from './cluster/dbscan';
export { hdbscan, HdbscanModel, defaultHdbscanOptions } from './cluster/hdbscan';
export type { HdbscanOptions, HdbscanResult, HdbscanJSON, CondensedTree } from './cluster/hdbscan';
export { kprototypes, kprototypesCoded, KPrototypesModel, defaultKPrototypesOptions } from './cluster/kprototypes';
export type { KPrototypesOptions, KPrototypesResult, KPrototypesJSON, KPrototypesInit, KPrototypesCodes, CategoryValue } from './cluster/kprototypes';

/** Quality metrics. */
export { silhouette, silhouetteScore, silhouetteSamples, SILHOUETTE_EXACT_LIMIT, defaultSilhouetteOptions } from './metrics/silhouette';
/** Silhouette options and result. */
export type { SilhouetteOptions, SilhouetteResult } from './metrics/silhouette';
/** Davies-Bouldin and Calinski-Harabasz. */
export { daviesBouldinScore, calinskiHarabaszScore } from './metrics/clusterScores';
/** Choosing k on a curve. */
export { chooseK, defaultChooseKOptions, kneedleIndex, CHOOSE_K_SILHOUETTE_SAMPLE, RESAMPLING_DEFAULTS } from './select/chooseK';
/** chooseK options, result and curve. */
export type { ChooseKOptions, ChooseKResult, ChooseKPoint, ChooseKMethod, ChooseKAlgorithm, ResamplingMethod } from './select/chooseK';
/** Adjusted Rand index of two labellings (scikit-learn's adjusted_rand_score). */
export { adjustedRandIndex } from './select/ari';
/** The gap statistic and prediction strength on their own, with their curves. */
export { gapStatistic, predictionStrength, type CriterionPoint } from './select/resampling';

/** Gaussian mixtures. */
export { gmm, gmmBicCurve, gmmParameterCount, GaussianMixtureModel, defaultGmmOptions, COVARIANCE_TYPES } from './cluster/gmm';
/** Gaussian mixture options, results and model JSON. */
export type { GmmOptions, GmmResult, GmmJSON, GmmCovariances, CovarianceType, GmmBicCurveOptions } from './cluster/gmm';

/** Hierarchical (agglomerative) clustering. */
export { agglomerative, AgglomerativeModel, defaultAgglomerativeOptions, DEFAULT_MAX_EXACT_ROWS } from './cluster/agglomerative';
/** Hierarchical clustering options, results and model JSON. */
export type { AgglomerativeOptions, AgglomerativeResult, AgglomerativeJSON, ApproximateInfo, LinkageMethod } from './cluster/agglomerative';

/** The one-call pipeline: the reference's request in, its response out. */
export { segment, segmentSync, assignSegments, STABLE_MIN_CUSTOMERS } from './segment';
/** Bounds on one request's cost (depth, features, k, min_samples, the work estimate), checked before any work. */
export { DEFAULT_REQUEST_LIMITS, findLimitViolation } from './service/cost';
/** The bounds' types. */
export type { RequestLimits, LimitViolation } from './service/cost';
/** The pipeline's request, response, model and options. */
export type {
  SegmentationRequest,
  SegmentationResponse,
  SegmentResponse,
  SegmentationModel,
  SegmentationWarning,
  SegmentAssignment,
  SegmentOptions,
  SegmentAlgorithm,
} from './segment';
/** The pipeline's error, shaped like the reference's error bodies. */
export { SegmentationError } from './errors';
/** Its codes and details. */
export type { SegmentationErrorCode, SegmentationErrorDetails } from './errors';
/** Segment profiles, labels and descriptions. */
export { profileSegments } from './profile/profile';
/** A segment's profile and one feature's statistics in it. */
export type { SegmentProfile, FeatureProfile } from './profile/profile';
/** Label schemes, drivers (Cohen's d), RFM scores and names, rules and bootstrap stability. */
export { chooseLabelScheme, MAX_DRIVERS } from './profile/profile';
export type { Driver, ProfileOptions } from './profile/profile';
export type { LabelScheme, LabelKey, BusinessLabelKey } from './profile/labels';
export { RFM_GRID, rfmCell, quintileScores } from './profile/rfm';
export type { RfmLabelKey } from './profile/rfm';
export { segmentRules } from './profile/rules';
export type { SegmentRule, RuleCondition } from './profile/rules';
export { bootstrapStability, defaultStabilityOptions } from './profile/stability';
export type { StabilityOptions, StabilityResult, Refit } from './profile/stability';
/** Business roles of features (monetary, frequency, recency, ...). */
export { inferRoles, FEATURE_ROLES } from './profile/roles';
/** A feature's business role. */
export type { FeatureRole } from './profile/roles';
/** Languages: messages, Accept-Language negotiation. */
export { negotiateLocale, t, LOCALES } from './i18n/index';
/** A language and a message key. */
export type { Locale, MessageKey } from './i18n/index';
/** Customer records or columns -> the model matrix. */
export { prepareRecords } from './prep/records';
/** Prepared data and the preprocessing it records. */
export type { PreparedData, Preprocessing, FeatureTransform, Scaling, MissingPolicy, CustomerId } from './prep/records';

/** Segmentation off the main thread. */
export { segmentInWorker } from './segmentInWorker';
/** segmentInWorker() options. */
export type { SegmentInWorkerOptions } from './segmentInWorker';
/** K-Means restarts over workers with their own copy of X (no SharedArrayBuffer needed). */
export { kmeansInWorkers, startKMeansWorkers } from './kmeansInWorkers';
/** kmeansInWorkers() options, and a set of workers kept between its calls. */
export type { KMeansInWorkersOptions, KMeansWorkers } from './kmeansInWorkers';

/** Customer files (CSV in any dialect, JSON, NDJSON, Parquet) -> columns segment() takes. */
export { readCustomers, findIdField, ReadError } from './prep/read';
/** readCustomers() options, result, warnings and error codes. */
export type { ReadCustomersOptions, ReadCustomersResult, ReadWarning, ReadErrorCode, CustomerFileFormat } from './prep/read';
