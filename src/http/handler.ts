/**
 * The segmentation endpoint of docs/segmentation-endpoint.md as a
 * Web-standard handler (Request -> Response) and, through node.ts, a Node/Express/Fastify
 * one. Both share SegmentationService, which sees a request only through HttpExchange
 * (method, path, headers, a size-limited body read), so the Node adapter never builds a
 * Web Request for the body it streams.
 *
 * A segmentation request goes: route -> authentication -> rate limit -> content type ->
 * body size -> worker (JSON.parse, segmentSync, JSON.stringify) -> response. Every
 * refusal has the reference's error body ({ error, message, code, details? }) and the
 * statuses of its table; the 401 AUTH_FAILED body is the reference's English text in
 * every language, because clients match on it. Other messages follow Accept-Language.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ERROR_TITLES, errorMessage, negotiateLocale, t, type ErrorCode, type ErrorTitle, type Locale } from '../i18n/index';
import { Authenticator, type AuthOutcome } from './auth';
import { resolveConfig, type AuthResult, type ResolvedConfig, type SegmentationHandlerOptions } from './config';
import { BodyEncodingError, BodyTooLargeError, gunzipBody, RateLimit, rateLimitHeaders, readWebBody, type RateDecision } from './limits';
import { createExecutor, JobCancelledError, JobTimeoutError, QueueFullError, type JobExecutor } from './pool';
import { loadPino } from './lazy';

export type { AuthResult, SegmentationHandlerOptions } from './config';

/** The parts of a request the service reads, whatever server delivered it. */
export interface HttpExchange {
  method: string;
  /** Path without the query string. */
  path: string;
  header(name: string): string | null;
  /** Reads the whole body; throws BodyTooLargeError past `limit` bytes. */
  readBody(limit: number): Promise<Uint8Array>;
  /** A Web Request (headers only, for the authenticate hook). */
  toRequest(): Request;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ErrorBody {
  error: string;
  message: string;
  code: string;
  details?: Record<string, unknown>;
}

/** The reference's 401 body, verbatim. */
export const AUTH_FAILED_BODY: ErrorBody = Object.freeze({
  error: 'Unauthorized',
  message: 'Invalid or expired authentication token',
  code: 'AUTH_FAILED',
}) as ErrorBody;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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

function errorBody(locale: Locale, title: ErrorTitle, code: ErrorCode, params?: Record<string, string | number>, details?: Record<string, unknown>): ErrorBody {
  const body: ErrorBody = { error: ERROR_TITLES[title], message: errorMessage(locale, code, params), code };
  if (details) body.details = details;
  return body;
}

/** Response headers a browser page may read across origins. */
const CORS_EXPOSED_HEADERS = 'Content-Language, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id, Warning, X-Secret-Expires-At';

export class SegmentationService {
  readonly config: ResolvedConfig;
  readonly logger: Logger | undefined;
  private readonly options: SegmentationHandlerOptions;
  private readonly auth: Authenticator;
  private readonly rateLimit: RateLimit;
  private executor?: JobExecutor;
  private closed = false;

