/**
 * The job engines. Without REDIS_URL: an in-process FIFO feeding the service's own pool,
 * and a Map for the store (one machine, jobs lost on restart). With REDIS_URL: a BullMQ
 * queue and a Redis store shared by every `serve` and `segmint worker` with that URL;
 * a BullMQ runner takes jobs off it onto the local pool (in `serve` unless
 * --no-workers, and in each worker), and BullMQ's stalled-job check puts the job of a
 * runner that died back in the queue.
 *
 * Cancelling reaches a job wherever it is: a queued one is taken off the queue, and a
 * running one is aborted by the runner that holds it, told over Redis pub/sub (a worker
 * thread running WASM can only be stopped by terminating it, which the pool does).
 *
 * Waiting for a job (a client's `Prefer: wait`, a synchronous request through
 * `serve --no-workers`) wakes on the store's announcement that it finished: an event in
 * process, a pub/sub message with Redis (checked against the record every second too,
 * in case a message was lost while the connection was down), never a polling interval.
 */
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../http/config';
import { loadBullmq, loadIoredis } from '../http/lazy';
import { QueueFullError } from '../http/pool';
import { executeJob, type RunnerContext } from './runner';
import { MemoryJobStore, RedisJobStore, type JobStore } from './store';
import { TERMINAL, type JobRecord } from './types';

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
}

export interface JobEngine {
  readonly kind: 'memory' | 'redis';
  readonly store: JobStore;
  /** Stores (StoredTooLargeError past the limit) and queues a job with its raw body. */
  submit(record: JobRecord, body: Uint8Array): Promise<void>;
  /** Marks the job cancelled and stops it wherever it is; null when it had already finished. */
  cancel(id: string): Promise<JobRecord | null>;
  /** False when a new job would be refused (503). */
  accepting(): boolean;
  depth(): Promise<QueueDepth>;
  /** Whether the queue's store answers. */
  reachable(): boolean;
  /**
   * The job's record once it has finished, or as it is when `timeoutMs` passes or
   * `signal` aborts first; null when there is no such job.
   */
  waitUntilFinished(id: string, timeoutMs: number, signal?: AbortSignal): Promise<JobRecord | null>;
  /** Stops taking jobs (shutdown has begun); those running go on until close(). */
  drain(): void;
  close(): Promise<void>;
}

const finishedStatus = (record: JobRecord | null): boolean => record === null || TERMINAL.includes(record.status);

/**
 * Resolves after `ms`, or sooner when `subscribe`'s wake is called or `signal` aborts.
 * `subscribe` registers the wake and returns its unregistering.
 */
function sleepUnlessWoken(ms: number, subscribe: (wake: () => void) => () => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    let unsubscribe = () => {};
    const wake = () => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    unsubscribe = subscribe(wake);
    signal?.addEventListener('abort', wake, { once: true });
  });
}

export function cancelledPatch(): Partial<JobRecord> {
  return { status: 'cancelled', stage: 'cancelled', finished_at: new Date().toISOString(), error: { code: 'CANCELLED', message: 'The job was cancelled.' } };
}

