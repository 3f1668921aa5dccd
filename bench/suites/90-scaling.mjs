// Scaling: time against rows for every algorithm and metric, segmint and the peers a user
// would pick instead (where they finish), on the same customer-like data. Feeds the
// log-log plot (bench/scaling.svg) and the README's table via `node bench/report.mjs`.
import { createRequire } from 'node:module';
import {
  agglomerative,
  calinskiHarabaszScore,
  chooseK,
  daviesBouldinScore,
  dbscan,
  gmm,
  kmeans,
  sampleCustomerMatrix,
  silhouetteScore,
} from '../../dist/index.js';
import { silhouetteSamplesRef } from '../../test/reference/metrics.ts';
import { compare, standardizedCustomers, toRows } from '../lib.mjs';

const require = createRequire(import.meta.url);
const { kmeans: mlKmeans } = require('ml-kmeans');
const skmeans = require('skmeans');
const { DBSCAN } = require('density-clustering');
const { agnes } = require('ml-hclust');
const { HDBSCAN } = require('hdbscan-ts');

export const title = 'Scaling: time against rows (1k to 1M)';

// Largest size each contender is run at: past it, it takes minutes (measured growth) or
// more memory than the machine has.
const LIMITS = {
  'segmint kmeans': 1_000_000,
  'ml-kmeans': 1_000_000,
  skmeans: 1_000_000,
  'segmint gmm (full)': 1_000_000,
  'segmint dbscan': 100_000,
  'density-clustering DBSCAN': 10_000,
  // 45 s for one run at 1,000 rows here (its core loops are O(n^3)).
  'hdbscan-ts': 1_000,
  'segmint ward': 20_000,
  'ml-hclust ward': 2_000,
  'segmint silhouette (exact)': 10_000,
  'plain-TS silhouette': 10_000,
  'segmint gmm (diag)': 1_000_000,
  'segmint average linkage': 20_000,
  'segmint Davies-Bouldin': 1_000_000,
  'segmint Calinski-Harabasz': 1_000_000,
  'segmint chooseK 2..10 (silhouette)': 100_000,
};

export async function run({ quick, sizes: asked }) {
  const sizes = asked ?? (quick ? [1_000, 10_000] : [1_000, 2_000, 10_000, 20_000, 100_000, 1_000_000]);
  for (const n of sizes) {
    const X = standardizedCustomers(sampleCustomerMatrix, n, 42);
    const needRows = n <= 1_000_000;
    const rows = needRows ? toRows(X) : null;
    const labels = kmeans(X, { k: 5, seed: 1 }).labels;
    const tasks = [
      ['segmint kmeans', () => kmeans(X, { k: 5, seed: 1 })],
      ['ml-kmeans', () => mlKmeans(rows, 5, { initialization: 'kmeans++', seed: 1 })],
      ['skmeans', () => skmeans(rows, 5, 'kmpp', 300)],
      ['segmint gmm (full)', () => gmm(X, { k: 5, seed: 1 })],
      ['segmint dbscan', () => dbscan(X, { eps: 0.5, minSamples: 10 })],
      ['density-clustering DBSCAN', () => new DBSCAN().run(rows, 0.5, 10)],
      ['hdbscan-ts', () => new HDBSCAN({ minClusterSize: 10 }).fit(rows)],
      ['segmint ward', () => agglomerative(X, { k: 5, linkage: 'ward' })],
      ['ml-hclust ward', () => agnes(rows, { method: 'ward' })],
      ['segmint silhouette (exact)', () => silhouetteScore(X, labels, { exact: true })],
      ['plain-TS silhouette', () => silhouetteSamplesRef(X.data, n, X.cols, labels)],
      ['segmint gmm (diag)', () => gmm(X, { k: 5, seed: 1, covarianceType: 'diag' })],
      ['segmint average linkage', () => agglomerative(X, { k: 5, linkage: 'average' })],
      ['segmint Davies-Bouldin', () => daviesBouldinScore(X, labels)],
      ['segmint Calinski-Harabasz', () => calinskiHarabaszScore(X, labels)],
      ['segmint chooseK 2..10 (silhouette)', () => chooseK(X, { kMin: 2, kMax: 10, seed: 1 })],
    ];
    await compare(
      `scaling ${n.toLocaleString('en')} rows`,
      tasks.map(([name, fn]) => ({ name, fn, skip: n > LIMITS[name] ? `past ${LIMITS[name].toLocaleString('en')} rows` : undefined })),
      // One timed run (after the warm-up) is enough for the slow peers; the plot is log-log.
      { time: n >= 100_000 ? 2000 : 600, iterations: n >= 100_000 || n <= 1_000 ? 1 : 2, extra: (name) => ({ series: name, n }), ratios: false },
    );
  }
}
