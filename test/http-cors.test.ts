// CORS: the reference's JavaScript example from a browser page on another origin.
import { describe, expect, it } from 'vitest';
import { createSegmentationHandler } from '../src/http/handler';

const path = '/api/v1/ai/echointel/customer-intelligence/segmentation';
const token = 'cors-test-token-0123456789';
const body = JSON.stringify({
  data: [
    { customer_id: '1', x: 1 },
    { customer_id: '2', x: 2 },
    { customer_id: '3', x: 9 },
  ],
  n_clusters: 2,
});

function handlerFor(corsOrigins?: string[] | '*') {
  return createSegmentationHandler({ tokens: [token], workers: 0, logger: false, env: {}, envFile: false, ...(corsOrigins ? { corsOrigins } : {}) });
}

describe('CORS', () => {
  it('answers an allowed origin preflight and marks the response readable by that page', async () => {
    const handler = handlerFor(['https://app.example.com']);
    const pre = await handler(
      new Request(`http://localhost${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type, x-secret',
        },
      }),
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization.*X-Secret/);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const res = await handler(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { Origin: 'https://app.example.com', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    // Errors are readable too, so the page can show the message.
    const denied = await handler(new Request(`http://localhost${path}`, { method: 'POST', headers: { Origin: 'https://app.example.com' }, body }));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('gives no CORS headers to other origins, nor by default', async () => {
    for (const handler of [handlerFor(['https://app.example.com']), handlerFor()]) {
      const pre = await handler(new Request(`http://localhost${path}`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } }));
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.status).toBe(405);
    }
  });

  it("'*' allows any origin", async () => {
    const res = await handlerFor('*')(new Request(`http://localhost/healthz`, { headers: { Origin: 'https://anywhere.example' } }));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the job routes: Prefer allowed, Location and Retry-After readable, DELETE preflighted, every answer marked', async () => {
    const origin = 'https://app.example.com';
    const handler = handlerFor([origin]);
    try {
      const pre = await handler(
        new Request(`http://localhost${path}`, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, prefer' },
        }),
      );
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/\bPrefer\b/);
      const auth = { Origin: origin, Authorization: `Bearer ${token}` };
      const accepted = await handler(
        new Request(`http://localhost${path}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', Prefer: 'respond-async' }, body }),
      );
      expect(accepted.status).toBe(202);
      expect(accepted.headers.get('access-control-allow-origin')).toBe(origin);
      const exposed = (accepted.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
      expect(exposed).toEqual(expect.arrayContaining(['location', 'retry-after']));
      const location = accepted.headers.get('location')!;
      expect(location).toMatch(/\/jobs\/[0-9a-f-]{36}$/);

      for (const [route, method, allowed] of [
        [location, 'DELETE', /DELETE/],
        [`${location}/result`, 'GET', /GET/],
      ] as const) {
        const p = await handler(
          new Request(`http://localhost${route}`, {
            method: 'OPTIONS',
            headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, prefer' },
          }),
        );
        expect(p.status).toBe(204);
        expect(p.headers.get('access-control-allow-origin')).toBe(origin);
        expect(p.headers.get('access-control-allow-methods')).toMatch(allowed);
        expect(p.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Prefer/);
      }
      // The result route cannot be deleted: its preflight does not offer DELETE.
      const resultPre = await handler(
        new Request(`http://localhost${location}/result`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'DELETE' } }),
      );
      expect(resultPre.headers.get('access-control-allow-methods')).not.toMatch(/DELETE/);

      const result = await handler(new Request(`http://localhost${location}/result`, { headers: { ...auth, Prefer: 'wait=20' } }));
      expect(result.status).toBe(200);
      expect(result.headers.get('access-control-allow-origin')).toBe(origin);
      expect((await result.json()).segments.length).toBe(2);
      const status = await handler(new Request(`http://localhost${location}`, { headers: auth }));
      expect(status.headers.get('access-control-allow-origin')).toBe(origin);
      const del = await handler(new Request(`http://localhost${location}`, { method: 'DELETE', headers: auth }));
      expect(del.status).toBe(409); // finished already
      expect(del.headers.get('access-control-allow-origin')).toBe(origin);
      const denied = await handler(new Request(`http://localhost${location}`, { headers: { Origin: origin } }));
      expect(denied.status).toBe(401);
      expect(denied.headers.get('access-control-allow-origin')).toBe(origin);

      // Another origin gets no preflight for the job routes either.
      const evil = await handler(new Request(`http://localhost${location}`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } }));
      expect(evil.status).toBe(405);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await handler.close();
    }
  });
});
