/**
 * Asynchronous jobs without Redis (the in-process queue and store): the 202 and its
 * Location, status, result identical to the synchronous answer, errors, cancel,
 * ownership, webhooks signed as Standard Webhooks says (verified here with node:crypto).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authHeaders, customers, OTHER_TENANT, post, SECRET, SEGMENTATION_PATH, sha256Hex, TENANT, testServer, TOKEN, withoutTimings } from './helpers/http';

const OTHER_TOKEN = 'other-token-0123456789abcdef';
const OTHER_SECRET = 'O'.repeat(64);
const WEBHOOK_SECRET = `whsec_${Buffer.from('a test signing key of 32 bytes!!').toString('base64')}`;

let server: Awaited<ReturnType<typeof testServer>>;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
let hookUrl = '';
let hookServer: ReturnType<typeof createServer>;
let failFirst = 0;

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      // The first deliveries fail with 503: the sender must retry.
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  server = await testServer({
    tokens: [TOKEN, OTHER_TOKEN],
    tenants: {
      tenants: [
        { id: TENANT, secretSha256: sha256Hex(SECRET), webhookSecret: WEBHOOK_SECRET },
        { id: OTHER_TENANT, secretSha256: sha256Hex(OTHER_SECRET) },
      ],
    },
    webhookAllowedHosts: ['127.0.0.1'],
    webhookBackoffMs: 50,
  });
});

afterAll(async () => {
  await server?.close();
  hookServer?.close();
});

const body = (n = 60, extra: Record<string, unknown> = {}) => JSON.stringify({ data: customers(n), n_clusters: 3, ...extra });

async function get(path: string, headers = authHeaders()) {
  const res = await fetch(server.url + path, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function finished(location: string, headers = authHeaders()) {
  return vi.waitFor(
    async () => {
      const s = await get(location, headers);
      expect(['succeeded', 'failed', 'cancelled']).toContain(s.json.status);
      return s;
    },
    { timeout: 20_000, interval: 20 },
  );
}

describe('async segmentation (in-process queue)', () => {
  it('answers 202 with Location and Retry-After, and the result equals the synchronous body', async () => {
    const sync = await post(server.endpoint, body());
    expect(sync.status).toBe(200);
    const accepted = await post(server.endpoint, body(), authHeaders({ Prefer: 'respond-async' }));
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${SEGMENTATION_PATH}/jobs/[0-9a-f-]{36}$`));
    expect(Number(accepted.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(accepted.json.status).toBe('queued');
    expect(accepted.json.id).toBe(location.split('/').at(-1));

    const status = await finished(location);
    expect(status.json).toMatchObject({ id: accepted.json.id, status: 'succeeded', progress: { stage: 'done', percent: 100 } });
    for (const field of ['created_at', 'started_at', 'finished_at']) expect(Number.isNaN(Date.parse(status.json[field]))).toBe(false);
    const result = await get(`${location}/result`);
    expect(result.status).toBe(200);
    expect(withoutTimings(result.json)).toEqual(withoutTimings(sync.json));
  });

  it('?async=true works too, and an invalid request gives the synchronous error body and status', async () => {
    const bad = JSON.stringify({ data: customers(20), n_clusters: 'many' });
    const sync = await post(server.endpoint, bad, authHeaders({ 'Accept-Language': 'es' }));
    expect(sync.status).toBeGreaterThanOrEqual(400);
    const accepted = await post(`${server.endpoint}?async=true`, bad, authHeaders({ 'Accept-Language': 'es' }));
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const status = await finished(location);
    expect(status.json.status).toBe('failed');
    expect(status.json.error.code).toBe(sync.json.code);
    const result = await get(`${location}/result`);
    expect(result.status).toBe(sync.status);
    expect(result.json).toEqual(sync.json);
    expect(result.headers.get('content-language')).toBe('es');
  });

  it('refuses as the synchronous path does before queueing (auth, media type)', async () => {
    const noAuth = await post(server.endpoint, body(), { 'Content-Type': 'application/json', Prefer: 'respond-async' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.json.code).toBe('AUTH_FAILED');
    const text = await post(server.endpoint, body(), authHeaders({ 'Content-Type': 'text/plain', Prefer: 'respond-async' }));
    expect(text.status).toBe(415);
  });

  it('a job is 404 to another token or tenant, and to an unknown id', async () => {
    const accepted = await post(server.endpoint, body(), authHeaders({ Prefer: 'respond-async' }));
    const location = accepted.headers.get('location')!;
    const otherToken = await get(location, authHeaders({ Authorization: `Bearer ${OTHER_TOKEN}` }));
    expect(otherToken.status).toBe(404);
    expect(otherToken.json.code).toBe('JOB_NOT_FOUND');
    const otherTenant = await get(location, authHeaders({ 'X-Customer-Api-Id': OTHER_TENANT, 'X-Secret': OTHER_SECRET }));
    expect(otherTenant.status).toBe(404);
    const del = await fetch(server.url + location, { method: 'DELETE', headers: authHeaders({ Authorization: `Bearer ${OTHER_TOKEN}` }) });
    expect(del.status).toBe(404);
    expect((await get(`${SEGMENTATION_PATH}/jobs/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await get(location, { Authorization: 'Bearer nope-nope-nope-nope' })).status).toBe(401);
    expect((await get(location)).status).toBe(200);
  });

  it('cancels a queued job: status cancelled, result 409', async () => {
    // Enough big jobs ahead to keep the two workers busy while the last one waits.
    const ahead = await Promise.all(Array.from({ length: 4 }, () => post(server.endpoint, body(4000), authHeaders({ Prefer: 'respond-async' }))));
    const victim = await post(server.endpoint, body(), authHeaders({ Prefer: 'respond-async' }));
    const location = victim.headers.get('location')!;
    const del = await fetch(server.url + location, { method: 'DELETE', headers: authHeaders() });
    expect(del.status).toBe(200);
    expect((await del.json()).status).toBe('cancelled');
    const status = await get(location);
    expect(status.json.status).toBe('cancelled');
    expect(status.json.error.code).toBe('CANCELLED');
    expect((await get(`${location}/result`)).status).toBe(409);
    for (const a of ahead) await finished(a.headers.get('location')!);
    // It never ran: it stays cancelled after the jobs ahead of it are done.
    expect((await get(location)).json.status).toBe('cancelled');
    expect((await get(location)).json.started_at).toBeNull();
  });

  it('refuses a callback_url on a host the operator did not allow, naming the parameter', async () => {
    const r = await post(server.endpoint, body(30, { callback_url: 'http://10.1.2.3/hook' }), authHeaders({ Prefer: 'respond-async' }));
    expect(r.status).toBe(422);
    expect(r.json.details.parameter).toBe('callback_url');
    const r2 = await post(server.endpoint, body(30, { callback_url: 'ftp://127.0.0.1/x' }), authHeaders({ Prefer: 'respond-async' }));
    expect(r2.status).toBe(422);
  });

  it('POSTs the finished job to callback_url, signed (verified independently), after retrying a 503', async () => {
    failFirst = 1;
    received.length = 0;
    const accepted = await post(server.endpoint, body(50, { callback_url: hookUrl }), authHeaders({ Prefer: 'respond-async' }));
    expect(accepted.status).toBe(202);
    await vi.waitFor(() => expect(received.length).toBe(1), { timeout: 20_000, interval: 20 });
    const { headers, body: raw } = received[0];
    const id = String(headers['webhook-id']);
    const timestamp = String(headers['webhook-timestamp']);
    const key = Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
    expect(String(headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
    const event = JSON.parse(raw);
    expect(event.type).toBe('segmentation.job.succeeded');
    expect(event.data.id).toBe(accepted.json.id);
    expect(event.data.status).toBe('succeeded');
    expect(event.data.result.segments.length).toBeGreaterThan(0);
  });

  it('serve --no-workers refuses to start without REDIS_URL (nothing would run the jobs)', async () => {
    await expect(testServer({ runJobs: false })).rejects.toThrow(/--no-workers needs REDIS_URL/);
  });

  it('reports the queue in /readyz and metrics in /metrics', async () => {
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.queue).toMatchObject({ engine: 'memory', status: 'ready' });
    const res = await fetch(`${server.url}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(/^segmint_jobs_submitted_total \d+/m);
    expect(text).toMatch(/segmint_job_duration_seconds_count\{status="succeeded"\} [1-9]/);
    expect(text).toMatch(/segmint_job_queue_depth\{state="waiting"\} 0/);
  });
});

/** The stages in the order the pipeline passes them, written out here, not taken from the code. */
const PIPELINE_ORDER = ['queued', 'starting', 'parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize', 'storing', 'done'];

