/**
 * The endpoint under attack (issue 12): raw-socket clients that are slow, that lie about
 * their bodies, that keep sending after a refusal or give up mid-upload, that send what
 * Node's own parser refuses, that guess credentials, and a Redis that is not there.
 * Each case waits on an event or a deadline, never on elapsed time alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { secondsOf } from '../src/http/messages';
import { errorMessage } from '../src/i18n/index';
import { authHeaders, customers, post, SEGMENTATION_PATH, testServer, TOKEN } from './helpers/http';

const ROOT = resolve(__dirname, '..');

/** A raw HTTP/1.1 exchange: what was read, and whether the server closed the socket. */
interface RawClient {
  socket: Socket;
  /** Resolves with the response head and body once a whole response (by Content-Length) has arrived. */
  response(): Promise<{ status: number; headers: Record<string, string>; body: any }>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
}

function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolveClient, reject) => {
    const socket = connect(Number(port), hostname, () => {
      let data = Buffer.alloc(0);
      let waiting: ((v: Buffer) => void) | undefined;
      socket.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        waiting?.(data);
      });
      socket.on('error', () => {});
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      const response = () =>
        new Promise<{ status: number; headers: Record<string, string>; body: any }>((done, fail) => {
          const attempt = (buf: Buffer) => {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return false;
            const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
            const headers: Record<string, string> = {};
            for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
            const length = Number(headers['content-length'] ?? 0);
            if (buf.length < end + 4 + length) return false;
            const text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
            done({ status: Number(lines[0].split(' ')[1]), headers, body: text ? JSON.parse(text) : undefined });
            return true;
          };
          if (attempt(data)) return;
          waiting = (buf) => {
            if (attempt(buf)) waiting = undefined;
          };
          closed.then(() => {
            if (!attempt(data)) fail(new Error(`connection closed before a whole response: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`));
          });
        });
      resolveClient({ socket, response, closed });
    });
    socket.once('error', reject);
  });
}

function head(path: string, headers: Record<string, string>): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

