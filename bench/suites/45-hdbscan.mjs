// HDBSCAN: segmint against hdbscan-ts (npm, the only HDBSCAN there) and a plain-TS
// version of the same algorithm (brute-force core distances, dense Prim, segmint's tree
// code), on z-scored customer-like data (6 features), at 1k and 10k; 100k segmint only;
// 1M segmint once, outside tinybench, in full runs only (it takes 30 s or more) or with
// SEGMINT_BENCH_HDBSCAN_1M=1. Then k-prototypes at 100k rows of 4 numeric and 3
// categorical features, k = 5: one restart as a whole call (categories coded in it) and
// a restart after the first (kprototypesCoded on the codes, as nInit's later restarts).
import { hdbscan, init, kprototypes, kprototypesCoded, sampleCustomerMatrix } from '../../dist/index.js';
import { condenseTree, flatClustering, singleLinkageFromMst } from '../../src/cluster/hdbscanTree.ts';
import { Random } from '../../src/random.ts';
import { coreDistancesRef, primMstRef } from '../../test/reference/hdbscan.ts';
import { compare, record, standardizedCustomers, toRows } from '../lib.mjs';

export const title = 'HDBSCAN (6 standardized features) and k-prototypes (4 numeric + 3 categorical)';

/** The scikit-learn figure for 100k x 6; not measured in this run. */
const SKLEARN_100K_MS = 48_000;

/** The plain-TS baseline: what a user could write by hand, O(n^2) time. */
function hdbscanPlain(X, minClusterSize, minSamples) {
  const core = coreDistancesRef(X.data, X.rows, X.cols, minSamples);
  const { linkage } = singleLinkageFromMst(primMstRef(X.data, X.rows, X.cols, core), X.rows);
  const flat = flatClustering(condenseTree(linkage, X.rows, minClusterSize), X.rows, { method: 'eom', allowSingleCluster: false, epsilon: 0 });
  return flat.selected.length;
}

async function hdbscanTs(rows, minClusterSize, minSamples) {
  const { HDBSCAN } = await import('hdbscan-ts');
  const labels = new HDBSCAN({ minClusterSize, minSamples }).fit(rows);
  return new Set(labels.filter((l) => l >= 0)).size;
}

