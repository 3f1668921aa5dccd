/**
 * A Redis for the shared-rate-limit test: REDIS_URL when set (.ci/run starts one), else a
 * redis-server started here on a free port (the Debian package: apt-get install redis-server).
 * Without either the test fails and says so; it is never skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForRedis(url: string, child: ChildProcess | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Redis at ${url} did not answer: ${lastError}`);
}

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    await waitForRedis(fromEnv, undefined);
    return { url: fromEnv, stop: async () => {} };
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'The shared rate-limit test needs Redis: set REDIS_URL, or install redis-server (apt-get install -y redis-server) so the test can start one. .ci/run does both.',
    );
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(url, child);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
