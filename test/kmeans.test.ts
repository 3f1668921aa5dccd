// kmeans() against scikit-learn's fixtures, the plain-TS Lloyd, and its own contract.
import { describe, expect, it } from 'vitest';
import { init, kmeans, KMeansModel, InvalidParameterError, sampleCustomerMatrix } from '../src/index';
import { Random } from '../src/random';
import { MIN_THREADED_ROWS, PROBE_SAMPLE_MIN_ROWS } from '../src/cluster/kmeans';
import { kernels } from '../src/wasm/index';
import { cumulativeHits } from '../src/cluster/kmeansInit';
import { expectedPairs, packedPairs } from './helpers/pairs';
import fc from 'fast-check';
import { fixtureMatrix, fixtureNames, loadFixture, relDiff } from './helpers/fixtures';
import { lloydRef } from './reference/kmeans';

const names = fixtureNames();

describe('kmeans against scikit-learn fixtures', () => {
  it('finds the fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
  });

  it.each(names)('%s: nInit 10 inertia within 1.001 x sklearn best', (name) => {
    const f = loadFixture(name);
    for (const algorithm of ['lloyd', 'hamerly'] as const) {
      const m = kmeans(fixtureMatrix(f), { k: f.kmeans.k, nInit: 10, seed: 1, algorithm });
      expect(m.inertia).toBeLessThanOrEqual(f.kmeans.sklearn_best_inertia_n_init_10 * 1.001);
      expect(m.labels.length).toBe(f.n);
    }
  });

  it.each(names)('%s: sklearn centroids as init reproduce sklearn labels and inertia', (name) => {
    // Starting from sklearn's converged centroids, Lloyd must stay there: same labels,
    // same centroids, same inertia, independently of our own initialisation.
    const f = loadFixture(name);
    const { k } = f.kmeans;
    const flat = f.kmeans.sklearn_centroids.flat();
    const centroids = Array.from({ length: k }, (_, c) => flat.slice(c * f.d, (c + 1) * f.d));
    const m = kmeans(fixtureMatrix(f), { k, init: centroids, seed: 0 });
    expect(Array.from(m.labels)).toEqual(f.kmeans.sklearn_labels);
    expect(relDiff(m.inertia, f.kmeans.sklearn_best_inertia_n_init_10)).toBeLessThan(1e-9);
    m.centroids.forEach((c, i) => c.forEach((v, j) => expect(Math.abs(v - centroids[i][j])).toBeLessThan(1e-9 * (1 + Math.abs(v)))));
  });
});

describe('kmeans against the plain-TS Lloyd', () => {
  it('matches labels, centroids and inertia from the same start', () => {
    const X = sampleCustomerMatrix(3000, 5);
    const k = 4;
    const start = [0, 100, 200, 300].map((i) => Array.from(X.data.subarray(i * 6, i * 6 + 6)));
    const ours = kmeans(X, { k, init: start, tol: 0, algorithm: 'lloyd' });
    const ref = lloydRef(X.data, X.rows, 6, start.flat(), k, 300, 0);
    expect(Array.from(ours.labels)).toEqual(Array.from(ref.labels));
    expect(relDiff(ours.inertia, ref.inertia)).toBeLessThan(1e-9);
    ours.centroids.flat().forEach((v, i) => expect(relDiff(v, ref.centroids[i])).toBeLessThan(1e-9));
  });
});

