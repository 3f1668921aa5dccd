/**
 * Server configuration: options passed in code win over the environment, and the
 * environment (process.env, then a `.env` file in the working directory for keys the
 * process does not set) wins over defaults. Everything is resolved once, when the
 * handler is created, so a request never touches the file system.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../service/cost';

/** The reference's route. */
export const DEFAULT_SEGMENTATION_PATH = '/api/v1/ai/echointel/customer-intelligence/segmentation';
/** segmint serve listens on loopback unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';
/** segmint serve's port. */
export const DEFAULT_PORT = 8080;
/** Requests per minute per token. */
export const DEFAULT_RATE_LIMIT = 60;
/** The reference's processing timeout (300 s). */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** 100,000 customers with a dozen fields is about 15 MB of JSON; leave room above that. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Bodies being read or waiting for a worker, in bytes, across all requests: past it new
 * uploads get 503 before they are read, so concurrent uploads cannot add up past memory.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;
/** The whole body must arrive within this (a slow client holds a socket and memory). */
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;
/** The request line and headers must arrive within this. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/** On SIGTERM, in-flight requests get this long to finish before they are answered 503. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Failed authentications per client address per minute before 429 (0 = no limit). */
export const DEFAULT_AUTH_FAILURE_LIMIT = 30;
/** The reference's rotation policy. */
export const SECRET_LIFETIME_DAYS = 90;
/** Responses warn this many days before a secret expires. */
export const SECRET_WARNING_DAYS = 14;

/** What a custom `authenticate` hook returns. */
export type AuthResult =
  | {
      ok: true;
      /** Rate limits are counted per subject (the built-in check uses a digest of the token). */
      subject: string;
      tenant?: string;
      /** Extra response headers (the built-in check warns about a secret close to expiry). */
      headers?: Record<string, string>;
    }
  | { ok: false; status: 401 | 403; code?: string; message?: string };

/** A tenant as the tenants file or the options describe it; secrets and tokens only as SHA-256 hex. */
export interface TenantRecord {
  /** Tenant UUID (v4), sent as X-Customer-Api-Id. */
  id: string;
  /** SHA-256 (hex) of the 64-character X-Secret. */
  secretSha256: string;
  /** When the secret was issued (ISO 8601); it expires SECRET_LIFETIME_DAYS later. */
  secretIssuedAt?: string;
  /** Key that signs this tenant's webhooks (`whsec_` + base64, or any text); default SEGMINT_WEBHOOK_SECRET. */
  webhookSecret?: string;
}

/** A bearer token as the tenants file describes it (its digest, never the token). */
export interface TokenRecord {
  /** SHA-256 (hex) of the bearer token. */
  sha256: string;
  /** A name for logs (never the token). */
  name?: string;
  /** ISO 8601; past it the token is rejected as expired. */
  expiresAt?: string;
  /** Tenant ids this token may act for; absent or ["*"] means every tenant. */
  tenants?: string[];
}

/** The tenants file (SEGMINT_TENANTS_FILE): tenants and tokens, digests only. */
export interface TenantsFile {
  tenants?: TenantRecord[];
  tokens?: TokenRecord[];
}

