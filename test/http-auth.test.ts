// Authentication without tenant records: a token limited to some tenants stays limited.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/http/auth';
import { createSegmentationHandler } from '../src/http/handler';

const path = '/api/v1/ai/echointel/customer-intelligence/segmentation';
const TENANT_A = '3f2b8c1e-5d4a-4b6f-9e7d-1a2b3c4d5e6f';
const TENANT_B = '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const token = 'tenant-limited-token-0123456789';
const body = JSON.stringify({
  data: [
    { customer_id: '1', x: 1 },
    { customer_id: '2', x: 2 },
    { customer_id: '3', x: 9 },
  ],
  n_clusters: 2,
});

describe('a tenant-limited token with no tenant records on the server', () => {
  const handler = createSegmentationHandler({
    tenants: { tokens: [{ sha256: sha256Hex(token), name: 'limited', tenants: [TENANT_A] }] },
    workers: 0,
    logger: false,
    env: {},
    envFile: false,
  });
  const call = (headers: Record<string, string>) =>
    handler(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
        body,
      }),
    );

  it('is refused for another tenant (403) and without the tenant header (400)', async () => {
    const other = await call({ 'X-Customer-Api-Id': TENANT_B, 'X-Secret': 'a'.repeat(64) });
    expect(other.status).toBe(403);
    expect((await other.json()).code).toBe('FORBIDDEN');
    const none = await call({});
    expect(none.status).toBe(400);
    expect((await none.json()).details).toEqual({ parameter: 'X-Customer-Api-Id', location: 'header' });
  });

  it('is served for its own tenant', async () => {
    const own = await call({ 'X-Customer-Api-Id': TENANT_A });
    expect(own.status).toBe(200);
  });
});
