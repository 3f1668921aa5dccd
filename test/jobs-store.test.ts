/**
 * The job runner's parts without HTTP: the stored-size rule of the in-process store, the
 * forward-only stage reporter, the stages a job passes as the runner and the worker pool
 * report them, and waiting on a job without polling.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/http/config';
import { createExecutor } from '../src/http/pool';
import { LocalJobEngine } from '../src/jobs/engine';
import { stageReporter } from '../src/jobs/progress';
import { executeJob } from '../src/jobs/runner';
import { MemoryJobStore, StoredTooLargeError } from '../src/jobs/store';
import type { JobRecord } from '../src/jobs/types';
import { customers } from './helpers/http';

/** Pipeline order, written out independently of src/jobs/progress.ts. */
const ORDER = ['queued', 'starting', 'parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize', 'storing', 'done'];

function record(id: string): JobRecord {
  return { id, owner: 'me:-', status: 'queued', stage: 'queued', percent: 0, locale: 'en', created_at: new Date().toISOString(), attempts: 0 };
}

const config = resolveConfig({ env: {}, envFile: false, tokens: ['t'], workers: 0, jobMaxStoredBytes: 4096 });

describe('the in-process store', () => {
  it('refuses exactly what is past the limit both raw and gzip, without compressing what fits raw', async () => {
    const store = new MemoryJobStore(60, 4096);
    const fitsRaw = new Uint8Array(4096).fill(65);
    await store.create(record('a'), fitsRaw);
    // The very bytes come back: nothing was compressed or copied.
    expect(await store.body('a')).toBe(fitsRaw);
    // Past the limit raw, far under it compressed (repetitive JSON-like text).
    const compressible = Buffer.from('{"x":1},'.repeat(2000));
    expect(gzipSync(compressible, { level: 1 }).byteLength).toBeLessThan(4096);
    await store.create(record('b'), compressible);
    expect(Buffer.from((await store.body('b'))!).equals(compressible)).toBe(true);
    // Random bytes do not compress: past the limit either way.
    const noise = randomBytes(5000);
    await expect(store.create(record('c'), noise)).rejects.toBeInstanceOf(StoredTooLargeError);
    expect(await store.get('c')).toBeNull();
    await expect(store.putResult('a', noise.toString('latin1'))).rejects.toMatchObject({ location: 'result', limit: 4096 });
    await store.putResult('a', '{"ok":true}');
    expect(await store.result('a')).toBe('{"ok":true}');
  });

  it('never moves a running job backwards in percent', async () => {
    const store = new MemoryJobStore(60, 4096);
    await store.create(record('p'), new Uint8Array(1));
    await store.progress('p', 'prep', 10);
    expect((await store.get('p'))?.stage).toBe('queued'); // not running: no progress
    await store.transition('p', ['queued'], { status: 'running' });
    await store.progress('p', 'clustering', 50);
    await store.progress('p', 'prep', 10);
    expect(await store.get('p')).toMatchObject({ stage: 'clustering', percent: 50 });
  });
});

describe('stageReporter', () => {
  it('passes each known stage once, forward only', () => {
    const seen: string[] = [];
    const report = stageReporter((stage) => seen.push(stage));
    for (const s of ['parse', 'prep', 'prep', 'nonsense', 'clustering', 'prep', 'profiles', 'k_selection', 'storing']) report(s);
    expect(seen).toEqual(['parse', 'prep', 'clustering', 'profiles', 'storing']);
  });
});

describe('the stages a job passes', () => {
  const pool = createExecutor(1, 4);
  afterAll(() => pool.close());

  async function run(request: unknown, executor = createExecutor(0, 0)) {
    const store = new MemoryJobStore(60, 1 << 24);
    const calls: { stage: string; percent: number }[] = [];
    const sink: { stage: string; percent: number }[] = [];
    const progress = store.progress.bind(store);
    store.progress = async (id, stage, percent) => {
      calls.push({ stage, percent });
      return progress(id, stage, percent);
    };
    await store.create(record('j'), Buffer.from(JSON.stringify(request)));
    const ctx = { store, executor, config: { ...config, jobMaxStoredBytes: 1 << 24 }, webhookSecret: () => undefined, deliveries: new Set<Promise<unknown>>() };
    const outcome = await executeJob('j', ctx, undefined, undefined, async (p) => sink.push(p));
    return { outcome, calls, sink, final: await store.get('j') };
  }

  it('with k to choose: every pipeline stage in order, percent rising, then done', async () => {
    const { outcome, calls, sink, final } = await run({ data: customers(300, 3) });
    expect(outcome).toBe('finished');
    expect(calls.map((c) => c.stage)).toEqual(['parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize', 'storing']);
    const percents = calls.map((c) => c.percent);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1]);
    expect(percents[0]).toBeGreaterThan(0);
    expect(percents.at(-1)).toBeLessThan(100);
    // BullMQ's job.updateProgress hears the same.
    expect(sink).toEqual(calls);
    expect(final).toMatchObject({ status: 'succeeded', stage: 'done', percent: 100 });
  });

  it('with n_clusters given and explain off: those stages are skipped, the order kept', async () => {
    const { calls } = await run({ data: customers(300, 3), n_clusters: 3, explain: false });
    expect(calls.map((c) => c.stage)).toEqual(['parse', 'prep', 'clustering', 'profiles', 'serialize', 'storing']);
  });

  it('from a worker thread: the stages cross to the main thread as the job runs', async () => {
    const stages: string[] = [];
    const result = await pool.run({ kind: 'segment', body: Buffer.from(JSON.stringify({ data: customers(300, 3) })), locale: 'en' }, 60_000, undefined, (s) =>
      stages.push(s),
    );
    expect(result.status).toBe(200);
    // The last message may trail the result by a moment (its own port).
    await vi.waitFor(() => expect(stages).toEqual(['parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize']), {
      timeout: 5000,
      interval: 10,
    });
    for (const s of stages) expect(ORDER).toContain(s);
  });
});

describe('waiting on an in-process job', () => {
  it('wakes when the job finishes, and returns the record as it is when the wait runs out', async () => {
    const executor = createExecutor(0, 0);
    const engine = new LocalJobEngine({ executor, config: { ...config, workers: 1 }, webhookSecret: () => undefined, deliveries: new Set() }, 10);
    // Not started: waiting gives up at its timeout with the job still queued.
    await engine.store.create(record('w'), Buffer.from('{}'));
    expect((await engine.waitUntilFinished('w', 20))?.status).toBe('queued');
    // A transition to a finished status wakes the waiter long before its 60 s are up.
    const waiting = engine.waitUntilFinished('w', 60_000);
    await engine.store.transition('w', ['queued'], { status: 'cancelled' });
    expect((await waiting)?.status).toBe('cancelled');
    // An aborted wait returns at once too.
    await engine.store.create(record('x'), Buffer.from('{}'));
    const controller = new AbortController();
    const aborted = engine.waitUntilFinished('x', 60_000, controller.signal);
    controller.abort();
    expect((await aborted)?.status).toBe('queued');
    expect(await engine.waitUntilFinished('nope', 10)).toBeNull();
    await engine.close();
  });
});