/** One process: jobs wait here and run on the service's pool, a few at a time. */
export class LocalJobEngine implements JobEngine {
  readonly kind = 'memory';
  readonly store: MemoryJobStore;
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly concurrency: number;
  private closed = false;
  private drainedAt?: number;
  /** Settles when no job is running (set while some are). */
  private idle?: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly ctx: Omit<RunnerContext, 'store'>,
    private readonly maxQueued: number,
  ) {
    this.store = new MemoryJobStore(ctx.config.jobTtlSeconds, ctx.config.jobMaxStoredBytes, ctx.config.now);
    this.concurrency = Math.max(1, ctx.config.workers);
  }

  async submit(record: JobRecord, body: Uint8Array): Promise<void> {
    await this.store.create(record, body);
    this.waiting.push(record.id);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.drainedAt === undefined && this.running.size < this.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const controller = new AbortController();
      this.running.set(id, controller);
      executeJob(id, { ...this.ctx, store: this.store }, controller.signal, () => this.closed)
        .then((outcome) => {
          // Stopped by close(): the job dies with this process (memory keeps nothing).
          if (outcome === 'released') this.ctx.logger?.warn({ jobId: id }, 'job abandoned at shutdown (in-process queue)');
        })
        .catch(async (err) => {
          // A full pool (synchronous requests took it): queue the job again, at the front.
          if (err instanceof QueueFullError && !this.closed) {
            await this.store.transition(id, ['running'], { status: 'queued', stage: 'queued', percent: 0 });
            this.waiting.unshift(id);
            await new Promise((r) => setTimeout(r, 200));
            return;
          }
          this.ctx.logger?.error({ jobId: id, err: (err as Error).message }, 'job failed to run');
          await this.store.transition(id, ['queued', 'running'], {
            status: 'failed',
            stage: 'done',
            finished_at: new Date().toISOString(),
            result_status: 500,
            error: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
          });
        })
        .finally(() => {
          this.running.delete(id);
          if (this.running.size === 0) this.idle?.resolve();
          this.pump();
        });
    }
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const done = await this.store.transition(id, ['queued', 'running'], cancelledPatch());
    if (!done) return null;
    const i = this.waiting.indexOf(id);
    if (i >= 0) this.waiting.splice(i, 1);
    this.running.get(id)?.abort();
    await this.store.dropBody(id);
    return done;
  }

  accepting(): boolean {
    return !this.closed && this.drainedAt === undefined && this.waiting.length < this.maxQueued;
  }

  async depth(): Promise<QueueDepth> {
    return { waiting: this.waiting.length, active: this.running.size, delayed: 0 };
  }

  reachable(): boolean {
    return true;
  }

  async waitUntilFinished(id: string, timeoutMs: number, signal?: AbortSignal): Promise<JobRecord | null> {
    // Listening before the first read: a job finishing while the read is under way wakes us.
    let finished = false;
    let wake = () => {
      finished = true;
    };
    const listener = () => wake();
    this.store.finished.on(id, listener);
    try {
      const now = await this.store.get(id);
      if (finished || finishedStatus(now) || timeoutMs <= 0) return finished ? this.store.get(id) : now;
      await sleepUnlessWoken(
        timeoutMs,
        (w) => {
          wake = w;
          return () => {};
        },
        signal,
      );
      return this.store.get(id);
    } finally {
      this.store.finished.off(id, listener);
    }
  }

  drain(): void {
    this.drainedAt ??= Date.now();
  }

  /**
   * Graceful: the jobs running get what is left of SEGMINT_DRAIN_TIMEOUT_MS since drain()
   * to finish (their clients can still fetch the result until the server closes); then
   * the rest are stopped. Queued jobs are not started once draining.
   */
  async close(): Promise<void> {
    this.drain();
    if (this.running.size > 0) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.idle = { promise, resolve };
      const left = this.drainedAt! + this.ctx.config.drainTimeoutMs - Date.now();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([promise, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, left))))]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.waiting.length > 0) this.ctx.logger?.warn({ jobs: this.waiting.length }, 'queued jobs abandoned at shutdown (in-process queue)');
    for (const c of this.running.values()) c.abort();
  }
}

export function redisClient(url: string, logger?: Logger): Redis {
  const { Redis } = loadIoredis();
  // maxRetriesPerRequest: null is what BullMQ requires: commands wait out a Redis
  // restart instead of failing after a few reconnection attempts.
  const client = new Redis(url, { maxRetriesPerRequest: null });
  let last = '';
  client.on('error', (err: Error) => {
    if (err.message !== last) logger?.warn({ err: err.message }, 'job queue redis error');
    last = err.message;
  });
  client.on('ready', () => {
    last = '';
  });
  return client;
}

