/**
 * Mounting the endpoint in Node's http, Express, Fastify and Hono, as the README shows:
 * each must give the same answer as segment() and leave other routes to the framework.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
// @ts-expect-error -- express 5 ships no types (and @types/express is not installed)
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmentationHandler } from '../src/http/handler';
import { createNodeSegmentationHandler } from '../src/http/node';
import { segment } from '../src/segment';
import { authHeaders, customers, post, SEGMENTATION_PATH, sha256Hex, SECRET, TENANT, TOKEN, withoutTimings } from './helpers/http';

const options = {
  workers: 1,
  logger: false as const,
  env: {},
  tokens: [TOKEN],
  tenants: { tenants: [{ id: TENANT, secretSha256: sha256Hex(SECRET) }] },
};

const request = { data: customers(700, 12), n_clusters: 3, seed: 5 };
let expected: unknown;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

beforeAll(async () => {
  expected = withoutTimings(await segment(request, { locale: 'es' }));
});

async function checkMounted(base: string, endpointPath = SEGMENTATION_PATH) {
  const r = await post(base + endpointPath, JSON.stringify(request), authHeaders({ 'Accept-Language': 'es' }));
  expect(r.status).toBe(200);
  expect(r.headers.get('content-language')).toBe('es');
  expect(withoutTimings(r.json)).toEqual(expected);
  const unauthorized = await post(base + endpointPath, JSON.stringify(request), { 'Content-Type': 'application/json' });
  expect(unauthorized.status).toBe(401);
  expect(unauthorized.json.code).toBe('AUTH_FAILED');
}

describe('adapters', () => {
  it("Node's http.createServer", async () => {
    const handler = createNodeSegmentationHandler(options);
    const server = createServer(handler);
    const base = await listen(server);
    try {
      await checkMounted(base);
      expect((await fetch(base + '/healthz')).status).toBe(200);
    } finally {
      await closeServer(server);
      await handler.close();
    }
  });

  it('Express: app.use(handler), other routes untouched, also behind express.json()', async () => {
    const handler = createNodeSegmentationHandler(options);
    const app = express();
    app.get('/hello', (_req: unknown, res: { json(value: unknown): void }) => {
      res.json({ hello: 'world' });
    });
    app.use('/parsed', express.json({ limit: '50mb' }), handler);
    app.use(handler);
    const server = createServer(app);
    const base = await listen(server);
    try {
      await checkMounted(base);
      await checkMounted(base + '/parsed');
      expect(await (await fetch(base + '/hello')).json()).toEqual({ hello: 'world' });
      // Not one of the endpoint's routes: Express answers (its own 404).
      const other = await fetch(base + '/elsewhere');
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      await closeServer(server);
      await handler.close();
    }
  });

  it('Fastify: a raw-body content parser and reply.hijack()', async () => {
    const handler = createNodeSegmentationHandler(options);
    const app = Fastify();
    app.get('/hello', async () => ({ hello: 'world' }));
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      // Leave the body unread: the handler streams it with its own size limit.
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const mount = (request: any, reply: any) => {
        reply.hijack();
        handler(request.raw, reply.raw);
      };
      scope.post(SEGMENTATION_PATH, mount);
      scope.get('/healthz', mount);
      scope.get('/readyz', mount);
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await checkMounted(base);
      expect(await (await fetch(base + '/hello')).json()).toEqual({ hello: 'world' });
      expect((await fetch(base + '/readyz')).status).toBe(200);
    } finally {
      await app.close();
      await handler.close();
    }
  });

  it('Hono (Web-standard handler) on @hono/node-server, under a base path', async () => {
    const handler = createSegmentationHandler({ ...options, basePath: '/segmint' });
    const app = new Hono();
    app.get('/hello', (c) => c.json({ hello: 'world' }));
    app.all('/segmint/*', (c) => handler(c.req.raw));
    let server!: Server;
    const base = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`)) as Server;
    });
    try {
      await checkMounted(base + '/segmint');
      expect(await (await fetch(base + '/hello')).json()).toEqual({ hello: 'world' });
      expect((await fetch(base + '/segmint/healthz')).status).toBe(200);
      expect((await fetch(base + '/segmint/other')).status).toBe(404);
    } finally {
      await closeServer(server);
      await handler.close();
    }
  });

  it('the Web handler called directly with a Request (Workers, Deno, Bun), inline with workers: 0', async () => {
    const handler = createSegmentationHandler({ ...options, workers: 0 });
    try {
      const response = await handler(
        new Request('http://localhost' + SEGMENTATION_PATH, {
          method: 'POST',
          headers: authHeaders({ 'Accept-Language': 'es' }),
          body: JSON.stringify(request),
        }),
      );
      expect(response.status).toBe(200);
      expect(withoutTimings(await response.json())).toEqual(expected);
    } finally {
      await handler.close();
    }
  });
});

describe('an embedding server stays responsive', () => {
  let server: Server;
  let base: string;
  const handler = createNodeSegmentationHandler({ ...options, workers: 2, rateLimit: 0 });
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ping') return res.end('pong');
      handler(req, res);
    });
    base = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
    await handler.close();
  });

  it('answers its own routes while segmentation jobs run on the workers', async () => {
    const heavy = JSON.stringify({ data: customers(20000, 3), n_clusters: 'auto' });
    let finished = 0;
    const jobs = [0, 1].map(() =>
      post(base + SEGMENTATION_PATH, heavy).then((r) => {
        finished++;
        return r;
      }),
    );
    // Ping until the jobs are done: the event loop is free, so pings complete in between.
    let pongsDuringJobs = 0;
    while (finished < 2) {
      expect(await (await fetch(base + '/ping')).text()).toBe('pong');
      if (finished < 2) pongsDuringJobs++;
    }
    for (const r of await Promise.all(jobs)) expect(r.status).toBe(200);
    expect(pongsDuringJobs).toBeGreaterThan(1);
  });
});
