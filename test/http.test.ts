/**
 * The segmentation endpoint on a real server on 127.0.0.1: the reference's clients, every
 * status of its table from a real request, authentication, languages, logs.
 * Expected bodies come from the reference document or from calling segment() directly.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { segment } from '../src/segment';
import { Authenticator } from '../src/http/auth';
import { resolveConfig, parseDotEnv } from '../src/http/config';
import { NoCredentialsError, startServer, serveCommand } from '../src/http/server';
import {
  authHeaders,
  customers,
  DAY_MS,
  OTHER_TENANT,
  post,
  SECRET,
  SEGMENTATION_PATH,
  sha256Hex,
  TENANT,
  testServer,
  TOKEN,
  withoutTimings,
} from './helpers/http';

const run = promisify(execFile);

const AUTH_FAILED = { error: 'Unauthorized', message: 'Invalid or expired authentication token', code: 'AUTH_FAILED' };

// The body of the reference's curl example, byte for byte (its -d argument).
const CURL_BODY = `{
    "data": [
      {"customer_id": "123", "total_purchases": 1500, "frequency": 12},
      {"customer_id": "456", "total_purchases": 3000, "frequency": 24}
    ],
    "algorithm": "kmeans",
    "n_clusters": 3
  }`;

describe('reference clients', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  /** What the reference's 2-customer example must get, written out (not taken from segment()). */
  function expectReferenceAnswer(json: any): void {
    expect(json.segments).toHaveLength(2);
    expect(json.meta.n_clusters).toBe(2);
    const byCustomer = Object.fromEntries(json.segments.map((s: any) => [s.customers.join(','), s]));
    expect(Object.keys(byCustomer).sort()).toEqual(['123', '456']);
    expect(byCustomer['123'].characteristics).toEqual({ avg_total_purchases: 1500, avg_purchases: 1500, avg_frequency: 12 });
    expect(byCustomer['456'].characteristics).toEqual({ avg_total_purchases: 3000, avg_purchases: 3000, avg_frequency: 24 });
    expect(json.meta.warnings).toContainEqual({
      code: 'n_clusters_reduced',
      message: 'n_clusters pediu 3 segmentos, mas os clientes têm apenas 2 combinações distintas de valores, então há 2 segmentos.',
    });
  }

  it("runs the reference's curl example unchanged: 200, 2 segments and n_clusters_reduced in Portuguese", async () => {
    const { stdout } = await run('curl', [
      '-s',
      '-i',
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${TOKEN}`,
      '-H',
      `X-Customer-Api-Id: ${TENANT}`,
      '-H',
      `X-Secret: ${SECRET}`,
      '-H',
      'Accept-Language: pt',
      '-H',
      'Content-Type: application/json',
      '-d',
      CURL_BODY,
      server.endpoint,
    ]);
    const [head, body] = stdout.split('\r\n\r\n');
    const status = Number(head.split(' ')[1]);
    expect(head).toMatch(/content-language: pt/i);
    expect(status).toBe(200);
    expectReferenceAnswer(JSON.parse(body));
  });

  it("runs the reference's JavaScript (fetch) example as written", async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'X-Customer-Api-Id': TENANT,
        'X-Secret': SECRET,
        'Accept-Language': 'pt',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        data: [
          { customer_id: '123', total_purchases: 1500, frequency: 12 },
          { customer_id: '456', total_purchases: 3000, frequency: 24 },
        ],
        algorithm: 'kmeans',
        n_clusters: 3,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-language')).toBe('pt');
    expectReferenceAnswer(await response.json());
  });

  it('a larger fetch in Portuguese equals segment() called directly', async () => {
    const data = customers(600, 3).map((c) => ({ customer_id: c.customer_id, total_purchases: c.total_purchases, frequency: c.frequency }));
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: authHeaders({ 'Accept-Language': 'pt' }),
      body: JSON.stringify({ data, algorithm: 'kmeans', n_clusters: 3 }),
    });
    const result = await response.json();
    expect(response.status).toBe(200);
    const direct = await segment({ data, algorithm: 'kmeans', n_clusters: 3 }, { locale: 'pt' });
    expect(withoutTimings(result)).toEqual(withoutTimings(direct));
    expect(result.segments).toHaveLength(3);
    expect(typeof result.metrics.silhouette_score).toBe('number');
  });

  it('runs the PHP (Laravel Http::post) example: its body as Laravel encodes it, Accept: application/json', async () => {
    // Laravel's Http::post sends json_encode of the array: compact, no spaces.
    const body =
      '{"data":[{"customer_id":"123","total_purchases":1500,"frequency":12},{"customer_id":"456","total_purchases":3000,"frequency":24}],"algorithm":"kmeans","n_clusters":3}';
    const r = await post(server.endpoint, body, {
      'User-Agent': 'GuzzleHttp/7',
      Authorization: `Bearer ${TOKEN}`,
      'X-Customer-Api-Id': TENANT,
      'X-Secret': SECRET,
      'Accept-Language': 'pt',
      'Content-Type': 'application/json',
      Accept: 'application/json',
    });
    expect(r.status).toBe(200);
    expectReferenceAnswer(r.json);
  });
});

describe('statuses of the reference table, from real requests', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  const small = JSON.stringify({ data: customers(300, 11), n_clusters: 3 });
  beforeAll(async () => {
    server = await testServer({
      maxBodyBytes: 64 * 1024,
      tenants: {
        tenants: [
          { id: TENANT, secretSha256: sha256Hex(SECRET), secretIssuedAt: new Date(Date.now() - 10 * DAY_MS).toISOString() },
          { id: OTHER_TENANT, secretSha256: sha256Hex('o'.repeat(64)) },
          {
            id: '11111111-2222-4333-8444-555555555555',
            secretSha256: sha256Hex('e'.repeat(64)),
            secretIssuedAt: new Date(Date.now() - 91 * DAY_MS).toISOString(),
          },
          {
            id: '66666666-7777-4888-9999-000000000000',
            secretSha256: sha256Hex('w'.repeat(64)),
            secretIssuedAt: new Date(Date.now() - 80 * DAY_MS).toISOString(),
          },
        ],
        tokens: [
          { sha256: sha256Hex('expired-token'), expiresAt: new Date(Date.now() - DAY_MS).toISOString() },
          { sha256: sha256Hex('other-tenant-token'), tenants: [OTHER_TENANT] },
        ],
      },
    });
  });
  afterAll(() => server.close());

  it('200 with the reference fields', async () => {
    const r = await post(server.endpoint, small);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-language')).toBe('en');
    for (const s of r.json.segments) expect(Object.keys(s)).toEqual(expect.arrayContaining(['segment_id', 'size', 'characteristics', 'customers']));
    expect(Object.keys(r.json.metrics)).toEqual(expect.arrayContaining(['silhouette_score', 'davies_bouldin_score']));
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('400 for malformed JSON and for a body without data (the reference body)', async () => {
    const bad = await post(server.endpoint, '{"data": [');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'Invalid parameters', code: 'MALFORMED_JSON' });
    const empty = await post(server.endpoint, '');
    expect(empty.status).toBe(400);
    expect(empty.json.code).toBe('MALFORMED_JSON');
    const missing = await post(server.endpoint, '{"algorithm":"kmeans"}');
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      error: 'Validation failed',
      message: "Required parameter 'data' is missing",
      code: 'MISSING_PARAMETER',
      details: { parameter: 'data', location: 'body' },
    });
  });

  it('401 with the exact reference body for a missing, unknown, malformed or expired token', async () => {
    const cases: Record<string, string>[] = [
      authHeaders({ Authorization: '' }),
      authHeaders({ Authorization: 'Bearer nope' }),
      authHeaders({ Authorization: `Basic ${TOKEN}` }),
      authHeaders({ Authorization: 'Bearer expired-token' }),
      authHeaders({ Authorization: `Bearer ${TOKEN}x` }),
    ];
    for (const headers of cases) {
      if (headers.Authorization === '') delete headers.Authorization;
      const r = await post(server.endpoint, small, headers);
      expect(r.status).toBe(401);
      expect(r.text).toBe(JSON.stringify(AUTH_FAILED));
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // Clients match on it: the same English body whatever the language.
    const es = await post(server.endpoint, small, { 'Accept-Language': 'es', 'Content-Type': 'application/json' });
    expect(es.json).toEqual(AUTH_FAILED);
    // ...and the header says which language that body is in.
    expect(es.headers.get('content-language')).toBe('en');
  });

  it('401 for a wrong secret or an unknown tenant, 401 SECRET_EXPIRED past 90 days', async () => {
    const wrong = await post(server.endpoint, small, authHeaders({ 'X-Secret': 'x'.repeat(64) }));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: 'Unauthorized', message: 'Invalid authentication credentials', code: 'AUTH_FAILED' });
    const unknown = await post(server.endpoint, small, authHeaders({ 'X-Customer-Api-Id': 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }));
    expect(unknown.status).toBe(401);
    expect(unknown.json.code).toBe('AUTH_FAILED');
    const expired = await post(
      server.endpoint,
      small,
      authHeaders({ 'X-Customer-Api-Id': '11111111-2222-4333-8444-555555555555', 'X-Secret': 'e'.repeat(64) }),
    );
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ error: 'Unauthorized', code: 'SECRET_EXPIRED', details: { parameter: 'X-Secret', location: 'header' } });
  });

  it('warns in a header during the last 14 days of a secret, not before', async () => {
    const near = await post(server.endpoint, small, authHeaders({ 'X-Customer-Api-Id': '66666666-7777-4888-9999-000000000000', 'X-Secret': 'w'.repeat(64) }));
    expect(near.status).toBe(200);
    expect(near.headers.get('warning')).toMatch(/^299 segmint "The secret expires in 10 days/);
    expect(new Date(near.headers.get('x-secret-expires-at')!).getTime()).toBeGreaterThan(Date.now());
    const fresh = await post(server.endpoint, small);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('warning')).toBeNull();
  });

  it('400 for a missing tenant header, 422 naming a malformed header', async () => {
    const noTenant = await post(server.endpoint, small, authHeaders({ 'X-Customer-Api-Id': '' }));
    // An empty header value is malformed, an absent one missing.
    expect(noTenant.status).toBe(422);
    const headers = authHeaders();
    delete headers['X-Secret'];
    const noSecret = await post(server.endpoint, small, headers);
    expect(noSecret.status).toBe(400);
    expect(noSecret.json).toEqual({
      error: 'Validation failed',
      message: "Required parameter 'X-Secret' is missing",
      code: 'MISSING_PARAMETER',
      details: { parameter: 'X-Secret', location: 'header' },
    });
    const notV4 = await post(server.endpoint, small, authHeaders({ 'X-Customer-Api-Id': '3f2c1a9e-7b4d-1c8e-9a1f-2b3c4d5e6f70' }));
    expect(notV4.status).toBe(422);
    expect(notV4.json).toMatchObject({ code: 'INVALID_PARAMETER', details: { parameter: 'X-Customer-Api-Id', location: 'header' } });
    expect(notV4.json.message).toContain('X-Customer-Api-Id');
    const shortSecret = await post(server.endpoint, small, authHeaders({ 'X-Secret': 'short' }));
    expect(shortSecret.status).toBe(422);
    expect(shortSecret.json.details).toEqual({ parameter: 'X-Secret', location: 'header' });
  });

  it('403 for a valid token not allowed for the tenant', async () => {
    const r = await post(server.endpoint, small, authHeaders({ Authorization: 'Bearer other-tenant-token' }));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: 'Forbidden', code: 'FORBIDDEN' });
    const own = await post(
      server.endpoint,
      small,
      authHeaders({ Authorization: 'Bearer other-tenant-token', 'X-Customer-Api-Id': OTHER_TENANT, 'X-Secret': 'o'.repeat(64) }),
    );
    expect(own.status).toBe(200);
  });

  it('413 past the body limit, declared or streamed', async () => {
    const big = JSON.stringify({ data: customers(2000, 5) });
    expect(big.length).toBeGreaterThan(64 * 1024);
    const declared = await post(server.endpoint, big);
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 65536 } });
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
        controller.close();
      },
    });
    const chunked = await fetch(server.endpoint, { method: 'POST', headers: authHeaders(), body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('415 for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      const r = await post(server.endpoint, small, authHeaders({ 'Content-Type': type }));
      expect(r.status).toBe(415);
      expect(r.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { parameter: 'Content-Type', location: 'header' } });
    }
    expect((await post(server.endpoint, small, authHeaders({ 'Content-Type': 'application/json; charset=UTF-8' }))).status).toBe(200);
  });

  it('422 for a request segment() cannot serve, with the parameter named', async () => {
    const request = { data: customers(50, 1), features: ['total_purchases', 'age'] };
    const r = await post(server.endpoint, JSON.stringify(request));
    expect(r.status).toBe(422);
    let expected: any;
    try {
      await segment(request);
    } catch (err: any) {
      expected = err.toJSON();
    }
    expect(r.json).toEqual(expected);
    expect(r.json).toMatchObject({ error: 'Validation failed', code: 'UNKNOWN_FEATURE', details: { parameter: 'features' } });
  });

  it('n_clusters above the customers is a 200 with as many segments as they allow', async () => {
    const data = customers(50, 1);
    const r = await post(server.endpoint, JSON.stringify({ data, n_clusters: 60 }));
    expect(r.status).toBe(200);
    expect(r.json.segments).toHaveLength(50);
    expect(r.json.meta.warnings).toContainEqual(expect.objectContaining({ code: 'n_clusters_reduced' }));
  });

  it('a gzip body is accepted, with the limit on its decompressed size', async () => {
    const zipped = gzipSync(small);
    const r = await post(server.endpoint, zipped, authHeaders({ 'Content-Encoding': 'gzip' }));
    expect(r.status).toBe(200);
    const plain = await post(server.endpoint, small);
    expect(withoutTimings(r.json)).toEqual(withoutTimings(plain.json));
    // 64 KiB limit: a 1 MiB body compresses to a few KiB but must still be refused.
    const bomb = gzipSync(JSON.stringify({ data: customers(2, 1), pad: ' '.repeat(1 << 20) }));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const big = await post(server.endpoint, bomb, authHeaders({ 'Content-Encoding': 'gzip' }));
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 65536 } });
    const corrupt = await post(server.endpoint, new TextEncoder().encode(small), authHeaders({ 'Content-Encoding': 'gzip' }));
    expect(corrupt.status).toBe(400);
    expect(corrupt.json).toMatchObject({ code: 'MALFORMED_JSON', details: { parameter: 'Content-Encoding' } });
  });

  it('415 naming Content-Encoding for any encoding but gzip and identity', async () => {
    for (const encoding of ['br', 'deflate', 'gzip, br']) {
      const r = await post(server.endpoint, small, authHeaders({ 'Content-Encoding': encoding }));
      expect(r.status).toBe(415);
      expect(r.json).toMatchObject({
        error: 'Unsupported media type',
        code: 'UNSUPPORTED_MEDIA_TYPE',
        details: { parameter: 'Content-Encoding', location: 'header' },
      });
      expect(r.json.message).toContain(encoding);
    }
    expect((await post(server.endpoint, small, authHeaders({ 'Content-Encoding': 'identity' }))).status).toBe(200);
  });

  it('error is the same English title in every language; message follows Accept-Language', async () => {
    const pt = (extra: Record<string, string> = {}) => authHeaders({ 'Accept-Language': 'pt', ...extra });
    const big = JSON.stringify({ data: customers(2000, 5) });
    const answers = [
      [await post(server.endpoint, '{"data": 1', pt()), 400, 'Invalid parameters'],
      [await post(server.endpoint, big, pt()), 413, 'Payload too large'],
      [await post(server.endpoint, small, pt({ 'Content-Type': 'text/plain' })), 415, 'Unsupported media type'],
      [await post(server.endpoint, JSON.stringify({ data: [customers(1, 1)[0]] }), pt()), 422, 'Validation failed'],
    ] as const;
    for (const [r, status, title] of answers) {
      expect(r.status).toBe(status);
      expect(r.json.error).toBe(title);
      expect(r.headers.get('content-language')).toBe('pt');
    }
    expect(answers[3][0].json.message).toBe('São necessários pelo menos 2 clientes para a segmentação; foram recebidos 1.');
  });

  it('404 elsewhere, 405 for GET on the endpoint, /healthz and /readyz', async () => {
    expect((await fetch(server.url + '/nope')).status).toBe(404);
    const get = await fetch(server.endpoint);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await (await fetch(server.url + '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await fetch(server.url + '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', workers: 2, rate_limit_store: 'memory' });
  });
});

describe('limits: 429, 500, 503', () => {
  it('429 past the per-token rate, with Retry-After and RateLimit headers', async () => {
    const server = await testServer({ rateLimit: 3 });
    try {
      const body = JSON.stringify({ algorithm: 'kmeans' });
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await post(server.endpoint, body);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
      expect(last!.json).toMatchObject({ error: 'Too many requests', code: 'RATE_LIMITED' });
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.headers.get('ratelimit-limit')).toBe('3');
      expect(last!.headers.get('ratelimit-remaining')).toBe('0');
      const pt = await post(server.endpoint, body, authHeaders({ 'Accept-Language': 'pt' }));
      expect(pt.status).toBe(429);
      expect(pt.json.error).toBe('Too many requests');
      expect(pt.json.message).toMatch(/^Limite de requisições excedido/);
      // Counted per token: a bad token is refused before it could use the budget up.
      expect((await post(server.endpoint, body, authHeaders({ Authorization: 'Bearer other' }))).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('500 without internals when a worker fails or the authenticate hook throws', async () => {
    const faulty = await testServer({ workerFile: fileURLToPath(new URL('./helpers/http-faulty-worker.mjs', import.meta.url)) });
    try {
      const r = await post(faulty.endpoint, JSON.stringify({ data: customers(20, 1) }));
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: 'Failed to communicate with AI service', message: 'Internal server error', code: 'INTERNAL_ERROR' });
      expect(r.text).not.toMatch(/secret|\.ts|at /);
      expect((await fetch(faulty.url + '/healthz')).status).toBe(200);
    } finally {
      await faulty.close();
    }
    const hooked = await testServer({
      authenticate: () => {
        throw new Error('directory unreachable at ldap://internal');
      },
    });
    try {
      const r = await post(hooked.endpoint, '{}', { 'Content-Type': 'application/json', 'Accept-Language': 'es' });
      expect(r.status).toBe(500);
      expect(r.json.code).toBe('INTERNAL_ERROR');
      expect(r.text).not.toContain('ldap');
    } finally {
      await hooked.close();
    }
  });

  it('503 TIMEOUT past the deadline; the worker is freed and the server keeps answering', async () => {
    const server = await testServer({ timeoutMs: 1, workers: 1, retryAfterSeconds: 7 });
    try {
      const body = JSON.stringify({ data: customers(5000, 2), n_clusters: 'auto' });
      const r = await post(server.endpoint, body);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ error: 'Request timeout', code: 'TIMEOUT' });
      // The configured limit exactly (1 ms), not rounded up to a whole second.
      expect(r.json.message).toBe('Processing exceeded the limit of 0.001 seconds.');
      expect(r.headers.get('retry-after')).toBe('7');
      const ready = await (await fetch(server.url + '/readyz')).json();
      expect(ready).toMatchObject({ status: 'ready', running: 0, queued: 0 });
      // The replacement thread works: a ping-sized job still fails only by the deadline, not by a dead pool.
      const again = await post(server.endpoint, body);
      expect(again.status).toBe(503);
      expect(again.json.code).toBe('TIMEOUT');
    } finally {
      await server.close();
    }
  });

  it('503 SERVICE_UNAVAILABLE when the queue is full', async () => {
    const server = await testServer({ workers: 1, maxQueue: 0, retryAfterSeconds: 3 });
    try {
      const heavy = JSON.stringify({ data: customers(10000, 9), n_clusters: 'auto', algorithm: 'auto' });
      const first = post(server.endpoint, heavy);
      // Wait (with a deadline) until the first job holds the only worker.
      await vi.waitFor(
        async () => {
          const ready = await (await fetch(server.url + '/readyz')).json();
          expect(ready.running).toBe(1);
        },
        { timeout: 20_000, interval: 5 },
      );
      const second = await post(server.endpoint, heavy);
      expect(second.status).toBe(503);
      expect(second.json).toMatchObject({ error: 'Service unavailable', code: 'SERVICE_UNAVAILABLE' });
      expect(second.headers.get('retry-after')).toBe('3');
      expect((await first).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('Accept-Language', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  const data = customers(800, 21);
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  for (const [header, locale] of [
    ['pt', 'pt'],
    ['es', 'es'],
    ['fr;q=1, es-MX;q=0.9, pt;q=0.8', 'es'],
    ['de', 'en'],
    ['pt-BR,pt;q=0.9,en;q=0.8', 'pt'],
  ] as const) {
    it(`${header} -> ${locale}: labels, descriptions and messages`, async () => {
      const r = await post(server.endpoint, JSON.stringify({ data, n_clusters: 4, seed: 1 }), authHeaders({ 'Accept-Language': header }));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-language')).toBe(locale);
      const direct = await segment({ data, n_clusters: 4, seed: 1 }, { locale });
      expect(r.json.segments.map((s: any) => [s.label, s.description])).toEqual(direct.segments.map((s) => [s.label, s.description]));
      const err = await post(server.endpoint, '{"data": 1', authHeaders({ 'Accept-Language': header }));
      expect(err.headers.get('content-language')).toBe(locale);
    });
  }

  it('error messages differ by language', async () => {
    const messages = new Set<string>();
    for (const lang of ['en', 'es', 'pt']) {
      const r = await post(server.endpoint, '{"nope":1}', authHeaders({ 'Accept-Language': lang, 'Content-Type': 'text/plain' }));
      messages.add(r.json.message);
    }
    expect(messages.size).toBe(3);
  });
});

describe('configuration and serve', () => {
  it('clients may omit the tenant headers when the server has them configured', async () => {
    const secret = 'k'.repeat(64);
    const server = await testServer({ tenants: {}, customerApiId: TENANT, secret, secretIssuedAt: new Date().toISOString() });
    try {
      const body = JSON.stringify({ data: customers(100, 3), n_clusters: 2 });
      expect((await post(server.endpoint, body, { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' })).status).toBe(200);
      expect((await post(server.endpoint, body, authHeaders({ 'X-Secret': secret }))).status).toBe(200);
      expect((await post(server.endpoint, body, authHeaders({ 'X-Secret': 'z'.repeat(64) }))).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('reads .env and the tenants file; options in code win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segmint-env-'));
    writeFileSync(
      join(dir, 'tenants.json'),
      JSON.stringify({ tenants: [{ id: TENANT, secretSha256: sha256Hex(SECRET) }], tokens: [{ sha256: sha256Hex('t3'), name: 'ci' }] }),
    );
    writeFileSync(
      join(dir, '.env'),
      `# comment\nSEGMINT_TOKENS=t1, t2\nexport SEGMINT_RATE_LIMIT=5\nSEGMINT_TENANTS_FILE="${join(dir, 'tenants.json')}"\nSEGMINT_TIMEOUT_MS=1000 # inline\nSEGMINT_WORKERS=3\n`,
    );
    const env = parseDotEnv(readFileSync(join(dir, '.env'), 'utf8'));
    const config = resolveConfig({ env, timeoutMs: 2000 });
    expect(config.tokens).toEqual(['t1', 't2']);
    expect(config.rateLimit).toBe(5);
    expect(config.timeoutMs).toBe(2000);
    expect(config.workers).toBe(3);
    expect(config.tenants.tenants).toHaveLength(1);
    expect(() => resolveConfig({ env: { SEGMINT_RATE_LIMIT: 'many' } })).toThrow(/SEGMINT_RATE_LIMIT/);
    // A tenants file holds digests only: a plain-text token there is refused on start.
    expect(() => new Authenticator(resolveConfig({ env: {}, tenants: { tokens: [{ sha256: 'plain-text-token' }] } }))).toThrow(/SHA-256/);
  });

  it('refuses to start without credentials; --dev prints a working token', async () => {
    await expect(startServer({ port: 0, env: {}, logger: false, workers: 1 })).rejects.toBeInstanceOf(NoCredentialsError);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let running: Awaited<ReturnType<typeof serveCommand>>;
    try {
      running = await serveCommand(['--dev', '--port', '0', '--workers', '1'], { env: {}, logger: false });
    } finally {
      process.stderr.write = write;
    }
    expect(running).not.toBeNull();
    try {
      const printed = stderr.join('');
      expect(printed).toContain(running!.devToken!);
      // The sample curl it prints, run as a user would paste it into a shell.
      const command = printed.slice(printed.indexOf('curl '));
      const { stdout } = await run('bash', ['-c', command.replace(/^curl /, 'curl -s -w "\\n%{http_code}" ')]);
      const lines = stdout.trim().split('\n');
      expect(lines.at(-1)).toBe('200');
      expect(JSON.parse(lines.slice(0, -1).join('\n')).segments.length).toBeGreaterThan(0);
      const r = await post(running!.url + SEGMENTATION_PATH, JSON.stringify({ data: customers(60, 1), n_clusters: 2 }), {
        Authorization: `Bearer ${running!.devToken}`,
        'Content-Type': 'application/json',
      });
      expect(r.status).toBe(200);
    } finally {
      await running!.close();
    }
  });

  it('logs JSON lines with a request id and timings, never a token or secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const server = await testServer({ logger: pino({ level: 'info' }, sink) });
    try {
      await post(server.endpoint, JSON.stringify({ data: customers(100, 2), n_clusters: 2 }), authHeaders({ 'X-Request-Id': 'req-abc-1' }));
      await post(server.endpoint, '{}', authHeaders({ Authorization: 'Bearer leaked-token-value' }));
      await post(server.endpoint, '{}', authHeaders({ 'X-Secret': 'q'.repeat(64) }));
    } finally {
      await server.close();
    }
    const all = lines.join('');
    for (const forbidden of [TOKEN, SECRET, 'leaked-token-value', 'q'.repeat(64)]) expect(all).not.toContain(forbidden);
    const entries = all
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ok = entries.find((e) => e.reqId === 'req-abc-1');
    expect(ok).toMatchObject({ status: 200, method: 'POST', tenant: TENANT });
    expect(typeof ok.ms).toBe('number');
    expect(typeof ok.workMs).toBe('number');
    expect(entries.some((e) => e.status === 401 && e.code === 'AUTH_FAILED')).toBe(true);
  });
});
