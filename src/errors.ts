/**
 * Thrown for invalid input or options. `parameter` names what was wrong ("X", "k",
 * "sampleWeight", ...) so callers (and the HTTP layer) can point at it.
 */
export class InvalidParameterError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.name = 'InvalidParameterError';
    this.parameter = parameter;
  }
}

/**
 * What the core (prep) and the service can find wrong with a request or its data. Each
 * becomes one public code and one HTTP status in the service's table
 * (src/service/errors.ts); REJECTED_PARAMETER is a well-formed value that an algorithm
 * cannot use on this data (public code INVALID_PARAMETER, but 422 rather than 400).
 */
export type DataErrorCode =
  | 'MISSING_PARAMETER'
  | 'INVALID_PARAMETER'
  | 'REJECTED_PARAMETER'
  | 'INSUFFICIENT_DATA'
  | 'UNKNOWN_FEATURE'
  | 'DUPLICATE_ID'
  | 'MISSING_ID'
  | 'NO_NUMERIC_FEATURES'
  | 'TOO_MANY_CATEGORIES'
  | 'MISSING_VALUES'
  | 'LIMIT_EXCEEDED';

/**
 * A failure with a code, the parameter and the values it was found with, and an English
 * message for whoever calls the core directly; no HTTP status and no language. The
 * service renders it (localized, with its status) as a SegmentationError. It is an
 * InvalidParameterError, so callers catching that keep working.
 */
export class DataError extends InvalidParameterError {
  readonly code: DataErrorCode;
  /** The values the message is built from (placeholders of the catalogue entry). */
  readonly params: Record<string, string | number>;
  /** Why, in English, when the code alone does not say it; the error body's details.reason. */
  readonly reason?: string;
  /** A catalogue entry more specific than `error.<code>`. */
  readonly messageKey?: string;
  constructor(
    code: DataErrorCode,
    parameter: string,
    message: string,
    options: { params?: Record<string, string | number>; reason?: string; messageKey?: string } = {},
  ) {
    super(parameter, message);
    // The message already names where the problem is ("data[3].spend is Infinity").
    this.message = message;
    this.name = 'DataError';
    this.code = code;
    this.params = options.params ?? {};
    if (options.reason !== undefined) this.reason = options.reason;
    if (options.messageKey !== undefined) this.messageKey = options.messageKey;
  }
}

/** Every code a SegmentationError can carry (the i18n catalogue has a message for each). */
export const SEGMENTATION_ERROR_CODES = [
  'MISSING_PARAMETER',
  'INVALID_PARAMETER',
  'INSUFFICIENT_DATA',
  'UNKNOWN_FEATURE',
  'DUPLICATE_ID',
  'MISSING_ID',
  'NO_NUMERIC_FEATURES',
  'TOO_MANY_CATEGORIES',
  'MISSING_VALUES',
  'LIMIT_EXCEEDED',
  'AUTH_FAILED',
  'FORBIDDEN',
  'SECRET_EXPIRED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MALFORMED_JSON',
  'RATE_LIMITED',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

/** A code of SEGMENTATION_ERROR_CODES. */
export type SegmentationErrorCode = (typeof SEGMENTATION_ERROR_CODES)[number];

/** Where the problem is: the parameter, and body, header or query. */
export interface SegmentationErrorDetails {
  parameter?: string;
  location?: 'body' | 'header' | 'query';
  [key: string]: unknown;
}

/**
 * An error of the segmentation service, shaped like the reference's error bodies:
 * HTTP `status`, a short `error` title, a (localized) `message`, a `code` and `details`.
 * `params` keeps the values the message was built from, so a layer that knows the
 * caller's language can render the message again (see segment()).
 */
export class SegmentationError extends Error {
  readonly status: number;
  readonly error: string;
  readonly code: SegmentationErrorCode;
  readonly details: SegmentationErrorDetails;
  readonly params: Record<string, string | number>;
  /** The catalogue entry of the message when it is not `error.<code>` (a more specific wording). */
  readonly messageKey?: string;
  constructor(args: {
    status: number;
    code: SegmentationErrorCode;
    message: string;
    error?: string;
    details?: SegmentationErrorDetails;
    params?: Record<string, string | number>;
    messageKey?: string;
  }) {
    super(args.message);
    this.name = 'SegmentationError';
    this.status = args.status;
    this.code = args.code;
    this.error = args.error ?? (args.status === 400 || args.status === 422 ? 'Validation failed' : 'Error');
    this.details = args.details ?? {};
    this.params = args.params ?? {};
    if (args.messageKey) this.messageKey = args.messageKey;
  }
  /** The reference's error body. */
  toJSON(): { error: string; message: string; code: string; details?: SegmentationErrorDetails } {
    const body: { error: string; message: string; code: string; details?: SegmentationErrorDetails } = {
      error: this.error,
      message: this.message,
      code: this.code,
    };
    if (Object.keys(this.details).length > 0) body.details = this.details;
    return body;
  }
}