  constructor(options: SegmentationHandlerOptions = {}) {
    this.options = options;
    this.config = resolveConfig(options);
    this.auth = new Authenticator(this.config);
    this.rateLimit = new RateLimit(this.config.rateLimit, this.config.redisUrl);
    this.logger =
      options.logger === false ? undefined : (options.logger ?? loadPino().pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'segmint' } }));
    this.workerFile = options.workerFile;
  }

  private readonly workerFile?: string;

  /** The pool starts on first use (or on warm()), so creating a handler costs nothing. */
  private get jobs(): JobExecutor {
    this.executor ??= createExecutor(this.config.workers, this.config.maxQueue, this.workerFile);
    return this.executor;
  }

  /** Starts the workers and waits until each has compiled the WASM module, and until Redis is connected. */
  async warm(): Promise<void> {
    const pings = Array.from({ length: Math.max(1, this.config.workers) }, () => this.jobs.run({ kind: 'ping' }, 60_000));
    await Promise.all([...pings, this.rateLimit.whenReady()]);
  }

  get hasCredentials(): boolean {
    return this.auth.hasTokens || this.options.authenticate !== undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.executor?.close(), this.rateLimit.close()]);
  }

  /** Handles a request, or returns null when its path is none of the service's routes. */
  async handle(exchange: HttpExchange): Promise<HttpReply | null> {
    const started = performance.now();
    const base = this.config.basePath;
    let path = exchange.path;
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (!path.startsWith(base)) return null;
    const route = path.slice(base.length);
    const incomingId = exchange.header('x-request-id');
    const requestId = incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const locale = negotiateLocale(exchange.header('accept-language'));
    const log: Record<string, unknown> = { reqId: requestId, method: exchange.method, path: route, locale };

    const origin = exchange.header('origin');
    const corsAllowed = origin !== undefined && origin !== null && this.allowsOrigin(origin);
    let reply: HttpReply;
    try {
      if (exchange.method === 'OPTIONS' && route === this.config.segmentationPath && corsAllowed) reply = this.preflight(locale);
      else if (route === '/healthz') reply = this.health(exchange, locale);
      else if (route === '/readyz') reply = this.readiness(exchange, locale);
      else if (route === this.config.segmentationPath) reply = await this.segmentation(exchange, locale, log);
      else return null;
    } catch (err) {
      log.fault = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      reply = this.json(500, locale, errorBody(locale, 'service_failure', 'INTERNAL_ERROR'));
    }
    reply.headers['X-Request-Id'] = requestId;
    if (corsAllowed) {
      reply.headers['Access-Control-Allow-Origin'] = this.config.corsOrigins === '*' ? '*' : origin!;
      reply.headers['Access-Control-Expose-Headers'] = CORS_EXPOSED_HEADERS;
      if (this.config.corsOrigins !== '*') reply.headers.Vary = `${reply.headers.Vary ? `${reply.headers.Vary}, ` : ''}Origin`;
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    if (route !== '/healthz' && route !== '/readyz')
      reply.headers['Server-Timing'] = `total;dur=${ms}${log.workMs !== undefined ? `, work;dur=${log.workMs}` : ''}`;
    if (this.logger && (route === this.config.segmentationPath || reply.status >= 500)) {
      log.status = reply.status;
      log.ms = ms;
      log.bytesOut = Buffer.byteLength(reply.body);
      const level = reply.status >= 500 ? 'error' : reply.status >= 400 ? 'warn' : 'info';
      this.logger[level](log, 'segmentation request');
    }
    return reply;
  }

  private json(status: number, locale: Locale, body: unknown, headers: Record<string, string> = {}): HttpReply {
    return this.raw(status, locale, JSON.stringify(body), headers);
  }

  private raw(status: number, locale: Locale, body: string, headers: Record<string, string> = {}): HttpReply {
    return {
      status,
      body,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Language': locale,
        Vary: 'Accept-Language',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
      },
    };
  }

  private allowsOrigin(origin: string): boolean {
    const allowed = this.config.corsOrigins;
    return allowed === '*' || allowed.includes(origin);
  }

  /** A browser's CORS preflight for the segmentation route (only for allowed origins). */
  private preflight(locale: Locale): HttpReply {
    return {
      ...this.raw(204, locale, ''),
      headers: {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept-Language, X-Customer-Api-Id, X-Secret, X-Request-Id',
        'Access-Control-Max-Age': '600',
        'Content-Language': locale,
        Vary: 'Accept-Language',
      },
    };
  }

  /** An English body whatever language was asked for, so its Content-Language is en. */
  private methodNotAllowed(_locale: Locale, allow: string): HttpReply {
    return this.json(405, 'en', { error: 'Method not allowed', message: `Use ${allow}.`, code: 'METHOD_NOT_ALLOWED' }, { Allow: allow });
  }

  private health(exchange: HttpExchange, locale: Locale): HttpReply {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') return this.methodNotAllowed(locale, 'GET, HEAD');
    return this.json(200, locale, { status: 'ok' });
  }

  private readiness(exchange: HttpExchange, locale: Locale): HttpReply {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') return this.methodNotAllowed(locale, 'GET, HEAD');
    const stats = this.jobs.stats();
    const accepting = !this.closed && this.jobs.accepting();
    const storeReady = this.rateLimit.ready;
    const ready = accepting && storeReady;
    const body = {
      status: ready ? 'ready' : 'unavailable',
      workers: stats.workers,
      running: stats.running,
      queued: stats.queued,
      max_queue: stats.maxQueue,
      rate_limit_store: this.rateLimit.shared ? (storeReady ? 'redis' : 'redis (unreachable)') : 'memory',
    };
    return this.json(ready ? 200 : 503, locale, body, ready ? {} : { 'Retry-After': String(this.config.retryAfterSeconds) });
  }

  private async authenticate(exchange: HttpExchange): Promise<AuthOutcome> {
    const hook = this.options.authenticate;
    if (!hook) return this.auth.check((name) => exchange.header(name));
    const result: AuthResult = await hook(exchange.toRequest());
    if (result.ok) return { ok: true, subject: result.subject, tenant: result.tenant, headers: { ...(result.headers ?? {}) } };
    if (result.status === 403) return { ok: false, kind: 'forbidden', code: 'FORBIDDEN' };
    return { ok: false, kind: 'unauthorized', code: 'AUTH_FAILED', reason: 'token' };
  }

  private authFailure(outcome: Exclude<AuthOutcome, { ok: true }>, locale: Locale): HttpReply {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="segmint"' };
    switch (outcome.kind) {
      case 'unauthorized':
        // The reference's exact English bodies in every language (clients match on them),
        // so their Content-Language is en.
        if (outcome.reason === 'token') return this.json(401, 'en', AUTH_FAILED_BODY, challenge);
        // The reference's other 401 body; the same code, so clients that match on it keep working.
        return this.json(401, 'en', { error: 'Unauthorized', message: 'Invalid authentication credentials', code: 'AUTH_FAILED' }, challenge);
      case 'secret_expired':
        return this.json(
          401,
          locale,
          errorBody(locale, 'unauthorized', 'SECRET_EXPIRED', undefined, { parameter: 'X-Secret', location: 'header', expired_at: outcome.expiredAt }),
          challenge,
        );
      case 'forbidden':
        return this.json(403, locale, errorBody(locale, 'forbidden', 'FORBIDDEN'));
      case 'missing_header':
        return this.json(
          400,
          locale,
          errorBody(locale, 'validation_failed', 'MISSING_PARAMETER', { parameter: outcome.header }, { parameter: outcome.header, location: 'header' }),
        );
      case 'invalid_header':
        return this.json(
          422,
          locale,
          errorBody(locale, 'validation_failed', 'INVALID_PARAMETER', { parameter: outcome.header }, { parameter: outcome.header, location: 'header' }),
        );
    }
  }

  private async segmentation(exchange: HttpExchange, locale: Locale, log: Record<string, unknown>): Promise<HttpReply> {
    if (exchange.method !== 'POST') return this.methodNotAllowed(locale, 'POST');

    const auth = await this.authenticate(exchange);
    if (!auth.ok) {
      log.code = 'code' in auth ? auth.code : auth.kind === 'missing_header' ? 'MISSING_PARAMETER' : 'INVALID_PARAMETER';
      return this.authFailure(auth, locale);
    }
    log.tenant = auth.tenant;
    if ('tokenName' in auth) log.token = auth.tokenName;
    const headers: Record<string, string> = { ...auth.headers };

    const rate: RateDecision = await this.rateLimit.consume(auth.subject);
    Object.assign(headers, rateLimitHeaders(rate));
    if (!rate.allowed) {
      log.code = 'RATE_LIMITED';
      return this.json(
        429,
        locale,
        errorBody(locale, 'too_many_requests', 'RATE_LIMITED', { seconds: rate.resetSeconds }, { retry_after: rate.resetSeconds }),
        headers,
      );
    }

    // Content-Encoding is checked before Content-Type so a gzip upload of JSON is not
    // refused as "not JSON"; only gzip (and identity) is decoded.
    const codings = (exchange.header('content-encoding') ?? '')
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '' && c !== 'identity');
    const gzip = codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip');
    if (codings.length > 0 && !gzip) {
      log.code = 'UNSUPPORTED_MEDIA_TYPE';
      const body: ErrorBody = {
        error: ERROR_TITLES.unsupported_media_type,
        message: t(locale, 'error.UNSUPPORTED_ENCODING', { encoding: codings.join(', ') }),
        code: 'UNSUPPORTED_MEDIA_TYPE',
        details: { parameter: 'Content-Encoding', location: 'header', supported: ['identity', 'gzip'] },
      };
      return this.json(415, locale, body, { ...headers, 'Accept-Encoding': 'gzip' });
    }
    if (!isJsonMediaType(exchange.header('content-type'))) {
      log.code = 'UNSUPPORTED_MEDIA_TYPE';
      return this.json(
        415,
        locale,
        errorBody(locale, 'unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', undefined, { parameter: 'Content-Type', location: 'header' }),
        headers,
      );
    }

    const limit = this.config.maxBodyBytes;
    const tooLarge = () => {
      log.code = 'PAYLOAD_TOO_LARGE';
      // Closing the connection spares reading the rest of an oversized upload.
      return this.json(413, locale, errorBody(locale, 'payload_too_large', 'PAYLOAD_TOO_LARGE', { limit }, { limit, location: 'body' }), {
        ...headers,
        Connection: 'close',
      });
    };
    const declared = Number(exchange.header('content-length'));
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    let body: Uint8Array;
    try {
      body = await exchange.readBody(limit);
      if (gzip) {
        log.bytesCompressed = body.byteLength;
        body = await gunzipBody(body, limit);
      }
    } catch (err) {
      if (err instanceof BodyTooLargeError) return tooLarge();
      if (err instanceof BodyEncodingError) {
        log.code = 'MALFORMED_JSON';
        const bad: ErrorBody = {
          error: ERROR_TITLES.invalid_parameters,
          message: t(locale, 'error.MALFORMED_GZIP'),
          code: 'MALFORMED_JSON',
          details: { parameter: 'Content-Encoding', location: 'body' },
        };
        return this.json(400, locale, bad, headers);
      }
      throw err;
    }
    log.bytesIn = body.byteLength;
    if (body.byteLength === 0) {
      log.code = 'MALFORMED_JSON';
      return this.json(400, locale, errorBody(locale, 'invalid_parameters', 'MALFORMED_JSON', undefined, { location: 'body' }), headers);
    }

    const unavailable = (code: 'SERVICE_UNAVAILABLE' | 'TIMEOUT', title: ErrorTitle) => {
      log.code = code;
      const params = code === 'TIMEOUT' ? { seconds: Math.ceil(this.config.timeoutMs / 1000) } : undefined;
      return this.json(503, locale, errorBody(locale, title, code, params), { ...headers, 'Retry-After': String(this.config.retryAfterSeconds) });
    };
    const started = performance.now();
    let result: Awaited<ReturnType<JobExecutor['run']>>;
    try {
      result = await this.jobs.run({ kind: 'segment', body, locale }, this.config.timeoutMs, exchange.signal);
    } catch (err) {
      if (err instanceof QueueFullError) return unavailable('SERVICE_UNAVAILABLE', 'service_unavailable');
      if (err instanceof JobTimeoutError) return unavailable('TIMEOUT', 'timeout');
      if (err instanceof JobCancelledError) {
        log.code = 'CLIENT_CLOSED';
        return this.json(499, 'en', { error: 'Client closed request', message: 'The client closed the connection.', code: 'CLIENT_CLOSED' }, headers);
      }
      throw err;
    }
    log.workMs = Math.round(result.workMs * 100) / 100;
    log.queueMs = Math.round((performance.now() - started - result.workMs) * 100) / 100;
    if (result.code) log.code = result.code;
    if (result.status === 500) {
      log.fault = result.fault?.split('\n')[0];
      return this.json(500, locale, errorBody(locale, 'service_failure', 'INTERNAL_ERROR'), headers);
    }
    return this.raw(result.status, locale, result.json, headers);
  }
}

