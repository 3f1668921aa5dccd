/**
 * The HTTP stack's heavy dependencies (pino, piscina, ioredis, rate-limiter-flexible, and
 * for asynchronous jobs bullmq and prom-client),
 * loaded when a service first needs them rather than when the module is imported: the
 * Node entry of the package re-exports the HTTP handler, and `import { kmeans } from
 * 'segmint'` must not pay for a logger, a thread pool and a Redis client it never uses.
 * All are loadable with require, so a synchronous require keeps the handler factories synchronous.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(id) as T;
    return loaded;
  };
}

/** pino, on first use. */
export const loadPino = lazy<typeof import('pino')>('pino');
/** piscina, on first use. */
export const loadPiscina = lazy<typeof import('piscina')>('piscina');
/** ioredis, on first use (only with a Redis URL). */
export const loadIoredis = lazy<typeof import('ioredis')>('ioredis');
/** rate-limiter-flexible, on first use. */
export const loadRateLimiter = lazy<typeof import('rate-limiter-flexible')>('rate-limiter-flexible');
export const loadBullmq = lazy<typeof import('bullmq')>('bullmq');
export const loadPromClient = lazy<typeof import('prom-client')>('prom-client');
