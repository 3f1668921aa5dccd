/**
 * Running one queued job, wherever it runs (the in-process queue or a BullMQ worker):
 * claim it (queued -> running, or running -> running again after its worker died), run
 * the body through the same executor and runJob as the synchronous path, store the
 * reply that path would have given, finish it (exactly once: the store's
 * compare-and-set), then send the webhook.
 */
import type { Logger } from 'pino';
import { errorBody } from '../http/exchange';
import { secondsOf } from '../http/messages';
import { JobCancelledError, JobTimeoutError, QueueFullError, type JobExecutor } from '../http/pool';
import type { ResolvedConfig } from '../http/config';
import type { Locale } from '../i18n/index';
import type { JobMetrics } from './metrics';
import { STAGE_PERCENT, stageReporter, type JobStage } from './progress';
import { StoredTooLargeError, type JobStore } from './store';
import { publicView, type JobRecord } from './types';
import { deliverWebhook } from './webhook';

export interface RunnerContext {
  store: JobStore;
  executor: JobExecutor;
  config: ResolvedConfig;
  logger?: Logger;
  metrics?: JobMetrics;
  /** The webhook key of a tenant. */
  webhookSecret(tenant: string | undefined): string | undefined;
  /** Webhook deliveries under way (shutdown waits for them a while). */
  deliveries: Set<Promise<unknown>>;
}

/** The synchronous path's reply for a result: status and serialized body. */
export function replyOf(result: Awaited<ReturnType<JobExecutor['run']>>, locale: Locale): { status: number; body: string; code?: string } {
  if (result.status === 500) return { status: 500, body: JSON.stringify(errorBody(locale, 'service_failure', 'INTERNAL_ERROR')), code: 'INTERNAL_ERROR' };
  return { status: result.status, body: result.json, code: result.code };
}

export type RunOutcome = 'finished' | 'skipped' | 'cancelled' | 'released';

/** Also told of each stage (BullMQ's job.updateProgress); failures are the caller's to swallow. */
export type ProgressSink = (progress: { stage: JobStage; percent: number }) => Promise<unknown> | undefined;

/**
 * Runs job `id`. `signal` aborts it: a cancel (the store already says cancelled) or a
 * shutdown that releases the job (`released()` true), which leaves it running in the
 * store for the next worker.
 */
export async function executeJob(
  id: string,
  ctx: RunnerContext,
  signal?: AbortSignal,
  released: () => boolean = () => false,
  progressSink?: ProgressSink,
): Promise<RunOutcome> {
  const { store, config } = ctx;
  const current = await store.get(id);
  if (!current || current.status === 'succeeded' || current.status === 'failed' || current.status === 'cancelled') return 'skipped';
  const startedAt = new Date();
  // A job run again after its worker died keeps the percent it had reached (it never goes back).
  const claimed = await store.transition(id, ['queued', 'running'], {
    status: 'running',
    ...(current.percent > STAGE_PERCENT.starting ? {} : { stage: 'starting', percent: STAGE_PERCENT.starting }),
    started_at: startedAt.toISOString(),
    attempts: current.attempts + 1,
  });
  if (!claimed) return 'skipped';
  const log = ctx.logger?.child({ jobId: id, tenant: claimed.tenant, attempt: claimed.attempts });
  if (claimed.attempts > 1) log?.warn('job restarted (its previous runner stopped)');
  else log?.info('job started');
  ctx.metrics?.queueWait.observe((startedAt.getTime() - Date.parse(claimed.created_at)) / 1000);
  const body = await store.body(id);
  if (!body) {
    await finish(
      ctx,
      claimed,
      { status: 500, body: JSON.stringify(errorBody(claimed.locale, 'service_failure', 'INTERNAL_ERROR')), code: 'INTERNAL_ERROR' },
      log,
      startedAt,
    );
    log?.error('job body missing from the store');
    return 'finished';
  }
  // Progress writes are not awaited: the job does not wait for the store, and a write
  // that fails (Redis away for a moment) only leaves the status a stage behind.
  const onStage = stageReporter((stage, percent) => {
    store.progress(id, stage, percent).catch(() => {});
    progressSink?.({ stage, percent })?.catch(() => {});
  });
  let reply: { status: number; body: string; code?: string };
  try {
    const result = await ctx.executor.run({ kind: 'segment', body, locale: claimed.locale, limits: config.requestLimits }, config.timeoutMs, signal, onStage);
    reply = replyOf(result, claimed.locale);
    if (result.fault) log?.error({ fault: result.fault.split('\n')[0] }, 'job failed in the worker');
  } catch (err) {
    if (err instanceof JobCancelledError) {
      if (released()) return 'released';
      log?.info('job cancelled while running');
      ctx.metrics?.finished.inc({ status: 'cancelled' });
      return 'cancelled';
    }
    if (err instanceof JobTimeoutError) {
      const title = 'timeout';
      reply = {
        status: 503,
        body: JSON.stringify(errorBody(claimed.locale, title, 'TIMEOUT', { seconds: secondsOf(config.timeoutMs) })),
        code: 'TIMEOUT',
      };
    } else if (err instanceof QueueFullError) {
      // The local pool is shared with synchronous requests: give the job back.
      throw err;
    } else throw err;
  }
  onStage('storing');
  await finish(ctx, claimed, reply, log, startedAt);
  return 'finished';
}

