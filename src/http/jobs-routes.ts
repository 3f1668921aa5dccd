/**
 * The asynchronous side of the segmentation endpoint (issue 17):
 *
 *   POST {path} with `Prefer: respond-async` or `?async=true`  -> 202, Location: {path}/jobs/{id}
 *   GET    {path}/jobs/{id}          status and progress
 *   GET    {path}/jobs/{id}/result   the synchronous path's body and status, once finished
 *   DELETE {path}/jobs/{id}          cancel
 *   GET    /metrics                  Prometheus text
 *
 * The POST goes through the same gate as the synchronous one (throttle, authentication,
 * rate limit, body bounds) and is answered before any computing; the job routes need
 * the same credentials but do not count against the rate limit, so polling is free. A
 * job is visible only to the token and tenant that created it: anyone else gets the 404
 * an unknown id gets, so ids cannot be probed.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Locale } from '../i18n/index';
import { LocalJobEngine, RedisJobEngine, type JobEngine } from '../jobs/engine';
import { jobMetrics, type JobMetrics } from '../jobs/metrics';
import { StoredTooLargeError } from '../jobs/store';
import { ownerOf, publicView, type JobRecord } from '../jobs/types';
import { callbackProblem } from '../jobs/webhook';
import type { AuthSuccess } from './auth';
import type { ResolvedConfig } from './config';
import { errorBody, jsonReply, rawReply, type HttpExchange, type HttpReply } from './exchange';
import { httpErrorBody, secondsOf } from './messages';
import type { JobExecutor } from './pool';

/** Whether the client asked for an asynchronous answer (RFC 7240 Prefer, or ?async=true). */
export function wantsAsync(exchange: HttpExchange): boolean {
  const prefer = exchange.header('prefer');
  if (prefer?.split(/[,;]/).some((p) => p.trim().toLowerCase() === 'respond-async')) return true;
  // The path has no query string; only build the URL when one might be there.
  const url = exchange.toRequest().url;
  if (!url.includes('?')) return false;
  const value = new URL(url).searchParams.get('async');
  return value === 'true' || value === '1';
}

/** The longest `Prefer: wait` honoured, under the idle timeout of common proxies (60 s). */
export const MAX_WAIT_SECONDS = 50;

/** Seconds of `Prefer: wait=N` (RFC 7240), capped at MAX_WAIT_SECONDS; 0 when absent or malformed. */
export function preferredWait(exchange: HttpExchange): number {
  const prefer = exchange.header('prefer');
  if (!prefer) return 0;
  for (const part of prefer.split(',')) {
    const m = /^\s*wait\s*=\s*"?(\d+)"?\s*(;.*)?$/i.exec(part);
    if (m) return Math.min(MAX_WAIT_SECONDS, Number(m[1]));
  }
  return 0;
}

/**
 * Runs `fn` with a signal that aborts when any of `signals` does, then unhooks it (the
 * shutdown signal lives as long as the service: its listeners must not pile up).
 */
async function withAnySignal<T>(signals: (AbortSignal | undefined)[], fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const hooked = signals.filter((s): s is AbortSignal => s !== undefined);
  for (const s of hooked) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  try {
    return await fn(controller.signal);
  } finally {
    for (const s of hooked) s.removeEventListener('abort', abort);
  }
}

const NOT_FOUND_MESSAGES: Record<Locale, string> = {
  en: 'No job with this id (it may have expired).',
  es: 'No hay ningún trabajo con este id (puede haber caducado).',
  pt: 'Nenhum trabalho com este id (pode ter expirado).',
};

const STATE_MESSAGES: Record<Locale, Record<'JOB_NOT_FINISHED' | 'JOB_CANCELLED' | 'JOB_FINISHED', string>> = {
  en: {
    JOB_NOT_FINISHED: 'The job has not finished yet; poll its status.',
    JOB_CANCELLED: 'The job was cancelled; it has no result.',
    JOB_FINISHED: 'The job has already finished; it cannot be cancelled.',
  },
  es: {
    JOB_NOT_FINISHED: 'El trabajo aún no ha terminado; consulte su estado.',
    JOB_CANCELLED: 'El trabajo fue cancelado; no tiene resultado.',
    JOB_FINISHED: 'El trabajo ya terminó; no se puede cancelar.',
  },
  pt: {
    JOB_NOT_FINISHED: 'O trabalho ainda não terminou; consulte o seu estado.',
    JOB_CANCELLED: 'O trabalho foi cancelado; não tem resultado.',
    JOB_FINISHED: 'O trabalho já terminou; não pode ser cancelado.',
  },
};

