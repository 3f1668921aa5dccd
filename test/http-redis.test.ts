/**
 * Two server instances on one Redis share each token's rate limit (REDIS_URL), as
 * instances behind a load balancer would.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/http/server';
import { customers, post, SEGMENTATION_PATH } from './helpers/http';
import { testRedis, type TestRedis } from './helpers/http-redis';

describe('rate limit shared through Redis', () => {
  let redis: TestRedis;
  const servers: RunningServer[] = [];
  // A fresh token per run: the counters of an earlier run in the same Redis do not apply.
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    redis = await testRedis();
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ host: '127.0.0.1', port: 0, workers: 1, logger: false, env: {}, tokens: [token], rateLimit: 4, redisUrl: redis.url }));
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis?.stop();
  });

  it('counts requests to either instance against one limit', async () => {
    const [a, b] = servers;
    const body = JSON.stringify({ data: customers(40, 2), n_clusters: 2 });
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const seen: [number, string | null][] = [];
    for (const server of [a, b, a, b, a, b]) {
      const r = await post(server.url + SEGMENTATION_PATH, body, headers);
      seen.push([r.status, r.headers.get('ratelimit-remaining')]);
      if (r.status === 429) {
        expect(r.json.code).toBe('RATE_LIMITED');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(seen).toEqual([
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [429, '0'],
      [429, '0'],
    ]);
    for (const s of servers) expect(await (await fetch(s.url + '/readyz')).json()).toMatchObject({ status: 'ready', rate_limit_store: 'redis' });
  });
});
