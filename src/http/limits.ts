/**
 * Rate limits (rate-limiter-flexible: in memory, or on Redis when REDIS_URL is set so that
 * several instances count together).
 *
 * On Redis, a connection problem must not turn into refused requests: the Redis limiter
 * has an in-memory insurance limiter that takes over while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { loadIoredis, loadRateLimiter } from './lazy';

const WINDOW_SECONDS = 60;

/** One rate-limit decision and what the RateLimit headers say about it. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Where the limiter reports the store's outages and recoveries (a pino logger's methods fit). */
export type LimitLogger = (level: 'warn' | 'info', fields: Record<string, unknown>, message: string) => void;

/** Requests per minute per subject, counted in memory or, with a Redis URL, shared between instances. */
export class RateLimit {
  readonly limit: number;
  private readonly limiter?: RateLimiterAbstract;
  private readonly redis?: Redis;
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private closing = false;

  constructor(limit: number, redisUrl?: string, log?: LimitLogger) {
    this.limit = limit;
    if (limit === 0) return;
    const { RateLimiterMemory, RateLimiterRedis } = loadRateLimiter();
    const memory = new RateLimiterMemory({ points: limit, duration: WINDOW_SECONDS, keyPrefix: 'segmint' });
    if (redisUrl) {
      const { Redis } = loadIoredis();
      // Reconnects for ever (at most every 5 s): the instance starts, and keeps serving,
      // with the in-memory limiter while Redis is away, and shares counts again when it returns.
      this.redis = new Redis(redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
        retryStrategy: (times) => Math.min(200 * times, 5000),
      });
      // One line per outage and one per recovery, however many reconnection attempts between.
      const lost = (err?: Error) => {
        if (this.closing || this.state === 'down') return;
        this.state = 'down';
        log?.('warn', { store: 'redis', err: err?.message }, 'Redis unreachable: rate limits are counted in memory on this instance until it returns');
      };
      this.redis.on('error', lost);
      this.redis.on('close', () => lost());
      this.redis.on('ready', () => {
        if (this.state === 'down') log?.('info', { store: 'redis' }, 'Redis reachable again: rate limits are shared');
        this.state = 'up';
      });
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

  /** Whether counts are meant to be shared through Redis. */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** False while a shared store is unreachable (the limiter then counts in memory). */
  get ready(): boolean {
    return this.redis === undefined || this.redis.status === 'ready';
  }

  /** Resolves true once Redis is connected (at once in memory), false after `timeoutMs`: never rejects. */
  async whenReady(timeoutMs = 2000): Promise<boolean> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      redis.once('ready', onReady);
    });
  }

  /** Counts one request of `subject`. */
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

  /** Closes the Redis connection. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.redis) {
      try {
        await this.redis.quit();
      } catch {
        this.redis.disconnect();
      }
    }
  }
}

/** Failed authentications that are logged in full per address and window; the rest are counted only. */
const AUTH_FAILURES_LOGGED = 5;

/**
 * Failed authentications per client address: past `limit` a minute the address gets 429
 * before its credentials are even checked, so guessing tokens or secrets is slow and
 * cheap to refuse. Counted in memory on each instance (a guess spread over instances
 * still meets the limit on each).
 */
export class AuthFailureGuard {
  private readonly limiter?: RateLimiterAbstract;
  constructor(readonly limit: number) {
    if (limit > 0) this.limiter = new (loadRateLimiter().RateLimiterMemory)({ points: limit, duration: WINDOW_SECONDS, keyPrefix: 'segmint-auth' });
  }

  /** Seconds until `address` may try again, or 0 when it may now. */
  async blockedFor(address: string | undefined): Promise<number> {
    if (!this.limiter || address === undefined) return 0;
    const res = await this.limiter.get(address);
    if (!res || res.consumedPoints < this.limit) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  /** Counts a failure (or a throttled attempt) of `address`; says whether to log it. */
  async record(address: string | undefined): Promise<{ log: boolean; failures: number }> {
    if (!this.limiter || address === undefined) return { log: true, failures: 0 };
    let failures: number;
    try {
      failures = (await this.limiter.consume(address, 1)).consumedPoints;
    } catch (rejection) {
      failures = (rejection as RateLimiterRes).consumedPoints;
    }
    // The first few in full, then the one that starts throttling; the rest are counted only.
    return { log: failures <= AUTH_FAILURES_LOGGED || failures === this.limit + 1, failures };
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
