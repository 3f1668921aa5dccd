// Gaussian mixtures (EM, k-means start) on standardized customer data against the
// plain-TS EM of test/reference/gmm.ts started from the same K-Means labelling.
// Target (issue 4): full covariances, 100k x 6, k = 5 in under half of scikit-learn's
// 0.4 s, i.e. < 200 ms, start included.
import { cpus } from 'node:os';
import { gmm, init, kmeans, sampleCustomerMatrix } from '../../dist/index.js';
import { gmmRef } from '../../test/reference/gmm.ts';
import { compare, record, standardizedCustomers } from '../lib.mjs';

export const title = 'Gaussian mixture (EM)';

export async function run({ quick }) {
  const n = quick ? 20_000 : 100_000;
  const k = 5;
  const seed = 0;
  const X = standardizedCustomers(sampleCustomerMatrix, n, 42);
  for (const covarianceType of ['full', 'diag']) {
    const fitted = gmm(X, { k, covarianceType, seed });
    const start = kmeans(X, { k, nInit: 1, seed }).labels;
    const ref = gmmRef(X.data, X.rows, X.cols, k, covarianceType, start);
    const group = `gmm ${covarianceType}, ${n.toLocaleString('en')} x ${X.cols}, k = ${k}`;
    console.log(
      `  segmint: ${fitted.iterations} EM iterations, mean log-likelihood ${fitted.meanLogLikelihood.toFixed(6)}; ` +
        `plain TS: ${ref.iterations} iterations, ${ref.meanLogLikelihood.toFixed(6)}`,
    );
    const rows = await compare(
      group,
      [
        { name: 'segmint gmm (wasm)', fn: () => gmm(X, { k, covarianceType, seed }) },
        { name: 'plain-TS EM (same start)', fn: () => gmmRef(X.data, X.rows, X.cols, k, covarianceType, start) },
      ],
      { time: quick ? 500 : 2000, iterations: 3 },
    );
    // Issue 16: the E-step split over init({ threads }) (rows are independent; the same fit).
    const threads = Math.min(cpus().length, 4);
    if (threads > 1) {
      await init({ threads });
      try {
        await compare(
          `${group}: init({ threads }) E-step split`,
          [{ name: `segmint gmm, ${threads} threads`, fn: () => gmm(X, { k, covarianceType, seed }) }],
          { time: quick ? 500 : 2000, iterations: 3 },
        );
      } finally {
        await init({ threads: 1 });
      }
    }
    record(group, 'segmint EM iterations', fitted.iterations, 'iterations');
    if (rows[0].meanMs != null) record(group, 'segmint ms per EM iteration (incl. k-means start)', +(rows[0].meanMs / fitted.iterations).toFixed(2), 'ms');
    if (covarianceType === 'full' && rows[0].meanMs != null) {
      // Mean and median both: on a shared 2-core machine the mean carries other jobs' noise.
      record(group, 'segmint median', +rows[0].p50Ms.toFixed(1), 'ms');
      record(group, 'target < 200 ms (half of scikit-learn 0.4 s), by mean', rows[0].meanMs < 200 ? 'met' : 'not met', '');
    }
  }
  // What chooseK's 'bic' method will cost: k = 2..10 on 10k rows.
  const small = standardizedCustomers(sampleCustomerMatrix, 10_000, 7);
  const t0 = performance.now();
  for (let kk = 2; kk <= 10; kk++) gmm(small, { k: kk, seed });
  record('gmm bic curve, 10,000 x 6, k = 2..10 (full)', 'wall time', +(performance.now() - t0).toFixed(0), 'ms');
}
