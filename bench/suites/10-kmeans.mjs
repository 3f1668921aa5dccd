// K-Means: segmint against ml-kmeans, skmeans, scikit-learn and a plain-TS Lloyd on
// customer-like data; the jobs users time against scikit-learn (10 single-init fits, one
// nInit = 10 fit) on overlapping segments; and the assignment kernel's throughput in
// G point-centroid-feature terms per second.
//
// scikit-learn runs when python3 imports it (README, Benchmark): bench/sklearn/peer.mjs
// keeps one Python process and hands it the same matrix, so its fits are timed in the
// same tinybench run as segmint's. It runs algorithm='lloyd' with 1 thread and with
// every core (its default); segmint is single-threaded.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { init, kmeans, kmeansInWorkers, sampleCustomerMatrix, startKMeansWorkers } from '../../dist/index.js';
import { kernels } from '../../src/wasm/index.ts';
import { lloydRef } from '../../test/reference/kmeans.ts';
import { compare, record, standardizedCustomers, toRows } from '../lib.mjs';
import { startSklearn } from '../sklearn/peer.mjs';

const require = createRequire(import.meta.url);
const { kmeans: mlKmeans } = require('ml-kmeans');
const skmeans = require('skmeans');

export const title = 'K-Means (k = 5, 6 features, one k-means++ init; jobs vs scikit-learn)';

/**
 * k Gaussian segments in d dimensions whose centres are about 2 within-segment standard
 * deviations apart, so neighbouring segments overlap (as real customer segments do),
 * sizes 10-30% each, then z-scored. Seeded; the same on every machine.
 */
export function overlappingSegments(n, d = 6, k = 5, seed = 7) {
  let s = seed >>> 0;
  const uniform = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 1.2 * normal()));
  const share = Array.from({ length: k }, (_, c) => 0.1 + (0.2 * c) / Math.max(1, k - 1));
  const total = share.reduce((a, b) => a + b, 0);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let u = uniform() * total;
    let c = 0;
    while (c < k - 1 && u >= share[c]) u -= share[c++];
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c][j] + normal();
  }
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * d + j] - mean) ** 2;
    const sd = Math.sqrt(ss / n) || 1;
    for (let i = 0; i < n; i++) data[i * d + j] = (data[i * d + j] - mean) / sd;
  }
  return { data, rows: n, cols: d };
}

const range = (from, count) => Array.from({ length: count }, (_, i) => from + i);

