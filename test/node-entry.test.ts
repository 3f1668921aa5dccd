/**
 * The package's Node entry (dist/node.js) re-exports the HTTP handler, but a user who only
 * wants kmeans() must not pay for the HTTP stack's logger, thread pool and Redis client:
 * those load when a handler is created, not when 'segmint' is imported.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const HEAVY = /[\\/]node_modules[\\/](pino|piscina|ioredis|rate-limiter-flexible|bullmq|prom-client)[\\/]/;

/** Runs `code` in a fresh Node (ESM) and returns the heavy packages in its module cache. */
async function heavyModulesAfter(code: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    ${code}
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = new Set(cache.filter((k) => ${HEAVY}.test(k)).map((k) => k.match(${HEAVY})[1]));
    console.log(JSON.stringify([...names].sort()));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe("import 'segmint' in Node", () => {
  it('is built', () => {
    expect(existsSync(join(ROOT, 'dist/node.js')), 'run npm run build first').toBe(true);
  });

  it('loads neither pino, piscina, ioredis, rate-limiter-flexible, bullmq nor prom-client until a handler is made', async () => {
    const loaded = await heavyModulesAfter(`
      const segmint = await import('./dist/node.js');
      const m = segmint.kmeans(segmint.sampleCustomerMatrix(200, 1), { k: 3, seed: 1 });
      if (m.labels.length !== 200) throw new Error('kmeans did not run');
      if (typeof segmint.createSegmentationHandler !== 'function') throw new Error('no handler export');
    `);
    expect(loaded).toEqual([]);
  });

  it('loads them once a handler is created (so the check above can fail)', async () => {
    const loaded = await heavyModulesAfter(`
      const segmint = await import('./dist/node.js');
      // env: {} so an ambient REDIS_URL (.ci/run sets one) does not add the Redis stack.
      const handler = segmint.createSegmentationHandler({ tokens: ['t'.repeat(24)], logger: undefined, rateLimit: 5, workers: 1, env: {}, envFile: false });
      await handler.warm();
      await handler.close();
    `);
    expect(loaded).toEqual(['pino', 'piscina', 'rate-limiter-flexible']);
  });

  it('loads the job queue (bullmq with REDIS_URL, prom-client) only once a job is asked for', async () => {
    const loaded = await heavyModulesAfter(`
      const segmint = await import('./dist/node.js');
      const handler = segmint.createSegmentationHandler({ tokens: ['t'.repeat(24)], logger: false, workers: 1, env: {}, envFile: false, redisUrl: 'redis://127.0.0.1:1' });
      void handler.service.jobsApi.engine;
      await handler.close();
    `);
    expect(loaded).toEqual(['bullmq', 'ioredis', 'piscina', 'prom-client', 'rate-limiter-flexible']);
  });

  it('imports nothing the browser build does not, but node:module (the HTTP stack is required on first use)', () => {
    const graph = (file: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(file)) return seen;
      seen.add(file);
      if (!file.startsWith('./')) return seen;
      const src = readFileSync(join(ROOT, 'dist', file), 'utf8');
      for (const [, spec] of src.matchAll(/^\s*(?:import|export)[^;'"]*?from\s*['"]([^'"]+)['"]/gm)) graph(spec, seen);
      for (const [, spec] of src.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) graph(spec, seen);
      return seen;
    };
    const browser = graph('./index.js');
    const node = graph('./node.js');
    const extra = [...node].filter((f) => !browser.has(f) && f !== './node.js');
    expect(extra).toEqual(['module']);
  });

  it('the CommonJS build behaves the same, and its handler works', async () => {
    const { stdout: made } = await run(
      process.execPath,
      [
        '-e',
        `const s = require('./dist/node.cjs'); const h = s.createSegmentationHandler({ tokens: ['t'.repeat(24)], logger: false, env: {}, envFile: false }); console.log(typeof h, typeof h.close); h.close();`,
      ],
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(made.trim()).toBe('function function');

    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        `const s = require('./dist/node.cjs'); s.kmeans(s.sampleCustomerMatrix(50, 1), { k: 2, seed: 1 });
         console.log(JSON.stringify(Object.keys(require.cache).filter((k) => ${HEAVY}.test(k))));`,
      ],
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(JSON.parse(stdout.trim())).toEqual([]);
  });

  it('starts kernel threads from a script run as node --input-type=module -e, with --expose-gc too', async () => {
    // The flag reaches every worker's execArgv, and Node refuses workers that carry it.
    const script = `
      const segmint = await import('./dist/node.js');
      const info = await segmint.init({ threads: 2 });
      const X = segmint.sampleCustomerMatrix(30000, 2);
      const m = segmint.kmeans(X, { k: 3, seed: 1, nInit: 2, threads: 2 });
      console.log(JSON.stringify({ threads: info.threads, n: m.labels.length }));
      await segmint.init({ threads: 1 });
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ threads: 2, n: 30000 });
    // With a flag Node refuses to hand a worker explicitly (the bench runs with --expose-gc).
    const gc = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
    expect(JSON.parse(gc.stdout.trim().split('\n').at(-1)!)).toEqual({ threads: 2, n: 30000 });
  });
});