describe('determinism and builds', () => {
  it('the same seed gives the same result; another seed may not', () => {
    const X = sampleCustomerMatrix(2000, 9);
    const a = kmeans(X, { k: 5, seed: 11 });
    const b = kmeans(X, { k: 5, seed: 11 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.centroids).toEqual(b.centroids);
    expect(a.inertia).toBe(b.inertia);
  });

  it('SIMD and scalar builds give bit-identical labels, centroids and inertia', async () => {
    const X = sampleCustomerMatrix(5000, 3);
    const results = [];
    for (const variant of ['simd', 'scalar'] as const) {
      await init({ variant });
      for (const algorithm of ['lloyd', 'hamerly'] as const) {
        results.push(kmeans(X, { k: 6, seed: 4, nInit: 2, algorithm }));
      }
    }
    await init();
    const [simdLloyd, simdHamerly, scalarLloyd, scalarHamerly] = results;
    expect(Array.from(scalarLloyd.labels)).toEqual(Array.from(simdLloyd.labels));
    expect(scalarLloyd.centroids).toEqual(simdLloyd.centroids);
    expect(scalarLloyd.inertia).toBe(simdLloyd.inertia);
    expect(Array.from(scalarHamerly.labels)).toEqual(Array.from(simdHamerly.labels));
    expect(scalarHamerly.centroids).toEqual(simdHamerly.centroids);
    expect(scalarHamerly.inertia).toBe(simdHamerly.inertia);
    // Lloyd and Hamerly are the same algorithm with different bookkeeping.
    expect(relDiff(simdHamerly.inertia, simdLloyd.inertia)).toBeLessThan(1e-9);
  });

  it('memory does not grow across a thousand calls beyond the largest one', async () => {
    const { wasmInfo } = await import('../src/index');
    const big = sampleCustomerMatrix(20000, 1);
    kmeans(big, { k: 5, seed: 1 });
    const after = wasmInfo().memoryBytes;
    const small = sampleCustomerMatrix(200, 2);
    for (let i = 0; i < 1000; i++) kmeans(small, { k: 3, seed: i, maxIter: 5 });
    expect(wasmInfo().memoryBytes).toBe(after);
  });
});

describe('kmeans semantics', () => {
  it('inertia is the weighted sum of squared distances to the returned centroids', () => {
    const X = sampleCustomerMatrix(1000, 8);
    const rng = new Random(1);
    const w = Array.from({ length: 1000 }, () => rng.next() * 3);
    const m = kmeans(X, { k: 4, sampleWeight: w, seed: 2 });
    let inertia = 0;
    for (let i = 0; i < 1000; i++) {
      const c = m.centroids[m.labels[i]];
      let s = 0;
      for (let j = 0; j < 6; j++) s += (X.data[i * 6 + j] - c[j]) ** 2;
      inertia += w[i] * s;
    }
    expect(relDiff(m.inertia, inertia)).toBeLessThan(1e-9);
    // Each centroid is the weighted mean of its members.
    for (let c = 0; c < 4; c++) {
      for (let j = 0; j < 6; j++) {
        let num = 0;
        let den = 0;
        for (let i = 0; i < 1000; i++)
          if (m.labels[i] === c) {
            num += w[i] * X.data[i * 6 + j];
            den += w[i];
          }
        expect(relDiff(m.centroids[c][j], num / den)).toBeLessThan(1e-9);
      }
    }
  });

  it('an option passed as undefined counts as not given', () => {
    const X = sampleCustomerMatrix(300, 2);
    const a = kmeans(X, { k: 3, init: undefined, nInit: undefined, seed: 4 });
    const b = kmeans(X, { k: 3, seed: 4 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  });

  it('integer sample weights equal repeated rows', () => {
    const rows = [
      [0, 0],
      [0, 1],
      [5, 5],
      [5, 6],
      [10, 0],
      [11, 0],
    ];
    const w = [1, 3, 2, 1, 1, 2];
    const repeated = rows.flatMap((r, i) => Array.from({ length: w[i] }, () => r));
    const a = kmeans(rows, { k: 3, sampleWeight: w, nInit: 5 });
    const b = kmeans(repeated, { k: 3, nInit: 5 });
    expect(relDiff(a.inertia, b.inertia)).toBeLessThan(1e-12);
  });

  it('zero-weight rows cannot hold a cluster: k above the weighted distinct rows is an error', () => {
    expect(() => kmeans([[0], [1], [2], [10]], { k: 3, sampleWeight: [1, 0, 0, 1] })).toThrow(
      /k: is 3 but only 2 distinct rows of X have a positive sampleWeight/,
    );
    // With enough weighted rows, zero-weight rows are never made a centroid and both algorithms agree.
    const rows = [[0], [0.5], [1], [2], [10], [11], [30]];
    const w = [1, 0, 1, 0, 1, 0, 1];
    const lloyd = kmeans(rows, { k: 3, sampleWeight: w, algorithm: 'lloyd', init: 'random', nInit: 3 });
    const hamerly = kmeans(rows, { k: 3, sampleWeight: w, algorithm: 'hamerly', init: 'random', nInit: 3 });
    expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
    expect(hamerly.inertia).toBeCloseTo(lloyd.inertia, 12);
    for (const c of lloyd.centroids.flat()) expect(Number.isFinite(c)).toBe(true);
  });

  it('relocates empty clusters to the farthest points', () => {
    // Two centroids start far from all data: both come up empty in the first pass.
    const rows = [
      [0, 0],
      [0.1, 0],
      [0, 0.1],
      [10, 10],
      [10.1, 10],
      [20, 0],
    ];
    const m = kmeans(rows, {
      k: 3,
      init: [
        [0, 0],
        [100, 100],
        [200, 200],
      ],
    });
    expect(new Set(m.labels).size).toBe(3);
    expect(m.inertia).toBeLessThan(0.05);
  });

  it('random init uses 10 restarts by default and converges', () => {
    const f = loadFixture('blobs-500x2-k4');
    const m = kmeans(fixtureMatrix(f), { k: 4, init: 'random', seed: 3 });
    expect(m.nInit).toBe(10);
    expect(m.converged).toBe(true);
    expect(m.inertia).toBeLessThanOrEqual(f.kmeans.sklearn_best_inertia_n_init_10 * 1.001);
  });

  it('maxIter bounds the iterations and reports non-convergence', () => {
    const X = sampleCustomerMatrix(3000, 4);
    const m = kmeans(X, { k: 8, maxIter: 2, tol: 0, init: 'random', nInit: 1, seed: 5 });
    expect(m.iterations).toBe(2);
    expect(m.converged).toBe(false);
    // Labels still belong to the returned centroids.
    expect(Array.from(m.predict(X))).toEqual(Array.from(m.labels));
  });

  it('predicts new points and round-trips through JSON', () => {
    const X = sampleCustomerMatrix(2000, 6);
    const m = kmeans(X, { k: 5, seed: 8 });
    expect(Array.from(m.predict(X))).toEqual(Array.from(m.labels));
    const back = KMeansModel.fromJSON(JSON.stringify(m));
    const Y = sampleCustomerMatrix(500, 77);
    expect(Array.from(back.predict(Y))).toEqual(Array.from(m.predict(Y)));
    expect(back.centroids).toEqual(m.centroids);
    expect(back.inertia).toBe(m.inertia);
    expect(() => m.predict([[1, 2]])).toThrow(/X: has 2 columns but the model was fitted on 6/);
    expect(() => KMeansModel.fromJSON({ type: 'nope' } as never)).toThrow(InvalidParameterError);
  });
});

describe('edge cases', () => {
  it('exact duplicates: the edge fixture clusters every duplicate together', () => {
    const f = loadFixture('edge-duplicates-singleton');
    const m = kmeans(fixtureMatrix(f), { k: f.kmeans.k, nInit: 10 });
    const byRow = new Map<string, number>();
    for (let i = 0; i < f.n; i++) {
      const key = f.data.slice(i * f.d, (i + 1) * f.d).join(',');
      if (byRow.has(key)) expect(m.labels[i]).toBe(byRow.get(key));
      else byRow.set(key, m.labels[i]);
    }
  });

  it('k = 1: one cluster at the mean', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 9],
    ];
    const m = kmeans(rows, { k: 1 });
    expect(Array.from(m.labels)).toEqual([0, 0, 0]);
    expect(m.centroids[0][0]).toBeCloseTo(3, 12);
    expect(m.centroids[0][1]).toBeCloseTo(5, 12);
    // (1-3)^2 + (2-5)^2 + (3-3)^2 + (4-5)^2 + (5-3)^2 + (9-5)^2
    expect(m.inertia).toBeCloseTo(4 + 9 + 0 + 1 + 4 + 16, 9);
  });

  it('k = n: every point its own cluster, inertia 0', () => {
    const rows = [[0], [1], [3], [7], [15]];
    const m = kmeans(rows, { k: 5 });
    expect(new Set(m.labels).size).toBe(5);
    expect(m.inertia).toBe(0);
  });

  it('one feature: the two obvious groups', () => {
    const rows = [[1], [1.2], [0.9], [10], [10.5], [9.8]];
    const m = kmeans(rows, { k: 2 });
    expect(m.labels[0]).toBe(m.labels[1]);
    expect(m.labels[0]).toBe(m.labels[2]);
    expect(m.labels[3]).toBe(m.labels[4]);
    expect(m.labels[0]).not.toBe(m.labels[3]);
    expect(m.centroids.map((c) => c[0]).sort((a, b) => a - b)).toEqual([expect.closeTo(31 / 30, 12), expect.closeTo(30.3 / 3, 12)]);
  });

  it('512 features: matches the plain-TS Lloyd', () => {
    const rng = new Random(512);
    const n = 120;
    const d = 512;
    const data = Float64Array.from({ length: n * d }, (_, i) => rng.normal() + (Math.floor(i / d) % 3) * 2);
    const start = [0, 1, 2].map((i) => Array.from(data.subarray(i * d, (i + 1) * d)));
    const m = kmeans({ data, rows: n, cols: d }, { k: 3, init: start, tol: 0 });
    const ref = lloydRef(data, n, d, start.flat(), 3, 300, 0);
    expect(Array.from(m.labels)).toEqual(Array.from(ref.labels));
    expect(relDiff(m.inertia, ref.inertia)).toBeLessThan(1e-9);
  });

  it('1 row: k = 1 works, k = 2 is refused', () => {
    const m = kmeans([[4, 2]], { k: 1 });
    expect(Array.from(m.labels)).toEqual([0]);
    expect(m.centroids).toEqual([[4, 2]]);
    expect(() => kmeans([[4, 2]], { k: 2 })).toThrow(/k: must be between 1 and 1, got 2/);
  });

  it('k larger than the number of distinct rows is an error naming k', () => {
    const rows = [
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
      [1, 1],
    ];
    expect(() => kmeans(rows, { k: 3 })).toThrow(/k: is 3 but X has only 2 distinct rows/);
    expect(kmeans(rows, { k: 2 }).inertia).toBe(0);
  });
});

