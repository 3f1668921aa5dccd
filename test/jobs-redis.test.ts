/**
 * The shared queue end to end, as it runs in production: a real Redis (with an
 * append-only file, so a restart keeps what it had), one `segmint serve --no-workers`
 * and two `segmint worker` processes from dist/cli.js (npm run build first). Every wait
 * has a deadline; stall detection is shortened through the configuration.
 *
 * Each worker logs `job started` / `job finished` with the job id (pino JSON on stdout):
 * the test counts those lines to prove a job finished exactly once, and where.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryJobStore, RedisJobStore, StoredTooLargeError } from '../src/jobs/store';
import type { JobRecord } from '../src/jobs/types';
import { customers, OTHER_TENANT, SECRET, SEGMENTATION_PATH, sha256Hex, TENANT, TOKEN, withoutTimings } from './helpers/http';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist/cli.js');
const OTHER_TOKEN = 'other-token-0123456789abcdef';
const OTHER_SECRET = 'O'.repeat(64);
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  lines: Record<string, any>[];
  exited: Promise<number | null>;
}

function start(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name, child, lines: [], exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  let buf = '';
  child.stdout!.on('data', (chunk) => {
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        proc.lines.push(JSON.parse(line));
      } catch {
        // not a log line
      }
      nl = buf.indexOf('\n');
    }
  });
  child.stderr!.on('data', (chunk) => {
    stderr.push(`[${name}] ${chunk}`);
  });
  procs.push(proc);
  return proc;
}

async function waitLog(proc: Proc, test: (l: Record<string, any>) => boolean, timeout = 15_000): Promise<Record<string, any>> {
  return vi.waitFor(
    () => {
      const hit = proc.lines.find(test);
      if (!hit) throw new Error(`${proc.name}: no such log line yet (stderr: ${stderr.join('').slice(-500)})`);
      return hit;
    },
    { timeout, interval: 20 },
  );
}

const logged = (proc: Proc, msg: string, jobId: string) => proc.lines.some((l) => l.msg === msg && l.jobId === jobId);

/** The worker that logged starting the job (its log line can trail the status by a moment). */
function holderOf(id: string): Promise<Proc> {
  return vi.waitFor(
    () => {
      const w = workers.find((p) => logged(p, 'job started', id));
      if (!w) throw new Error(`no worker logged starting ${id}`);
      return w;
    },
    { timeout: 5_000, interval: 10 },
  );
}

let tmp: string;
let redisPort: number;
let redisUrl: string;
let redisChild: ChildProcess | undefined;
const procs: Proc[] = [];
const stderr: string[] = [];
let env: Record<string, string>;
let api: string;
let workers: Proc[] = [];
let hookServer: ReturnType<typeof createServer>;
const hooks: { headers: IncomingMessage['headers']; body: string }[] = [];

function startRedis(): Promise<void> {
  redisChild = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', tmp, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    { stdio: 'ignore' },
  );
  return vi.waitFor(
    async () => {
      const c = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {});
      try {
        await c.connect();
        expect(await c.ping()).toBe('PONG');
      } finally {
        c.disconnect();
      }
    },
    { timeout: 10_000, interval: 50 },
  );
}

async function stopRedis(): Promise<void> {
  const child = redisChild!;
  const exited = new Promise((r) => child.once('exit', r));
  // SIGTERM: redis fsyncs the append-only file and exits.
  child.kill('SIGTERM');
  await exited;
}

function startWorker(name: string): Proc {
  return start(name, ['worker', '--workers', '1'], env);
}

