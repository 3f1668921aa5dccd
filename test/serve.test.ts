// `segmint serve`: the playground at / beside the endpoint, on a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/http/server';

describe('segmint serve', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer({ port: 0, dev: true, env: {}, workers: 1, logger: false });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('serves the playground page at / and its assets, and the endpoint beside it', async () => {
    const page = await fetch(`${running.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/segmint/i);
    const script = html.match(/src="\.?\/?([^"]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(`${running.url}/${script}`);
    expect(asset.status).toBe(200);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    // The endpoint still requires its token.
    const denied = await fetch(`${running.url}/api/v1/ai/echointel/customer-intelligence/segmentation`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);
    const ok = await fetch(`${running.url}/api/v1/ai/echointel/customer-intelligence/segmentation`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${running.devToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        data: [
          { customer_id: 'a', x: 1 },
          { customer_id: 'b', x: 2 },
          { customer_id: 'c', x: 9 },
        ],
        n_clusters: 2,
      }),
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).segments.length).toBe(2);
  });
});
