// The clusterer registry: every algorithm fits by name on a validated matrix, reports
// nClusters, and comes back from its toJSON() through loadModel with the same predictions.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHM_NAMES, fitAlgorithm, getClusterer, loadModel, paramsFor, type AlgorithmName } from '../src/cluster/registry';
import { toMatrix } from '../src/matrix';
import { Random } from '../src/random';
import { init } from '../src/wasm/index';
import { expectParameterError } from './shared';

beforeAll(async () => {
  await init();
});

/** Three well-separated blobs of 40 rows in 3 dimensions, and 30 new rows around them. */
function blobs(seed: number) {
  const rng = new Random(seed);
  const centres = [
    [0, 0, 0],
    [6, 6, 0],
    [0, 6, 6],
  ];
  const rows = (count: number) => Array.from({ length: count }, (_, i) => centres[i % 3].map((c) => c + 0.4 * rng.normal()));
  return { train: rows(120), test: rows(30) };
}

const PARAMS: Record<(typeof ALGORITHM_NAMES)[number], Record<string, unknown>> = {
  kmeans: { k: 3, seed: 1 },
  gmm: { k: 3, seed: 1 },
  agglomerative: { k: 3 },
  dbscan: { eps: 1.5, minSamples: 4 },
  hdbscan: { minClusterSize: 10 },
  // Column 2 read as categories (every value its own): k-prototypes then clusters on columns 0 and 1.
  kprototypes: { k: 3, seed: 1, categoricalColumns: [2] },
  miniBatchKMeans: { k: 3, seed: 1 },
};

describe('registry', () => {
  const { train, test } = blobs(5);
  const m = toMatrix(train);

  it('registers the algorithms', () => {
    expect([...ALGORITHM_NAMES].sort()).toEqual(['agglomerative', 'dbscan', 'gmm', 'hdbscan', 'kmeans', 'kprototypes', 'miniBatchKMeans']);
  });

  for (const name of ALGORITHM_NAMES) {
    it(`${name}: fits, reports nClusters, round-trips through toJSON and loadModel`, () => {
      const before = Float64Array.from(m.data);
      const model = fitAlgorithm(name, m, PARAMS[name] as never);
      expect(Array.from(m.data)).toEqual(Array.from(before)); // read, not modified
      expect(model.labels.length).toBe(train.length);
      expect(model.nClusters).toBe(3);
      expect(new Set(Array.from(model.labels).filter((l) => l >= 0)).size).toBe(3);
      const json = model.toJSON();
      expect(json.type).toBe(getClusterer(name).modelType);
      const again = loadModel(JSON.parse(JSON.stringify(json)));
      expect(again.constructor).toBe(model.constructor);
      expect(again.nClusters).toBe(3);
      const predicted = model.predict!(test);
      expect(Array.from(again.predict!(test))).toEqual(Array.from(predicted));
      expect(Array.from(loadModel(JSON.stringify(json)).predict!(test))).toEqual(Array.from(predicted));
      expect(Array.from(model.predictMatrix!(toMatrix(test)))).toEqual(Array.from(predicted));
      // The blobs are far apart: new rows land in the cluster of the training rows of their blob.
      for (let i = 0; i < test.length; i++) expect(predicted[i]).toBe(model.labels[i % 3]);
    });
  }

  it("'hierarchical' is agglomerative", () => {
    const a = fitAlgorithm('hierarchical', m, { k: 3 });
    expect(a.toJSON().type).toBe('segmint.agglomerative');
    expect(getClusterer('hierarchical')).toBe(getClusterer('agglomerative'));
  });

  it('fits with the same results as the public functions', async () => {
    const { kmeans, gmm, agglomerative, dbscan, hdbscan, kprototypes, miniBatchKMeans } = await import('../src/index');
    const pub = {
      kmeans,
      gmm,
      agglomerative,
      dbscan,
      hdbscan,
      miniBatchKMeans,
      kprototypes: (X: number[][]) =>
        kprototypes(
          X.map((r) => [r[0], r[1]]),
          X.map((r) => [r[2]]),
          { k: 3, seed: 1 },
        ),
    } as Record<string, (X: unknown, o: unknown) => { labels: Int32Array }>;
    for (const name of ALGORITHM_NAMES) {
      expect(Array.from(fitAlgorithm(name, m, PARAMS[name] as never).labels)).toEqual(Array.from(pub[name](train, PARAMS[name]).labels));
    }
  });

  it('paramsFor picks what each algorithm takes from one bag of settings', () => {
    const settings = { k: 3, seed: 2, linkage: 'average', covarianceType: 'diag', eps: 1.5, minSamples: 4, unrelated: 1 };
    expect(paramsFor('kmeans', settings)).toEqual({ k: 3, seed: 2 });
    expect(paramsFor('gmm', settings)).toEqual({ k: 3, seed: 2, covarianceType: 'diag' });
    expect(paramsFor('hierarchical', settings)).toEqual({ k: 3, seed: 2, linkage: 'average' });
    expect(paramsFor('dbscan', { ...settings, eps: undefined })).toEqual({ minSamples: 4 });
    for (const name of ['kmeans', 'gmm', 'hierarchical', 'dbscan'] as AlgorithmName[]) {
      expect(fitAlgorithm(name, m, paramsFor(name, settings) as never).nClusters).toBe(3);
    }
  });

  it('unknown names, options and model types fail naming the parameter', () => {
    expectParameterError(
      () => getClusterer('kmedoids'),
      'algorithm',
      /must be one of 'kmeans', 'gmm', 'agglomerative', 'dbscan', 'hdbscan', 'kprototypes', 'miniBatchKMeans', 'hierarchical'/,
    );
    expectParameterError(() => fitAlgorithm('dbscan', m, { k: 3 } as never), 'k', /not an option of dbscan/);
    expectParameterError(() => loadModel({ type: 'segmint.nope', version: 1 }), 'json', /not a segmint clustering model/);
    expectParameterError(() => getClusterer('kmeans').fromJSON({ type: 'segmint.gmm', version: 1 }), 'json', /not a segmint K-Means model/);
  });
});