describe('waiting for a job and watching its progress (in-process queue)', () => {
  it('GET .../result with Prefer: wait holds the answer until the job finishes, then gives the synchronous body', async () => {
    // k chosen automatically on 3,000 customers: long enough that the first GET finds it unfinished.
    const request = JSON.stringify({ data: customers(3000, 11) });
    const accepted = await post(server.endpoint, request, authHeaders({ Prefer: 'respond-async' }));
    const location = accepted.headers.get('location')!;
    const early = await get(`${location}/result`);
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('JOB_NOT_FINISHED');
    const held = await get(`${location}/result`, authHeaders({ Prefer: 'wait=40' }));
    expect(held.status).toBe(200);
    const sync = await post(server.endpoint, request);
    expect(withoutTimings(held.json)).toEqual(withoutTimings(sync.json));
    // On the status route too: a finished job answers at once.
    const status = await get(location, authHeaders({ Prefer: 'wait=40' }));
    expect(status.json).toMatchObject({ status: 'succeeded', progress: { stage: 'done', percent: 100 } });
  });

  it('reports the pipeline stages in order, with a percent that never goes down', async () => {
    const accepted = await post(server.endpoint, JSON.stringify({ data: customers(2500, 5) }), authHeaders({ Prefer: 'respond-async' }));
    const location = accepted.headers.get('location')!;
    const seen: { stage: string; percent: number }[] = [accepted.json.progress];
    // Polled back to back (each answer is awaited), until finished or the deadline.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = await get(location);
      const last = seen.at(-1)!;
      if (s.json.progress.stage !== last.stage || s.json.progress.percent !== last.percent) seen.push(s.json.progress);
      if (s.json.status === 'succeeded') break;
      expect(['queued', 'running']).toContain(s.json.status);
      expect(Date.now()).toBeLessThan(deadline);
    }
    const positions = seen.map((p) => PIPELINE_ORDER.indexOf(p.stage));
    expect(positions).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const percents = seen.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(seen[0]).toEqual({ stage: 'queued', percent: 0 });
    expect(seen.at(-1)).toEqual({ stage: 'done', percent: 100 });
    // Something between start and storing was seen: the stages come from the pipeline itself.
    expect(seen.some((p) => ['parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize'].includes(p.stage))).toBe(true);
  });
});

