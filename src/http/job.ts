/**
 * One segmentation job, as a worker (or, with workers: 0, the calling thread) runs it:
 * raw body bytes in, status and serialized JSON out. Decoding, JSON.parse and
 * JSON.stringify of a 100,000-customer body each take tens of milliseconds, so they run
 * here too, off the event loop, rather than in the handler.
 */
import type { RequestLimits } from '../service/cost';
import { SegmentationError } from '../errors';
import { segmentSync } from '../segment';
import { ERROR_TITLES, errorMessage, type Locale } from '../i18n/index';

/** A segmentation for a worker: the raw body, the language, the cost bounds. */
export interface SegmentTask {
  kind: 'segment';
  body: Uint8Array;
  locale: Locale;
  /** The service's bounds on a request's cost. */
  limits?: Partial<RequestLimits>;
  /**
   * Where a worker thread posts the stage names as the job passes them (a MessagePort,
   * transferred with the task); only queued jobs ask, the synchronous path does not.
   */
  progressPort?: { postMessage(stage: string): void };
  /** Kernel threads the worker runs the job on (set by the pool: its jobThreads). */
  threads?: number;
}

/** A no-op that proves a worker has started and compiled the WASM module. */
export interface PingTask {
  kind: 'ping';
  /** As SegmentTask's: a warm-up ping also starts the worker's kernel threads. */
  threads?: number;
}

/** What a worker answers: the status and the serialized body. */
export interface JobResult {
  status: number;
  /** The response body, already serialized (empty for a 500: the handler writes that one). */
  json: string;
  code?: string;
  workMs: number;
  /** For the log only, never the response: what went wrong in a 500. */
  fault?: string;
  /** The worker thread exits after this job to give its memory back (piscina starts another). */
  recycled?: boolean;
  /** Kernel threads the job ran on (init({ threads }) in the worker). */
  threads?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Runs one task on this thread: decode, parse, segment, serialize. `onProgress` hears
 * the stages (parse, then segment()'s own, then serialize).
 */
export function runJob(task: SegmentTask | PingTask, onProgress?: (stage: string) => void): JobResult {
  const t0 = performance.now();
  if (task.kind === 'ping') return { status: 200, json: '{"pong":true}', workMs: 0 };
  const locale = task.locale;
  onProgress?.('parse');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(task.body));
  } catch {
    const body = {
      error: ERROR_TITLES.invalid_parameters,
      message: errorMessage(locale, 'MALFORMED_JSON'),
      code: 'MALFORMED_JSON',
      details: { location: 'body' },
    };
    return { status: 400, json: JSON.stringify(body), code: 'MALFORMED_JSON', workMs: performance.now() - t0 };
  }
  try {
    const response = segmentSync(parsed, { locale, limits: task.limits, ...(onProgress ? { onProgress } : {}) });
    onProgress?.('serialize');
    return { status: 200, json: JSON.stringify(response), workMs: performance.now() - t0 };
  } catch (err) {
    if (err instanceof SegmentationError && err.status >= 400 && err.status < 500) {
      return { status: err.status, json: JSON.stringify(err.toJSON()), code: err.code, workMs: performance.now() - t0 };
    }
    const fault = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
    return { status: 500, json: '', code: 'INTERNAL_ERROR', workMs: performance.now() - t0, fault };
  }
}
