// Shared by the HTTP suites: `segmint serve` in its own process (scripts/serve.mjs, all
// cores as workers) and autocannon.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const PATH = '/api/v1/ai/echointel/customer-intelligence/segmentation';
export const TOKEN = 'bench-token-0123456789';

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServe(env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url)), '--port', String(port)], {
    env: { ...process.env, SEGMINT_TOKENS: TOKEN, SEGMINT_RATE_LIMIT: '0', LOG_LEVEL: 'warn', REDIS_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url + '/readyz')).ok)
        return {
          url,
          pid: child.pid,
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('segmint serve did not start');
}

export function cannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}
