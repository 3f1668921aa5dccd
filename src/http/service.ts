/**
 * SegmentationService: the endpoint's logic behind both adapters (the Web-standard handler
 * and the Node one), seeing a request only through HttpExchange.
 *
 * A segmentation request goes: route -> failed-authentication throttle -> authentication
 * -> rate limit -> body (encoding, type, size, admission, bounded read; upload.ts) ->
 * worker (JSON.parse, segmentSync, JSON.stringify) -> response. Every refusal has the
 * reference's error body and the statuses of its table; the 401 bodies are the
 * reference's English text in every language, because clients match on them.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { negotiateLocale, type ErrorTitle, type Locale } from '../i18n/index';
import { Authenticator, type AuthOutcome, type AuthSuccess } from './auth';
import { InflightBudget } from './body';
import { JobsApi, wantsAsync } from './jobs-routes';
import { resolveConfig, type AuthResult, type ResolvedConfig, type SegmentationHandlerOptions } from './config';
import { AUTH_FAILED_BODY, errorBody, jsonReply, rawReply, type HttpExchange, type HttpReply } from './exchange';
import { loadPino } from './lazy';
import { AuthFailureGuard, RateLimit, rateLimitHeaders } from './limits';
import { httpErrorBody, secondsOf } from './messages';
import { createExecutor, JobCancelledError, JobTimeoutError, QueueFullError, type JobExecutor } from './pool';
import { receiveBody, refusalHeaders } from './upload';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Response headers a browser page may read across origins: Location is where a 202's
 * job is, Retry-After when to ask again.
 */
const CORS_EXPOSED_HEADERS =
  'Content-Language, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id, Warning, X-Secret-Expires-At';

/** The endpoint's routes and their logic, shared by the Web-standard and the Node handlers. */
export class SegmentationService {
  readonly config: ResolvedConfig;
  readonly logger: Logger | undefined;
  private readonly options: SegmentationHandlerOptions;
  private readonly auth: Authenticator;
  private readonly rateLimit: RateLimit;
  private readonly authFailures: AuthFailureGuard;
  private readonly budget: InflightBudget;
  private readonly workerFile?: string;
  private executor?: JobExecutor;
  private asyncJobs?: JobsApi;
  /** Segmentation requests past authentication and not yet answered. */
  private admitted = 0;
  private draining = false;
  private closed = false;

