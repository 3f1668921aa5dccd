/**
 * Helpers of the HTTP tests: servers on 127.0.0.1 with a small pool, credentials, requests.
 */
import { createHash } from 'node:crypto';
import { sampleCustomers } from '../../src/sample';
import { startServer, type RunningServer, type ServerOptions } from '../../src/http/server';

export const SEGMENTATION_PATH = '/api/v1/ai/echointel/customer-intelligence/segmentation';
export const TOKEN = 'test-token-0123456789abcdef';
export const TENANT = '3f2c1a9e-7b4d-4c8e-9a1f-2b3c4d5e6f70';
export const OTHER_TENANT = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
export const SECRET = 'S'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789_-+/=!#$'.slice(0, 44);
export const DAY_MS = 86_400_000;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A server with one token and one tenant, two workers, no logs, no .env. */
export async function testServer(options: ServerOptions = {}): Promise<RunningServer & { endpoint: string }> {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    workers: 2,
    logger: false,
    env: {},
    tokens: [TOKEN],
    tenants: { tenants: [{ id: TENANT, secretSha256: sha256Hex(SECRET) }] },
    // A test that closes its server mid-request should not wait the 30 s default.
    drainTimeoutMs: 1000,
    ...options,
  });
  return Object.assign(server, { endpoint: server.url + SEGMENTATION_PATH });
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Authorization: `Bearer ${TOKEN}`,
    'X-Customer-Api-Id': TENANT,
    'X-Secret': SECRET,
    'Content-Type': 'application/json',
    ...extra,
  };
}

/** Customer records like the reference's (customer_id, total_purchases, frequency, ...). */
export function customers(n: number, seed = 7): Record<string, unknown>[] {
  return sampleCustomers(n, seed) as unknown as Record<string, unknown>[];
}

export async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = authHeaders()) {
  const res = await fetch(url, { method: 'POST', headers, body: body as BodyInit });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Drops what differs from run to run (timings) before comparing two responses. */
export function withoutTimings(response: any): any {
  const copy = structuredClone(response);
  if (copy?.meta) delete copy.meta.timings_ms;
  return copy;
}
