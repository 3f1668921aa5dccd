/**
 * Where segmentation jobs run: a piscina pool of worker threads (default), with a bounded
 * queue, so the event loop only moves bytes; or, with workers: 0 (runtimes without
 * worker threads), the calling thread.
 *
 * A job past its deadline is aborted: piscina terminates the thread running it (WASM
 * code cannot be interrupted any other way) and starts a fresh one, so the slot is free
 * again. The worker file is dist/segmint-worker.js next to the built module; from the
 * TypeScript sources (tests) it is dev-worker.mjs, which loads worker.ts through tsx.
 */
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { runJob, type JobResult, type PingTask, type SegmentTask } from './job';
import { loadPiscina } from './lazy';

/** Every worker is busy and the queue is full (503). */
export class QueueFullError extends Error {
  constructor() {
    super('queue full');
  }
}

/** A job passed its deadline; its thread was replaced (503 TIMEOUT). */
export class JobTimeoutError extends Error {
  constructor() {
    super('job timed out');
  }
}

/** The client went away; the job was aborted (499). */
export class JobCancelledError extends Error {
  constructor() {
    super('job cancelled');
  }
}

/** What /readyz reports of the pool. */
export interface PoolStats {
  workers: number;
  running: number;
  queued: number;
  maxQueue: number;
  /** Worker threads replaced after a large job (to give its memory back). */
  recycled: number;
  /** Kernel threads each job runs on. */
  jobThreads: number;
}

/** Runs jobs: on a worker pool, or on the calling thread with workers: 0. */
export interface JobExecutor {
  /** `onProgress` hears the stage names as the job passes them (see runJob). */
  run(task: SegmentTask | PingTask, timeoutMs: number, cancel?: AbortSignal, onProgress?: (stage: string) => void): Promise<JobResult>;
  stats(): PoolStats;
  /** False when a new job would be refused. */
  accepting(): boolean;
  close(): Promise<void>;
}

/** The worker module beside the built bundle (or the dev loader beside the sources). */
export function defaultWorkerFile(): string {
  const here = import.meta.url;
  const file = /\.[cm]?ts$/.test(here) ? new URL('./dev-worker.mjs', here) : new URL('./segmint-worker.js', here);
  return fileURLToPath(file);
}

class PiscinaExecutor implements JobExecutor {
  private readonly pool: Piscina;
  private running = 0;
  private recycled = 0;

  constructor(
    private readonly workers: number,
    private readonly maxQueue: number,
    filename: string,
    private readonly jobThreads: number,
  ) {
    const { Piscina } = loadPiscina();
    this.pool = new Piscina({
      filename,
      minThreads: workers,
      maxThreads: workers,
      maxQueue,
      concurrentTasksPerWorker: 1,
      idleTimeout: 2 ** 31 - 1,
    });
    // A worker that fails to start (a broken build) surfaces as failed jobs, not a crash.
    this.pool.on('error', () => {});
  }

  async run(task: SegmentTask | PingTask, timeoutMs: number, cancel?: AbortSignal, onProgress?: (stage: string) => void): Promise<JobResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCancel = () => controller.abort();
    cancel?.addEventListener('abort', onCancel, { once: true });
    if (this.jobThreads > 1) task = { ...task, threads: this.jobThreads };
    const transferList: (ArrayBuffer | MessagePort)[] = [];
    if (task.kind === 'segment' && task.body.byteOffset === 0 && task.body.buffer.byteLength === task.body.byteLength) {
      transferList.push(task.body.buffer as ArrayBuffer);
    }
    let channel: MessageChannel | undefined;
    if (onProgress && task.kind === 'segment') {
      // The global MessageChannel (node:worker_threads' own in Node): no import, so
      // runtimes without worker threads still load this module.
      channel = new MessageChannel();
      channel.port1.onmessage = (e: MessageEvent<string>) => onProgress(e.data);
      task = { ...task, progressPort: channel.port2 };
      transferList.push(channel.port2);
    }
    this.running++;
    try {
      const result = (await this.pool.run(task, {
        signal: controller.signal,
        // piscina types its list with the DOM's MessagePort; node's is what it takes.
        transferList: transferList.length > 0 ? (transferList as unknown as NonNullable<Parameters<Piscina['run']>[1]>['transferList']) : undefined,
      })) as JobResult;
      if (result.recycled) this.recycled++;
      return result;
    } catch (err) {
      if (err instanceof Error && (err.message === 'Task queue is at limit' || err.message.startsWith('No task queue available'))) throw new QueueFullError();
      if (controller.signal.aborted) throw timedOut ? new JobTimeoutError() : new JobCancelledError();
      throw err;
    } finally {
      this.running--;
      // Stage messages travel on their own port, so the last may arrive just after the
      // result: the port closes a moment later, not holding the process open meanwhile.
      const port = channel?.port1 as (MessagePort & { unref?: () => void }) | undefined;
      if (port) {
        port.unref?.();
        setTimeout(() => port.close(), 1000).unref?.();
      }
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    }
  }

  stats(): PoolStats {
    const queued = this.pool.queueSize;
    return {
      workers: this.workers,
      running: Math.min(this.running, this.workers),
      queued,
      maxQueue: this.maxQueue,
      recycled: this.recycled,
      jobThreads: this.jobThreads,
    };
  }

  accepting(): boolean {
    return this.running < this.workers + this.maxQueue;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** workers: 0. Jobs block the calling thread; the timeout can only be checked before one starts. */
class InlineExecutor implements JobExecutor {
  private ready?: Promise<void>;

  async run(task: SegmentTask | PingTask, _timeoutMs: number, cancel?: AbortSignal, onProgress?: (stage: string) => void): Promise<JobResult> {
    this.ready ??= import('../wasm/index').then(async (m) => {
      await m.init();
    });
    await this.ready;
    if (cancel?.aborted) throw new JobCancelledError();
    return runJob(task, onProgress);
  }

  stats(): PoolStats {
    return { workers: 0, running: 0, queued: 0, maxQueue: 0, recycled: 0, jobThreads: 1 };
  }

  accepting(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

/**
 * A piscina pool of `workers` threads, or the calling thread when 0. Each job runs on
 * `jobThreads` kernel threads (init({ threads }) inside its worker thread).
 */
export function createExecutor(workers: number, maxQueue: number, workerFile?: string, jobThreads = 1): JobExecutor {
  if (workers === 0) return new InlineExecutor();
  return new PiscinaExecutor(workers, maxQueue, workerFile ?? defaultWorkerFile(), jobThreads);
}