const auth = (extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${TOKEN}`,
  'X-Customer-Api-Id': TENANT,
  'X-Secret': SECRET,
  'Content-Type': 'application/json',
  ...extra,
});

async function submit(body: unknown): Promise<string> {
  const res = await fetch(api + SEGMENTATION_PATH, { method: 'POST', headers: auth({ Prefer: 'respond-async' }), body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return JSON.parse(text).id;
}

async function status(id: string, headers = auth()) {
  const res = await fetch(`${api}${SEGMENTATION_PATH}/jobs/${id}`, { headers });
  return { status: res.status, json: await res.json() };
}

async function until(id: string, want: string[], timeout = 30_000) {
  return vi.waitFor(
    async () => {
      const s = await status(id);
      expect(want).toContain(s.json.status);
      return s.json;
    },
    { timeout, interval: 25 },
  );
}

const small = (seed: number) => ({ data: customers(40, seed), n_clusters: 3 });
// About two seconds of work on one thread: long enough to act on while it runs.
const long = () => ({ data: customers(14_000, 3), algorithm: 'hierarchical', n_clusters: 4 });

beforeAll(async () => {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('this test needs redis-server (apt-get install -y redis-server; .ci/run installs it)');
  tmp = mkdtempSync(join(tmpdir(), 'segmint-jobs-'));
  redisPort = await freePort();
  redisUrl = `redis://127.0.0.1:${redisPort}`;
  await startRedis();
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hooks.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  const tenantsFile = join(tmp, 'tenants.json');
  writeFileSync(
    tenantsFile,
    JSON.stringify({
      tenants: [
        { id: TENANT, secretSha256: sha256Hex(SECRET), webhookSecret: WEBHOOK_SECRET },
        { id: OTHER_TENANT, secretSha256: sha256Hex(OTHER_SECRET) },
      ],
      tokens: [{ sha256: sha256Hex(OTHER_TOKEN), name: 'other' }],
    }),
  );
  env = {
    PATH: process.env.PATH ?? '',
    REDIS_URL: redisUrl,
    SEGMINT_TOKENS: TOKEN,
    SEGMINT_TENANTS_FILE: tenantsFile,
    SEGMINT_JOB_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    // A dead worker's job goes to another within about lock + interval. The lock must
    // outlast a busy machine's event-loop stalls, or live jobs would be taken as dead.
    SEGMINT_JOB_STALLED_INTERVAL_MS: '500',
    SEGMINT_JOB_LOCK_MS: '4000',
    SEGMINT_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    SEGMINT_WORKERS: '1',
    SEGMINT_RATE_LIMIT: '0',
    SEGMINT_DRAIN_TIMEOUT_MS: '15000',
    LOG_LEVEL: 'info',
  };
  const serve = start('serve', ['serve', '--no-workers', '--port', '0'], env);
  workers = [startWorker('worker-a'), startWorker('worker-b')];
  api = (await waitLog(serve, (l) => l.msg === 'segmint listening')).url;
  await Promise.all(workers.map((w) => waitLog(w, (l) => l.msg === 'segmint worker ready')));
}, 40_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  if (redisChild && redisChild.exitCode === null) await stopRedis();
  hookServer?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('jobs on a shared Redis queue, two worker processes, serve --no-workers', () => {
  it('runs 100 small jobs, each finished exactly once, by both workers', async () => {
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(small(i + 1))));
    expect(new Set(ids).size).toBe(100);
    await vi.waitFor(
      async () => {
        const all = await Promise.all(ids.map((id) => status(id)));
        expect(all.filter((s) => s.json.status === 'succeeded').length).toBe(100);
      },
      { timeout: 30_000, interval: 100 },
    );
    const finishes = new Map<string, number>();
    for (const w of workers) for (const l of w.lines) if (l.msg === 'job finished') finishes.set(l.jobId, (finishes.get(l.jobId) ?? 0) + 1);
    for (const id of ids) expect(finishes.get(id), id).toBe(1);
    for (const w of workers) expect(w.lines.filter((l) => l.msg === 'job finished').length).toBeGreaterThan(0);
    const result = await fetch(`${api}${SEGMENTATION_PATH}/jobs/${ids[0]}/result`, { headers: auth() });
    expect(result.status).toBe(200);
    const asyncBody = await result.json();
    expect(asyncBody.segments.length).toBe(3);
    // A synchronous request to serve --no-workers is run by a worker and answered alike.
    const finishedCount = () => workers.reduce((n, w) => n + w.lines.filter((l) => l.msg === 'job finished').length, 0);
    const before = finishedCount();
    const sync = await fetch(api + SEGMENTATION_PATH, { method: 'POST', headers: auth(), body: JSON.stringify(small(1)) });
    expect(sync.status).toBe(200);
    expect(withoutTimings(await sync.json())).toEqual(withoutTimings(asyncBody));
    await vi.waitFor(() => expect(finishedCount()).toBe(before + 1), { timeout: 5000, interval: 10 });
  }, 45_000);

  it('reports the shared queue in /readyz and its depth in /metrics', async () => {
    const ready = await (await fetch(`${api}/readyz`)).json();
    expect(ready.queue).toMatchObject({ engine: 'redis', status: 'ready', runs_jobs: false, waiting: 0, active: 0 });
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^segmint_job_queue_depth\{state="waiting"\} 0$/m);
    expect(metrics).toMatch(/^segmint_jobs_submitted_total (\d+)$/m);
    expect(Number(/^segmint_jobs_submitted_total (\d+)$/m.exec(metrics)![1])).toBeGreaterThanOrEqual(100);
  });

  it('reports pipeline stages in order from the worker, to the status and to BullMQ, and wakes a waiting GET', async () => {
    const order = ['queued', 'starting', 'parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize', 'storing', 'done'];
    const events = new QueueEvents(env.SEGMINT_JOB_QUEUE, { connection: { url: redisUrl }, prefix: 'segmint' });
    const bull: { stage: string; percent: number }[] = [];
    try {
      await events.waitUntilReady();
      let jobId = '';
      events.on('progress', ({ jobId: j, data }) => {
        if (j === jobId) bull.push(data as { stage: string; percent: number });
      });
      jobId = await submit(long());
      // A GET held by Prefer: wait answers when the worker's store announces the finish.
      const held = fetch(`${api}${SEGMENTATION_PATH}/jobs/${jobId}/result`, { headers: auth({ Prefer: 'wait=45' }) });
      const seen: { stage: string; percent: number }[] = [];
      const deadline = Date.now() + 45_000;
      for (;;) {
        const s = await status(jobId);
        const last = seen.at(-1);
        if (!last || last.stage !== s.json.progress.stage || last.percent !== s.json.progress.percent) seen.push(s.json.progress);
        if (s.json.status === 'succeeded') break;
        expect(['queued', 'running']).toContain(s.json.status);
        expect(Date.now()).toBeLessThan(deadline);
      }
      const result = await held;
      expect(result.status).toBe(200);
      expect((await result.json()).segments.length).toBe(4);
      for (const list of [seen, bull]) {
        const at = list.map((p) => order.indexOf(p.stage));
        expect(at).not.toContain(-1);
        expect(at).toEqual([...at].sort((a, b) => a - b));
        const percents = list.map((p) => p.percent);
        expect(percents).toEqual([...percents].sort((a, b) => a - b));
      }
      expect(seen.at(-1)).toEqual({ stage: 'done', percent: 100 });
      // BullMQ hears every stage the worker passes (hierarchical with n_clusters: no k_selection).
      await vi.waitFor(() => expect(bull.map((p) => p.stage)).toEqual(['parse', 'prep', 'clustering', 'profiles', 'explain', 'serialize', 'storing']), {
        timeout: 5000,
        interval: 20,
      });
    } finally {
      await events.close();
    }
  }, 60_000);

  it('the Redis store and the in-process one refuse the same bodies and results', async () => {
    const limit = 4096;
    const client = new Redis(redisUrl);
    const rec = (id: string): JobRecord => ({
      id,
      owner: 'x:-',
      status: 'queued',
      stage: 'queued',
      percent: 0,
      locale: 'en',
      created_at: new Date().toISOString(),
      attempts: 0,
    });
    try {
      const stores = [new MemoryJobStore(60, limit), new RedisJobStore(client, 60, limit, undefined, `segmint:test-store-${randomBytes(3).toString('hex')}:`)];
      const cases: [string, Uint8Array, boolean][] = [
        ['fits raw', Buffer.from('{"a":1}'.repeat(500)), true],
        ['past raw, under compressed', Buffer.from('{"x":1},'.repeat(2000)), true],
        ['past both', randomBytes(5000), false],
      ];
      for (const store of stores) {
        for (const [name, bytes, accepted] of cases) {
          const id = `${name.replace(/\W/g, '')}`;
          if (accepted) {
            await store.create(rec(id), bytes);
            expect(Buffer.from((await store.body(id))!).equals(Buffer.from(bytes)), name).toBe(true);
          } else {
            await expect(store.create(rec(id), bytes), name).rejects.toBeInstanceOf(StoredTooLargeError);
            expect(await store.get(id)).toBeNull();
          }
        }
        const json = JSON.stringify({ segments: Array.from({ length: 300 }, (_, i) => ({ id: i, v: 'é' })) });
        await store.putResult('fitsraw', json);
        expect(await store.result('fitsraw')).toBe(json);
        await expect(store.putResult('fitsraw', randomBytes(6000).toString('base64'))).rejects.toMatchObject({ location: 'result' });
      }
    } finally {
      client.disconnect();
    }
  });

  it("gives another tenant's or token's request a 404 for the job", async () => {
    const id = await submit(small(500));
    const other = await status(id, auth({ 'X-Customer-Api-Id': OTHER_TENANT, 'X-Secret': OTHER_SECRET }));
    expect(other.status).toBe(404);
    expect(other.json.code).toBe('JOB_NOT_FOUND');
    expect((await status(id, auth({ Authorization: `Bearer ${OTHER_TOKEN}` }))).status).toBe(404);
    expect((await status(id)).status).toBe(200);
  });

  it('a job whose worker is killed (SIGKILL) mid-job is finished by the other worker', async () => {
    const id = await submit(long());
    await until(id, ['running']);
    const holder = await holderOf(id);
    const other = workers.find((w) => w !== holder)!;
    holder.child.kill('SIGKILL');
    await holder.exited;
    const done = await until(id, ['succeeded']);
    expect(done.status).toBe('succeeded');
    await waitLog(other, (l) => l.msg === 'job finished' && l.jobId === id);
    expect(logged(holder, 'job finished', id)).toBe(false);
    const replacement = startWorker(`${holder.name}-2`);
    workers = [other, replacement];
    await waitLog(replacement, (l) => l.msg === 'segmint worker ready');
  }, 60_000);

  it('cancels a job while it is queued and one while it runs', async () => {
    // Two long jobs take both workers (FIFO), so the third waits: cancel it at once.
    const running = await submit(long());
    const other = await submit(long());
    const queued = await submit(small(900));
    const cancelQueued = await fetch(`${api}${SEGMENTATION_PATH}/jobs/${queued}`, { method: 'DELETE', headers: auth() });
    expect(cancelQueued.status).toBe(200);
    expect((await cancelQueued.json()).status).toBe('cancelled');
    await until(running, ['running']);
    const cancelRunning = await fetch(`${api}${SEGMENTATION_PATH}/jobs/${running}`, { method: 'DELETE', headers: auth() });
    expect(cancelRunning.status).toBe(200);
    const holder = await holderOf(running);
    await waitLog(holder, (l) => l.msg === 'job cancelled while running' && l.jobId === running, 30_000);
    expect((await status(running)).json.status).toBe('cancelled');
    expect((await fetch(`${api}${SEGMENTATION_PATH}/jobs/${running}/result`, { headers: auth() })).status).toBe(409);
    await until(other, ['succeeded']);
    // The freed workers take new work; the cancelled queued job never started anywhere.
    const after = await submit(small(901));
    await until(after, ['succeeded']);
    expect((await status(queued)).json.status).toBe('cancelled');
    for (const w of workers) expect(logged(w, 'job started', queued)).toBe(false);
  }, 60_000);

  it("POSTs the finished job to the callback_url with a signature that verifies with the tenant's key", async () => {
    const url = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/done`;
    const id = await submit({ ...small(77), callback_url: url });
    await vi.waitFor(() => expect(hooks.length).toBeGreaterThan(0), { timeout: 15_000, interval: 20 });
    const { headers, body } = hooks[0];
    const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
    const expected = createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice(6), 'base64'))
      .update(signed)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    const event = JSON.parse(body);
    expect(event.data).toMatchObject({ id, status: 'succeeded' });
    expect(event.data.result.segments.length).toBe(3);
  });

  it('a worker stopped with SIGTERM finishes the job it holds, then exits 0', async () => {
    const id = await submit(long());
    await until(id, ['running']);
    const holder = await holderOf(id);
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    await waitLog(holder, (l) => l.msg === 'job finished' && l.jobId === id);
    expect((await status(id)).json.status).toBe('succeeded');
    workers = workers.filter((w) => w !== holder);
  }, 60_000);

  it('a worker whose drain deadline passes gives its job back to the queue for another worker', async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    const hasty = start('worker-hasty', ['worker', '--workers', '1'], { ...env, SEGMINT_DRAIN_TIMEOUT_MS: '200' });
    workers = [hasty];
    await waitLog(hasty, (l) => l.msg === 'segmint worker ready');
    const id = await submit(long());
    expect(await holderOf(id)).toBe(hasty);
    const next = startWorker('worker-d');
    await waitLog(next, (l) => l.msg === 'segmint worker ready');
    workers = [hasty, next];
    hasty.child.kill('SIGTERM');
    expect(await hasty.exited).toBe(0);
    await waitLog(hasty, (l) => l.msg === 'job released to the queue (worker shutting down)' && l.jobId === id);
    expect(logged(hasty, 'job finished', id)).toBe(false);
    await until(id, ['succeeded']);
    await waitLog(next, (l) => l.msg === 'job finished' && l.jobId === id);
    workers = [next];
  }, 60_000);

  it('loses no queued job when Redis restarts', async () => {
    // No worker running: the jobs wait in Redis across the restart.
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(small(1000 + i))));
    for (const id of ids) expect((await status(id)).json.status).toBe('queued');
    await stopRedis();
    await startRedis();
    workers = [startWorker('worker-c')];
    await vi.waitFor(
      async () => {
        const all = await Promise.all(ids.map((id) => status(id)));
        expect(all.map((s) => s.json.status)).toEqual(ids.map(() => 'succeeded'));
      },
      { timeout: 30_000, interval: 100 },
    );
  }, 45_000);
});