export interface RunnerOptions {
  /** Jobs this runner takes at once (default the pool's workers). */
  concurrency: number;
}

/**
 * Takes jobs off the BullMQ queue onto a local pool. close() lets the jobs in hand finish
 * for up to `drainMs`, then releases the rest to the queue for another runner.
 */
export class BullJobRunner {
  private readonly worker: Worker;
  private readonly subscriber: Redis;
  private readonly active = new Map<string, AbortController>();
  private releasing = false;

  constructor(ctx: RunnerContext, connection: Redis, options: RunnerOptions) {
    const { Worker, DelayedError, WaitingError } = loadBullmq();
    const config = ctx.config;
    this.worker = new Worker(
      config.jobQueueName,
      async (job: Job, token?: string) => {
        const id = job.id!;
        const controller = new AbortController();
        this.active.set(id, controller);
        try {
          // BullMQ keeps the progress too, for its own events and dashboards.
          const outcome = await executeJob(
            id,
            ctx,
            controller.signal,
            () => this.releasing,
            (progress) => job.updateProgress(progress),
          );
          if (outcome === 'released') {
            await job.moveToWait(token);
            ctx.logger?.info({ jobId: id }, 'job released to the queue (worker shutting down)');
            throw new WaitingError();
          }
          return outcome;
        } catch (err) {
          if (err instanceof QueueFullError) {
            // The pool is busy with synchronous requests: try again in a second.
            await job.moveToDelayed(Date.now() + 1000, token);
            throw new DelayedError();
          }
          throw err;
        } finally {
          this.active.delete(id);
        }
      },
      {
        connection,
        concurrency: options.concurrency,
        stalledInterval: config.jobStalledIntervalMs,
        lockDuration: config.jobLockMs,
        maxStalledCount: 3,
        prefix: 'segmint',
      },
    );
    this.worker.on('error', (err) => ctx.logger?.warn({ err: err.message }, 'job worker error'));
    this.worker.on('stalled', (jobId) => ctx.logger?.warn({ jobId }, 'job stalled: its worker stopped; queued again'));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError' || /stalled more than/.test(err.message);
      ctx.logger?.error({ jobId: job.id, err: err.message, final }, 'job run failed');
      if (!final) return;
      void ctx.store.transition(job.id!, ['queued', 'running'], {
        status: 'failed',
        stage: 'done',
        finished_at: new Date().toISOString(),
        result_status: 500,
        error: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
      });
    });
    this.subscriber = connection.duplicate();
    this.subscriber.on('error', () => {});
    this.subscriber.subscribe(cancelChannel(config)).catch(() => {});
    this.subscriber.on('message', (_channel: string, id: string) => this.active.get(id)?.abort());
  }

  /** Resolves when the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  get running(): number {
    return this.active.size;
  }

  async close(drainMs: number): Promise<void> {
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), drainMs);
    });
    if ((await Promise.race([closing.then(() => 'done' as const), deadline])) === 'late') {
      this.releasing = true;
      for (const c of this.active.values()) c.abort();
      await closing;
    }
    clearTimeout(timer);
    this.subscriber.disconnect();
  }
}

function cancelChannel(config: ResolvedConfig): string {
  return `segmint:${config.jobQueueName}:cancel`;
}

/** Where the Redis store announces the id of each job that finishes. */
export function finishedChannel(config: ResolvedConfig): string {
  return `segmint:${config.jobQueueName}:finished`;
}

/** How often a waiter reads the record anyway (a pub/sub message lost in a reconnect). */
const RECHECK_MS = 1000;

