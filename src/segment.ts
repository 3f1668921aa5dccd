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
 * This module is the stable entry point; the work is done in src/service/.
 */
export { assignSegments, segment, segmentSync } from './service/index';
export type { SegmentOptions } from './service/index';
export type { SegmentAlgorithm } from './service/algorithms';
export type { SegmentationRequest } from './service/request';
export type { SegmentationResponse, SegmentResponse, SegmentationWarning } from './service/response';
export type { SegmentationModel, SegmentAssignment } from './service/model';
export {
  AUTO_HIERARCHICAL_MAX,
  K_SELECTION_FIT_SAMPLE,
  K_SELECTION_FIT_SAMPLE_ABOVE,
  SILHOUETTE_FALLBACK_EXACT_MAX,
  STABLE_MIN_CUSTOMERS,
} from './service/pipeline';