function logSink(): { lines: () => any[]; stream: Writable } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('memory: admission before buffering', () => {
  it('a full queue answers 503 before the body is read, and closes the connection', async () => {
    const server = await testServer({ workers: 1, maxQueue: 0 });
    try {
      const heavy = post(server.endpoint, JSON.stringify({ data: customers(10000, 9), n_clusters: 'auto', algorithm: 'auto' }));
      await vi.waitFor(
        async () => {
          expect((await (await fetch(`${server.url}/readyz`)).json()).running).toBe(1);
        },
        { timeout: 20_000, interval: 5 },
      );
      const client = await rawClient(server.url);
      // 50 MB announced, none sent: the answer must not wait for it.
      client.socket.write(head(SEGMENTATION_PATH, { ...authHeaders(), 'Content-Length': String(50_000_000) }));
      const r = await within(10_000, '503 before the body', client.response());
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(r.headers.connection).toBe('close');
      await within(10_000, 'socket closed', client.closed);
      expect((await heavy).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('after a large request the worker thread is replaced (its memory goes back), and the next request is served', async () => {
    const server = await testServer({ workers: 1 });
    try {
      // 9 MB of JSON: 200 customers and a long ignored field each.
      const data = customers(200, 3).map((c) => ({ ...c, note: 'x'.repeat(45_000) }));
      const big = JSON.stringify({ data, n_clusters: 2, features: ['total_purchases', 'frequency'] });
      expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
      expect((await post(server.endpoint, big)).status).toBe(200);
      expect((await (await fetch(`${server.url}/readyz`)).json()).workers_recycled).toBe(1);
      const small = await post(server.endpoint, JSON.stringify({ data: customers(100, 1), n_clusters: 2 }));
      expect(small.status).toBe(200);
      expect((await (await fetch(`${server.url}/readyz`)).json()).workers_recycled).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('bodies past the in-flight budget get 503 before they are read', async () => {
    const server = await testServer({ maxInflightBytes: 1_000_000 });
    try {
      const client = await rawClient(server.url);
      client.socket.write(head(SEGMENTATION_PATH, { ...authHeaders(), 'Content-Length': String(2_000_000) }));
      const r = await within(10_000, '503', client.response());
      expect(r.status).toBe(503);
      expect(r.headers.connection).toBe('close');
      // Within the budget, the same server serves.
      expect((await post(server.endpoint, JSON.stringify({ data: customers(100, 1), n_clusters: 2 }))).status).toBe(200);
      expect((await (await fetch(`${server.url}/readyz`)).json()).inflight_bytes).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('time: header and body deadlines', () => {
  it('a body that does not arrive in time gets 408 with the error body', async () => {
    const server = await testServer({ bodyTimeoutMs: 300 });
    try {
      const client = await rawClient(server.url);
      client.socket.write(head(SEGMENTATION_PATH, { ...authHeaders(), 'Content-Length': '1000' }));
      client.socket.write('{"data": [');
      const r = await within(10_000, '408', client.response());
      expect(r.status).toBe(408);
      expect(r.body).toEqual({
        error: 'Request timeout',
        message: 'The request body did not arrive within 0.3 seconds.',
        code: 'REQUEST_TIMEOUT',
        details: { timeout_seconds: 0.3, location: 'body' },
      });
      await within(10_000, 'socket closed', client.closed);
    } finally {
      await server.close();
    }
  });

  it('headers that do not arrive in time get 408 with the error body', async () => {
    const server = await testServer({ headersTimeoutMs: 300 });
    try {
      const client = await rawClient(server.url);
      client.socket.write(`POST ${SEGMENTATION_PATH} HTTP/1.1\r\nHost: localhost\r\n`);
      const r = await within(10_000, '408', client.response());
      expect(r.status).toBe(408);
      expect(r.body).toMatchObject({ code: 'REQUEST_TIMEOUT', error: 'Request timeout' });
      await within(10_000, 'socket closed', client.closed);
    } finally {
      await server.close();
    }
  });

  it('the job timeout message says the configured limit exactly', () => {
    expect(errorMessage('en', 'TIMEOUT', { seconds: secondsOf(1500) })).toBe('Processing exceeded the limit of 1.5 seconds.');
    expect(errorMessage('pt', 'TIMEOUT', { seconds: secondsOf(1500) })).toBe('O processamento excedeu o limite de 1,5 segundos.');
  });
});

describe('refusals before the body close the connection', () => {
  for (const [name, headers, status] of [
    ['401', authHeaders({ Authorization: 'Bearer wrong-token' }), 401],
    ['415', authHeaders({ 'Content-Type': 'text/plain' }), 415],
  ] as const) {
    it(`${name}: Connection: close, and the server stops reading a 100 MB upload`, async () => {
      const server = await testServer();
      try {
        const client = await rawClient(server.url);
        client.socket.write(head(SEGMENTATION_PATH, { ...headers, 'Content-Length': String(100_000_000) }));
        let sent = 0;
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let open = true;
        client.closed.then(() => {
          open = false;
        });
        const pump = (async () => {
          while (open && sent < 100_000_000) {
            if (!client.socket.write(chunk)) await new Promise((r) => client.socket.once('drain', r).once('close', r));
            sent += chunk.length;
          }
        })();
        const r = await within(10_000, 'refusal', client.response());
        expect(r.status).toBe(status);
        expect(r.headers.connection).toBe('close');
        await within(10_000, 'socket closed', client.closed);
        await pump;
        // Closed long before the upload could finish.
        expect(sent).toBeLessThan(50_000_000);
      } finally {
        await server.close();
      }
    });
  }
});

describe("Node's parser refusals carry the error body", () => {
  const cases: [string, string, number, string][] = [
    ['a bad Content-Length', `POST ${SEGMENTATION_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`, 400, 'BAD_REQUEST'],
    ['a 20 KB header', `POST ${SEGMENTATION_PATH} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a NUL in a header', `POST ${SEGMENTATION_PATH} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`, 400, 'BAD_REQUEST'],
  ];
  for (const [name, raw, status, code] of cases) {
    it(`${name}: ${status} ${code}`, async () => {
      const server = await testServer();
      try {
        const client = await rawClient(server.url);
        client.socket.write(raw);
        const r = await within(10_000, 'answer', client.response());
        expect(r.status).toBe(status);
        expect(r.headers['content-type']).toMatch(/application\/json/);
        expect(r.body).toMatchObject({ code });
        expect(typeof r.body.error).toBe('string');
        expect(typeof r.body.message).toBe('string');
      } finally {
        await server.close();
      }
    });
  }
});

describe('clients that give up', () => {
  it('an aborted upload is logged as 499 at warn, not 500 at error', async () => {
    const sink = logSink();
    const server = await testServer({ logger: pino({ level: 'info' }, sink.stream) });
    try {
      const client = await rawClient(server.url);
      client.socket.write(head(SEGMENTATION_PATH, { ...authHeaders(), 'Content-Length': '100000' }));
      client.socket.write('{"data": [');
      // Destroy once the server has started reading (its request is in flight).
      await vi.waitFor(
        async () => {
          expect((await (await fetch(`${server.url}/readyz`)).json()).in_flight).toBe(1);
        },
        { timeout: 10_000, interval: 5 },
      );
      client.socket.destroy();
      await vi.waitFor(() => expect(sink.lines().find((l) => l.msg === 'segmentation request')).toBeDefined(), { timeout: 10_000, interval: 10 });
      const entry = sink.lines().find((l) => l.msg === 'segmentation request');
      expect(entry).toMatchObject({ status: 499, code: 'CLIENT_CLOSED', level: 40 });
    } finally {
      await server.close();
    }
  });
});

describe('failed authentication is throttled per client address', () => {
  it('429 past the limit, even with the right token, and its log lines are limited', async () => {
    const sink = logSink();
    const server = await testServer({ authFailureLimit: 5, logger: pino({ level: 'info' }, sink.stream) });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await post(server.endpoint, '{}', authHeaders({ 'X-Secret': `${'w'.repeat(63)}${i % 10}` }))).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      const ok = await post(server.endpoint, JSON.stringify({ data: customers(50, 1), n_clusters: 2 }));
      expect(ok.status).toBe(429);
      expect(ok.json).toMatchObject({ code: 'AUTH_THROTTLED', error: 'Too many requests' });
      expect(Number(ok.headers.get('retry-after'))).toBeGreaterThan(0);
      // Five failures in full, then the one that started throttling.
      expect(sink.lines().filter((l) => l.msg === 'segmentation request')).toHaveLength(6);
      expect(
        sink
          .lines()
          .map((l) => JSON.stringify(l))
          .join(''),
      ).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });
});

/** A port nothing listens on (yet). */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

describe('Redis outages', () => {
  it('starts while Redis is down, says degraded (200), logs the outage once, and switches when Redis comes', async () => {
    const port = await freePort();
    const sink = logSink();
    const server = await testServer({ redisUrl: `redis://127.0.0.1:${port}`, rateLimit: 100, logger: pino({ level: 'info' }, sink.stream) });
    let redis: ChildProcess | undefined;
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', rate_limit_store: 'memory (redis unreachable)' });
      expect((await post(server.endpoint, JSON.stringify({ data: customers(50, 1), n_clusters: 2 }))).status).toBe(200);
      await vi.waitFor(() => expect(sink.lines().filter((l) => /Redis unreachable/.test(l.msg))).toHaveLength(1), { timeout: 10_000, interval: 20 });

      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await vi.waitFor(
        async () => {
          expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready', rate_limit_store: 'redis' });
        },
        { timeout: 20_000, interval: 100 },
      );
      const lines = sink.lines();
      expect(lines.filter((l) => /Redis unreachable/.test(l.msg))).toHaveLength(1);
      expect(lines.filter((l) => /Redis reachable again/.test(l.msg) && l.level === 30)).toHaveLength(1);
    } finally {
      await server.close();
      redis?.kill();
    }
  });
});

describe('SIGTERM drains, with a deadline', () => {
  it('exits within the drain deadline while a slow upload is open, answering it 503', async () => {
    const cli = join(ROOT, 'dist/cli.js');
    expect(existsSync(cli), 'npm run build first').toBe(true);
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--workers', '1'], {
      env: { ...process.env, SEGMINT_TOKENS: TOKEN, SEGMINT_DRAIN_TIMEOUT_MS: '500', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await within(
        30_000,
        'listening',
        new Promise<string>((resolveUrl) => {
          let out = '';
          child.stdout!.on('data', (c) => {
            out += String(c);
            const m = /"url":"([^"]+)"/.exec(out);
            if (m) resolveUrl(m[1]);
          });
        }),
      );
      const client = await rawClient(url);
      client.socket.write(head(SEGMENTATION_PATH, { ...authHeaders(), 'Content-Length': '100000' }));
      client.socket.write('{"data": [');
      await vi.waitFor(
        async () => {
          expect((await (await fetch(`${url}/readyz`)).json()).in_flight).toBe(1);
        },
        { timeout: 10_000, interval: 10 },
      );
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const r = await within(10_000, '503 at the drain deadline', client.response());
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ code: 'SHUTTING_DOWN' });
      expect(await within(10_000, 'exit', exited)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('hostile bodies (fast-check)', () => {
  const FIELDS = ['data', 'algorithm', 'n_clusters', 'features', 'k_range', 'min_samples', 'max_categories', 'roles', 'seed', 'eps', 'id_field', 'missing'];
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('deep nesting in any field is a 422 naming that field, never a 500', async () => {
    const server = await testServer();
    try {
      const data = JSON.stringify(customers(20, 1));
      for (const field of FIELDS) {
        const body = field === 'data' ? `{"data": ${deep(20_000)}}` : `{"data": ${data}, "${field}": ${deep(20_000)}}`;
        const r = await post(server.endpoint, body);
        expect(r.status, field).toBe(422);
        expect(r.json).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { parameter: field, limit: 32 } });
      }
    } finally {
      await server.close();
    }
  });

  it('any JSON in any field gets a 2xx or a 4xx with error, message and code, never a 5xx', async () => {
    const server = await testServer({ workers: 1 });
    try {
      const base = customers(30, 2);
      await fc.assert(
        fc.asyncProperty(
          fc.subarray(FIELDS, { minLength: 1, maxLength: 4 }),
          fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 4, maxLength: 4 }),
          fc.boolean(),
          async (fields, values, keepData) => {
            const request: Record<string, unknown> = keepData ? { data: base } : {};
            fields.forEach((f, i) => {
              request[f] = values[i];
            });
            const r = await post(server.endpoint, JSON.stringify(request));
            expect(r.status).toBeLessThan(500);
            if (r.status >= 400) {
              expect(typeof r.json.error).toBe('string');
              expect(typeof r.json.message).toBe('string');
              expect(typeof r.json.code).toBe('string');
            } else {
              expect(r.json.segments.flatMap((s: any) => s.customers)).toHaveLength(
                Array.isArray(request.data) ? (request.data as unknown[]).length : r.json.meta.customers,
              );
            }
          },
        ),
        { seed: 57, numRuns: 60 },
      );
    } finally {
      await server.close();
    }
  });
});
