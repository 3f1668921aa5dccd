// Hierarchical clustering: segmint's agglomerative() (ward NN-chain on centroids, average
// NN-chain on the condensed matrix, micro-clusters above the exact limits) against
// ml-hclust's agnes on z-scored customer-like data. ml-hclust needs about 12 s for 2,000
// rows and grows as n^3, so it runs at 2k only, with few iterations.
import { createRequire } from 'node:module';
import { agglomerative, sampleCustomerMatrix } from '../../dist/index.js';
import { compare, record, toRows, standardizedCustomers } from '../lib.mjs';

const require = createRequire(import.meta.url);
const { agnes } = require('ml-hclust');

export const title = 'Hierarchical clustering (agglomerative)';

export async function run({ quick }) {
  const sizes = quick ? [2000] : [2000, 10000, 20000];
  for (const method of ['ward', 'average']) {
    for (const n of sizes) {
      const X = standardizedCustomers(sampleCustomerMatrix, n, 42);
      const rows = toRows(X);
      const probe = agglomerative(X, { k: 4, linkage: method });
      const path = probe.approximate ? `approximate, ${probe.approximate.microClusters} micro-clusters` : 'exact';
      const peerSkip =
        n > 2000
          ? `skipped: O(n^3), about ${Math.round(12 * (n / 2000) ** 3)} s expected at ${n} rows`
          : quick
            ? 'skipped in --quick (about 12 s per run)'
            : undefined;
      const heavy = n === 2000 && !peerSkip;
      const rowsOut = await compare(
        `${method} ${n} x 6 (${path})`,
        [
          { name: `segmint agglomerative ${method}`, fn: () => agglomerative(X, { k: 4, linkage: method }) },
          { name: `ml-hclust agnes ${method}`, fn: () => agnes(rows, { method }), skip: peerSkip },
          { name: 'plain-TS reference (test/reference)', fn: () => {}, skip: 'skipped: O(n^3) by definition, minutes at 2,000 rows' },
        ],
        heavy ? { time: 0, iterations: 2 } : { time: n > 10000 ? 0 : 1500, iterations: 3 },
      );
      const seg = rowsOut[0];
      if (method === 'ward' && n === 10000 && seg.meanMs != null) {
        record(`ward ${n} x 6`, 'speed-up vs scikit-learn AgglomerativeClustering (2 s on this machine)', +(2000 / seg.meanMs).toFixed(1), 'x');
      }
    }
  }
}