describe('bad input', () => {
  const ok = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const cases: [string, () => unknown, RegExp][] = [
    ['no rows', () => kmeans([], { k: 1 }), /X: has no rows/],
    ['ragged rows', () => kmeans([[1, 2], [3]], { k: 1 }), /X: row 1 has 1 values but row 0 has 2/],
    [
      'NaN with row and column',
      () =>
        kmeans(
          [
            [1, 2],
            [3, NaN],
          ],
          { k: 1 },
        ),
      /X: row 1, column 1 is NaN/,
    ],
    ['Infinity', () => kmeans([[Infinity, 2]], { k: 1 }), /X: row 0, column 0 is Infinity/],
    ['a value whose square would overflow', () => kmeans([[0], [1e200]], { k: 1 }), /X: row 1, column 0 is 1e\+200; values must be within/],
    ['the same in flat data', () => kmeans({ data: [0, -1e200], rows: 2, cols: 1 }, { k: 1 }), /X: row 1, column 0 is -1e\+200/],
    ['a string value', () => kmeans([[1, '2' as unknown as number]], { k: 1 }), /X: row 0, column 1 is "2", not a number/],
    ['flat data of the wrong length', () => kmeans({ data: [1, 2, 3], rows: 2, cols: 2 }, { k: 1 }), /X.data: has 3 values but rows \* cols = 4/],
    ['NaN in flat data', () => kmeans({ data: new Float64Array([1, NaN]), rows: 1, cols: 2 }, { k: 1 }), /X: row 0, column 1 is NaN/],
    // A Float64Array is read in place (no copy): the same checks on the caller's array.
    [
      '-Infinity in a Float64Array',
      () => kmeans({ data: new Float64Array([1, 2, 3, -Infinity]), rows: 2, cols: 2 }, { k: 1 }),
      /X: row 1, column 1 is -Infinity/,
    ],
    [
      'beyond the limit in a Float64Array',
      () => kmeans({ data: new Float64Array([0, 2e150, 1, 1]), rows: 2, cols: 2 }, { k: 1 }),
      /X: row 0, column 1 is 2e\+150; values must be within/,
    ],
    [
      'a Float64Array of the wrong length',
      () => kmeans({ data: new Float64Array(3), rows: 2, cols: 2 }, { k: 1 }),
      /X.data: has 3 values but rows \* cols = 4/,
    ],
    ['missing k', () => kmeans(ok, {} as never), /k: is required/],
    ['non-integer k', () => kmeans(ok, { k: 1.5 }), /k: must be an integer, got 1.5/],
    ['k = 0', () => kmeans(ok, { k: 0 }), /k: must be between 1 and 3, got 0/],
    ['k above n', () => kmeans(ok, { k: 4 }), /k: must be between 1 and 3, got 4/],
    ['unknown init', () => kmeans(ok, { k: 2, init: 'kmeans++' as never }), /init: must be one of 'k-means\+\+', 'random', got "kmeans\+\+"/],
    [
      'init of the wrong shape',
      () =>
        kmeans(ok, {
          k: 2,
          init: [
            [1, 2, 3],
            [1, 2, 3],
          ],
        }),
      /init: centroids have 3 features but X has 2/,
    ],
    ['unknown option', () => kmeans(ok, { k: 2, maxIters: 3 } as never), /maxIters: is not an option of kmeans\(\)/],
    ['unknown algorithm', () => kmeans(ok, { k: 2, algorithm: 'elkan' as never }), /algorithm: must be one of/],
    ['negative tol', () => kmeans(ok, { k: 2, tol: -1 }), /tol: must be a finite number >= 0/],
    ['nInit 0', () => kmeans(ok, { k: 2, nInit: 0 }), /nInit: must be between 1 and 1000/],
    ['weights of the wrong length', () => kmeans(ok, { k: 2, sampleWeight: [1, 2] }), /sampleWeight: has 2 values but X has 3 rows/],
    ['negative weight', () => kmeans(ok, { k: 2, sampleWeight: [1, -2, 1] }), /sampleWeight: value 1 is -2/],
    ['all-zero weights', () => kmeans(ok, { k: 2, sampleWeight: [0, 0, 0] }), /sampleWeight: all weights are 0/],
  ];
  it.each(cases)('%s', (_name, fn, message) => {
    expect(fn).toThrow(InvalidParameterError);
    expect(fn).toThrow(message);
  });
});

