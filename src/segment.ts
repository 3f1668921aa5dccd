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
/** Options of segment() and segmentSync(). */
export type { SegmentOptions } from './service/index';
/** An algorithm a request can name. */
export type { SegmentAlgorithm } from './service/algorithms';
/** The reference's request body. */
export type { SegmentationRequest } from './service/request';
/** The reference's response body, one segment of it, and a warning. */
export type { SegmentationResponse, SegmentResponse, SegmentationWarning } from './service/response';
/** The return_model format and assignSegments' answer per customer. */
export type { SegmentationModel, SegmentAssignment } from './service/model';
/** The pipeline's size thresholds. */
export {
  AUTO_HIERARCHICAL_MAX,
  K_SELECTION_FIT_SAMPLE,
  K_SELECTION_FIT_SAMPLE_ABOVE,
  SILHOUETTE_FALLBACK_EXACT_MAX,
  STABLE_MIN_CUSTOMERS,
} from './service/pipeline';