const CALLBACK_MARKER = Buffer.from('"callback_url"');

export interface JobsDeps {
  config: ResolvedConfig;
  logger?: Logger;
  executor: () => JobExecutor;
}

export class JobsApi {
  private engineInstance?: JobEngine;
  private metricsInstance?: JobMetrics;
  private readonly deliveries = new Set<Promise<unknown>>();
  private readonly webhookSecrets = new Map<string, string>();
  private readonly draining = new AbortController();

  constructor(private readonly deps: JobsDeps) {
    for (const t of deps.config.tenants.tenants ?? []) if (t.webhookSecret) this.webhookSecrets.set(t.id.toLowerCase(), t.webhookSecret);
    if (!deps.config.runJobs && !deps.config.redisUrl) throw new Error('--no-workers needs REDIS_URL: without a shared queue nothing would run the jobs');
  }

  webhookSecret(tenant: string | undefined): string | undefined {
    return (tenant ? this.webhookSecrets.get(tenant) : undefined) ?? this.deps.config.webhookSecret;
  }

  get metrics(): JobMetrics {
    this.metricsInstance ??= jobMetrics();
    return this.metricsInstance;
  }

  /** Created on first use: a service that never sees an async request never connects a queue. */
  get engine(): JobEngine {
    if (this.engineInstance) return this.engineInstance;
    const { config, logger } = this.deps;
    const ctx = {
      executor: this.deps.executor(),
      config,
      logger,
      metrics: this.metrics,
      webhookSecret: (tenant: string | undefined) => this.webhookSecret(tenant),
      deliveries: this.deliveries,
    };
    const engine = config.redisUrl ? new RedisJobEngine(ctx, config.runJobs) : new LocalJobEngine(ctx, config.jobMaxQueued);
    this.metrics.depthFrom(() => engine.depth() as unknown as Promise<Record<string, number>>);
    this.engineInstance = engine;
    return engine;
  }

  get started(): boolean {
    return this.engineInstance !== undefined;
  }

  /** Starts the shared queue (and its runner) ahead of the first job: `serve` with REDIS_URL. */
  async warm(): Promise<void> {
    const engine = this.engine;
    if (engine instanceof RedisJobEngine) await engine.ready();
  }

  private jobPath(id: string): string {
    return `${this.deps.config.basePath}${this.deps.config.segmentationPath}/jobs/${id}`;
  }