describe("algorithm 'auto' decides from the data", () => {
  // Five unit-variance Gaussian segments whose centres are about 1.7 standard deviations
  // apart in 6-D: they overlap, so Hamerly's bounds rarely separate a point from its
  // neighbours' centroids, and 'auto' must notice.
  function overlapping(n: number, seed: number) {
    const rng = new Random(seed);
    const centres = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => 0.7 * rng.normal()));
    const data = new Float64Array(n * 6);
    for (let i = 0; i < n; i++) for (let j = 0; j < 6; j++) data[i * 6 + j] = centres[i % 5][j] + rng.normal();
    return { data, rows: n, cols: 6 };
  }

  const same = (a: KMeansModel, b: KMeansModel) => {
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.centroids).toEqual(b.centroids);
    expect(a.inertia).toBe(b.inertia);
    expect(a.iterations).toBe(b.iterations);
  };

  it('overlapping segments: Lloyd, bit for bit what algorithm lloyd gives', () => {
    const X = overlapping(6000, 3);
    for (const [seed, nInit] of [
      [1, 1],
      [2, 3],
    ]) {
      const auto = kmeans(X, { k: 5, seed, nInit });
      expect(auto.algorithm).toBe('lloyd');
      same(auto, kmeans(X, { k: 5, seed, nInit, algorithm: 'lloyd' }));
    }
  });

  it('well-separated customer-like data: Hamerly, bit for bit what algorithm hamerly gives', () => {
    const X = sampleCustomerMatrix(6000, 4);
    for (const [seed, nInit] of [
      [1, 1],
      [2, 3],
    ]) {
      const auto = kmeans(X, { k: 5, seed, nInit });
      expect(auto.algorithm).toBe('hamerly');
      same(auto, kmeans(X, { k: 5, seed, nInit, algorithm: 'hamerly' }));
    }
  });

  it('from PROBE_SAMPLE_MIN_ROWS rows the probe runs on a sample, and each result is still wholly one algorithm', () => {
    const n = PROBE_SAMPLE_MIN_ROWS + 5000;
    const lloydCase = kmeans(overlapping(n, 5), { k: 5, seed: 3 });
    expect(lloydCase.algorithm).toBe('lloyd');
    same(lloydCase, kmeans(overlapping(n, 5), { k: 5, seed: 3, algorithm: 'lloyd' }));
    const X = sampleCustomerMatrix(n, 4);
    const hamerlyCase = kmeans(X, { k: 5, seed: 3, nInit: 2 });
    expect(hamerlyCase.algorithm).toBe('hamerly');
    same(hamerlyCase, kmeans(X, { k: 5, seed: 3, nInit: 2, algorithm: 'hamerly' }));
  });

  it('many clusters go straight to Lloyd', () => {
    const X = sampleCustomerMatrix(3000, 4);
    expect(kmeans(X, { k: 40, seed: 1 }).algorithm).toBe('lloyd');
  });
});