  constructor(options: SegmentationHandlerOptions = {}) {
    this.options = options;
    this.config = resolveConfig(options);
    this.auth = new Authenticator(this.config);
    this.logger =
      options.logger === false ? undefined : (options.logger ?? loadPino().pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'segmint' } }));
    this.rateLimit = new RateLimit(this.config.rateLimit, this.config.redisUrl, (level, fields, message) => this.logger?.[level](fields, message));
    this.authFailures = new AuthFailureGuard(this.config.authFailureLimit);
    this.budget = new InflightBudget(this.config.maxInflightBytes);
    this.workerFile = options.workerFile;
  }

  /** The pool starts on first use (or on warm()), so creating a handler costs nothing. */
  private get jobs(): JobExecutor {
    this.executor ??= createExecutor(this.config.workers, this.config.maxQueue, this.workerFile, this.config.jobThreads);
    return this.executor;
  }

  /** Asynchronous jobs (jobs-routes.ts), set up on first use. */
  get jobsApi(): JobsApi {
    this.asyncJobs ??= new JobsApi({ config: this.config, logger: this.logger, executor: () => this.jobs });
    return this.asyncJobs;
  }

  /**
   * Starts the workers and waits until each has compiled the WASM module. Waits a moment
   * for Redis too, but starts without it: the limiter counts in memory until it comes.
   */
  async warm(): Promise<void> {
    const pings = Array.from({ length: Math.max(1, this.config.workers) }, () => this.jobs.run({ kind: 'ping' }, 60_000));
    await Promise.all([...pings, this.rateLimit.whenReady()]);
    // With a shared queue, this instance takes jobs off it (unless --no-workers) from the
    // start; not awaited, like the limiter: it connects when Redis comes.
    if (this.config.redisUrl) void this.jobsApi.warm().catch((err) => this.logger?.warn({ err: (err as Error).message }, 'job queue not ready'));
  }

  /** Whether a token, a tenants file with tokens, or an authenticate hook is configured. */
  get hasCredentials(): boolean {
    return this.auth.hasTokens || this.options.authenticate !== undefined;
  }

  /** Segmentation requests being read, queued or run. */
  get inFlight(): number {
    return this.admitted;
  }

  /** Stops admitting segmentation requests (503, and /readyz says draining); in-flight ones go on. */
  drain(): void {
    this.draining = true;
    this.asyncJobs?.drain();
  }

  /** Stops the workers and closes the Redis connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.asyncJobs?.close();
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
    if (exchange.clientAddress) log.client = exchange.clientAddress;

    const origin = exchange.header('origin');
    const corsAllowed = origin !== undefined && origin !== null && this.allowsOrigin(origin);
    let reply: HttpReply;
    try {
      const jobRoute = route.startsWith(`${this.config.segmentationPath}/jobs/`);
      if (exchange.method === 'OPTIONS' && route === this.config.segmentationPath && corsAllowed) reply = this.preflight(locale, 'POST, OPTIONS');
      else if (exchange.method === 'OPTIONS' && jobRoute) {
        // A job's result is read-only; the job itself can be cancelled (DELETE).
        const methods = route.endsWith('/result') ? 'GET, HEAD' : 'GET, HEAD, DELETE';
        reply = corsAllowed ? this.preflight(locale, `${methods}, OPTIONS`) : this.methodNotAllowed(methods);
      } else if (route === '/healthz') reply = this.health(exchange, locale);
      else if (route === '/readyz') reply = await this.readiness(exchange, locale);
      else if (route === this.config.segmentationPath) reply = await this.segmentation(exchange, locale, log);
      else if (jobRoute) reply = await this.jobRoute(exchange, locale, log, route);
      else if (route === '/metrics' && exchange.method === 'GET') reply = await this.jobsApi.metricsReply();
      else return null;
    } catch (err) {
      log.fault = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      reply = jsonReply(500, locale, errorBody(locale, 'service_failure', 'INTERNAL_ERROR'));
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
    if (this.logger && log.quiet !== true && (route.startsWith(this.config.segmentationPath) || reply.status >= 500)) {
      delete log.quiet;
      log.status = reply.status;
      log.ms = ms;
      log.bytesOut = Buffer.byteLength(reply.body);
      // 499 (the client left) is the client's doing: warn, like the other 4xx.
      const level = reply.status >= 500 ? 'error' : reply.status >= 400 ? 'warn' : 'info';
      this.logger[level](log, 'segmentation request');
    }
    return reply;
  }

  private allowsOrigin(origin: string): boolean {
    const allowed = this.config.corsOrigins;
    return allowed === '*' || allowed.includes(origin);
  }

  /**
   * A browser's CORS preflight for the segmentation route or a job's (only for allowed
   * origins). Prefer carries respond-async and wait.
   */
  private preflight(locale: Locale, methods: string): HttpReply {
    return {
      ...rawReply(204, locale, ''),
      headers: {
        'Access-Control-Allow-Methods': methods,
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Content-Encoding, Accept-Language, X-Customer-Api-Id, X-Secret, X-Request-Id, Prefer',
        'Access-Control-Max-Age': '600',
        'Content-Language': locale,
        Vary: 'Accept-Language',
      },
    };
  }

  /** An English body whatever language was asked for, so its Content-Language is en. */
  private methodNotAllowed(allow: string): HttpReply {
    return jsonReply(405, 'en', { error: 'Method not allowed', message: `Use ${allow}.`, code: 'METHOD_NOT_ALLOWED' }, { Allow: allow });
  }

  private health(exchange: HttpExchange, locale: Locale): HttpReply {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') return this.methodNotAllowed('GET, HEAD');
    return jsonReply(200, locale, { status: 'ok' });
  }

  /**
   * 200 while the instance takes work: `ready`, or `degraded` when the shared rate-limit
   * store is unreachable and limits are counted in memory (a load balancer must not pull
   * every instance at once for a Redis outage). 503 when the queue is full or it drains.
   */
  private async readiness(exchange: HttpExchange, locale: Locale): Promise<HttpReply> {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') return this.methodNotAllowed('GET, HEAD');
    const stats = this.jobs.stats();
    // The queue is reported once it exists (or REDIS_URL says it is shared); without
    // workers of its own (--no-workers) an instance is only as ready as its queue.
    const queue = this.asyncJobs?.started || this.config.redisUrl ? await this.jobsApi.readiness() : undefined;
    const accepting = !this.closed && !this.draining && this.jobs.accepting() && (this.config.runJobs || queue?.ready !== false);
    const storeReady = this.rateLimit.ready && queue?.ready !== false;
    const status = this.draining || this.closed ? 'draining' : !accepting ? 'unavailable' : storeReady ? 'ready' : 'degraded';
    const body = {
      status,
      workers: stats.workers,
      running: stats.running,
      queued: stats.queued,
      max_queue: stats.maxQueue,
      workers_recycled: stats.recycled,
      job_threads: stats.jobThreads,
      in_flight: this.admitted,
      inflight_bytes: this.budget.inUse,
      rate_limit_store: this.rateLimit.shared ? (this.rateLimit.ready ? 'redis' : 'memory (redis unreachable)') : 'memory',
      ...(queue ? { queue: queue.body } : {}),
    };
    return jsonReply(accepting ? 200 : 503, locale, body, accepting ? {} : { 'Retry-After': String(this.config.retryAfterSeconds) });
  }

  private async authenticate(exchange: HttpExchange): Promise<AuthOutcome> {
    const hook = this.options.authenticate;
    if (!hook) return this.auth.check((name) => exchange.header(name));
    const result: AuthResult = await hook(exchange.toRequest());
    if (result.ok) return { ok: true, subject: result.subject, tenant: result.tenant, headers: { ...(result.headers ?? {}) } };
    if (result.status === 403) return { ok: false, kind: 'forbidden', code: 'FORBIDDEN' };
    return { ok: false, kind: 'unauthorized', code: 'AUTH_FAILED', reason: 'token' };
  }

  private authFailure(outcome: Exclude<AuthOutcome, { ok: true }>, locale: Locale, headers: Record<string, string>): HttpReply {
    const challenge = { ...headers, 'WWW-Authenticate': 'Bearer realm="segmint"' };
    switch (outcome.kind) {
      case 'unauthorized':
        // The reference's exact English bodies in every language (clients match on them),
        // so their Content-Language is en.
        if (outcome.reason === 'token') return jsonReply(401, 'en', AUTH_FAILED_BODY, challenge);
        // The reference's other 401 body; the same code, so clients that match on it keep working.
        return jsonReply(401, 'en', { error: 'Unauthorized', message: 'Invalid authentication credentials', code: 'AUTH_FAILED' }, challenge);
      case 'secret_expired':
        return jsonReply(
          401,
          locale,
          errorBody(locale, 'unauthorized', 'SECRET_EXPIRED', undefined, { parameter: 'X-Secret', location: 'header', expired_at: outcome.expiredAt }),
          challenge,
        );
      case 'forbidden':
        return jsonReply(403, locale, errorBody(locale, 'forbidden', 'FORBIDDEN'), headers);
      case 'missing_header':
      case 'invalid_header': {
        // A missing tenant header is the reference's 400; a malformed one, 422 naming it.
        const [status, code] = outcome.kind === 'missing_header' ? ([400, 'MISSING_PARAMETER'] as const) : ([422, 'INVALID_PARAMETER'] as const);
        const details = { parameter: outcome.header, location: 'header' };
        return jsonReply(status, locale, errorBody(locale, 'validation_failed', code, { parameter: outcome.header }, details), headers);
      }
    }
  }

  /**
   * Throttle of failed authentications, authentication, then (consumeRate) the rate
   * limit: what a segmentation request and the job routes both pass.
   */
  private async gate(
    exchange: HttpExchange,
    locale: Locale,
    log: Record<string, unknown>,
    consumeRate: boolean,
  ): Promise<{ auth: AuthSuccess; headers: Record<string, string> } | HttpReply> {
    const closing = refusalHeaders(exchange, {});
    const address = exchange.clientAddress;
    const blocked = await this.authFailures.blockedFor(address);
    if (blocked > 0) {
      const { log: loud } = await this.authFailures.record(address);
      log.code = 'AUTH_THROTTLED';
      if (!loud) log.quiet = true;
      return jsonReply(429, locale, httpErrorBody(locale, 'AUTH_THROTTLED', { seconds: blocked }, { retry_after: blocked }), {
        ...closing,
        'Retry-After': String(blocked),
      });
    }
    const auth = await this.authenticate(exchange);
    if (!auth.ok) {
      log.code = 'code' in auth ? auth.code : auth.kind === 'missing_header' ? 'MISSING_PARAMETER' : 'INVALID_PARAMETER';
      const { log: loud, failures } = await this.authFailures.record(address);
      if (!loud) log.quiet = true;
      if (failures > 0) log.authFailures = failures;
      return this.authFailure(auth, locale, closing);
    }
    log.tenant = auth.tenant;
    if ('tokenName' in auth) log.token = auth.tokenName;
    const headers: Record<string, string> = { ...auth.headers };

    if (!consumeRate) return { auth, headers };
    const rate = await this.rateLimit.consume(auth.subject);
    Object.assign(headers, rateLimitHeaders(rate));
    if (!rate.allowed) {
      log.code = 'RATE_LIMITED';
      return jsonReply(
        429,
        locale,
        errorBody(locale, 'too_many_requests', 'RATE_LIMITED', { seconds: rate.resetSeconds }, { retry_after: rate.resetSeconds }),
        refusalHeaders(exchange, headers),
      );
    }
    return { auth, headers };
  }

  /** GET/DELETE {path}/jobs/...: authenticated like the POST, not rate limited (polling). */
  private async jobRoute(exchange: HttpExchange, locale: Locale, log: Record<string, unknown>, route: string): Promise<HttpReply> {
    const gate = await this.gate(exchange, locale, log, false);
    if (!('auth' in gate)) return gate;
    return this.jobsApi.route(exchange, route.slice(this.config.segmentationPath.length + '/jobs/'.length), gate.auth, locale, log, gate.headers);
  }

  private async segmentation(exchange: HttpExchange, locale: Locale, log: Record<string, unknown>): Promise<HttpReply> {
    if (exchange.method !== 'POST') return this.methodNotAllowed('POST');
    const closing = refusalHeaders(exchange, {});
    if (this.draining || this.closed) {
      log.code = 'SHUTTING_DOWN';
      return jsonReply(503, locale, httpErrorBody(locale, 'SHUTTING_DOWN'), { ...closing, 'Retry-After': String(this.config.retryAfterSeconds) });
    }

    const gate = await this.gate(exchange, locale, log, true);
    if (!('auth' in gate)) return gate;
    const { auth, headers } = gate;
    const async = wantsAsync(exchange);
    if (async) log.async = true;

    const capacity = this.config.workers === 0 ? this.config.maxQueue + 1 : this.config.workers + this.config.maxQueue;
    const reservation = this.budget.open();
    this.admitted++;
    try {
      const body = await receiveBody(exchange, {
        config: this.config,
        locale,
        headers,
        log,
        admits: async ? this.jobsApi.engine.accepting() : this.admitted <= capacity && this.jobs.accepting(),
        reservation,
      });
      if (!(body instanceof Uint8Array)) return body;
      if (async) return await this.jobsApi.submit(body, auth, locale, log, headers);
      return await this.run(body, exchange, locale, log, headers, auth);
    } finally {
      this.admitted--;
      reservation.release();
    }
  }

  private async run(
    body: Uint8Array,
    exchange: HttpExchange,
    locale: Locale,
    log: Record<string, unknown>,
    headers: Record<string, string>,
    auth?: AuthSuccess,
  ): Promise<HttpReply> {
    const unavailable = (code: 'SERVICE_UNAVAILABLE' | 'TIMEOUT', title: ErrorTitle) => {
      log.code = code;
      // The configured limit exactly: 1500 ms is 1.5 seconds.
      const params = code === 'TIMEOUT' ? { seconds: secondsOf(this.config.timeoutMs) } : undefined;
      return jsonReply(503, locale, errorBody(locale, title, code, params), { ...headers, 'Retry-After': String(this.config.retryAfterSeconds) });
    };
    // serve --no-workers computes nothing: the shared queue's workers run it.
    if (!this.config.runJobs && auth) return this.jobsApi.runViaQueue(body, auth, locale, log, headers, exchange.signal);
    const started = performance.now();
    let result: Awaited<ReturnType<JobExecutor['run']>>;
    try {
      result = await this.jobs.run({ kind: 'segment', body, locale, limits: this.config.requestLimits }, this.config.timeoutMs, exchange.signal);
    } catch (err) {
      if (err instanceof QueueFullError) return unavailable('SERVICE_UNAVAILABLE', 'service_unavailable');
      if (err instanceof JobTimeoutError) return unavailable('TIMEOUT', 'timeout');
      if (err instanceof JobCancelledError) {
        log.code = 'CLIENT_CLOSED';
        return jsonReply(499, locale, httpErrorBody(locale, 'CLIENT_CLOSED'), headers);
      }
      throw err;
    }
    log.workMs = Math.round(result.workMs * 100) / 100;
    log.queueMs = Math.round((performance.now() - started - result.workMs) * 100) / 100;
    if (result.code) log.code = result.code;
    if (result.status === 500) {
      log.fault = result.fault?.split('\n')[0];
      return jsonReply(500, locale, errorBody(locale, 'service_failure', 'INTERNAL_ERROR'), headers);
    }
    return rawReply(result.status, locale, result.json, headers);
  }
}
