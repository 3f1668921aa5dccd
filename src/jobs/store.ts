/**
 * Where jobs live between the endpoint and the runners: a record (a Redis hash, or a Map
 * entry), the request body and the result. Every key expires `ttlSeconds` after its last
 * write, so an abandoned job leaves nothing behind.
 *
 * Callers hand a store raw bytes and get raw bytes back; how it keeps them is its own
 * business. Redis keeps them gzip (they cross the network and sit in Redis's memory); the
 * in-process store keeps them as they are, because compressing what stays in this
 * process's heap buys nothing and costs a job a few milliseconds each way. Both refuse
 * the same bodies and results (see overStoredLimit), so a deployment that grows from
 * one machine to a shared Redis refuses nothing it used to accept.
 *
 * State changes are compare-and-set on the status (a Lua script in Redis): a cancel and
 * a finishing runner, or two runners after a stall, cannot both win, so a job finishes
 * exactly once whatever the races. A change to a finished status is announced (an
 * event in process, a pub/sub message in Redis) so that whoever waits for a job wakes
 * when it finishes instead of polling.
 */
import { EventEmitter } from 'node:events';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { TERMINAL, type JobRecord, type JobStatus } from './types';

const gzipLevel = promisify(gzip);
/**
 * Level 1: JSON of numbers still shrinks to about a seventh, at a fraction of the
 * default level's time, which a job pays twice (body on submit, result on finish).
 */
export const gzipAsync = (data: Uint8Array) => gzipLevel(data, { level: 1 });
export const gunzipAsync = promisify(gunzip);

/** A body or result past SEGMINT_JOB_MAX_STORED_BYTES even compressed (413). */
export class StoredTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly location: 'body' | 'result',
  ) {
    super(`job ${location} past the stored-size limit of ${limit} bytes (compressed)`);
    this.name = 'StoredTooLargeError';
  }
}

/**
 * The stored-size rule both stores apply: refused when the bytes are past `limit` both as
 * they are and gzip-compressed (level 1). Anything up to the limit uncompressed fits
 * without compressing it, which is every body the in-process store sees below the limit;
 * `gz` is the compressed form when the caller already has it.
 */
export async function overStoredLimit(bytes: Uint8Array, limit: number, gz?: Uint8Array): Promise<boolean> {
  if (bytes.byteLength <= limit) return false;
  return (gz ?? (await gzipAsync(bytes))).byteLength > limit;
}

export interface JobStore {
  /** Stores a new job and its raw body; StoredTooLargeError (nothing stored) past the limit. */
  create(record: JobRecord, body: Uint8Array): Promise<void>;
  get(id: string): Promise<JobRecord | null>;
  /**
   * Applies `patch` when the job's status is one of `from`; returns the new record, or
   * null when the status was another (or the job is gone).
   */
  transition(id: string, from: readonly JobStatus[], patch: Partial<JobRecord>): Promise<JobRecord | null>;
  /** Progress only, for a running job (no status change), and never backwards in percent. */
  progress(id: string, stage: string, percent: number): Promise<void>;
  /**
   * The raw body. The in-process store hands out the bytes it holds, which the pool may
   * transfer to a worker thread (leaving them empty here): read it once per run.
   */
  body(id: string): Promise<Uint8Array | null>;
  /** Stores the serialized result; StoredTooLargeError (nothing stored) past the limit. */
  putResult(id: string, json: string): Promise<void>;
  result(id: string): Promise<string | null>;
  /** Drops the body once the job cannot run again. */
  dropBody(id: string): Promise<void>;
  close(): Promise<void>;
}

const isTerminal = (status: JobStatus | undefined): boolean => status !== undefined && TERMINAL.includes(status);

const FIELDS_JSON = new Set(['error', 'percent', 'attempts', 'result_status']);

function toHash(patch: Partial<JobRecord>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out.push(k, FIELDS_JSON.has(k) ? JSON.stringify(v) : String(v));
  }
  return out;
}

function fromHash(h: Record<string, string>): JobRecord | null {
  if (!h.id) return null;
  const rec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) rec[k] = FIELDS_JSON.has(k) ? JSON.parse(v) : v;
  return rec as unknown as JobRecord;
}

