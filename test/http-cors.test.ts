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
});