function notFound(): Response {
  return new Response(JSON.stringify({ error: 'Not found', message: 'No such route.', code: 'NOT_FOUND' }), {
    status: 404,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
}

export type SegmentationHandler = ((request: Request) => Promise<Response>) & {
  /** Stops the workers and closes the Redis connection. */
  close(): Promise<void>;
  /** Starts the workers ahead of the first request. */
  warm(): Promise<void>;
  service: SegmentationService;
};

/** Wraps a Web Request for the service. */
export function webExchange(request: Request): HttpExchange {
  const url = new URL(request.url);
  return {
    method: request.method.toUpperCase(),
    path: url.pathname,
    header: (name) => request.headers.get(name),
    readBody: (limit) => readWebBody(request.body, limit),
    toRequest: () => request,
    signal: request.signal,
  };
}

/**
 * The endpoint as a Web-standard handler (Node 20, Deno, Bun, Hono, Workers). Routes:
 * POST {basePath}{segmentationPath}, GET {basePath}/healthz, GET {basePath}/readyz;
 * anything else is 404.
 */
export function createSegmentationHandler(options: SegmentationHandlerOptions = {}): SegmentationHandler {
  const service = new SegmentationService(options);
  const handler = async (request: Request): Promise<Response> => {
    const reply = await service.handle(webExchange(request));
    if (!reply) return notFound();
    return new Response(request.method === 'HEAD' || reply.status === 204 ? null : reply.body, { status: reply.status, headers: reply.headers });
  };
  return Object.assign(handler, {
    close: () => service.close(),
    warm: () => service.warm(),
    service,
  });
}