export async function run({ quick } = {}) {
  const minClusterSize = 5;
  const minSamples = 5;
  for (const n of [1_000, 10_000, 100_000]) {
    const X = standardizedCustomers(sampleCustomerMatrix, n);
    const big = n >= 100_000;
    const found = {};
    const label = `hdbscan ${n.toLocaleString('en')} x 6, minClusterSize ${minClusterSize}`;
    const tasks = [
      { name: 'segmint hdbscan', fn: () => (found['segmint hdbscan'] = hdbscan(X, { minClusterSize, minSamples }).nClusters) },
      {
        name: 'plain-TS (brute force + Prim)',
        fn: () => (found['plain-TS (brute force + Prim)'] = hdbscanPlain(X, minClusterSize, minSamples)),
        skip: big ? 'O(n^2): about 100x the 10k time' : undefined,
      },
    ];
    if (n <= 10_000) {
      tasks.splice(1, 0, {
        name: "segmint hdbscan (mstAlgorithm 'prim')",
        fn: () => (found["segmint hdbscan (mstAlgorithm 'prim')"] = hdbscan(X, { minClusterSize, minSamples, mstAlgorithm: 'prim' }).nClusters),
      });
    }
    const rowsOut = await compare(label, tasks, {
      time: big || quick ? 500 : 1500,
      iterations: n >= 10_000 ? 1 : 3,
      extra: (name) => ({ clusters: found[name], extraText: found[name] === undefined ? undefined : `${found[name]} clusters` }),
    });
    if (big && rowsOut[0].meanMs != null) {
      record(
        'hdbscan 100,000 x 6',
        'segmint vs scikit-learn (48 s, figure from issue 14, not measured here)',
        (SKLEARN_100K_MS / rowsOut[0].meanMs).toFixed(1),
        'x faster',
      );
      const t = performance.now();
      const service = hdbscan(X, { minClusterSize: 1000, minSamples });
      record(
        'hdbscan 100,000 x 6',
        "segment()'s default (minClusterSize 1% = 1000, minSamples 5)",
        `${(performance.now() - t).toFixed(0)} ms, ${service.nClusters} clusters`,
        '',
      );
    }
    // hdbscan-ts once, outside tinybench: one fit at 1,000 rows took over 40 s (issue 14).
    if (n === 1_000) {
      const t = performance.now();
      const clusters = await hdbscanTs(toRows(X), minClusterSize, minSamples);
      const ms = performance.now() - t;
      record(label, 'hdbscan-ts (one run)', `${ms.toFixed(0)} ms, ${clusters} clusters`, '');
      if (rowsOut[0].meanMs != null) record(label, 'segmint vs hdbscan-ts', (ms / rowsOut[0].meanMs).toFixed(0), 'x faster');
    }
  }

  if (!quick || process.env.SEGMINT_BENCH_HDBSCAN_1M === '1') {
    const n1m = 1_000_000;
    const X = standardizedCustomers(sampleCustomerMatrix, n1m);
    const t = performance.now();
    const model = hdbscan(X, { minClusterSize, minSamples });
    record(
      'hdbscan 1,000,000 x 6, minClusterSize 5',
      'segmint hdbscan (one run, target 30 s)',
      `${(performance.now() - t).toFixed(0)} ms, ${model.nClusters} clusters`,
      '',
    );
    // The core distances split over init({ threads })' row-split pool (same result).
    await init({ threads: 2 });
    try {
      const t2 = performance.now();
      const split = hdbscan(X, { minClusterSize, minSamples });
      record(
        'hdbscan 1,000,000 x 6, minClusterSize 5',
        'segmint hdbscan, init({ threads: 2 }) (one run)',
        `${(performance.now() - t2).toFixed(0)} ms, ${split.nClusters} clusters`,
        '',
      );
    } finally {
      await init({ threads: 1 });
    }
  }

  // k-prototypes: 4 z-scored customer features and 3 categorical ones (region, channel,
  // plan) that depend on spend, so there is structure to find.
  const n = 100_000;
  const X6 = standardizedCustomers(sampleCustomerMatrix, n);
  const rng = new Random(7);
  const num = Array.from({ length: n }, (_, i) => Array.from(X6.data.subarray(i * 6, i * 6 + 4)));
  const cat = num.map((r) => {
    const tier = r[0] > 0.5 ? 2 : r[0] > -0.5 ? 1 : 0;
    return [
      `region-${rng.next() < 0.6 ? tier : rng.int(5)}`,
      rng.next() < 0.5 + 0.15 * tier ? 'web' : rng.next() < 0.5 ? 'store' : 'phone',
      `plan-${rng.next() < 0.7 ? tier : rng.int(4)}`,
    ];
  });
  const info = {};
  await compare(
    'kprototypes 100,000 x (4 + 3), k 5, one restart',
    [
      {
        name: 'segmint kprototypes (huang)',
        fn: () => {
          const m = kprototypes(num, cat, { k: 5, nInit: 1, seed: 1 });
          info.huang = `${m.iterations} iterations, converged ${m.converged}`;
        },
      },
      {
        name: 'segmint kprototypes (cao)',
        fn: () => {
          const m = kprototypes(num, cat, { k: 5, nInit: 1, seed: 1, init: 'cao' });
          info.cao = `${m.iterations} iterations, converged ${m.converged}`;
        },
      },
    ],
    { time: quick ? 500 : 1500, iterations: 2, ratios: false, extra: (name) => ({ extraText: info[name.includes('cao') ? 'cao' : 'huang'] }) },
  );
  // A restart after the first: kprototypes() codes the strings once per call, so the
  // later restarts of an nInit run are a kprototypesCoded() call on the same codes and
  // matrix (same seed, same iterations as the rows above).
  const categories = [0, 1, 2].map((t) => [...new Set(cat.map((r) => r[t]))].sort());
  const index = categories.map((c) => new Map(c.map((v, i) => [v, i])));
  const codes = Int32Array.from(cat.flatMap((r) => r.map((v, t) => index[t].get(v))));
  const numMatrix = { data: Float64Array.from(num.flat()), rows: n, cols: 4 };
  await compare(
    'kprototypes 100,000 x (4 + 3), k 5, a restart after the first (categories coded)',
    ['huang', 'cao'].map((init) => ({
      name: `segmint kprototypesCoded (${init})`,
      fn: () => kprototypesCoded(numMatrix, { codes, categories }, { k: 5, nInit: 1, seed: 1, init }),
    })),
    { time: quick ? 500 : 1500, iterations: 3, ratios: false },
  );
}