/** Options of the handler factories and segmint serve; each has an environment variable. */
export interface SegmentationHandlerOptions {
  /** Prefix of every route (for mounting under a path), default ''. */
  basePath?: string;
  /** Path of the segmentation route (after basePath), default the reference's. */
  segmentationPath?: string;
  /** Bearer tokens in plain text (SEGMINT_TOKENS); they are hashed on start and allowed for every tenant. */
  tokens?: string[];
  /** Path of a JSON tenants file (SEGMINT_TENANTS_FILE), see TenantsFile. */
  tenantsFile?: string;
  /** Tenants and tokens given in code, same shape as the file. */
  tenants?: TenantsFile;
  /** Tenant configured on the server (SEGMINT_CUSTOMER_API_ID): clients may then omit X-Customer-Api-Id. */
  customerApiId?: string;
  /** Its 64-character secret (SEGMINT_SECRET): clients may then omit X-Secret. */
  secret?: string;
  /** When that secret was issued (SEGMINT_SECRET_ISSUED_AT, ISO 8601). */
  secretIssuedAt?: string | Date;
  /** Replaces the built-in token/tenant check. It receives the request's method, URL and headers. */
  authenticate?: (request: Request) => AuthResult | Promise<AuthResult>;
  /** Requests per minute per token (SEGMINT_RATE_LIMIT), default 60; 0 turns the limit off. */
  rateLimit?: number;
  /** Shares the rate limit between instances (REDIS_URL). */
  redisUrl?: string;
  /** Milliseconds before a segmentation is cancelled (SEGMINT_TIMEOUT_MS), default 300000. */
  timeoutMs?: number;
  /** Largest accepted body (SEGMINT_MAX_BODY_BYTES), default 64 MiB. */
  maxBodyBytes?: number;
  /** Worker threads (SEGMINT_WORKERS), default the number of cores; 0 runs jobs on the calling thread. */
  workers?: number;
  /**
   * Kernel threads each job runs on (SEGMINT_JOB_THREADS, init({ threads }) in its worker
   * thread): default the cores divided between the workers (one per core: 1). Results do
   * not depend on it.
   */
  jobThreads?: number;
  /** Jobs that may wait for a worker (SEGMINT_MAX_QUEUE), default 64; past it requests get 503. */
  maxQueue?: number;
  /** Retry-After (seconds) of a 503, default 5. */
  retryAfterSeconds?: number;
  /** Bytes of bodies held at once across requests (SEGMINT_MAX_INFLIGHT_BYTES), default 256 MiB; past it 503 before reading. */
  maxInflightBytes?: number;
  /** Milliseconds for the whole body to arrive (SEGMINT_BODY_TIMEOUT_MS), default 60000; past it 408. */
  bodyTimeoutMs?: number;
  /** Milliseconds for the request line and headers (SEGMINT_HEADERS_TIMEOUT_MS), default 20000 (segmint serve). */
  headersTimeoutMs?: number;
  /** Milliseconds in-flight requests get on SIGTERM (SEGMINT_DRAIN_TIMEOUT_MS), default 30000 (segmint serve). */
  drainTimeoutMs?: number;
  /** Failed authentications per client address per minute before 429 (SEGMINT_AUTH_FAILURE_LIMIT), default 30; 0 = off. */
  authFailureLimit?: number;
  /**
   * Take the client address from X-Forwarded-For (SEGMINT_TRUST_PROXY=1): only behind a
   * proxy that sets it, or clients could choose the address they are throttled under.
   */
  trustProxy?: boolean;
  /**
   * Bounds on one request's cost, checked before any work (see DEFAULT_REQUEST_LIMITS);
   * SEGMINT_MAX_COST sets maxCost (customers x columns x segments fitted).
   */
  requestLimits?: Partial<RequestLimits>;
  /** A pino logger, or false for none. Default: pino at LOG_LEVEL (info). */
  logger?: Logger | false;
  /** Read the configuration from this object instead of process.env and .env. */
  env?: Record<string, string | undefined>;
  /** The .env file to read (default `.env` in the working directory), or false. */
  envFile?: string | false;
  /** Clock, for tests of secret expiry. */
  now?: () => number;
  /** The piscina worker module (default: the built dist/segmint-worker.js). */
  workerFile?: string;
  /**
   * Origins whose browser pages may call the endpoint (SEGMINT_CORS_ORIGINS, comma-separated,
   * or '*'). Default none: the reference's JavaScript example then works from servers and
   * same-origin pages only.
   */
  corsOrigins?: string[] | '*';
  /** Seconds a finished job's status and result are kept (SEGMINT_JOB_TTL_SECONDS), default 86400. */
  jobTtlSeconds?: number;
  /** Largest gzip body or result kept for a job (SEGMINT_JOB_MAX_STORED_BYTES), default 32 MiB; past it 413. */
  jobMaxStoredBytes?: number;
  /** Jobs waiting in the in-process queue (SEGMINT_JOB_MAX_QUEUED), default 1000; past it 503. */
  jobMaxQueued?: number;
  /** Whether this instance runs queued jobs itself (false: `serve --no-workers`, needs REDIS_URL). */
  runJobs?: boolean;
  /** BullMQ queue name (SEGMINT_JOB_QUEUE), default segmint-jobs. */
  jobQueueName?: string;
  /** Milliseconds between BullMQ's checks for jobs of dead workers (SEGMINT_JOB_STALLED_INTERVAL_MS), default 30000. */
  jobStalledIntervalMs?: number;
  /** Milliseconds a worker's lock on a job lasts unless renewed (SEGMINT_JOB_LOCK_MS), default 30000. */
  jobLockMs?: number;
  /** Hosts callback_url may name (SEGMINT_WEBHOOK_ALLOWED_HOSTS, comma-separated; `*.example.com`, `*` any public host). */
  webhookAllowedHosts?: string[];
  /** Default webhook signing key (SEGMINT_WEBHOOK_SECRET) for tenants without their own. */
  webhookSecret?: string;
  /** Delivery attempts of a webhook (SEGMINT_WEBHOOK_MAX_ATTEMPTS), default 6. */
  webhookMaxAttempts?: number;
  /** First retry delay in ms, doubled each time (SEGMINT_WEBHOOK_BACKOFF_MS), default 1000. */
  webhookBackoffMs?: number;
}

