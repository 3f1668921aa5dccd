// The HTTP endpoint: autocannon against `segmint serve` (scripts/serve.mjs, a separate
// process, all cores as workers) with 2,000- and 100,000-customer requests (throughput,
// p50/p99), one 100,000-customer request end to end (JSON in, JSON out), and /healthz p99
// while 100,000-customer jobs keep the workers busy.
// Targets: /healthz p99 under 20 ms while busy; a 100,000-customer request under 1 s.
import { sampleCustomers } from '../../dist/index.js';
import { cannon, PATH, startServe, TOKEN } from '../http-lib.mjs';
import { record } from '../lib.mjs';

export const title = 'HTTP endpoint (segmint serve, autocannon)';

function segmentationRequest(url, body, extra) {
  return {
    url: url + PATH,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
    timeout: 120,
    ...extra,
  };
}

function report(group, result) {
  const bad = result.non2xx + result.errors + result.timeouts;
  record(group, 'requests (non-2xx / errors)', `${result.requests.total} (${bad})`, '');
  record(group, 'throughput', result.requests.average.toFixed(1), 'req/s');
  record(group, 'latency p50', result.latency.p50, 'ms');
  record(group, 'latency p99', result.latency.p99, 'ms');
}

export async function run({ quick } = {}) {
  const server = await startServe();
  try {
    const small = JSON.stringify({ data: sampleCustomers(2000, 1) });
    const big = JSON.stringify({ data: sampleCustomers(100_000, 2) });
    record('http setup', 'request bodies', `${(small.length / 1e3).toFixed(0)} kB (2,000), ${(big.length / 1e6).toFixed(1)} MB (100,000)`, '');

    // One 100,000-customer request at a time: JSON in, JSON out, through HTTP and a worker.
    // Server-Timing splits it into the worker's part (decode, parse, segment, serialize) and
    // the HTTP layer's (reading the body, the hand-off to the worker, writing the answer).
    const bigFixedK = JSON.stringify({ data: JSON.parse(big).data, algorithm: 'kmeans', n_clusters: 4 });
    for (const [label, body] of [
      ['k chosen automatically', big],
      ['kmeans, n_clusters 4', bigFixedK],
    ]) {
      const runs = [];
      for (let i = 0; i < (quick ? 2 : 4); i++) {
        const t0 = performance.now();
        const res = await fetch(server.url + PATH, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
        const json = await res.json();
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`100k request: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
        const timing = Object.fromEntries(
          (res.headers.get('server-timing') ?? '')
            .split(',')
            .map((p) => p.trim().split(';dur='))
            .map(([k, v]) => [k, Number(v)]),
        );
        runs.push({ ms, work: timing.work, overhead: ms - timing.work });
      }
      runs.sort((a, b) => a.ms - b.ms);
      const median = runs[Math.floor((runs.length - 1) / 2)];
      const g = `http 100,000 customers, one request (${label})`;
      record(g, 'end to end, client side (median)', median.ms.toFixed(0), 'ms');
      record(g, 'of which in the worker (parse, segment, serialize)', median.work.toFixed(0), 'ms');
      record(g, 'of which HTTP layer and hand-off', median.overhead.toFixed(0), 'ms');
    }

    const g2k = 'http 2,000 customers (10 connections)';
    console.log(`\n${g2k}`);
    report(g2k, await cannon(segmentationRequest(server.url, small, { connections: 10, duration: quick ? 5 : 10 })));

    const g100k = 'http 100,000 customers (2 connections)';
    console.log(`\n${g100k}`);
    report(g100k, await cannon(segmentationRequest(server.url, big, { connections: 2, amount: quick ? 6 : 12 })));

    // /healthz while the workers are busy with 100,000-customer jobs.
    const gh = 'http /healthz while 100,000-customer jobs run';
    console.log(`\n${gh}`);
    const duration = quick ? 6 : 12;
    const [jobs, health] = await Promise.all([
      cannon(segmentationRequest(server.url, big, { connections: 2, duration })),
      cannon({ url: server.url + '/healthz', connections: 1, duration, timeout: 10 }),
    ]);
    record(gh, 'segmentations completed (non-2xx)', `${jobs.requests.total} (${jobs.non2xx + jobs.errors})`, '');
    record(gh, '/healthz requests', health.requests.total, '');
    record(gh, '/healthz p50', health.latency.p50, 'ms');
    record(gh, '/healthz p99', health.latency.p99, 'ms');
    record(gh, '/healthz max', health.latency.max, 'ms');
  } finally {
    await server.stop();
  }
}
