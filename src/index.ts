/**
 * segmint: WebAssembly-accelerated clustering for customer segmentation.
 * Public API; names here are a contract (see DESIGN.md).
 */
export { init, info as wasmInfo, simdSupported } from './wasm/index';
export type { InitOptions, WasmInfo, WasmVariant } from './wasm/index';
export { InvalidParameterError } from './errors';
export type { Matrix, MatrixLike } from './matrix';
export { kmeans, KMeansModel, defaultKMeansOptions } from './cluster/kmeans';
export type { KMeansOptions, KMeansResult, KMeansJSON, KMeansInit, KMeansAlgorithm } from './cluster/kmeans';
export { sampleCustomers, sampleCustomerMatrix, SAMPLE_FEATURES } from './sample';
export type { SampleCustomer } from './sample';
// DBSCAN (issue 4)
export { dbscan, DbscanModel, defaultDbscanOptions } from './cluster/dbscan';
export type { DbscanOptions, DbscanResult, DbscanJSON, DbscanAlgorithm } from './cluster/dbscan';

// Quality metrics and choosing k (feat/metrics).
export { silhouette, silhouetteScore, silhouetteSamples, SILHOUETTE_EXACT_LIMIT, defaultSilhouetteOptions } from './metrics/silhouette';
export type { SilhouetteOptions, SilhouetteResult } from './metrics/silhouette';
export { daviesBouldinScore, calinskiHarabaszScore } from './metrics/clusterScores';
export { chooseK, defaultChooseKOptions, kneedleIndex, CHOOSE_K_SILHOUETTE_SAMPLE } from './select/chooseK';
export type { ChooseKOptions, ChooseKResult, ChooseKPoint, ChooseKMethod, ChooseKAlgorithm } from './select/chooseK';

// Gaussian mixtures (issue 4)
export { gmm, gmmBicCurve, gmmParameterCount, GaussianMixtureModel, defaultGmmOptions, COVARIANCE_TYPES } from './cluster/gmm';
export type { GmmOptions, GmmResult, GmmJSON, GmmCovariances, CovarianceType, GmmBicCurveOptions } from './cluster/gmm';

// Hierarchical clustering (feat/hclust)
export { agglomerative, AgglomerativeModel, defaultAgglomerativeOptions, DEFAULT_MAX_EXACT_ROWS } from './cluster/agglomerative';
export type { AgglomerativeOptions, AgglomerativeResult, AgglomerativeJSON, ApproximateInfo, LinkageMethod } from './cluster/agglomerative';

// The one-call pipeline, its errors, profiles and languages (issue 5)
export { segment, segmentSync, assignSegments, STABLE_MIN_CUSTOMERS } from './segment';
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
export { SegmentationError } from './errors';
export type { SegmentationErrorCode, SegmentationErrorDetails } from './errors';
export { profileSegments } from './profile/profile';
export type { SegmentProfile, FeatureProfile } from './profile/profile';
export { inferRoles, FEATURE_ROLES } from './profile/roles';
export type { FeatureRole } from './profile/roles';
export { negotiateLocale, t, LOCALES } from './i18n/index';
export type { Locale, MessageKey } from './i18n/index';
export { prepareRecords } from './prep/records';
export type { PreparedData, Preprocessing, FeatureTransform, Scaling, MissingPolicy, CustomerId } from './prep/records';

// Segmentation off the main thread (issue 7)
export { segmentInWorker } from './segmentInWorker';
export type { SegmentInWorkerOptions } from './segmentInWorker';
