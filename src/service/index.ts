/**
 * The one-call job: request -> plan (request.ts) -> pipeline (pipeline.ts) -> response
 * (response.ts), with failures rendered at this boundary (errors.ts) in the caller's
 * language. Algorithm-specific code lives only in algorithms.ts.
 */
import { isLocale, negotiateLocale, type Locale } from '../i18n/index';
import { DataError } from '../errors';
import { init } from '../wasm/index';
import { DEFAULT_REQUEST_LIMITS, findLimitViolation, type RequestLimits } from './cost';
import { toCallerError } from './errors';
import { assignToSegments, type SegmentAssignment, type SegmentationModel } from './model';
import { runPipeline, Stopwatch } from './pipeline';
import { resolveRequest } from './request';
import { renderResponse, type SegmentationResponse } from './response';

/** Options of segment() and segmentSync(). */
export interface SegmentOptions {
  /** Language of labels, descriptions, warnings and error messages; an Accept-Language value also works. Default 'en'. */
  locale?: Locale | string;
  /** Called as each stage starts (the CLI prints it). */
  onProgress?: (stage: string) => void;
  /** Bounds on a request's cost, checked before any work (defaults: DEFAULT_REQUEST_LIMITS). */
  limits?: Partial<RequestLimits>;
}

/** A request past its bounds is refused before validation walks it (a 20,000-deep array would overflow the stack). */
function checkLimits(request: unknown, limits: Partial<RequestLimits> | undefined): void {
  const violation = findLimitViolation(request, { ...DEFAULT_REQUEST_LIMITS, ...limits });
  if (!violation) return;
  const { parameter, limit, reason } = violation;
  throw new DataError('LIMIT_EXCEEDED', parameter, `${parameter}: ${reason}; the limit is ${limit}`, {
    params: { limit },
    reason: `${reason}; the limit is ${limit}`,
  });
}

function resolveLocale(locale: SegmentOptions['locale']): Locale {
  if (locale === undefined) return 'en';
  return isLocale(locale) ? locale : negotiateLocale(locale);
}

/** The pipeline, synchronously (workers and the CLI call this; segment() wraps it). */
export function segmentSync(request: unknown, options: SegmentOptions = {}): SegmentationResponse {
  const locale = resolveLocale(options.locale);
  const progress = options.onProgress ?? (() => {});
  try {
    const clock = new Stopwatch();
    checkLimits(request, options.limits);
    const plan = resolveRequest(request);
    return renderResponse(runPipeline(plan, progress, clock), locale, progress, clock);
  } catch (err) {
    throw toCallerError(err, locale);
  }
}

/** Segments customers: the reference service's request in, its response out. */
export async function segment(request: unknown, options: SegmentOptions = {}): Promise<SegmentationResponse> {
  await init();
  return segmentSync(request, options);
}

/**
 * Places new customers into the segments of a fitted segmentation (`return_model: true`):
 * the same preprocessing (imputation, log transform, scaling, one-hot), then the
 * algorithm's own rule (nearest K-Means centroid, most likely mixture component, DBSCAN
 * core point within eps, or nearest segment centroid for hierarchical clustering).
 */
export function assignSegments(model: SegmentationModel | string, customers: unknown[]): SegmentAssignment[] {
  try {
    return assignToSegments(model, customers);
  } catch (err) {
    throw toCallerError(err, 'en');
  }
}
