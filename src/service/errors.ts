/**
 * Errors at the service boundary. The core and the service's own steps throw DataErrors
 * (a code, the parameter, the values, an English message); only here do they meet HTTP:
 * ERROR_TABLE gives each code its public code, status and title, and renderError writes
 * the message once, in the caller's language, from the code and the values.
 *
 * 400 is a malformed request (wrong types, unknown values); 422 a well-formed one this
 * data cannot serve (too few customers, unknown feature, a k the algorithm cannot make).
 */
import { DataError, SegmentationError, type DataErrorCode, type SegmentationErrorCode } from '../errors';
import { ERROR_TITLES, t, type ErrorTitle, type Locale, type MessageKey } from '../i18n/index';

/** How one failure looks to the caller. */
export interface ErrorTableRow {
  code: SegmentationErrorCode;
  status: 400 | 422;
  title: ErrorTitle;
}

/** The one place failure codes become public codes, HTTP statuses and titles. */
export const ERROR_TABLE: Readonly<Record<DataErrorCode, ErrorTableRow>> = {
  // The reference answers a missing `data` with 400 and this title, verbatim.
  MISSING_PARAMETER: { code: 'MISSING_PARAMETER', status: 400, title: 'validation_failed' },
  INVALID_PARAMETER: { code: 'INVALID_PARAMETER', status: 400, title: 'invalid_parameters' },
  REJECTED_PARAMETER: { code: 'INVALID_PARAMETER', status: 422, title: 'validation_failed' },
  INSUFFICIENT_DATA: { code: 'INSUFFICIENT_DATA', status: 422, title: 'validation_failed' },
  UNKNOWN_FEATURE: { code: 'UNKNOWN_FEATURE', status: 422, title: 'validation_failed' },
  DUPLICATE_ID: { code: 'DUPLICATE_ID', status: 422, title: 'validation_failed' },
  MISSING_ID: { code: 'MISSING_ID', status: 422, title: 'validation_failed' },
  NO_NUMERIC_FEATURES: { code: 'NO_NUMERIC_FEATURES', status: 422, title: 'validation_failed' },
  TOO_MANY_CATEGORIES: { code: 'TOO_MANY_CATEGORIES', status: 422, title: 'validation_failed' },
  MISSING_VALUES: { code: 'MISSING_VALUES', status: 422, title: 'validation_failed' },
  // A request past the service's bounds on cost (depth, features, k, the work estimate).
  LIMIT_EXCEEDED: { code: 'LIMIT_EXCEEDED', status: 422, title: 'validation_failed' },
};

/** A malformed request parameter (400), with the reason in details.reason. */
export function badRequest(parameter: string, reason: string): DataError {
  return new DataError('INVALID_PARAMETER', parameter, `${parameter}: ${reason}`, { reason });
}

/** A required parameter that is absent (400, the reference's body). */
export function missingParameter(parameter: string): DataError {
  return new DataError('MISSING_PARAMETER', parameter, `Required parameter '${parameter}' is missing`);
}

/** A well-formed request this data cannot serve (422), with the values the message is built from. */
export function unservable(
  code: DataErrorCode,
  parameter: string,
  reason: string,
  params: Record<string, string | number> = {},
  messageKey?: MessageKey,
): DataError {
  return new DataError(code, parameter, `${parameter}: ${reason}`, { reason, params, ...(messageKey ? { messageKey } : {}) });
}

/** The SegmentationError a caller sees for `err`: status and title from ERROR_TABLE, message in `locale`. */
export function renderError(err: DataError, locale: Locale): SegmentationError {
  const row = ERROR_TABLE[err.code];
  const params = { parameter: err.parameter, ...err.params };
  return new SegmentationError({
    status: row.status,
    code: row.code,
    error: ERROR_TITLES[row.title],
    message: t(locale, (err.messageKey ?? `error.${row.code}`) as MessageKey, params),
    details: {
      parameter: err.parameter,
      location: 'body',
      ...(err.code === 'LIMIT_EXCEEDED' ? { limit: err.params.limit } : {}),
      ...(err.reason !== undefined ? { reason: err.reason } : {}),
    },
    params,
    ...(err.messageKey ? { messageKey: err.messageKey } : {}),
  });
}

/**
 * What the service boundary throws for `err`: a DataError rendered, anything else as it
 * is (a bare InvalidParameterError from the core is a bug of the service, not the caller's).
 */
export function toCallerError(err: unknown, locale: Locale): unknown {
  if (err instanceof DataError) return renderError(err, locale);
  return err;
}
