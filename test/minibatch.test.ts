// miniBatchKMeans() and partialFit() against full K-Means, a plain-TS update step and
// the invariants of scikit-learn's update rule.
import { describe, expect, it } from 'vitest';
import { createMiniBatchKMeans, InvalidParameterError, kmeans, miniBatchKMeans, MiniBatchKMeansModel } from '../src/index';
import { Random } from '../src/random';
import { adjustedRandIndexRef, miniBatchStepRef } from './reference/minibatch';

function gaussians(n: number, centres: number[][], sd: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, (_, i) => centres[i % centres.length].map((c) => c + sd * rng.normal()));
}

const separated = [
  [0, 0, 0, 0],
  [10, 0, 0, 10],
  [0, 10, 10, 0],
  [10, 10, 0, 0],
];

describe('miniBatchKMeans', () => {
  it('well-separated blobs: the same partition as full K-Means (ARI 1)', () => {
    const X = gaussians(8000, separated, 1, 1);
    const full = kmeans(X, { k: 4, seed: 3, nInit: 3 });
    const mb = miniBatchKMeans(X, { k: 4, seed: 3, batchSize: 512 });
    expect(adjustedRandIndexRef(mb.labels, full.labels)).toBe(1);
    expect(mb.nClusters).toBe(4);
    expect(mb.labels.length).toBe(8000);
  });

  it('overlapping segments: inertia within 2% of full K-Means', () => {
    // Centres about 2 standard deviations apart, as the bench's overlapping data.
    const rng = new Random(8);
    const centres = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => 1.2 * rng.normal()));
    const X = gaussians(30000, centres, 1, 9);
    const full = kmeans(X, { k: 5, seed: 1, nInit: 3 });
    const ratios: number[] = [];
    for (let seed = 1; seed <= 5; seed++) {
      const mb = miniBatchKMeans(X, { k: 5, seed });
      // mb.inertia is over all of X; recompute it independently from its centroids.
      let inertia = 0;
      for (const x of X) inertia += Math.min(...mb.centroids.map((c) => c.reduce((s, v, j) => s + (x[j] - v) ** 2, 0)));
      expect(Math.abs(inertia - mb.inertia) / inertia).toBeLessThan(1e-9);
      expect(mb.nSteps).toBeLessThanOrEqual(Math.floor((100 * 30000) / 1024));
      ratios.push(mb.inertia / full.inertia);
    }
    // Early stopping on the smoothed inertia can stop a seed short on overlapping data
    // (scikit-learn 1.6 on these rows: 1.004-1.096 over seeds 0-4), so: the median
    // within 2%, every seed within 12%.
    ratios.sort((a, b) => a - b);
    expect(ratios[2]).toBeLessThan(1.02);
    expect(ratios[4]).toBeLessThan(1.12);
    // Without early stopping, ten passes land within 1%.
    const long = miniBatchKMeans(X, { k: 5, seed: 1, maxNoImprovement: null, maxIter: 10 });
    expect(long.inertia / full.inertia).toBeLessThan(1.01);
  });

  it('stops early on the smoothed inertia, and later with a larger maxNoImprovement', () => {
    const X = gaussians(20000, separated, 1, 2);
    const a = miniBatchKMeans(X, { k: 4, seed: 1, maxNoImprovement: 2 });
    const b = miniBatchKMeans(X, { k: 4, seed: 1, maxNoImprovement: 30 });
    const c = miniBatchKMeans(X, { k: 4, seed: 1, maxNoImprovement: null, maxIter: 2 });
    expect(a.nSteps).toBeLessThan(b.nSteps);
    expect(c.nSteps).toBe(Math.floor((2 * 20000) / 1024));
    expect(c.nIter).toBe(2);
  });

  it('is deterministic per seed', () => {
    const X = gaussians(5000, separated, 2, 3);
    const a = miniBatchKMeans(X, { k: 4, seed: 5 });
    const b = miniBatchKMeans(X, { k: 4, seed: 5 });
    expect(a.centroids).toEqual(b.centroids);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  });

  it('predict and toJSON/fromJSON agree', () => {
    const X = gaussians(3000, separated, 1, 4);
    const m = miniBatchKMeans(X, { k: 4, seed: 2 });
    expect(Array.from(m.predict(X))).toEqual(Array.from(m.labels));
    const back = MiniBatchKMeansModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    const Y = gaussians(200, separated, 1, 5);
    expect(Array.from(back.predict(Y))).toEqual(Array.from(m.predict(Y)));
    expect(back.centroids).toEqual(m.centroids);
    expect(back.counts).toEqual(m.counts);
  });

  it('bad input fails naming the parameter', () => {
    const X = gaussians(100, separated, 1, 6);
    const param = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidParameterError);
        return (e as InvalidParameterError).parameter;
      }
      return 'no error';
    };
    expect(param(() => miniBatchKMeans(X, { k: 0 }))).toBe('k');
    expect(param(() => miniBatchKMeans(X, { k: 2, batchSize: 0 }))).toBe('batchSize');
    expect(param(() => miniBatchKMeans(X, { k: 2, reassignmentRatio: -1 }))).toBe('reassignmentRatio');
    expect(param(() => miniBatchKMeans(X, { k: 2, maxNoImprovement: 1.5 }))).toBe('maxNoImprovement');
    expect(param(() => miniBatchKMeans(X, { k: 2, bogus: 1 } as never))).toBe('bogus');
    expect(param(() => miniBatchKMeans(X, { k: 200 }))).toBe('k');
    expect(param(() => createMiniBatchKMeans({ k: 2 }).predict(X))).toBe('model');
    const m = createMiniBatchKMeans({ k: 2 }).partialFit(X);
    expect(param(() => m.partialFit([[1, 2]]))).toBe('batch');
    expect(param(() => createMiniBatchKMeans({ k: 5 }).partialFit(X.slice(0, 3)))).toBe('batch');
  });
});

