// The job queue (issue 17): what queueing costs a job, and what a second worker buys.
// 1. Queue overhead: a 2,000-customer request answered synchronously vs submitted with
//    Prefer: respond-async and then either polled to its result (submit -> status every
//    2 ms -> result) or waited for (submit -> GET result with Prefer: wait, which the
//    server answers when the job finishes), on the in-process queue and on BullMQ/Redis
//    (serve running the jobs itself, one thread).
// 2. Scaling out: 200 jobs of 10,000 customers through `serve --no-workers` and 1 vs 2
//    `segmint worker` processes (one thread each) on a local redis-server.
// 3. The machine's own ceiling for the same jobs: 1 vs 2 bare Node processes running
//    segment() on the same body in a loop, with no queue, Redis or HTTP. Two CPU-bound
//    processes that touch memory slow each other down on a shared cache and memory bus
//    (a pure ALU loop scales 2.0x here; segment() does not), so the queue's speed-up is
//    read against this row, not against 2.0.
// Targets: overhead under 20 ms per job; 2 workers at least 1.8x faster than 1.
// Needs redis-server (Debian package) and `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleCustomers } from '../../dist/index.js';
import { freePort, PATH, TOKEN } from '../http-lib.mjs';
import { record } from '../lib.mjs';

export const title = 'Job queue (async requests, BullMQ workers)';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** Starts `node dist/cli.js ARGS` and resolves once it logs `ready` (a pino msg). */
function startCli(args, env, ready) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), 30_000);
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.msg === ready) {
          clearTimeout(timer);
          resolve({ child, msg, stop });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code})`)));
  });
}

async function startRedis(dir) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 200; i++) {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      const stop = () =>
        new Promise((r) => {
          child.once('exit', r);
          child.kill('SIGTERM');
        });
      return { url, stop };
    } catch {
      c.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start');
}

async function waitQueueReady(url) {
  for (let i = 0; i < 200; i++) {
    const q = (await (await fetch(`${url}/readyz`)).json()).queue;
    if (q?.status === 'ready') return;
    await sleep(50);
  }
  throw new Error('the job queue did not become ready');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Submits, polls every `pollMs` until finished, fetches the result; returns ms. */
async function asyncRoundTrip(url, body, pollMs = 2) {
  const t0 = performance.now();
  const res = await fetch(url + PATH, { method: 'POST', headers: { ...headers, prefer: 'respond-async' }, body });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const location = res.headers.get('location');
  await res.arrayBuffer();
  for (;;) {
    const s = await (await fetch(url + location, { headers })).json();
    if (s.status === 'succeeded') break;
    if (s.status !== 'queued' && s.status !== 'running') throw new Error(`job ${s.status}: ${JSON.stringify(s.error)}`);
    await sleep(pollMs);
  }
  const result = await fetch(`${url}${location}/result`, { headers });
  await result.arrayBuffer();
  if (result.status !== 200) throw new Error(`result: ${result.status}`);
  return performance.now() - t0;
}

/** Submits, then one GET of the result held by `Prefer: wait` until the job finishes; returns ms. */
async function waitRoundTrip(url, body) {
  const t0 = performance.now();
  const res = await fetch(url + PATH, { method: 'POST', headers: { ...headers, prefer: 'respond-async' }, body });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const location = res.headers.get('location');
  await res.arrayBuffer();
  for (;;) {
    const result = await fetch(`${url}${location}/result`, { headers: { ...headers, prefer: 'wait=30' } });
    await result.arrayBuffer();
    if (result.status === 200) break;
    // 409 only when the wait ran out first (a 30 s job): ask again.
    if (result.status !== 409) throw new Error(`result: ${result.status}`);
  }
  return performance.now() - t0;
}

async function syncRoundTrip(url, body) {
  const t0 = performance.now();
  const res = await fetch(url + PATH, { method: 'POST', headers, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`sync: ${res.status}`);
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function overhead(group, url, body, rounds) {
  // Triples, alternated, so drift in machine load hits all alike; the overhead is the
  // median of the per-round differences from the synchronous request.
  const sync = [];
  const polled = [];
  const waited = [];
  const pollDiffs = [];
  const waitDiffs = [];
  for (let i = 0; i < 3; i++) {
    await syncRoundTrip(url, body);
    await asyncRoundTrip(url, body);
    await waitRoundTrip(url, body);
  }
  for (let i = 0; i < rounds; i++) {
    const s = await syncRoundTrip(url, body);
    const q = await asyncRoundTrip(url, body);
    const w = await waitRoundTrip(url, body);
    sync.push(s);
    polled.push(q);
    waited.push(w);
    pollDiffs.push(q - s);
    waitDiffs.push(w - s);
  }
  record(group, 'synchronous request (median)', median(sync).toFixed(1), 'ms');
  record(group, 'async: submit, poll every 2 ms, result (median)', median(polled).toFixed(1), 'ms');
  record(group, 'async: submit, GET result with Prefer: wait (median)', median(waited).toFixed(1), 'ms');
  record(group, 'queue overhead per job, polling, median of pairs', median(pollDiffs).toFixed(1), 'ms');
  record(group, 'queue overhead per job, Prefer: wait, median of pairs (target < 20 ms)', median(waitDiffs).toFixed(1), 'ms');
}

/**
 * Queues `jobs` jobs with no worker running, then starts `workers` worker processes at
 * once: the time is the makespan the job records give (first started_at to last
 * finished_at), so neither uploading the bodies nor the workers' start-up counts.
 */
async function throughput(redisUrl, workers, jobs, body) {
  const env = {
    REDIS_URL: redisUrl,
    SEGMINT_TOKENS: TOKEN,
    SEGMINT_RATE_LIMIT: '0',
    SEGMINT_WORKERS: '1',
    LOG_LEVEL: 'info',
    SEGMINT_JOB_QUEUE: `bench-${workers}-${Date.now()}`,
  };
  const serve = await startCli(['serve', '--no-workers', '--port', '0'], env, 'segmint listening');
  const url = serve.msg.url;
  const procs = [];
  try {
    await waitQueueReady(url);
    const locations = [];
    for (let i = 0; i < jobs; i++) {
      const res = await fetch(url + PATH, { method: 'POST', headers: { ...headers, prefer: 'respond-async' }, body });
      if (res.status !== 202) throw new Error(`submit: ${res.status}`);
      locations.push(res.headers.get('location'));
      await res.arrayBuffer();
    }
    procs.push(...(await Promise.all(Array.from({ length: workers }, () => startCli(['worker', '--workers', '1'], env, 'segmint worker ready')))));
    // One cheap request per poll: the queue's depth in /readyz.
    for (;;) {
      await sleep(100);
      const q = (await (await fetch(`${url}/readyz`)).json()).queue;
      if (q.waiting + q.active + q.delayed === 0) break;
    }
    const states = await Promise.all(locations.map(async (l) => (await fetch(url + l, { headers })).json()));
    const bad = states.find((s) => s.status !== 'succeeded');
    if (bad) throw new Error(`job ${bad.id} ${bad.status}`);
    const first = Math.min(...states.map((s) => Date.parse(s.started_at)));
    const last = Math.max(...states.map((s) => Date.parse(s.finished_at)));
    return last - first;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await serve.stop();
  }
}

/**
 * Mean ms per segment() of `body` over `jobs` runs in each of `processes` bare Node
 * processes started together (after one untimed run each).
 */
async function bareProcesses(processes, jobs, body) {
  const script = `
    const { segment } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
    const body = require('node:fs').readFileSync(0, 'utf8');
    await segment(JSON.parse(body));
    const t = performance.now();
    for (let i = 0; i < ${jobs}; i++) await segment(JSON.parse(body));
    console.log((performance.now() - t) / ${jobs});`;
  const runs = Array.from({ length: processes }, () => {
    const child = spawn(process.execPath, ['--input-type=commonjs', '-e', `(async () => {${script}})()`], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(body);
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    return new Promise((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`bare process exited ${code}`)))),
    );
  });
  const perJob = await Promise.all(runs);
  return perJob.reduce((a, v) => a + v, 0) / perJob.length;
}

export async function run({ quick } = {}) {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('the queue suite needs redis-server (apt-get install -y redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'segmint-bench-queue-'));
  const redis = await startRedis(dir);
  try {
    const small = JSON.stringify({ data: sampleCustomers(2000, 1) });
    const rounds = quick ? 10 : 30;
    const base = { SEGMINT_TOKENS: TOKEN, SEGMINT_RATE_LIMIT: '0', SEGMINT_WORKERS: '1', LOG_LEVEL: 'info' };
    const memory = await startCli(['serve', '--port', '0'], base, 'segmint listening');
    try {
      await overhead('queue overhead, 2,000 customers (in-process queue)', memory.msg.url, small, rounds);
    } finally {
      await memory.stop();
    }
    const shared = await startCli(
      ['serve', '--port', '0'],
      { ...base, REDIS_URL: redis.url, SEGMINT_JOB_QUEUE: `bench-overhead-${Date.now()}` },
      'segmint listening',
    );
    try {
      // The queue inside serve connects after it listens: wait for /readyz to say so,
      // then one job, untimed.
      await waitQueueReady(shared.msg.url);
      await asyncRoundTrip(shared.msg.url, small, 20);
      await overhead('queue overhead, 2,000 customers (BullMQ on Redis)', shared.msg.url, small, rounds);
    } finally {
      await shared.stop();
    }

    const n = quick ? 4000 : 10_000;
    const jobs = quick ? 40 : 200;
    const body = JSON.stringify({ data: sampleCustomers(n, 3), n_clusters: 4 });
    const group = `queue scaling, ${jobs} jobs of ${n.toLocaleString('en')} customers (serve --no-workers)`;
    const one = await throughput(redis.url, 1, jobs, body);
    const two = await throughput(redis.url, 2, jobs, body);
    record(group, '1 worker process (1 thread)', (one / 1000).toFixed(2), 's');
    record(group, '2 worker processes (1 thread each)', (two / 1000).toFixed(2), 's');
    record(group, 'speed-up, 2 vs 1 (target >= 1.8x)', (one / two).toFixed(2), 'x');
    const bareJobs = quick ? 10 : 40;
    const bareOne = await bareProcesses(1, bareJobs, body);
    const bareTwo = await bareProcesses(2, bareJobs, body);
    record(group, 'ceiling: 1 bare process, segment() in a loop', bareOne.toFixed(1), 'ms/job');
    record(group, 'ceiling: 2 bare processes at once', bareTwo.toFixed(1), 'ms/job each');
    record(group, 'ceiling: speed-up of 2 bare processes vs 1 (no queue)', ((2 * bareOne) / bareTwo).toFixed(2), 'x');
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