export async function run({ quick, sizes: asked }) {
  const sizes = asked ?? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
  const k = 5;
  const nCores = cpus().length;
  const started = await startSklearn();
  const sk = started.peer;
  let keptWorkers = null;
  if (!sk) console.log(`  ${started.skip}`);
  else console.log(`  scikit-learn ${sk.version} (algorithm='lloyd'; 1 thread and ${nCores} threads)`);
  const skTasks = (job, iters, label = '') =>
    [1, nCores].map((threads) => {
      const name = `scikit-learn${label} (${threads} thread${threads === 1 ? '' : 's'})`;
      return sk
        ? {
            name,
            fn: async () => {
              const out = await sk.fit({ ...job, threads });
              iters[name] = out.iterations.length === 1 ? out.iterations[0] : out.iterations.reduce((a, b) => a + b, 0);
            },
          }
        : { name, fn: () => {}, skip: started.skip };
    });

  try {
    for (const n of sizes) {
      const X = sampleCustomerMatrix(n, 42);
      const rows = toRows(X);
      // The peers start from their own k-means++ and stop on their own criteria; all are
      // capped at 300 iterations. Iterations differ per library, so the table reports each
      // one's own count next to its time.
      const iters = {};
      const big = n >= 1_000_000;
      const start = Array.from(X.data.subarray(0, k * 6));
      if (sk) await sk.load(X);
      await compare(
        `kmeans ${n.toLocaleString('en')} x 6, k = 5`,
        [
          { name: 'segmint kmeans', fn: () => (iters['segmint kmeans'] = kmeans(X, { k, seed: 1 }).iterations) },
          { name: 'segmint kmeans (lloyd)', fn: () => (iters['segmint kmeans (lloyd)'] = kmeans(X, { k, seed: 1, algorithm: 'lloyd' }).iterations) },
          ...skTasks({ k, nInit: 1, seeds: [1], maxIter: 300, tol: 1e-4 }, iters),
          { name: 'ml-kmeans', fn: () => (iters['ml-kmeans'] = mlKmeans(rows, k, { initialization: 'kmeans++', seed: 1, maxIterations: 300 }).iterations) },
          { name: 'skmeans', fn: () => (iters.skmeans = skmeans(rows, k, 'kmpp', 300).it) },
          {
            name: 'plain-TS Lloyd',
            fn: () => (iters['plain-TS Lloyd'] = lloydRef(X.data, n, 6, start, k, 300, 0).iterations),
            skip: big ? 'takes minutes at 1M; see 100k' : undefined,
          },
        ],
        { time: big ? 3000 : 1500, iterations: big ? 2 : 3, extra: (name) => ({ iterations: iters[name], extraText: `${iters[name]} iterations` }) },
      );
      // Issue 16's threads target: the row split on this row, Lloyd both ways (the same
      // fit: labels are per row and the sums are added per block of rows, blocks set by n).
      const threads = Math.min(nCores, 4);
      if (big && threads > 1) {
        await init({ threads });
        try {
          await compare(
            `kmeans ${n.toLocaleString('en')} x 6, k = 5: init({ threads }) row split (target 2 threads >= 1.7x)`,
            [
              { name: 'segmint lloyd, 1 thread', fn: () => kmeans(X, { k, seed: 1, algorithm: 'lloyd', threads: 1 }) },
              { name: `segmint lloyd, ${threads} threads`, fn: () => kmeans(X, { k, seed: 1, algorithm: 'lloyd', threads }) },
              // Without `threads` kmeans() takes every thread the pool has (MIN_THREADED_ROWS and up).
              { name: 'segmint lloyd, pool running, threads not given', fn: () => kmeans(X, { k, seed: 1, algorithm: 'lloyd' }) },
            ],
            { time: 3000, iterations: 2 },
          );
        } finally {
          await init({ threads: 1 });
        }
      }
    }

    // The jobs of issue 16, on z-scored data with overlapping segments: 10 single-init
    // fits (seeds 1..10) and one fit with nInit = 10. Iterations: the total over the fits
    // for the first job, the kept init's for the second (each library keeps its own best).
    // segmint's threaded Lloyd (init({ threads })) runs next to its single-threaded
    // contenders, which pass threads: 1 explicitly.
    const poolThreads = Math.min(nCores, 4);
    if (poolThreads > 1) await init({ threads: poolThreads });
    keptWorkers = poolThreads > 1 ? await startKMeansWorkers(poolThreads) : null;
    const jobSizes = asked ?? [100_000];
    for (const n of jobSizes) {
      for (const [dataName, X] of [
        ['z-scored customers', standardizedCustomers(sampleCustomerMatrix, n, 42)],
        ['overlapping segments', overlappingSegments(n)],
      ]) {
        if (sk) await sk.load(X);
        for (const [jobName, seeds, nInit] of [
          ['10 single-init fits', range(1, 10), 1],
          ['nInit = 10', [1], 10],
        ]) {
          const iters = {};
          const fits =
            (algorithm, threads = 1) =>
            () => {
              let total = 0;
              for (const seed of seeds) total += kmeans(X, { k, seed, nInit, algorithm, threads }).iterations;
              iters[`segmint ${algorithm}${threads > 1 ? `, ${threads} threads` : ''}`] = total;
            };
          await compare(
            `kmeans ${jobName}, ${dataName} ${n.toLocaleString('en')} x 6, k = 5`,
            [
              { name: 'segmint auto', fn: fits('auto') },
              { name: 'segmint lloyd', fn: fits('lloyd') },
              { name: 'segmint hamerly', fn: fits('hamerly') },
              {
                name: `segmint lloyd, ${poolThreads} threads`,
                fn: fits('lloyd', poolThreads),
                skip: poolThreads > 1 ? undefined : 'one core: no threads to compare',
              },
              {
                // nInit restarts go to whole-task workers; a single init splits rows.
                name: `segmint auto, ${poolThreads} threads`,
                fn: fits('auto', poolThreads),
                skip: poolThreads > 1 ? undefined : 'one core: no threads to compare',
              },
              {
                // Restarts on workers over copies of X (no SharedArrayBuffer), a set kept warm.
                name: `segmint kmeansInWorkers, ${poolThreads} kept workers`,
                fn: async () => {
                  iters[`segmint kmeansInWorkers, ${poolThreads} kept workers`] = (
                    await kmeansInWorkers(X, { k, seed: 1, nInit, algorithm: 'lloyd', workers: keptWorkers })
                  ).iterations;
                },
                skip: nInit === 1 ? 'one init: no restarts to spread' : keptWorkers ? undefined : 'one core: no workers to compare',
              },
              ...skTasks({ k, nInit, seeds, maxIter: 300, tol: 1e-4 }, iters),
            ],
            {
              time: 1500,
              iterations: 3,
              extra: (name) => ({ iterations: iters[name], extraText: iters[name] === undefined ? '' : `${iters[name]} iterations` }),
            },
          );
        }
      }
    }
  } finally {
    sk?.close();
    keptWorkers?.close();
    await init({ threads: 1 });
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
