import { afterAll, describe, expect, it } from 'vitest';
import { expectParameterError, withEachThreadCount } from './shared';
import { calinskiHarabaszScore, daviesBouldinScore, init, SILHOUETTE_EXACT_LIMIT, silhouette, silhouetteSamples, silhouetteScore } from '../src/index';
import { samplePositions } from '../src/metrics/silhouette';
import { Random } from '../src/random';
import { fixtureMatrix, fixtureNames, loadFixture, relDiff } from './helpers/fixtures';
import { calinskiHarabaszRef, daviesBouldinRef, silhouetteSamplesRef, silhouetteScoreRef } from './reference/metrics';

afterAll(async () => {
  await init({ variant: 'auto' });
});

/** Relative 1e-9, with an absolute floor for values that are ~0 (where relative error means nothing). */
function close(a: number, b: number, floor = 1e-12): boolean {
  return Math.abs(a - b) <= Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), floor);
}

/** Random clustered data; cluster sizes include singletons and pairs so every kernel tail runs. */
function randomCase(seed: number, n: number, d: number, k: number): { X: Float64Array; labels: Int32Array } {
  const rng = new Random(seed);
  const labels = new Int32Array(n);
  labels[0] = 0; // cluster 0 is a singleton
  labels[1] = 1;
  labels[2] = 1; // cluster 1 is a pair (when nothing else lands there)
  for (let i = 3; i < n; i++) labels[i] = 2 + rng.int(k - 2);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) X[i * d + f] = 3 * labels[i] * ((f % 2) * 2 - 1) + rng.normal();
  // Shuffle so rows are not already sorted by cluster.
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
    for (let f = 0; f < d; f++) [X[i * d + f], X[j * d + f]] = [X[j * d + f], X[i * d + f]];
  }
  return { X, labels };
}