  /** Queues a received body; the 202, or why not. */
  async submit(body: Uint8Array, auth: AuthSuccess, locale: Locale, log: Record<string, unknown>, headers: Record<string, string>): Promise<HttpReply> {
    const { config } = this.deps;
    let callbackUrl: string | undefined;
    // Only a body that mentions callback_url is parsed here (a 15 MB body takes tens of
    // milliseconds to parse; the worker parses it anyway).
    if (Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(CALLBACK_MARKER)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      } catch {
        parsed = undefined; // The runner answers MALFORMED_JSON, as the synchronous path does.
      }
      const raw = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).callback_url : undefined;
      if (raw !== undefined) {
        const problem = callbackProblem(raw, config, this.webhookSecret(auth.tenant) !== undefined);
        if (problem) {
          log.code = 'INVALID_PARAMETER';
          const err = errorBody(
            locale,
            'validation_failed',
            'INVALID_PARAMETER',
            { parameter: 'callback_url' },
            { parameter: 'callback_url', location: 'body', reason: problem },
          );
          return jsonReply(422, locale, err, headers);
        }
        callbackUrl = raw as string;
      }
    }
    const record = await this.enqueue(body, auth, locale, log, headers, callbackUrl);
    if (!('id' in record)) return record;
    const location = this.jobPath(record.id);
    return jsonReply(202, locale, publicView(record, `${location}/result`), { ...headers, Location: location, 'Retry-After': '1' });
  }

  /** Stores and queues a body: the job's record, or the refusal (413, 503). */
  private async enqueue(
    body: Uint8Array,
    auth: AuthSuccess,
    locale: Locale,
    log: Record<string, unknown>,
    headers: Record<string, string>,
    callbackUrl?: string,
  ): Promise<JobRecord | HttpReply> {
    const { config } = this.deps;
    const engine = this.engine;
    if (!engine.accepting()) {
      log.code = 'SERVICE_UNAVAILABLE';
      return jsonReply(503, locale, errorBody(locale, 'service_unavailable', 'SERVICE_UNAVAILABLE'), {
        ...headers,
        'Retry-After': String(config.retryAfterSeconds),
      });
    }
    const record: JobRecord = {
      id: randomUUID(),
      owner: ownerOf(auth.subject, auth.tenant),
      ...(auth.tenant ? { tenant: auth.tenant } : {}),
      status: 'queued',
      stage: 'queued',
      percent: 0,
      locale,
      created_at: new Date().toISOString(),
      attempts: 0,
      ...(callbackUrl ? { callback_url: callbackUrl } : {}),
      ...(typeof log.reqId === 'string' ? { request_id: log.reqId } : {}),
    };
    log.jobId = record.id;
    try {
      await engine.submit(record, body);
    } catch (err) {
      if (err instanceof StoredTooLargeError) {
        log.code = 'PAYLOAD_TOO_LARGE';
        delete log.jobId;
        const limit = err.limit;
        return jsonReply(
          413,
          locale,
          errorBody(locale, 'payload_too_large', 'PAYLOAD_TOO_LARGE', { limit }, { limit, location: 'body', compressed: true }),
          headers,
        );
      }
      log.code = 'SERVICE_UNAVAILABLE';
      log.fault = (err as Error).message;
      return jsonReply(503, locale, errorBody(locale, 'service_unavailable', 'SERVICE_UNAVAILABLE'), {
        ...headers,
        'Retry-After': String(config.retryAfterSeconds),
      });
    }
    this.metrics.submitted.inc();
    return record;
  }

  /**
   * A synchronous request on an instance that computes nothing (`serve --no-workers`):
   * queued like an asynchronous one, waited for, and answered with what the synchronous
   * path would have answered. The client going away cancels the job.
   */
  async runViaQueue(
    body: Uint8Array,
    auth: AuthSuccess,
    locale: Locale,
    log: Record<string, unknown>,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<HttpReply> {
    const { config } = this.deps;
    const record = await this.enqueue(body, auth, locale, log, headers);
    if (!('id' in record)) return record;
    const engine = this.engine;
    // The job's own timeout runs from its start; waiting in the queue gets as long again.
    const deadline = Date.now() + 2 * config.timeoutMs;
    // Not woken by a shutdown: the job runs elsewhere and may well finish within the drain.
    const current = await engine.waitUntilFinished(record.id, deadline - Date.now(), signal);
    if (current && (current.status === 'queued' || current.status === 'running')) {
      await engine.cancel(record.id).catch(() => null);
      if (signal?.aborted) {
        log.code = 'CLIENT_CLOSED';
        return jsonReply(499, locale, httpErrorBody(locale, 'CLIENT_CLOSED'), headers);
      }
      log.code = 'TIMEOUT';
      return jsonReply(503, locale, errorBody(locale, 'timeout', 'TIMEOUT', { seconds: secondsOf(config.timeoutMs) }), {
        ...headers,
        'Retry-After': String(config.retryAfterSeconds),
      });
    }
    const text = current?.status === 'succeeded' || current?.status === 'failed' ? await engine.store.result(record.id) : null;
    if (!current || text === null) {
      log.code = 'INTERNAL_ERROR';
      return jsonReply(500, locale, errorBody(locale, 'service_failure', 'INTERNAL_ERROR'), headers);
    }
    if (current.error) log.code = current.error.code;
    return rawReply(current.result_status ?? 200, locale, text, headers);
  }

  /**
   * GET/DELETE {path}/jobs/{id}[/result], after the caller authenticated. `rest` is the
   * route after `/jobs/`.
   */
  async route(
    exchange: HttpExchange,
    rest: string,
    auth: AuthSuccess,
    locale: Locale,
    log: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<HttpReply> {
    const m = /^([0-9a-f-]{36})(\/result)?$/i.exec(rest);
    const notFound = () => {
      log.code = 'JOB_NOT_FOUND';
      return jsonReply(404, locale, { error: 'Not found', message: NOT_FOUND_MESSAGES[locale], code: 'JOB_NOT_FOUND' }, headers);
    };
    if (!m) return notFound();
    const [, id, result] = m;
    log.jobId = id;
    const method = exchange.method;
    const allow = result ? 'GET, HEAD' : 'GET, HEAD, DELETE';
    if (method !== 'GET' && method !== 'HEAD' && (result || method !== 'DELETE')) {
      return jsonReply(405, 'en', { error: 'Method not allowed', message: `Use ${allow}.`, code: 'METHOD_NOT_ALLOWED' }, { ...headers, Allow: allow });
    }
    const engine = this.engine;
    let record = await engine.store.get(id.toLowerCase());
    if (!record || record.owner !== ownerOf(auth.subject, auth.tenant)) return notFound();
    // Prefer: wait=N (RFC 7240) on a GET: held until the job finishes or N seconds pass,
    // so a client waiting for the result need not poll (and gains no polling delay).
    const wait = method === 'DELETE' ? 0 : preferredWait(exchange);
    if (wait > 0 && (record.status === 'queued' || record.status === 'running')) {
      const id = record.id;
      record = await withAnySignal([exchange.signal, this.draining.signal], (both) => engine.waitUntilFinished(id, wait * 1000, both));
      if (!record) return notFound();
    }
    const state = (status: number, code: keyof (typeof STATE_MESSAGES)['en'], extra: Record<string, string> = {}) => {
      log.code = code;
      return jsonReply(
        status,
        locale,
        { error: 'Conflict', message: STATE_MESSAGES[locale][code], code, details: { status: record.status } },
        { ...headers, ...extra },
      );
    };
    if (method === 'DELETE') {
      const cancelled = await engine.cancel(record.id);
      if (!cancelled) {
        const now = await engine.store.get(record.id);
        return now?.status === 'cancelled' ? jsonReply(200, locale, publicView(now, `${this.jobPath(id)}/result`), headers) : state(409, 'JOB_FINISHED');
      }
      this.logJob(record.id, 'job cancelled');
      return jsonReply(200, locale, publicView(cancelled, `${this.jobPath(id)}/result`), headers);
    }
    if (!result) {
      const extra: Record<string, string> = record.status === 'queued' || record.status === 'running' ? { 'Retry-After': '1' } : {};
      // Polls are not logged one by one (a client polls every second for minutes); the
      // job's submission, start and finish are.
      log.quiet = true;
      return jsonReply(200, locale, publicView(record, `${this.jobPath(id)}/result`), { ...headers, ...extra });
    }
    if (record.status === 'cancelled') return state(409, 'JOB_CANCELLED');
    if (record.status !== 'succeeded' && record.status !== 'failed') return state(409, 'JOB_NOT_FINISHED', { 'Retry-After': '1' });
    const text = await engine.store.result(record.id);
    if (text === null) return notFound();
    // The job's language, not this request's: the body was written in it.
    return rawReply(record.result_status ?? 200, record.locale, text, headers);
  }

  private logJob(id: string, message: string): void {
    this.deps.logger?.info({ jobId: id }, message);
  }

  /** What /readyz says about the queue. */
  async readiness(): Promise<{ ready: boolean; body: Record<string, unknown> }> {
    const engine = this.engine;
    const reachable = engine.reachable();
    let depth: Record<string, number> | undefined;
    if (reachable) {
      try {
        depth = { ...(await engine.depth()) };
      } catch {
        depth = undefined;
      }
    }
    return {
      ready: reachable && depth !== undefined,
      body: { engine: engine.kind, status: reachable && depth ? 'ready' : 'unreachable', runs_jobs: this.deps.config.runJobs, ...(depth ?? {}) },
    };
  }

  async metricsReply(): Promise<HttpReply> {
    if (!this.started) void this.engine;
    const registry = this.metrics.registry;
    return { status: 200, headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }, body: await registry.metrics() };
  }

  /** Shutdown has begun: no new jobs, and requests waiting on a job are answered now. */
  drain(): void {
    this.draining.abort();
    this.engineInstance?.drain();
  }

  async close(): Promise<void> {
    this.draining.abort();
    await this.engineInstance?.close();
    // Webhooks under way get a moment; they are retried by nobody after exit.
    await Promise.race([Promise.allSettled([...this.deliveries]), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
