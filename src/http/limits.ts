/**
 * Rate limits (rate-limiter-flexible: in memory, or on Redis when REDIS_URL is set so that
 * several instances count together) and the body-size limit.
 *
 * On Redis, a connection problem must not turn into refused requests: the Redis limiter
 * has an in-memory insurance limiter that takes over while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { loadIoredis, loadRateLimiter } from './lazy';

const WINDOW_SECONDS = 60;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RateLimit {
  readonly limit: number;
  private readonly limiter?: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(limit: number, redisUrl?: string) {
    this.limit = limit;
    if (limit === 0) return;
    const { RateLimiterMemory, RateLimiterRedis } = loadRateLimiter();
    const memory = new RateLimiterMemory({ points: limit, duration: WINDOW_SECONDS, keyPrefix: 'segmint' });
    if (redisUrl) {
      const { Redis } = loadIoredis();
      this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      // ioredis reports connection errors as events; without a listener they would crash the process.
      this.redis.on('error', () => {});
      this.limiter = new RateLimiterRedis({
        storeClient: this.redis,
        points: limit,
        duration: WINDOW_SECONDS,
        keyPrefix: 'segmint:rl',
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      });
    } else {
      this.limiter = memory;
    }
  }

  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** True when the store is usable (always, in memory). */
  get ready(): boolean {
    return this.redis === undefined || this.redis.status === 'ready';
  }

  /** Resolves once Redis is connected (or at once in memory). */
  async whenReady(timeoutMs = 5000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async consume(subject: string): Promise<RateDecision> {
    if (!this.limiter) return { allowed: true, limit: 0, remaining: 0, resetSeconds: 0 };
    try {
      const res = await this.limiter.consume(subject, 1);
      return this.decision(true, res);
    } catch (rejection) {
      if (rejection instanceof loadRateLimiter().RateLimiterRes) return this.decision(false, rejection);
      throw rejection;
    }
  }

  private decision(allowed: boolean, res: RateLimiterRes): RateDecision {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  async close(): Promise<void> {
    if (this.redis) {
      try {
        await this.redis.quit();
      } catch {
        this.redis.disconnect();
      }
    }
  }
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) plus Retry-After on a refusal. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  if (d.limit === 0) return {};
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSeconds),
    'RateLimit-Policy': `${d.limit};w=${WINDOW_SECONDS}`,
  };
  if (!d.allowed) headers['Retry-After'] = String(d.resetSeconds);
  return headers;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/** Reads a Web stream into one buffer, refusing (and cancelling the stream) past `limit` bytes. */
export async function readWebBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/** Thrown when a body declared `Content-Encoding: gzip` does not decompress. */
export class BodyEncodingError extends Error {
  constructor() {
    super('the body is not valid gzip');
    this.name = 'BodyEncodingError';
  }
}

/**
 * Decompresses a gzip body, stopping (BodyTooLargeError) as soon as the output passes
 * `limit`: the body limit is on what the service must hold, so a small compressed body
 * cannot expand past it (a gzip bomb costs at most `limit` bytes). DecompressionStream is
 * the Web standard one, so the handler stays runnable outside Node.
 */
export async function gunzipBody(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readWebBody(stream, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw err;
    throw new BodyEncodingError();
  }
}

export function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteOffset === 0 && chunks[0].buffer.byteLength === total) return chunks[0];
  // A fresh, exactly-sized buffer: it is transferred to the worker without a copy.
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
