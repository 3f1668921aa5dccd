// K-Means: segmint against ml-kmeans, skmeans and a plain-TS Lloyd on customer-like data,
// plus the assignment kernel's throughput in G point-centroid-feature terms per second.
import { createRequire } from 'node:module';
import { kmeans, sampleCustomerMatrix } from '../../dist/index.js';
import { kernels } from '../../src/wasm/index.ts';
import { lloydRef } from '../../test/reference/kmeans.ts';
import { compare, record, toRows } from '../lib.mjs';

const require = createRequire(import.meta.url);
const { kmeans: mlKmeans } = require('ml-kmeans');
const skmeans = require('skmeans');

export const title = 'K-Means (k = 5, 6 features, one k-means++ init)';

export async function run({ quick, sizes: asked }) {
  const sizes = asked ?? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
  const k = 5;
  for (const n of sizes) {
    const X = sampleCustomerMatrix(n, 42);
    const rows = toRows(X);
    // The peers start from their own k-means++ and stop on their own criteria; all are
    // capped at 300 iterations. Iterations differ per library, so the table reports each
    // one's own count next to its time.
    const iters = {};
    const big = n >= 1_000_000;
    const init = Array.from(X.data.subarray(0, k * 6));
    await compare(
      `kmeans ${n.toLocaleString('en')} x 6, k = 5`,
      [
        { name: 'segmint kmeans', fn: () => (iters['segmint kmeans'] = kmeans(X, { k, seed: 1 }).iterations) },
        { name: 'segmint kmeans (lloyd)', fn: () => (iters['segmint kmeans (lloyd)'] = kmeans(X, { k, seed: 1, algorithm: 'lloyd' }).iterations) },
        { name: 'ml-kmeans', fn: () => (iters['ml-kmeans'] = mlKmeans(rows, k, { initialization: 'kmeans++', seed: 1, maxIterations: 300 }).iterations) },
        { name: 'skmeans', fn: () => (iters.skmeans = skmeans(rows, k, 'kmpp', 300).it) },
        {
          name: 'plain-TS Lloyd',
          fn: () => (iters['plain-TS Lloyd'] = lloydRef(X.data, n, 6, init, k, 300, 0).iterations),
          skip: big ? 'takes minutes at 1M; see 100k' : undefined,
        },
      ],
      { time: big ? 3000 : 1500, iterations: big ? 2 : 3, extra: (name) => ({ iterations: iters[name], extraText: `${iters[name]} iterations` }) },
    );
  }

  // Kernel throughput: one Lloyd assignment pass over 1M x 6 points, k = 5 and k = 16.
  const kern = kernels();
  const e = kern.exports;
  for (const [n, d, kk] of [
    [1_000_000, 6, 5],
    [1_000_000, 6, 16],
    [200_000, 32, 16],
  ]) {
    const X = sampleCustomerMatrix(n, 7);
    const ws = kern.workspace();
    const rX = ws.f64(n * d),
      rXp = ws.f64(n * d + d),
      rC = ws.f64(kk * d),
      hn = ws.f64(kk);
    const labels = ws.i32(n),
      sums = ws.f64(kk * d),
      counts = ws.f64(kk);
    ws.commit();
    const xv = ws.viewF64(rX);
    for (let i = 0; i < n * d; i++) xv[i] = X.data[i % X.data.length] / 1000;
    ws.write(rC, xv.subarray(0, kk * d));
    e.packPointPairs(rX.ptr, n, d, rXp.ptr);
    e.halfSquaredNorms(rC.ptr, kk, d, hn.ptr);
    const rows = await compare(
      `assignment kernel, ${n / 1e6}M x ${d}, k = ${kk}`,
      [
        { name: 'assignNearest (labels + sums)', fn: () => e.assignNearest(rXp.ptr, rX.ptr, n, d, rC.ptr, hn.ptr, kk, 0, labels.ptr, sums.ptr, counts.ptr) },
        { name: 'assignNearest (labels only)', fn: () => e.assignNearest(rXp.ptr, rX.ptr, n, d, rC.ptr, hn.ptr, kk, 0, labels.ptr, 0, 0) },
      ],
      { time: 1000, iterations: 5 },
    );
    for (const r of rows) {
      if (r.meanMs) record(`assignment kernel ${n}x${d} k=${kk}`, `${r.name} throughput`, ((n * kk * d) / (r.meanMs / 1000) / 1e9).toFixed(2), 'G terms/s');
    }
  }
}
