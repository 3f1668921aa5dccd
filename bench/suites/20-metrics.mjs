// Quality metrics and chooseK. Exact silhouette against the plain-TS double loop and
// against the square-root floor (n^2/2 square roots: a wasm f64x2.sqrt loop and a JS
// Math.sqrt loop, both with independent chains so they measure throughput, not latency).
import asc from 'assemblyscript/asc';
import { calinskiHarabaszScore, chooseK, daviesBouldinScore, init, kmeans, sampleCustomerMatrix, silhouette, silhouetteScore } from '../../dist/index.js';
import { silhouetteSamplesRef } from '../../test/reference/metrics.ts';
import { compare, record, standardizedCustomers } from '../lib.mjs';

export const title = 'Quality metrics (silhouette, Davies-Bouldin, Calinski-Harabasz) and chooseK';

const SQRT_FLOOR_SOURCE = `
export function sqrtThroughput(count: i32): f64 {
  let x0 = f64x2(1.5, 2.5), x1 = f64x2(3.5, 4.5), x2 = f64x2(5.5, 6.5), x3 = f64x2(7.5, 8.5);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const step = f64x2.splat(1.0);
  for (let i = 0; i < count; i += 8) {
    a0 = f64x2.add(a0, f64x2.sqrt(x0)); a1 = f64x2.add(a1, f64x2.sqrt(x1));
    a2 = f64x2.add(a2, f64x2.sqrt(x2)); a3 = f64x2.add(a3, f64x2.sqrt(x3));
    x0 = f64x2.add(x0, step); x1 = f64x2.add(x1, step); x2 = f64x2.add(x2, step); x3 = f64x2.add(x3, step);
  }
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}`;

function jsSqrtThroughput(count) {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    x = 1.5;
  for (let i = 0; i < count; i += 4) {
    a0 += Math.sqrt(x);
    a1 += Math.sqrt(x + 1);
    a2 += Math.sqrt(x + 2);
    a3 += Math.sqrt(x + 3);
    x += 4;
  }
  return a0 + a1 + a2 + a3;
}

export async function run({ quick }) {
  const nExact = quick ? 3000 : 10_000;
  const nLarge = quick ? 20_000 : 100_000;
  const small = standardizedCustomers(sampleCustomerMatrix, nExact, 1);
  const smallLabels = kmeans(small, { k: 5, seed: 1 }).labels;
  const pairs = (nExact * (nExact - 1)) / 2;

  const { binary, stderr } = await asc.compileString({ 'floor.ts': SQRT_FLOOR_SOURCE }, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'] });
  if (!binary) throw new Error(`sqrt floor kernel did not compile: ${stderr}`);
  const floor = (await WebAssembly.instantiate(binary)).instance.exports;

  const rows = await compare(`exact silhouette, ${nExact} x ${small.cols}, k=5`, [
    { name: 'segmint silhouette (exact)', fn: () => silhouette(small, smallLabels, { exact: true }) },
    { name: 'plain-TS double loop', fn: () => silhouetteSamplesRef(small.data, nExact, small.cols, smallLabels) },
    { name: `floor: n^2/2 wasm f64x2.sqrt`, fn: () => floor.sqrtThroughput(pairs) },
    { name: `floor: n^2/2 JS Math.sqrt`, fn: () => jsSqrtThroughput(pairs) },
  ]);
  const [seg, plain, wasmFloor, jsFloor] = rows.map((r) => r.meanMs);
  record('silhouette', 'speed-up over the plain-TS double loop', (plain / seg).toFixed(1), 'x (target >= 5)');
  record('silhouette', 'time / wasm f64x2.sqrt floor', (seg / wasmFloor).toFixed(2), 'x (target <= 2)');
  record('silhouette', 'time / JS Math.sqrt floor', (seg / jsFloor).toFixed(2), 'x');
  record('silhouette', 'wasm f64x2.sqrt throughput', (pairs / wasmFloor / 1e3).toFixed(0), 'M sqrt/s');

  // The same exact silhouette with its pair sums tiled over init({ threads: 2 }) (bit-identical).
  await init({ threads: 2 });
  try {
    const [two] = await compare(`exact silhouette, ${nExact} x ${small.cols}, k=5, init({ threads: 2 })`, [
      { name: 'segmint silhouette (exact), 2 threads', fn: () => silhouette(small, smallLabels, { exact: true }) },
    ]);
    record('silhouette', '2 threads against 1 (exact)', (seg / two.meanMs).toFixed(2), 'x faster');
  } finally {
    await init({ threads: 1 });
  }

  const large = standardizedCustomers(sampleCustomerMatrix, nLarge, 2);
  const largeLabels = kmeans(large, { k: 5, seed: 2 }).labels;
  const how = silhouette(large, largeLabels);
  record('silhouette', `default on ${nLarge} rows`, how.sampled ? `sampled ${how.sampleSize}` : 'exact', '');
  await compare(`metrics on ${nLarge} x ${large.cols}, k=5`, [
    { name: 'silhouetteScore (default sample)', fn: () => silhouetteScore(large, largeLabels) },
    { name: 'daviesBouldinScore', fn: () => daviesBouldinScore(large, largeLabels) },
    { name: 'calinskiHarabaszScore', fn: () => calinskiHarabaszScore(large, largeLabels) },
  ]);

  const ck = await compare(
    `chooseK 2..10 on ${nLarge} customers (standardized)`,
    [
      { name: 'chooseK silhouette', fn: () => chooseK(large, { kMin: 2, kMax: 10, method: 'silhouette' }) },
      { name: 'chooseK elbow (fits only)', fn: () => chooseK(large, { kMin: 2, kMax: 10, method: 'elbow' }) },
    ],
    { time: 3000, iterations: 3 },
  );
  record('chooseK', 'silhouette method, 2..10', ck[0].meanMs.toFixed(0), 'ms (target < 1000)');
  const chosen = chooseK(large, { kMin: 2, kMax: 10 });
  record('chooseK', 'chosen k / curve', `${chosen.k} / ${chosen.curve.map((p) => p.score.toFixed(3)).join(' ')}`, '');
}
