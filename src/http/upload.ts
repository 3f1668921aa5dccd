/**
 * Taking in a segmentation body: what may be refused before a byte of it is read
 * (encoding, media type, declared size, a full queue, the in-flight budget), then the
 * read itself under its bounds, then gzip. Every refusal before the body is read carries
 * `Connection: close`, so the server stops reading an upload nobody will use.
 */
import { ERROR_TITLES, t, type Locale } from '../i18n/index';
import type { ResolvedConfig } from './config';
import {
  BodyAbortedError,
  BodyEncodingError,
  BodyTimeoutError,
  BodyTooLargeError,
  gunzipBody,
  InflightBudgetError,
  type BodyBounds,
  type Reservation,
} from './body';
import { errorBody, expectsBody, jsonReply, type ErrorBody, type HttpExchange, type HttpReply } from './exchange';
import { httpErrorBody, secondsOf } from './messages';

function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) return false;
  for (const p of params) {
    const [name, value] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

/** What the upload needs from the service. */
export interface UploadContext {
  config: ResolvedConfig;
  locale: Locale;
  /** Headers every reply carries (rate-limit headers, secret warnings). */
  headers: Record<string, string>;
  log: Record<string, unknown>;
  /** Whether a job could be queued now (checked before the body is read). */
  admits: boolean;
  reservation: Reservation;
}

/** Headers of a refusal: close the connection when body bytes are still coming. */
export function refusalHeaders(exchange: HttpExchange, headers: Record<string, string>): Record<string, string> {
  return expectsBody(exchange) ? { ...headers, Connection: 'close' } : headers;
}

/** Reads the body, or answers why not. */
export async function receiveBody(exchange: HttpExchange, ctx: UploadContext): Promise<Uint8Array | HttpReply> {
  const { config, locale, log, reservation } = ctx;
  const closing = refusalHeaders(exchange, ctx.headers);
  const refuse = (status: number, code: string, body: ErrorBody, extra: Record<string, string> = {}) => {
    log.code = code;
    return jsonReply(status, locale, body, { ...closing, ...extra });
  };

  // Content-Encoding is checked before Content-Type so a gzip upload of JSON is not
  // refused as "not JSON"; only gzip (and identity) is decoded.
  const codings = (exchange.header('content-encoding') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const gzip = codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip');
  if (codings.length > 0 && !gzip) {
    return refuse(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      {
        error: ERROR_TITLES.unsupported_media_type,
        message: t(locale, 'error.UNSUPPORTED_ENCODING', { encoding: codings.join(', ') }),
        code: 'UNSUPPORTED_MEDIA_TYPE',
        details: { parameter: 'Content-Encoding', location: 'header', supported: ['identity', 'gzip'] },
      },
      { 'Accept-Encoding': 'gzip' },
    );
  }
  if (!isJsonMediaType(exchange.header('content-type'))) {
    return refuse(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      errorBody(locale, 'unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', undefined, { parameter: 'Content-Type', location: 'header' }),
    );
  }

  const limit = config.maxBodyBytes;
  const tooLarge = () =>
    refuse(413, 'PAYLOAD_TOO_LARGE', errorBody(locale, 'payload_too_large', 'PAYLOAD_TOO_LARGE', { limit }, { limit, location: 'body' }), {
      Connection: 'close',
    });
  const unavailable = () =>
    refuse(503, 'SERVICE_UNAVAILABLE', errorBody(locale, 'service_unavailable', 'SERVICE_UNAVAILABLE'), {
      'Retry-After': String(config.retryAfterSeconds),
      Connection: 'close',
    });
  const declaredHeader = exchange.header('content-length');
  const declared = declaredHeader === null ? Number.NaN : Number(declaredHeader);
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  // Admission before buffering: a body that could not be queued is not read at all, and
  // a declared body takes its whole share of the in-flight budget up front.
  if (!ctx.admits) return unavailable();
  if (Number.isFinite(declared) && !reservation.reserve(declared)) return unavailable();
  const bounds: BodyBounds = {
    limit,
    timeoutMs: config.bodyTimeoutMs,
    reserve: Number.isFinite(declared) ? () => true : (bytes) => reservation.reserve(bytes),
  };

  let body: Uint8Array;
  try {
    body = await exchange.readBody(bounds);
    if (gzip) {
      log.bytesCompressed = body.byteLength;
      body = await gunzipBody(body, { ...bounds, reserve: (bytes) => reservation.reserve(bytes) });
    }
  } catch (err) {
    if (err instanceof BodyTooLargeError) return tooLarge();
    if (err instanceof InflightBudgetError) return unavailable();
    if (err instanceof BodyTimeoutError) {
      const seconds = secondsOf(config.bodyTimeoutMs);
      return refuse(408, 'REQUEST_TIMEOUT', httpErrorBody(locale, 'REQUEST_TIMEOUT', { seconds }, { timeout_seconds: seconds, location: 'body' }), {
        Connection: 'close',
      });
    }
    if (err instanceof BodyAbortedError) return refuse(499, 'CLIENT_CLOSED', httpErrorBody(locale, 'CLIENT_CLOSED'));
    if (err instanceof BodyEncodingError) {
      return refuse(400, 'MALFORMED_JSON', {
        error: ERROR_TITLES.invalid_parameters,
        message: t(locale, 'error.MALFORMED_GZIP'),
        code: 'MALFORMED_JSON',
        details: { parameter: 'Content-Encoding', location: 'body' },
      });
    }
    throw err;
  }
  log.bytesIn = body.byteLength;
  if (body.byteLength === 0) {
    return refuse(400, 'MALFORMED_JSON', errorBody(locale, 'invalid_parameters', 'MALFORMED_JSON', undefined, { location: 'body' }));
  }
  return body;
}