/** The queue shared through Redis; runs jobs itself when `runner` is given. */
export class RedisJobEngine implements JobEngine {
  readonly kind = 'redis';
  readonly store: RedisJobStore;
  private readonly queue: Queue;
  private readonly connection: Redis;
  private runner?: BullJobRunner;
  private draining = false;
  /** The pub/sub connection for finished jobs, made when someone first waits. */
  private subscriber?: { client: Redis; subscribed: Promise<boolean> };
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly ctx: Omit<RunnerContext, 'store'>,
    runJobs: boolean,
  ) {
    const config = ctx.config;
    this.connection = redisClient(config.redisUrl!, ctx.logger);
    this.store = new RedisJobStore(this.connection, config.jobTtlSeconds, config.jobMaxStoredBytes, finishedChannel(config));
    const { Queue } = loadBullmq();
    this.queue = new Queue(config.jobQueueName, { connection: this.connection, prefix: 'segmint' });
    this.queue.on('error', () => {});
    if (runJobs) this.runner = new BullJobRunner({ ...ctx, store: this.store }, this.connection, { concurrency: Math.max(1, config.workers) });
  }

  async ready(): Promise<void> {
    await this.queue.waitUntilReady();
    await this.runner?.ready();
  }

  async submit(record: JobRecord, body: Uint8Array): Promise<void> {
    await this.store.create(record, body);
    // attempts: a run that threw (Redis gone mid-job) is tried again; the body stays in
    // the store until the job finishes, so a retry or a stalled job can run it again.
    await this.queue.add(
      'segment',
      {},
      { jobId: record.id, attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
    );
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const done = await this.store.transition(id, ['queued', 'running'], cancelledPatch());
    if (!done) return null;
    // A waiting job comes off the queue; an active one is locked and stays, so its runner
    // is told to abort (a runner that takes it later sees the record cancelled and skips it).
    await this.queue.remove(id).catch(() => 0);
    await this.connection.publish(cancelChannel(this.ctx.config), id);
    await this.store.dropBody(id);
    return done;
  }

  accepting(): boolean {
    return !this.draining && this.connection.status === 'ready';
  }

  async depth(): Promise<QueueDepth> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0 };
  }

  reachable(): boolean {
    return this.connection.status === 'ready';
  }

  private subscribed(): Promise<boolean> {
    if (!this.subscriber) {
      const client = this.connection.duplicate();
      client.on('error', () => {});
      const channel = finishedChannel(this.ctx.config);
      client.on('message', (ch: string, id: string) => {
        if (ch !== channel) return;
        for (const wake of this.waiters.get(id) ?? []) wake();
      });
      this.subscriber = {
        client,
        subscribed: client.subscribe(channel).then(
          () => true,
          () => false,
        ),
      };
    }
    return this.subscriber.subscribed;
  }

  async waitUntilFinished(id: string, timeoutMs: number, signal?: AbortSignal): Promise<JobRecord | null> {
    const deadline = Date.now() + timeoutMs;
    if (timeoutMs > 0) {
      // Subscribed before the first read, so a job finishing in between is not missed.
      await Promise.race([this.subscribed(), new Promise((r) => setTimeout(r, Math.min(timeoutMs, RECHECK_MS)))]);
    }
    let wakes = 0;
    const wake = () => {
      wakes++;
    };
    const set = this.waiters.get(id) ?? new Set<() => void>();
    this.waiters.set(id, set);
    set.add(wake);
    try {
      for (;;) {
        const seen = wakes;
        const now = await this.store.get(id);
        const left = deadline - Date.now();
        if (finishedStatus(now) || left <= 0 || signal?.aborted) return now;
        if (wakes !== seen) continue;
        await sleepUnlessWoken(
          Math.min(left, RECHECK_MS),
          (w) => {
            set.add(w);
            return () => set.delete(w);
          },
          signal,
        );
      }
    } finally {
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(id);
    }
  }

  drain(): void {
    this.draining = true;
  }

  async close(): Promise<void> {
    this.draining = true;
    this.subscriber?.client.disconnect();
    await this.runner?.close(this.ctx.config.drainTimeoutMs);
    await this.queue.close().catch(() => {});
    this.connection.disconnect();
  }
}
