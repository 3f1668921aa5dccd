// DBSCAN: segmint against density-clustering (npm) and the plain-TS brute-force
// reference, on z-scored customer-like data (eps 0.5, minSamples 10), at 10k and 100k.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dbscan, init, sampleCustomerMatrix } from '../../dist/index.js';
import { dbscanRef } from '../../test/reference/dbscan.ts';
import { compare, record, toRows, standardizedCustomers } from '../lib.mjs';

const require = createRequire(import.meta.url);
const { DBSCAN } = require('density-clustering');

export const title = 'DBSCAN (6 standardized features, eps 0.5, minSamples 10)';

/** The scikit-learn figure for 100k x 6 (eps 0.5, min_samples 10); not measured in this run. */
const SKLEARN_100K_MS = 15_000;

export async function run() {
  const eps = 0.5;
  const minSamples = 10;
  for (const n of [10_000, 100_000]) {
    const X = standardizedCustomers(sampleCustomerMatrix, n);
    const rows = toRows(X);
    const big = n >= 100_000;
    const found = {};
    const r = dbscan(X, { eps, minSamples });
    record(
      `dbscan ${n.toLocaleString('en')} x 6`,
      'clusters / core rows / noise rows',
      `${r.nClusters} / ${r.coreSampleIndices.length} / ${r.labels.filter((l) => l < 0).length}`,
      '',
    );
    const rowsOut = await compare(
      `dbscan ${n.toLocaleString('en')} x 6, eps 0.5, minSamples 10`,
      [
        { name: 'segmint dbscan', fn: () => (found['segmint dbscan'] = dbscan(X, { eps, minSamples }).nClusters) },
        { name: "segmint dbscan (eps 'auto')", fn: () => (found["segmint dbscan (eps 'auto')"] = dbscan(X, { eps: 'auto', minSamples }).nClusters) },
        {
          name: 'density-clustering',
          // Its minPts counts the point itself too (its region query includes it; distance < eps).
          fn: () => (found['density-clustering'] = new DBSCAN().run(rows, eps, minSamples).length),
          skip: big ? 'O(n^2) range queries: ~4.7 s at 10k, minutes at 100k' : undefined,
        },
        {
          name: 'plain-TS brute force',
          fn: () => (found['plain-TS brute force'] = dbscanRef(X.data, n, 6, eps, minSamples).nClusters),
          skip: big ? 'O(n^2) distances and O(n * neighbours) memory; see 10k' : undefined,
        },
      ],
      { time: big ? 3000 : 1000, iterations: 2, extra: (name) => ({ clusters: found[name], extraText: `${found[name]} clusters` }) },
    );
    // Issue 16: the core counts split over init({ threads }) (the same clusters).
    const threads = Math.min(cpus().length, 4);
    if (big && threads > 1) {
      await init({ threads });
      try {
        await compare(
          `dbscan ${n.toLocaleString('en')} x 6: init({ threads }) core counts split`,
          [{ name: `segmint dbscan, ${threads} threads`, fn: () => dbscan(X, { eps, minSamples }) }],
          { time: 3000, iterations: 2 },
        );
      } finally {
        await init({ threads: 1 });
      }
    }
    if (big && rowsOut[0].meanMs != null) {
      record(
        'dbscan 100,000 x 6',
        'segmint vs scikit-learn (15 s, figure from issue 4, not measured here)',
        (SKLEARN_100K_MS / rowsOut[0].meanMs).toFixed(1),
        'x faster',
      );
    }
  }
}
