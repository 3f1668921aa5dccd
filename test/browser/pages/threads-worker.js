// A module worker that uses segmint's kernel threads directly, as an app embedding it in
// its own worker would: init({ threads }), then K-Means with the row split forced on and
// the exact silhouette of its labels.
import * as segmint from '/node_modules/segmint/dist/index.js';

self.onmessage = async (ev) => {
  const { threads, rows, k, seed } = ev.data;
  try {
    if (threads > 1) await segmint.init({ threads });
    const X = segmint.sampleCustomerMatrix(rows, seed);
    const m = segmint.kmeans(X, { k, seed, nInit: 1, algorithm: 'lloyd', threads });
    // The exact silhouette of the first 3,000 rows: above the size its pair sums go to the threads.
    const head = { data: X.data.subarray(0, 3000 * X.cols), rows: 3000, cols: X.cols };
    const silhouette = segmint.silhouetteSamples(head, m.labels.subarray(0, 3000));
    self.postMessage({
      ok: true,
      threads: segmint.wasmInfo().threads,
      labels: Array.from(m.labels),
      centroids: m.centroids.map((c) => Array.from(c)),
      inertia: m.inertia,
      iterations: m.iterations,
      silhouette: Array.from(silhouette),
    });
  } catch (err) {
    self.postMessage({ ok: false, name: err.name, parameter: err.parameter, message: err.message });
  }
};