describe('metrics against the scikit-learn fixtures', () => {
  for (const name of fixtureNames()) {
    const f = loadFixture(name);
    const X = fixtureMatrix(f);
    const labels = f.metrics.labels;
    it(`${name}: silhouette score, DB and CH to 1e-9 relative`, () => {
      expect(relDiff(silhouetteScore(X, labels), f.metrics.silhouette_score)).toBeLessThan(1e-9);
      expect(relDiff(daviesBouldinScore(X, labels), f.metrics.davies_bouldin_score)).toBeLessThan(1e-9);
      expect(relDiff(calinskiHarabaszScore(X, labels), f.metrics.calinski_harabasz_score)).toBeLessThan(1e-9);
    });
    it(`${name}: silhouette per sample`, () => {
      const s = silhouetteSamples(X, labels);
      expect(s.length).toBe(f.n);
      // The fixture stores per-sample values to 12 decimals, and scikit-learn's distances
      // (dot-product form) carry ~1e-11 absolute error, so values near 0 get an absolute
      // 1e-9 floor; everything else is compared to 1e-9 relative.
      for (let i = 0; i < f.n; i++) {
        const ref = f.metrics.silhouette_samples[i];
        expect(Math.abs(s[i] - ref), `row ${i}: ${s[i]} vs ${ref}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(ref), 1));
      }
    });
    it(`${name}: sampled silhouette within 0.02 of the exact score`, () => {
      const exact = silhouetteScore(X, labels, { exact: true });
      // Half the rows; 90% of the small fixtures (iris 150, edge case 101 rows), where a
      // half-size sample is 50-75 rows and its sampling error alone exceeds 0.02
      // (measured over 20 seeds: up to 0.05 at half size, 0.04 at 80%).
      const sampleSize = f.n >= 500 ? Math.floor(f.n / 2) : Math.floor(0.9 * f.n);
      for (const seed of [0, 1, 2]) {
        const r = silhouette(X, labels, { sampleSize, seed });
        expect(r.sampled).toBe(true);
        expect(r.sampleSize).toBe(sampleSize);
        expect(Math.abs(r.score - exact)).toBeLessThan(0.02);
      }
    });
  }
});

describe('metrics against the plain-TS reference on random data', () => {
  const cases: [number, number, number, number][] = [
    [1, 97, 6, 5],
    [2, 203, 3, 7],
    [3, 64, 1, 3],
    [4, 151, 7, 4],
    [5, 40, 2, 9],
  ];
  for (const [seed, n, d, k] of cases) {
    it(`seed ${seed}: n=${n} d=${d} k=${k}`, () => {
      const { X, labels } = randomCase(seed, n, d, k);
      const M = { data: X, rows: n, cols: d };
      const s = silhouetteSamples(M, labels);
      const ref = silhouetteSamplesRef(X, n, d, labels);
      for (let i = 0; i < n; i++) expect(close(s[i], ref[i]), `row ${i}: ${s[i]} vs ${ref[i]}`).toBe(true);
      expect(close(silhouetteScore(M, labels), silhouetteScoreRef(X, n, d, labels))).toBe(true);
      expect(close(daviesBouldinScore(M, labels), daviesBouldinRef(X, n, d, labels))).toBe(true);
      expect(close(calinskiHarabaszScore(M, labels), calinskiHarabaszRef(X, n, d, labels))).toBe(true);
    });
  }
});

describe('hand-computed case', () => {
  // 1-D points 0, 1 (cluster A) and 4 (cluster B, a singleton).
  const X = [[0], [1], [4]];
  const labels = [0, 0, 1];
  it('silhouette: (4-1)/4, (3-1)/3, singleton 0', () => {
    const s = silhouetteSamples(X, labels);
    expect(s[0]).toBeCloseTo(0.75, 15);
    expect(s[1]).toBeCloseTo(2 / 3, 15);
    expect(s[2]).toBe(0);
    expect(silhouetteScore(X, labels)).toBeCloseTo((0.75 + 2 / 3) / 3, 15);
  });
  it('Davies-Bouldin: spreads 0.5 and 0, centroids 3.5 apart', () => {
    expect(daviesBouldinScore(X, labels)).toBeCloseTo(1 / 7, 15);
  });
  it('Calinski-Harabasz: between 294/36, within 0.5', () => {
    expect(calinskiHarabaszScore(X, labels)).toBeCloseTo(294 / 36 / 0.5, 12);
  });
  it('duplicates: a = b = 0 scores 0, a = 0 < b scores 1', () => {
    const s = silhouetteSamples([[0], [0], [0], [0]], [0, 0, 1, 1]);
    expect(Array.from(s)).toEqual([0, 0, 0, 0]);
    const t = silhouetteSamples([[0], [0], [5], [5]], [0, 0, 1, 1]);
    expect(Array.from(t)).toEqual([1, 1, 1, 1]);
  });
  it('DB is 0 and CH is 1 when every cluster is a single point repeated', () => {
    const Y = [[0], [0], [5], [5]];
    expect(daviesBouldinScore(Y, [0, 0, 1, 1])).toBe(0);
    expect(calinskiHarabaszScore(Y, [0, 0, 1, 1])).toBe(1);
  });
});

describe('labels', () => {
  const { X, labels } = randomCase(11, 120, 4, 5);
  const M = { data: X, rows: 120, cols: 4 };
  it('any integer label values give the same scores as 0..k-1', () => {
    const relabelled = Array.from(labels, (l) => 1000 + 7 * (4 - l));
    // Reversed label order sorts the clusters differently, so sums may differ in the last bit.
    expect(close(silhouetteScore(M, relabelled), silhouetteScore(M, labels))).toBe(true);
    expect(close(daviesBouldinScore(M, relabelled), daviesBouldinScore(M, labels))).toBe(true);
    expect(close(calinskiHarabaszScore(M, relabelled), calinskiHarabaszScore(M, labels))).toBe(true);
    const sparse = Array.from(labels, (l) => l * 1e9);
    expect(silhouetteScore(M, sparse)).toBe(silhouetteScore(M, labels));
  });
  it('noise (negative labels) is left out, as if those rows were not in X', () => {
    const noisy = Array.from(labels);
    const keep: number[] = [];
    for (let i = 0; i < 120; i++) {
      if (i % 7 === 3) noisy[i] = i % 2 ? -1 : -5;
      else keep.push(i);
    }
    const sub = new Float64Array(keep.length * 4);
    keep.forEach((r, p) => sub.set(X.subarray(r * 4, r * 4 + 4), p * 4));
    const subLabels = Int32Array.from(keep, (r) => labels[r]);
    // Compacting may renumber clusters; the reference wants 0..k-1.
    const present = [...new Set(subLabels)].sort((a, b) => a - b);
    const codes = Int32Array.from(subLabels, (l) => present.indexOf(l));
    const n = keep.length;
    const s = silhouetteSamples(M, noisy);
    const ref = silhouetteSamplesRef(sub, n, 4, codes);
    keep.forEach((r, p) => expect(close(s[r], ref[p])).toBe(true));
    for (let i = 0; i < 120; i++) if (noisy[i] < 0) expect(s[i]).toBeNaN();
    expect(close(silhouetteScore(M, noisy), silhouetteScoreRef(sub, n, 4, codes))).toBe(true);
    expect(close(daviesBouldinScore(M, noisy), daviesBouldinRef(sub, n, 4, codes))).toBe(true);
    expect(close(calinskiHarabaszScore(M, noisy), calinskiHarabaszRef(sub, n, 4, codes))).toBe(true);
    const info = silhouette(M, noisy);
    expect(info.n).toBe(n);
    expect(info.nNoise).toBe(120 - n);
  });
});

describe('sampling', () => {
  it(`samples above SILHOUETTE_EXACT_LIMIT rows, says so, and exact: true forces the full score`, () => {
    const n = SILHOUETTE_EXACT_LIMIT + 1;
    const { X, labels } = randomCase(21, n, 2, 4);
    const M = { data: X, rows: n, cols: 2 };
    const r = silhouette(M, labels);
    expect(r).toMatchObject({ sampled: true, sampleSize: SILHOUETTE_EXACT_LIMIT, n, seed: 0 });
    expect(silhouetteScore(M, labels)).toBe(r.score);
    const e = silhouette(M, labels, { exact: true });
    expect(e).toMatchObject({ sampled: false, sampleSize: n, n });
    expect(Math.abs(e.score - r.score)).toBeLessThan(0.02);
  });
  it('a sampled score is the exact silhouette of the sampled rows (reference on the subset)', () => {
    const f = loadFixture('blobs-500x2-k4');
    const m = 123;
    const positions = samplePositions(f.n, m, 9);
    const sub = new Float64Array(m * f.d);
    const subLabels = new Int32Array(m);
    positions.forEach((r, p) => {
      sub.set(f.data.slice(r * f.d, r * f.d + f.d), p * f.d);
      subLabels[p] = f.metrics.labels[r];
    });
    const r = silhouette(fixtureMatrix(f), f.metrics.labels, { sampleSize: m, seed: 9 });
    expect(relDiff(r.score, silhouetteScoreRef(sub, m, f.d, subLabels))).toBeLessThan(1e-9);
  });
  it('is deterministic for a seed and differs across seeds', () => {
    const { X, labels } = randomCase(22, 600, 3, 4);
    const M = { data: X, rows: 600, cols: 3 };
    const a = silhouette(M, labels, { sampleSize: 200, seed: 5 });
    expect(silhouette(M, labels, { sampleSize: 200, seed: 5 }).score).toBe(a.score);
    expect(silhouette(M, labels, { sampleSize: 200, seed: 6 }).score).not.toBe(a.score);
  });
  it('a sampleSize of at least n is the exact score', () => {
    const { X, labels } = randomCase(23, 90, 3, 4);
    const M = { data: X, rows: 90, cols: 3 };
    const r = silhouette(M, labels, { sampleSize: 500 });
    expect(r.sampled).toBe(false);
    expect(r.score).toBe(silhouetteScore(M, labels, { exact: true }));
  });
});

describe('bad input', () => {
  const X = [
    [0, 1],
    [1, 1],
    [5, 5],
    [6, 5],
  ];
  const fns = {
    silhouetteScore: (x: unknown, l: unknown) => silhouetteScore(x as number[][], l as number[]),
    silhouetteSamples: (x: unknown, l: unknown) => silhouetteSamples(x as number[][], l as number[]),
    daviesBouldinScore: (x: unknown, l: unknown) => daviesBouldinScore(x as number[][], l as number[]),
    calinskiHarabaszScore: (x: unknown, l: unknown) => calinskiHarabaszScore(x as number[][], l as number[]),
  };
  const expectError = expectParameterError;
  for (const [name, fn] of Object.entries(fns)) {
    it(`${name}: one label, all noise, one cluster per row`, () => {
      expectError(() => fn(X, [0, 0, 0, 0]), 'labels', /between 2 and n-1 distinct labels.*1 distinct label/);
      expectError(() => fn(X, [-1, -1, -1, -1]), 'labels', /every row is noise/);
      expectError(() => fn(X, [0, 1, 2, 3]), 'labels', /between 2 and n-1/);
      expectError(() => fn(X, [0, 1, -1, -1]), 'labels', /between 2 and n-1/);
    });
    it(`${name}: mismatched lengths, NaN, non-integer labels`, () => {
      expectError(() => fn(X, [0, 1, 1]), 'labels', /has 3 values but X has 4 rows/);
      expectError(() => fn(X, [0, 1, NaN, 1]), 'labels', /value 2 is NaN/);
      expectError(() => fn(X, [0, 1, 0.5, 1]), 'labels', /must be integers/);
      expectError(
        () =>
          fn(
            [
              [0, 1],
              [1, NaN],
              [5, 5],
              [6, 5],
            ],
            [0, 0, 1, 1],
          ),
        'X',
        /row 1, column 1 is NaN/,
      );
      expectError(() => fn(X, undefined), 'labels', /array of integers/);
    });
  }
  it('silhouette options', () => {
    const l = [0, 0, 1, 1];
    expectError(() => silhouetteScore(X, l, { sampleSize: 1 }), 'sampleSize', /between 2/);
    expectError(() => silhouetteScore(X, l, { exact: true, sampleSize: 3 }), 'exact', /sampleSize/);
    expectError(() => silhouetteScore(X, l, { seed: 0.5 }), 'seed', /integer/);
    expectError(() => silhouetteScore(X, l, { samplesize: 3 } as never), 'samplesize', /not an option of silhouetteScore/);
    expectError(() => silhouette(X, l, { exact: 'yes' } as never), 'exact', /true or false/);
    // A sample that holds a single cluster cannot be scored: say so, naming sampleSize.
    const many = Array.from({ length: 50 }, (_, i) => [i]);
    const lab = many.map((_, i) => (i === 0 ? 1 : 0));
    expectError(() => silhouetteScore(many, lab, { sampleSize: 2, seed: 1 }), 'sampleSize', /sample of 2 rows/);
  });
});

describe('SIMD and scalar builds agree bit for bit', () => {
  it('on random data (every kernel tail) and on a fixture', async () => {
    const inputs = [randomCase(31, 203, 6, 7), randomCase(32, 77, 3, 4), randomCase(33, 130, 1, 5)].map((c, i) => ({
      M: { data: c.X, rows: [203, 77, 130][i], cols: [6, 3, 1][i] },
      labels: c.labels,
    }));
    const f = loadFixture('blobs-1500x6-k5-noisy');
    inputs.push({ M: fixtureMatrix(f), labels: Int32Array.from(f.metrics.labels) });
    const run = () =>
      inputs.map(({ M, labels }) => ({
        samples: Array.from(silhouetteSamples(M, labels)),
        db: daviesBouldinScore(M, labels),
        ch: calinskiHarabaszScore(M, labels),
      }));
    const simd = (await init({ variant: 'simd' })).variant;
    expect(simd).toBe('simd');
    const a = run();
    await init({ variant: 'scalar' });
    const b = run();
    expect(b).toEqual(a);
  });
});

describe('a silhouette sample that misses clusters', () => {
  it('throws SampleMissesClustersError (parameter sampleSize) with the numbers', async () => {
    const { SampleMissesClustersError } = await import('../src/metrics/silhouette');
    const X = Array.from({ length: 40 }, (_, i) => [i < 38 ? i * 0.01 : 100 + i, 0]);
    const labels = Array.from({ length: 40 }, (_, i) => (i < 38 ? 0 : 1));
    let caught: unknown;
    try {
      silhouette(X, labels, { sampleSize: 3, seed: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SampleMissesClustersError);
    const e = caught as InstanceType<typeof SampleMissesClustersError>;
    expect(e.parameter).toBe('sampleSize');
    expect(e.values).toMatchObject({ clusters: 1, sampleSize: 3, labelledRows: 40 });
    expect(e.message).toMatch(/^sampleSize: silhouette needs between 2 and n-1 distinct labels in the sample of 3 rows/);
  });
});

describe('metrics on a validated matrix', () => {
  it('give the public functions’ values without copying or modifying the matrix', async () => {
    const { toMatrix } = await import('../src/matrix');
    const { silhouetteOfMatrix } = await import('../src/metrics/silhouette');
    const { daviesBouldinOfMatrix, calinskiHarabaszOfMatrix } = await import('../src/metrics/clusterScores');
    const rng = new Random(4);
    const X = Array.from({ length: 90 }, (_, i) => [(i % 3) * 5 + rng.normal(), rng.normal()]);
    const labels = Array.from({ length: 90 }, (_, i) => (i % 7 === 0 ? -1 : i % 3));
    const m = toMatrix(X);
    const before = Array.from(m.data);
    expect(silhouetteOfMatrix(m, labels, { sampleSize: 40, seed: 2 })).toEqual(silhouette(X, labels, { sampleSize: 40, seed: 2 }));
    expect(daviesBouldinOfMatrix(m, labels)).toBe(daviesBouldinScore(X, labels));
    expect(calinskiHarabaszOfMatrix(m, labels)).toBe(calinskiHarabaszScore(X, labels));
    expect(Array.from(m.data)).toEqual(before);
  });
});

describe('silhouette on init({ threads })', () => {
  it('gives bit for bit the one-thread values for 2 and 3 threads, tiles cutting clusters anywhere', async () => {
    // Above SILHOUETTE_THREADS_MIN; sizes not multiples of the 512-row tiles, a singleton
    // and a pair among the clusters, and few clusters (ranges spanning many tiles) or many.
    const cases = [randomCase(41, 2051, 6, 3), randomCase(42, 2600, 3, 9), randomCase(43, 3001, 1, 5), randomCase(44, 2300, 7, 40)].map((c, i) => ({
      M: { data: c.X, rows: [2051, 2600, 3001, 2300][i], cols: [6, 3, 1, 7][i] },
      labels: c.labels,
    }));
    const single = cases.map(({ M, labels }) => silhouetteSamples(M, labels));
    // The one-thread kernel itself against the plain-TS reference.
    for (const [t, { M, labels }] of cases.entries()) {
      const ref = silhouetteSamplesRef(M.data, M.rows, M.cols, labels);
      for (let i = 0; i < M.rows; i += 97) expect(close(single[t][i], ref[i])).toBe(true);
    }
    await withEachThreadCount([2, 3], () => {
      cases.forEach(({ M, labels }, t) => {
        const split = silhouetteSamples(M, labels);
        expect(split.length).toBe(M.rows);
        // toEqual tells -0 from 0 and compares every double exactly.
        expect(Array.from(split)).toEqual(Array.from(single[t]));
      });
    });
  });
});