/** The options after defaults and the environment, resolved once when a service is made. */
export interface ResolvedConfig {
  basePath: string;
  segmentationPath: string;
  tokens: string[];
  tenantsFile?: string;
  tenants: TenantsFile;
  customerApiId?: string;
  secret?: string;
  secretIssuedAt?: Date;
  rateLimit: number;
  redisUrl?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  workers: number;
  jobThreads: number;
  maxQueue: number;
  retryAfterSeconds: number;
  maxInflightBytes: number;
  bodyTimeoutMs: number;
  headersTimeoutMs: number;
  drainTimeoutMs: number;
  authFailureLimit: number;
  trustProxy: boolean;
  requestLimits: RequestLimits;
  now: () => number;
  corsOrigins: string[] | '*';
  jobTtlSeconds: number;
  jobMaxStoredBytes: number;
  jobMaxQueued: number;
  runJobs: boolean;
  jobQueueName: string;
  jobStalledIntervalMs: number;
  jobLockMs: number;
  webhookAllowedHosts: string[];
  webhookSecret?: string;
  webhookMaxAttempts: number;
  webhookBackoffMs: number;
}

/** Parses a .env file: KEY=VALUE lines, # comments, optional `export `, single or double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash);
      value = value.trim();
    }
    out[m[1]] = value;
  }
  return out;
}

/** process.env over the .env file (the process's own environment wins, as with dotenv). */
export function readEnvironment(envFile: string | false = '.env'): Record<string, string | undefined> {
  const fromFile: Record<string, string> = {};
  if (envFile !== false) {
    const path = resolve(envFile);
    if (existsSync(path)) Object.assign(fromFile, parseDotEnv(readFileSync(path, 'utf8')));
  }
  return { ...fromFile, ...process.env };
}