describe('X read in place', () => {
  it("kmeans() and predict() leave the caller's Float64Array as it was, and the model holds none of it", () => {
    const X = sampleCustomerMatrix(5000, 9);
    const before = Float64Array.from(X.data);
    const m = kmeans(X, { k: 4, seed: 2 });
    m.predict(X);
    expect(Array.from(X.data)).toEqual(Array.from(before));
    // Changing the caller's array afterwards changes nothing the model answers.
    const labels = Array.from(m.predict({ data: before, rows: X.rows, cols: X.cols }));
    X.data.fill(0);
    expect(Array.from(m.predict({ data: before, rows: X.rows, cols: X.cols }))).toEqual(labels);
    expect(Array.from(m.labels)).toEqual(labels);
  });
});

describe('threads within a job (init({ threads }), Node)', () => {
  it('packs the point pairs over the pool into the layout one thread writes', async () => {
    try {
      await init({ threads: 3 });
      // Several blocks of 16,384 rows and a short odd last one (its last pair half padding).
      const [n, d] = [70_001, 3];
      const rng = new Random(8);
      const X = Float64Array.from({ length: n * d }, () => rng.normal());
      const expected = expectedPairs(X, n, d);
      for (const threads of [2, 3]) expect(packedPairs(X, n, d, threads)).toEqual(expected);
    } finally {
      await init({ threads: 1 });
    }
  });

  it('labels, centroids and inertia are bit-identical for 1, 2, 3 and 4 threads and without a pool', async () => {
    const X = sampleCustomerMatrix(30001, 21); // odd, and not a multiple of the blocks
    const w = Array.from({ length: X.rows }, (_, i) => 1 + (i % 3));
    await init({ threads: 1 });
    const single = kmeans(X, { k: 6, seed: 4, nInit: 2, algorithm: 'lloyd' });
    const singleOne = kmeans(X, { k: 6, seed: 4, algorithm: 'lloyd' });
    const weighted = kmeans(X, { k: 6, seed: 4, algorithm: 'lloyd', sampleWeight: w });
    expect(() => kmeans(X, { k: 6, threads: 2 })).toThrow(InvalidParameterError);
    try {
      const info = await init({ threads: 4 });
      expect(info.threads).toBe(4);
      for (const threads of [1, 2, 3, 4]) {
        const m = kmeans(X, { k: 6, seed: 4, nInit: 2, algorithm: 'lloyd', threads });
        expect(Array.from(m.labels)).toEqual(Array.from(single.labels));
        // One init: rows split over the row-splitting pool, not restarts over workers.
        const one = kmeans(X, { k: 6, seed: 4, algorithm: 'lloyd', threads });
        expect(one.centroids).toEqual(singleOne.centroids);
        expect(one.inertia).toBe(singleOne.inertia);
        expect(m.centroids).toEqual(single.centroids);
        expect(m.inertia).toBe(single.inertia);
        expect(m.iterations).toBe(single.iterations);
      }
      const mw = kmeans(X, { k: 6, seed: 4, algorithm: 'lloyd', sampleWeight: w });
      expect(mw.centroids).toEqual(weighted.centroids);
      expect(mw.inertia).toBe(weighted.inertia);
      expect(() => kmeans(X, { k: 6, threads: 5 })).toThrow(/init\(\{ threads \}\) started 4/);
    } finally {
      const info = await init({ threads: 1 });
      expect(info.threads).toBe(1);
    }
  });

  it('restarts spread over whole-task workers give bit for bit the serial result (Lloyd, Hamerly, weights, random init)', async () => {
    const X = sampleCustomerMatrix(12345, 8);
    const w = Array.from({ length: X.rows }, (_, i) => 0.5 + (i % 4));
    const cases = [
      { k: 5, seed: 11, nInit: 5, algorithm: 'lloyd' as const },
      { k: 4, seed: 12, nInit: 4, algorithm: 'hamerly' as const },
      { k: 6, seed: 13, nInit: 3, algorithm: 'lloyd' as const, sampleWeight: w },
      { k: 5, seed: 14, nInit: 6, init: 'random' as const },
      { k: 5, seed: 15, nInit: 4 },
    ];
    await init({ threads: 1 });
    const serial = cases.map((o) => kmeans(X, o));
    try {
      await init({ threads: 3 });
      for (const threads of [2, 3]) {
        cases.forEach((o, c) => {
          const m = kmeans(X, { ...o, threads });
          expect(Array.from(m.labels)).toEqual(Array.from(serial[c].labels));
          expect(m.centroids).toEqual(serial[c].centroids);
          expect(m.inertia).toBe(serial[c].inertia);
          expect(m.iterations).toBe(serial[c].iterations);
          expect(m.algorithm).toBe(serial[c].algorithm);
        });
      }
    } finally {
      await init({ threads: 1 });
    }
  });

  it('restarts the calling thread runs once the workers are done split their rows, bit for bit the serial result', async () => {
    const X = sampleCustomerMatrix(MIN_THREADED_ROWS + 2001, 9);
    const o = { k: 5, seed: 16, nInit: 4, algorithm: 'lloyd' as const };
    await init({ threads: 1 });
    const serial = kmeans(X, o);
    try {
      await init({ threads: 2 });
      const kern = kernels();
      // No helper takes a restart, so the calling thread is alone from the first one on:
      // every pass of every restart should go to the row pool.
      const fitPool = kern.fitPool!;
      const run = fitPool.run.bind(fitPool);
      fitPool.run = (job, tasks, _helpers, mine) => run(job, tasks, 0, mine);
      const rows = kern.pool!;
      const assign = rows.assignBlocks.bind(rows);
      const uses: number[] = [];
      rows.assignBlocks = (use, params, count) => {
        uses.push(use);
        return assign(use, params, count);
      };
      const m = kmeans(X, { ...o, threads: 2 });
      expect(Array.from(m.labels)).toEqual(Array.from(serial.labels));
      expect(m.centroids).toEqual(serial.centroids);
      expect(m.inertia).toBe(serial.inertia);
      expect(m.iterations).toBe(serial.iterations);
      expect(uses.length).toBeGreaterThanOrEqual(o.nInit * 2);
      expect(uses.every((u) => u === 2)).toBe(true);
    } finally {
      await init({ threads: 1 });
    }
  });

  it('threads outside 1..65 fail naming the parameter', async () => {
    await expect(init({ threads: 0 })).rejects.toThrow(InvalidParameterError);
    await expect(init({ threads: 2.5 })).rejects.toThrow(/threads/);
  });
});