describe('partialFit over chunks', () => {
  const rng = new Random(12);
  const centres = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => 3 * rng.normal()));
  const X = gaussians(6000, centres, 1, 13);
  const chunks = Array.from({ length: 6 }, (_, c) => X.slice(c * 1000, (c + 1) * 1000));

  it('without reassignment, each chunk is exactly the reference update of the previous state', () => {
    const m = createMiniBatchKMeans({ k: 3, seed: 4, reassignmentRatio: 0 });
    m.partialFit(chunks[0]);
    expect(m.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    for (let c = 1; c < chunks.length; c++) {
      const ref = miniBatchStepRef(m.centroids, m.counts, chunks[c]);
      m.partialFit(chunks[c]);
      // Counts add up: every row of every chunk lands in exactly one centroid.
      expect(m.counts).toEqual(ref.counts);
      expect(m.counts.reduce((a, b) => a + b, 0)).toBe(1000 * (c + 1));
      m.centroids.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - ref.centroids[i][j])).toBeLessThan(1e-9 * (1 + Math.abs(v)))));
    }
    expect(m.nSteps).toBe(6);
    // Labels and inertia are the last chunk's, against the updated centroids.
    const last = chunks[5];
    const check = miniBatchStepRef(m.centroids, m.counts, last);
    expect(Array.from(m.labels)).toEqual(check.labels);
    expect(Math.abs(m.inertia - check.inertia) / check.inertia).toBeLessThan(1e-9);
  });

  it('the centroids are the running means of the rows each has absorbed', () => {
    // From given initial centroids, counts from zero and no reassignment, the update rule
    // makes each centroid the plain mean of every row assigned to it so far (its initial
    // position weighs nothing). Assignments are taken from the plain-TS reference.
    const start = [chunks[0][0], chunks[0][1], chunks[0][2]];
    const m = createMiniBatchKMeans({ k: 3, init: start, reassignmentRatio: 0 });
    const absorbed = Array.from({ length: 3 }, () => ({ sum: new Array(5).fill(0), n: 0 }));
    let current = start.map((r) => r.slice());
    for (const chunk of chunks) {
      const { labels } = miniBatchStepRef(current, [0, 0, 0], chunk);
      labels.forEach((l, i) => {
        absorbed[l].n++;
        chunk[i].forEach((v, j) => (absorbed[l].sum[j] += v));
      });
      m.partialFit(chunk);
      current = m.centroids;
      expect(m.counts).toEqual(absorbed.map((a) => a.n));
      absorbed.forEach((a, c) => {
        if (a.n > 0) a.sum.forEach((s, j) => expect(Math.abs(current[c][j] - s / a.n)).toBeLessThan(1e-9 * (1 + Math.abs(s / a.n))));
      });
    }
    expect(m.counts.reduce((a, b) => a + b, 0)).toBe(6000);
  });

  it('with reassignment, the same chunks give a deterministic model whose predict labels the data well', () => {
    const a = createMiniBatchKMeans({ k: 3, seed: 4 });
    const b = createMiniBatchKMeans({ k: 3, seed: 4 });
    for (const chunk of chunks) {
      a.partialFit(chunk);
      b.partialFit(chunk);
    }
    expect(a.centroids).toEqual(b.centroids);
    const full = kmeans(X, { k: 3, seed: 1 });
    expect(adjustedRandIndexRef(a.predict(X), full.labels)).toBeGreaterThan(0.99);
  });
});
