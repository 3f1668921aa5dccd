// The endpoint under load it did not choose (issue 12), against `segmint serve` in its own
// process: the peak and idle RSS of one 60 MB request, /healthz while 8 large uploads
// arrive at once, and how fast the requests that once bought minutes of worker time are
// answered now that each request's cost is bounded before the work starts.
// RSS is read from /proc (Linux); elsewhere those rows say so.
import { existsSync, readFileSync } from 'node:fs';
import { sampleCustomers } from '../../dist/index.js';
import { cannon, PATH, startServe, TOKEN } from '../http-lib.mjs';
import { record } from '../lib.mjs';

export const title = 'HTTP endpoint under hostile load (segmint serve)';

const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** VmRSS and VmHWM (peak) of a process, in MB, or undefined off Linux. */
function memory(pid) {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const status = readFileSync(file, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function timed(url, body) {
  const t0 = performance.now();
  const res = await fetch(url + PATH, { method: 'POST', headers: HEADERS, body });
  const json = await res.json();
  return { ms: performance.now() - t0, status: res.status, json };
}

const idle = (ms) => new Promise((r) => setTimeout(r, ms));

export async function run({ quick } = {}) {
  const server = await startServe();
  try {
    // One 60 MB request (within the 64 MiB default limit).
    const n = quick ? 150_000 : 400_000;
    const body = JSON.stringify({ data: sampleCustomers(n, 4), algorithm: 'kmeans', n_clusters: 4 });
    const g = `http one ${(body.length / 1e6).toFixed(0)} MB request (${n.toLocaleString('en-US')} customers)`;
    const before = memory(server.pid);
    const r = await timed(server.url, body);
    const after = memory(server.pid);
    await idle(5000);
    const later = memory(server.pid);
    record(g, 'status, time', `${r.status}, ${(r.ms / 1000).toFixed(1)}`, 's');
    if (before && after && later) {
      record(g, 'RSS before', before.rss.toFixed(0), 'MB');
      record(g, 'peak RSS (VmHWM)', after.peak.toFixed(0), 'MB');
      record(g, 'peak over body size', (after.peak / (body.length / 1e6)).toFixed(1), 'x');
      record(g, 'RSS 5 s after', later.rss.toFixed(0), 'MB');
    } else {
      record(g, 'RSS', 'not measured (no /proc)', '');
    }

    // Eight large uploads at once, and /healthz meanwhile.
    const upload = JSON.stringify({ data: sampleCustomers(quick ? 40_000 : 120_000, 5), algorithm: 'kmeans', n_clusters: 4 });
    const gu = `http /healthz while 8 uploads of ${(upload.length / 1e6).toFixed(0)} MB arrive at once`;
    const uploads = Promise.all(Array.from({ length: 8 }, () => timed(server.url, upload)));
    const health = await cannon({ url: `${server.url}/healthz`, connections: 1, duration: quick ? 4 : 8, timeout: 10 });
    const answers = await uploads;
    const statuses = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    record(gu, 'upload answers', JSON.stringify(statuses), '');
    record(gu, '/healthz p50', health.latency.p50, 'ms');
    record(gu, '/healthz p99', health.latency.p99, 'ms');
    const m = memory(server.pid);
    if (m) record(gu, 'peak RSS so far (VmHWM)', m.peak.toFixed(0), 'MB');

    // The requests that once held a worker for seconds to minutes (issue 12, item 2).
    const ge = 'http requests whose cost is refused up front';
    const many = sampleCustomers(1500, 6).map((c, i) => ({ ...c, city: `city-${i}` }));
    const cases = [
      ['1,500 categories, max_categories 100000', { data: many, features: ['total_purchases', 'city'], max_categories: 100000 }],
      ['80,000 names in features', { data: sampleCustomers(100, 1), features: Array.from({ length: 80_000 }, (_, i) => `f${i}`) }],
      ['dbscan min_samples 10000 on 20k', { data: sampleCustomers(20_000, 2), algorithm: 'dbscan', min_samples: 10000 }],
      ['kmeans n_clusters 10000 on 20k', { data: sampleCustomers(20_000, 3), algorithm: 'kmeans', n_clusters: 10000 }],
    ];
    for (const [name, request] of cases) {
      const a = await timed(server.url, JSON.stringify(request));
      record(ge, name, `${a.status} ${a.json.code ?? ''} in ${a.ms.toFixed(0)}`, 'ms');
    }
  } finally {
    await server.stop();
  }
}