describe('k-means++ candidate draws', () => {
  // numpy.searchsorted(cumsum, target, side='left') clipped to the rows, over stored sums.
  function searchStored(dist: Float64Array, weights: Float64Array | undefined, n: number, target: number): number {
    const cum = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc += (weights ? weights[i]! : 1) * dist[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, n - 1);
  }

  it('finds the rows a binary search over the stored running sums finds', () => {
    // Huge terms too: their running sum overflows to Infinity part way (as k-means++'s can).
    const value = fc.oneof(
      fc.constant(0),
      fc.double({ min: 0, max: 10, noNaN: true }),
      fc.double({ min: 0, max: 1e-300, noNaN: true }),
      fc.double({ min: 1e306, max: 1.7e308, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 200 }),
        fc.option(fc.array(value, { minLength: 200, maxLength: 200 }), { nil: undefined }),
        fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(0), fc.constant(1)), { minLength: 0, maxLength: 6 }),
        (d, w, fractions) => {
          const n = d.length;
          const dist = Float64Array.from(d);
          const weights = w ? Float64Array.from(w.slice(0, n)) : undefined;
          let total = 0;
          for (let i = 0; i < n; i++) total += (weights ? weights[i]! : 1) * dist[i]!;
          // Targets inside, at the ends of and just past the sums, repeated ones too; with
          // an infinite total, infinite ones and NaN (0 * Infinity).
          const targets = fractions.map((f) => f * total * 1.01);
          expect(cumulativeHits(dist, weights, n, targets)).toEqual(targets.map((t) => searchStored(dist, weights, n, t)));
        },
      ),
      { seed: 16, numRuns: 500 },
    );
  });
});