async function finish(
  ctx: RunnerContext,
  job: JobRecord,
  reply: { status: number; body: string; code?: string },
  log: Logger | undefined,
  startedAt: Date,
): Promise<void> {
  const { store } = ctx;
  let { status, code, body } = reply;
  try {
    await store.putResult(job.id, body);
  } catch (err) {
    if (!(err instanceof StoredTooLargeError)) throw err;
    status = 413;
    code = 'PAYLOAD_TOO_LARGE';
    const limit = err.limit;
    body = JSON.stringify(errorBody(job.locale, 'payload_too_large', 'PAYLOAD_TOO_LARGE', { limit }, { limit, location: 'result', compressed: true }));
    await store.putResult(job.id, body);
  }
  const ok = status >= 200 && status < 300;
  let error: JobRecord['error'];
  if (!ok) {
    try {
      const parsed = JSON.parse(body) as { code?: string; message?: string };
      error = { code: parsed.code ?? code ?? 'INTERNAL_ERROR', message: parsed.message ?? '' };
    } catch {
      error = { code: code ?? 'INTERNAL_ERROR', message: '' };
    }
  }
  const finishedAt = new Date();
  const done = await store.transition(job.id, ['running'], {
    status: ok ? 'succeeded' : 'failed',
    stage: 'done',
    percent: 100,
    finished_at: finishedAt.toISOString(),
    result_status: status,
    ...(error ? { error } : {}),
  });
  if (!done) {
    // Lost the race: cancelled while it ran (the abort came too late to stop the thread;
    // the result is dropped), or another runner finished it first.
    const now = await store.get(job.id);
    if (now?.status === 'cancelled') log?.info('job cancelled while running');
    return;
  }
  await store.dropBody(job.id);
  const seconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  ctx.metrics?.finished.inc({ status: done.status });
  ctx.metrics?.duration.observe({ status: done.status }, seconds);
  log?.info({ status: done.status, resultStatus: status, code, ms: Math.round(seconds * 1000) }, 'job finished');
  if (done.callback_url) sendWebhook(ctx, done, body, status, log);
}

/** Inline results up to this size; larger ones are fetched from result_url. */
const INLINE_RESULT_BYTES = 1024 * 1024;

function sendWebhook(ctx: RunnerContext, job: JobRecord, body: string, status: number, log: Logger | undefined): void {
  const secret = ctx.webhookSecret(job.tenant);
  if (!secret || !job.callback_url) return;
  const resultUrl = `${ctx.config.basePath}${ctx.config.segmentationPath}/jobs/${job.id}/result`;
  // The result is spliced in as the serialized text it already is (it is our own JSON),
  // not parsed and serialized again: a 1 MiB result would cost the event loop ~10 ms.
  const data = JSON.stringify({ ...publicView(job, resultUrl), result_status: status });
  const inline = body.length <= INLINE_RESULT_BYTES && Buffer.byteLength(body) <= INLINE_RESULT_BYTES;
  const payload =
    `{"type":${JSON.stringify(`segmentation.job.${job.status}`)},"timestamp":${JSON.stringify(new Date().toISOString())},` +
    `"data":${inline ? `${data.slice(0, -1)},"result":${body}}` : data}}`;
  const p = deliverWebhook(job.callback_url, secret, payload, ctx.config).then(
    (d) => {
      ctx.metrics?.webhooks.inc({ outcome: d.delivered ? 'delivered' : 'failed' });
      const last = d.attempts.at(-1);
      if (d.delivered) log?.info({ attempts: d.attempts.length }, 'webhook delivered');
      else log?.warn({ attempts: d.attempts.length, lastStatus: last?.status, lastError: last?.error }, 'webhook not delivered');
    },
    (err) => log?.error({ err: (err as Error).message }, 'webhook failed'),
  );
  ctx.deliveries.add(p);
  void p.finally(() => ctx.deliveries.delete(p));
}