describe('shutdown with jobs running (in-process queue)', () => {
  it('lets a running job finish within the drain timeout instead of dropping it', async () => {
    const own = await testServer({ drainTimeoutMs: 30_000 });
    const accepted = await post(own.endpoint, JSON.stringify({ data: customers(3000, 13) }), authHeaders({ Prefer: 'respond-async' }));
    const id = accepted.json.id as string;
    const store = own.service.jobsApi.engine.store;
    await vi.waitFor(async () => expect((await store.get(id))?.status).toBe('running'), { timeout: 20_000, interval: 5 });
    await own.close();
    expect((await store.get(id))?.status).toBe('succeeded');
    expect(await store.result(id)).toContain('"segments"');
  });
});

describe('async segmentation limits (in-process queue)', () => {
  let limited: Awaited<ReturnType<typeof testServer>>;
  let clockOffset = 0;

  beforeAll(async () => {
    limited = await testServer({ jobMaxStoredBytes: 10_000, jobTtlSeconds: 60, now: () => Date.now() + clockOffset });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('refuses with 413 before queueing a body whose compressed size is past the limit; the synchronous path is not limited by it', async () => {
    const big = JSON.stringify({ data: customers(2000), n_clusters: 3 });
    const refused = await post(limited.endpoint, big, authHeaders({ Prefer: 'respond-async' }));
    expect(refused.status).toBe(413);
    expect(refused.json.code).toBe('PAYLOAD_TOO_LARGE');
    expect(refused.json.details).toMatchObject({ limit: 10_000, location: 'body' });
    expect(refused.headers.get('location')).toBeNull();
    expect((await post(limited.endpoint, big)).status).toBe(200);
  });

  it('forgets a job once its TTL has passed (404)', async () => {
    const accepted = await post(limited.endpoint, JSON.stringify({ data: customers(20), n_clusters: 2 }), authHeaders({ Prefer: 'respond-async' }));
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const poll = async () => {
      const res = await fetch(limited.url + location, { headers: authHeaders() });
      return { status: res.status, json: await res.json() };
    };
    await vi.waitFor(async () => expect((await poll()).json.status).toBe('succeeded'), { timeout: 20_000, interval: 20 });
    clockOffset = 59_000;
    expect((await poll()).status).toBe(200);
    clockOffset = 61_000;
    const gone = await poll();
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe('JOB_NOT_FOUND');
  });
});
