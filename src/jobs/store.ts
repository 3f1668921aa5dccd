/**
 * Where jobs live between the endpoint and the runners: a record (a Redis hash, or a Map
 * entry), the request body and the result, both gzip. Every key expires `ttlSeconds`
 * after its last write, so an abandoned job leaves nothing behind.
 *
 * State changes are compare-and-set on the status (a Lua script in Redis): a cancel and
 * a finishing runner, or two runners after a stall, cannot both win, so a job finishes
 * exactly once whatever the races.
 */
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import type { JobRecord, JobStatus } from './types';

const gzipLevel = promisify(gzip);
/**
 * Level 1: JSON of numbers still shrinks to about a third, at a fraction of the default
 * level's time, which a job pays twice (body on submit, result on finish).
 */
export const gzipAsync = (data: Uint8Array) => gzipLevel(data, { level: 1 });
export const gunzipAsync = promisify(gunzip);

export interface JobStore {
  create(record: JobRecord, body: Buffer): Promise<void>;
  get(id: string): Promise<JobRecord | null>;
  /**
   * Applies `patch` when the job's status is one of `from`; returns the new record, or
   * null when the status was another (or the job is gone).
   */
  transition(id: string, from: readonly JobStatus[], patch: Partial<JobRecord>): Promise<JobRecord | null>;
  /** Progress only, for a running job (no status change). */
  progress(id: string, stage: string, percent: number): Promise<void>;
  body(id: string): Promise<Buffer | null>;
  putResult(id: string, gz: Buffer): Promise<void>;
  result(id: string): Promise<Buffer | null>;
  /** Drops the body once the job cannot run again. */
  dropBody(id: string): Promise<void>;
  close(): Promise<void>;
}

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
  private readonly jobs = new Map<string, { record: JobRecord; body?: Buffer; result?: Buffer; expires: number }>();
  private sweeps = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

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

  async create(record: JobRecord, body: Buffer): Promise<void> {
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
    return { ...e.record };
  }

  async progress(id: string, stage: string, percent: number): Promise<void> {
    const e = this.entry(id);
    if (e && e.record.status === 'running') Object.assign(e.record, { stage, percent });
  }

  async body(id: string): Promise<Buffer | null> {
    return this.entry(id)?.body ?? null;
  }

  async putResult(id: string, gz: Buffer): Promise<void> {
    const e = this.entry(id);
    if (e) e.result = gz;
  }

  async result(id: string): Promise<Buffer | null> {
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

const PROGRESS = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'stage', ARGV[1], 'percent', ARGV[2])
return 1
`;

/** Shared by every instance and worker with the same REDIS_URL. */
export class RedisJobStore implements JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = 'segmint:job:',
  ) {}

  private key(id: string, part = ''): string {
    return `${this.prefix}${id}${part}`;
  }

  async create(record: JobRecord, body: Buffer): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(id(record), ':body'), body, 'EX', this.ttlSeconds)
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
    return fromHash(h);
  }

  async progress(jobId: string, stage: string, percent: number): Promise<void> {
    await this.redis.eval(PROGRESS, 1, this.key(jobId), stage, JSON.stringify(percent));
  }

  async body(jobId: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.key(jobId, ':body'));
  }

  async putResult(jobId: string, gz: Buffer): Promise<void> {
    await this.redis.set(this.key(jobId, ':result'), gz, 'EX', this.ttlSeconds);
  }

  async result(jobId: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.key(jobId, ':result'));
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