/** In one process: the embedded default without REDIS_URL. */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, { record: JobRecord; body?: Uint8Array; result?: string; expires: number }>();
  private sweeps = 0;
  /** Emits the job's id when it reaches a finished status. */
  readonly finished = new EventEmitter();

  constructor(
    private readonly ttlSeconds: number,
    private readonly maxStoredBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    // One listener per waiting request; many may wait at once.
    this.finished.setMaxListeners(0);
  }

  private entry(id: string) {
    const e = this.jobs.get(id);
    if (e && e.expires <= this.now()) {
      this.jobs.delete(id);
      return undefined;
    }
    return e;
  }

  private touch(e: { expires: number }): void {
    e.expires = this.now() + this.ttlSeconds * 1000;
  }

  async create(record: JobRecord, body: Uint8Array): Promise<void> {
    if (await overStoredLimit(body, this.maxStoredBytes)) throw new StoredTooLargeError(this.maxStoredBytes, 'body');
    // Expired entries go on writes too, so a store nobody reads does not grow.
    if (++this.sweeps % 64 === 0) for (const id of [...this.jobs.keys()]) this.entry(id);
    const e = { record: { ...record }, body, expires: 0 };
    this.touch(e);
    this.jobs.set(record.id, e);
  }

  async get(id: string): Promise<JobRecord | null> {
    const e = this.entry(id);
    return e ? { ...e.record } : null;
  }

  async transition(id: string, from: readonly JobStatus[], patch: Partial<JobRecord>): Promise<JobRecord | null> {
    const e = this.entry(id);
    if (!e || !from.includes(e.record.status)) return null;
    Object.assign(e.record, patch);
    this.touch(e);
    if (isTerminal(patch.status)) this.finished.emit(id);
    return { ...e.record };
  }

  async progress(id: string, stage: string, percent: number): Promise<void> {
    const e = this.entry(id);
    if (e && e.record.status === 'running' && percent >= e.record.percent) Object.assign(e.record, { stage, percent });
  }

  async body(id: string): Promise<Uint8Array | null> {
    return this.entry(id)?.body ?? null;
  }

  async putResult(id: string, json: string): Promise<void> {
    // The limit is on bytes; a string's UTF-16 length is at most its UTF-8 byte length,
    // so only a long one needs encoding to be measured.
    if (json.length > this.maxStoredBytes / 3 && (await overStoredLimit(Buffer.from(json), this.maxStoredBytes))) {
      throw new StoredTooLargeError(this.maxStoredBytes, 'result');
    }
    const e = this.entry(id);
    if (e) e.result = json;
  }

  async result(id: string): Promise<string | null> {
    return this.entry(id)?.result ?? null;
  }

  async dropBody(id: string): Promise<void> {
    const e = this.entry(id);
    if (e) e.body = undefined;
  }

  async close(): Promise<void> {}
}

// KEYS[1] the record; ARGV[1] allowed statuses (comma-separated), ARGV[2] ttl, then field/value pairs.
const TRANSITION = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == status then allowed = true end end
if not allowed then return nil end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('HGETALL', KEYS[1])
`;

// Only forward: a job run again after its worker died keeps showing how far it got.
const PROGRESS = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'percent') or '0') > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'stage', ARGV[1], 'percent', ARGV[2])
return 1
`;

/** Shared by every instance and worker with the same REDIS_URL. */
export class RedisJobStore implements JobStore {
  /**
   * @param finishedChannel pub/sub channel told the id of each job that finishes (see
   *   RedisJobEngine.waitUntilFinished); none when nobody can wait on this store.
   */
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly maxStoredBytes: number,
    private readonly finishedChannel?: string,
    private readonly prefix = 'segmint:job:',
  ) {}

  private key(id: string, part = ''): string {
    return `${this.prefix}${id}${part}`;
  }

  async create(record: JobRecord, body: Uint8Array): Promise<void> {
    const gz = await gzipAsync(body);
    if (await overStoredLimit(body, this.maxStoredBytes, gz)) throw new StoredTooLargeError(this.maxStoredBytes, 'body');
    await this.redis
      .multi()
      .set(this.key(id(record), ':body'), gz, 'EX', this.ttlSeconds)
      .hset(this.key(id(record)), ...toHash(record))
      .expire(this.key(id(record)), this.ttlSeconds)
      .exec()
      .then(checkMulti);
  }

  async get(jobId: string): Promise<JobRecord | null> {
    return fromHash(await this.redis.hgetall(this.key(jobId)));
  }

  async transition(jobId: string, from: readonly JobStatus[], patch: Partial<JobRecord>): Promise<JobRecord | null> {
    const flat = (await this.redis.eval(TRANSITION, 1, this.key(jobId), from.join(','), this.ttlSeconds, ...toHash(patch))) as string[] | null;
    if (!flat) return null;
    const h: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
    // A lost announcement only delays a waiter until its next check of the record.
    if (this.finishedChannel && isTerminal(patch.status)) await this.redis.publish(this.finishedChannel, jobId).catch(() => 0);
    return fromHash(h);
  }

  async progress(jobId: string, stage: string, percent: number): Promise<void> {
    await this.redis.eval(PROGRESS, 1, this.key(jobId), stage, JSON.stringify(percent));
  }

  async body(jobId: string): Promise<Uint8Array | null> {
    const gz = await this.redis.getBuffer(this.key(jobId, ':body'));
    return gz ? new Uint8Array(await gunzipAsync(gz)) : null;
  }

  async putResult(jobId: string, json: string): Promise<void> {
    const raw = Buffer.from(json);
    const gz = await gzipAsync(raw);
    if (await overStoredLimit(raw, this.maxStoredBytes, gz)) throw new StoredTooLargeError(this.maxStoredBytes, 'result');
    await this.redis.set(this.key(jobId, ':result'), gz, 'EX', this.ttlSeconds);
  }

  async result(jobId: string): Promise<string | null> {
    const gz = await this.redis.getBuffer(this.key(jobId, ':result'));
    return gz ? (await gunzipAsync(gz)).toString('utf8') : null;
  }

  async dropBody(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId, ':body'));
  }

  async close(): Promise<void> {}
}

function id(record: JobRecord): string {
  return record.id;
}

function checkMulti(results: [Error | null, unknown][] | null): void {
  for (const [err] of results ?? []) if (err) throw err;
}