function positiveInteger(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name}: must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** One worker thread per available core. */
export function defaultWorkers(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

function normalizePath(path: string): string {
  if (path === '' || path === '/') return '';
  const p = path.startsWith('/') ? path : `/${path}`;
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Options over the environment over defaults; throws naming the variable on a bad value. */
export function resolveConfig(options: SegmentationHandlerOptions = {}): ResolvedConfig {
  const env = options.env ?? readEnvironment(options.envFile ?? '.env');
  const tokens =
    options.tokens ??
    nonEmpty(env.SEGMINT_TOKENS)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ??
    [];
  const tenantsFile = options.tenantsFile ?? nonEmpty(env.SEGMINT_TENANTS_FILE);
  const tenants: TenantsFile = { tenants: [...(options.tenants?.tenants ?? [])], tokens: [...(options.tenants?.tokens ?? [])] };
  if (tenantsFile) {
    let parsed: TenantsFile;
    try {
      parsed = JSON.parse(readFileSync(resolve(tenantsFile), 'utf8')) as TenantsFile;
    } catch (err) {
      throw new Error(`SEGMINT_TENANTS_FILE: cannot read ${tenantsFile}: ${(err as Error).message}`);
    }
    tenants.tenants!.push(...(parsed.tenants ?? []));
    tenants.tokens!.push(...(parsed.tokens ?? []));
  }
  const issuedRaw = options.secretIssuedAt ?? nonEmpty(env.SEGMINT_SECRET_ISSUED_AT);
  let secretIssuedAt: Date | undefined;
  if (issuedRaw !== undefined) {
    secretIssuedAt = issuedRaw instanceof Date ? issuedRaw : new Date(issuedRaw);
    if (Number.isNaN(secretIssuedAt.getTime())) throw new Error(`SEGMINT_SECRET_ISSUED_AT: not a date: ${JSON.stringify(issuedRaw)}`);
  }
  const workers = positiveInteger('SEGMINT_WORKERS', options.workers ?? env.SEGMINT_WORKERS, defaultWorkers(), true);
  // The cores divided between the jobs that can run at once, so they do not oversubscribe
  // (workers: 0 runs jobs on the calling thread, without kernel threads).
  const jobThreads = positiveInteger(
    'SEGMINT_JOB_THREADS',
    options.jobThreads ?? env.SEGMINT_JOB_THREADS,
    workers === 0 ? 1 : Math.max(1, Math.floor(defaultWorkers() / workers)),
  );
  if (jobThreads > 65) throw new Error(`SEGMINT_JOB_THREADS: must be at most 65, got ${jobThreads}`);
  if (jobThreads > 1 && workers === 0) throw new Error('SEGMINT_JOB_THREADS: kernel threads need worker threads (SEGMINT_WORKERS above 0)');
  // Refused on start rather than on the first request: nothing would ever run the jobs.
  if (options.runJobs === false && !(options.redisUrl ?? nonEmpty(env.REDIS_URL))) {
    throw new Error('--no-workers needs REDIS_URL: without a shared queue no worker would run the jobs');
  }
  return {
    basePath: normalizePath(options.basePath ?? ''),
    segmentationPath: normalizePath(options.segmentationPath ?? DEFAULT_SEGMENTATION_PATH),
    tokens,
    tenantsFile,
    tenants,
    customerApiId: options.customerApiId ?? nonEmpty(env.SEGMINT_CUSTOMER_API_ID),
    secret: options.secret ?? nonEmpty(env.SEGMINT_SECRET),
    secretIssuedAt,
    rateLimit: positiveInteger('SEGMINT_RATE_LIMIT', options.rateLimit ?? env.SEGMINT_RATE_LIMIT, DEFAULT_RATE_LIMIT, true),
    redisUrl: options.redisUrl ?? nonEmpty(env.REDIS_URL),
    timeoutMs: positiveInteger('SEGMINT_TIMEOUT_MS', options.timeoutMs ?? env.SEGMINT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    maxBodyBytes: positiveInteger('SEGMINT_MAX_BODY_BYTES', options.maxBodyBytes ?? env.SEGMINT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    workers,
    jobThreads,
    maxQueue: positiveInteger('SEGMINT_MAX_QUEUE', options.maxQueue ?? env.SEGMINT_MAX_QUEUE, 64, true),
    retryAfterSeconds: positiveInteger('retryAfterSeconds', options.retryAfterSeconds, 5),
    maxInflightBytes: positiveInteger('SEGMINT_MAX_INFLIGHT_BYTES', options.maxInflightBytes ?? env.SEGMINT_MAX_INFLIGHT_BYTES, DEFAULT_MAX_INFLIGHT_BYTES),
    bodyTimeoutMs: positiveInteger('SEGMINT_BODY_TIMEOUT_MS', options.bodyTimeoutMs ?? env.SEGMINT_BODY_TIMEOUT_MS, DEFAULT_BODY_TIMEOUT_MS),
    headersTimeoutMs: positiveInteger('SEGMINT_HEADERS_TIMEOUT_MS', options.headersTimeoutMs ?? env.SEGMINT_HEADERS_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS),
    drainTimeoutMs: positiveInteger('SEGMINT_DRAIN_TIMEOUT_MS', options.drainTimeoutMs ?? env.SEGMINT_DRAIN_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, true),
    authFailureLimit: positiveInteger(
      'SEGMINT_AUTH_FAILURE_LIMIT',
      options.authFailureLimit ?? env.SEGMINT_AUTH_FAILURE_LIMIT,
      DEFAULT_AUTH_FAILURE_LIMIT,
      true,
    ),
    trustProxy: options.trustProxy ?? /^(1|true|yes)$/i.test(env.SEGMINT_TRUST_PROXY?.trim() ?? ''),
    requestLimits: {
      ...DEFAULT_REQUEST_LIMITS,
      ...(env.SEGMINT_MAX_COST?.trim() ? { maxCost: positiveInteger('SEGMINT_MAX_COST', env.SEGMINT_MAX_COST, DEFAULT_REQUEST_LIMITS.maxCost) } : {}),
      ...options.requestLimits,
    },
    now: options.now ?? Date.now,
    corsOrigins: options.corsOrigins ?? parseOrigins(env.SEGMINT_CORS_ORIGINS),
    jobTtlSeconds: positiveInteger('SEGMINT_JOB_TTL_SECONDS', options.jobTtlSeconds ?? env.SEGMINT_JOB_TTL_SECONDS, 86_400),
    jobMaxStoredBytes: positiveInteger('SEGMINT_JOB_MAX_STORED_BYTES', options.jobMaxStoredBytes ?? env.SEGMINT_JOB_MAX_STORED_BYTES, 32 * 1024 * 1024),
    jobMaxQueued: positiveInteger('SEGMINT_JOB_MAX_QUEUED', options.jobMaxQueued ?? env.SEGMINT_JOB_MAX_QUEUED, 1000),
    runJobs: options.runJobs ?? true,
    jobQueueName: options.jobQueueName ?? nonEmpty(env.SEGMINT_JOB_QUEUE) ?? 'segmint-jobs',
    jobStalledIntervalMs: positiveInteger('SEGMINT_JOB_STALLED_INTERVAL_MS', options.jobStalledIntervalMs ?? env.SEGMINT_JOB_STALLED_INTERVAL_MS, 30_000),
    jobLockMs: positiveInteger('SEGMINT_JOB_LOCK_MS', options.jobLockMs ?? env.SEGMINT_JOB_LOCK_MS, 30_000),
    webhookAllowedHosts:
      options.webhookAllowedHosts ??
      (nonEmpty(env.SEGMINT_WEBHOOK_ALLOWED_HOSTS)
        ?.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean) ||
        []),
    webhookSecret: options.webhookSecret ?? nonEmpty(env.SEGMINT_WEBHOOK_SECRET),
    webhookMaxAttempts: positiveInteger('SEGMINT_WEBHOOK_MAX_ATTEMPTS', options.webhookMaxAttempts ?? env.SEGMINT_WEBHOOK_MAX_ATTEMPTS, 6),
    webhookBackoffMs: positiveInteger('SEGMINT_WEBHOOK_BACKOFF_MS', options.webhookBackoffMs ?? env.SEGMINT_WEBHOOK_BACKOFF_MS, 1000),
  };
}

function parseOrigins(raw: string | undefined): string[] | '*' {
  const value = raw?.trim();
  if (!value) return [];
  if (value === '*') return '*';
  return value
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

/** True when some credential is configured (serve refuses to start without one unless --dev). */
export function hasCredentials(config: ResolvedConfig, options: SegmentationHandlerOptions): boolean {
  return config.tokens.length > 0 || (config.tenants.tokens?.length ?? 0) > 0 || options.authenticate !== undefined;
}
