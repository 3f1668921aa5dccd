// segment(): the whole job (prep, k selection, clustering, metrics, profiles) on customer
// records, and the peak memory of a million customers passed as columns of typed arrays.
import { spawnSync } from 'node:child_process';
import { sampleCustomers, segment } from '../../dist/index.js';
import { compare, record } from '../lib.mjs';

export const title = 'segment(): records in, segments out';

export async function run({ quick }) {
  const n = quick ? 20_000 : 100_000;
  const data = sampleCustomers(n, 1);
  const timings = {};
  await compare(
    `segment() ${n.toLocaleString('en')} customer objects`,
    [
      {
        name: 'segment() k = 5',
        fn: async () => {
          const r = await segment({ data, n_clusters: 5 });
          timings.k5 = r.meta.timings_ms;
        },
      },
      {
        name: 'segment() k chosen over 2..10',
        fn: async () => {
          const r = await segment({ data });
          timings.auto = r.meta.timings_ms;
        },
      },
    ],
    { time: 3000, iterations: 5 },
  );
  const fmt = (t) =>
    Object.entries(t)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  record('segment() stages', 'k = 5, last run (ms)', fmt(timings.k5), '');
  record('segment() stages', 'k chosen, last run (ms)', fmt(timings.auto), '');

  // Peak memory in a fresh process, so nothing else in this one counts.
  const rows = quick ? 200_000 : 1_000_000;
  const script = `
    import { SAMPLE_FEATURES, sampleCustomerMatrix, segment } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
    const X = sampleCustomerMatrix(${rows}, 3);
    const columns = {};
    SAMPLE_FEATURES.forEach((f, j) => {
      const col = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) col[i] = X.data[i * X.cols + j];
      columns[f] = col;
    });
    const before = process.memoryUsage().rss;
    const t = performance.now();
    const r = await segment({ data: columns, n_clusters: 5 });
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, rssBefore: before, maxRss: process.resourceUsage().maxRSS * 1024, segments: r.segments.length }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) {
    record('segment() memory', `${rows} customers as typed arrays`, `failed: ${child.stderr.slice(0, 300)}`, '');
    return;
  }
  const m = JSON.parse(child.stdout.trim().split('\n').pop());
  record('segment() memory', `${rows.toLocaleString('en')} customers as typed arrays, k = 5: time`, m.ms.toFixed(0), 'ms');
  record('segment() memory', `${rows.toLocaleString('en')} customers as typed arrays, k = 5: peak RSS of the process`, (m.maxRss / 2 ** 20).toFixed(0), 'MiB');
}
