// The cases the browser suite runs in a page, as plain JS (evaluated by name from the test,
// so no transpiled helpers leak into the page). The Node side runs the same cases on the
// same build and compares bit for bit.
export function makeCases(segmint) {
  const { kmeans, sampleCustomerMatrix, sampleCustomers, silhouetteScore, silhouetteSamples, daviesBouldinScore, calinskiHarabaszScore, segment } = segmint;
  const standardized = (n, seed) => {
    const m = sampleCustomerMatrix(n, seed);
    const { rows, cols, data } = m;
    for (let j = 0; j < cols; j++) {
      let mean = 0;
      for (let i = 0; i < rows; i++) mean += data[i * cols + j];
      mean /= rows;
      let v = 0;
      for (let i = 0; i < rows; i++) v += (data[i * cols + j] - mean) ** 2;
      const sd = Math.sqrt(v / rows) || 1;
      for (let i = 0; i < rows; i++) data[i * cols + j] = (data[i * cols + j] - mean) / sd;
    }
    return m;
  };
  const withoutTimings = (r) => {
    const c = JSON.parse(JSON.stringify(r));
    delete c.meta.timings_ms;
    return c;
  };
  return {
    kmeans({ n, seed, k, nInit, init, algorithm }) {
      const X = standardized(n, seed);
      const options = { k, seed, nInit };
      if (init !== undefined) options.init = init;
      if (algorithm !== undefined) options.algorithm = algorithm;
      const m = kmeans(X, options);
      return { labels: Array.from(m.labels), centroids: m.centroids, inertia: m.inertia, iterations: m.iterations, converged: m.converged };
    },
    metrics({ n, seed, k }) {
      const X = standardized(n, seed);
      const labels = kmeans(X, { k, seed }).labels;
      return {
        silhouette: silhouetteScore(X, labels),
        silhouetteSampled: silhouetteScore(X, labels, { sampleSize: Math.floor(n / 3), seed: 5 }),
        samples: Array.from(silhouetteSamples(X, labels)),
        daviesBouldin: daviesBouldinScore(X, labels),
        calinskiHarabasz: calinskiHarabaszScore(X, labels),
      };
    },
    async segment({ n, seed, request, locale }) {
      return withoutTimings(await segment({ data: sampleCustomers(n, seed), ...request }, { locale }));
    },
    async segmentError({ request, locale }) {
      try {
        await segment(request, { locale });
        return null;
      } catch (err) {
        return { name: err.name, isSegmentationError: err instanceof segmint.SegmentationError, status: err.status, code: err.code, message: err.message };
      }
    },
    withoutTimings,
  };
}
