import { afterAll, describe, expect, it } from 'vitest';
import { dbscan, DbscanModel, InvalidParameterError, init } from '../src/index';
import { Random } from '../src/random';
import { fixtureMatrix, fixtureNames, loadFixture } from './helpers/fixtures';
import { dbscanRef } from './reference/dbscan';
import { withEachThreadCount } from './shared';

type Mat = { data: Float64Array; rows: number; cols: number };

function dist(X: ArrayLike<number>, d: number, a: number, b: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += (X[a * d + k] - X[b * d + k]) ** 2;
  return Math.sqrt(s);
}

/** Gaussian blobs of different spreads plus uniform background noise. */
function blobs(n: number, d: number, seed: number): Mat {
  const rng = new Random(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rng.next() * 20 - 10));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) {
      for (let k = 0; k < d; k++) data[i * d + k] = rng.next() * 30 - 15;
      continue;
    }
    const c = rng.int(4);
    const spread = 0.5 + c * 0.4;
    for (let k = 0; k < d; k++) data[i * d + k] = centres[c][k] + spread * rng.normal();
  }
  return { data, rows: n, cols: d };
}

/** Asserts labels equal up to a one-to-one renaming of clusters, noise staying noise. */
function expectSamePartition(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  const fwd = new Map<number, number>();
  const back = new Map<number, number>();
  for (let i = 0; i < want.length; i++) {
    expect(got[i] === -1, `row ${i}: noise in one labelling only`).toBe(want[i] === -1);
    if (want[i] === -1) continue;
    if (!fwd.has(got[i])) fwd.set(got[i], want[i]);
    if (!back.has(want[i])) back.set(want[i], got[i]);
    expect(fwd.get(got[i]), `row ${i}`).toBe(want[i]);
    expect(back.get(want[i]), `row ${i}`).toBe(got[i]);
  }
}

describe('dbscan against scikit-learn fixtures', () => {
  for (const name of fixtureNames()) {
    const f = loadFixture(name);
    const { eps, min_samples: minSamples, labels: skLabels, core_sample_indices: skCore } = f.dbscan;
    const algorithms = f.d <= 3 ? (['auto', 'grid', 'kd-tree'] as const) : (['auto', 'kd-tree'] as const);
    for (const algorithm of algorithms) {
      it(`${name} (${algorithm})`, () => {
        const r = dbscan(fixtureMatrix(f), { eps, minSamples, algorithm });
        expect(Array.from(r.coreSampleIndices)).toEqual(skCore);
        for (let i = 0; i < f.n; i++) expect(r.labels[i] === -1, `row ${i} noise`).toBe(skLabels[i] === -1);
        expectSamePartition(r.labels, skLabels);
        // scikit-learn's numbering (first core row order, border to the first cluster reaching it).
        expect(Array.from(r.labels)).toEqual(skLabels);
        expect(r.nClusters).toBe(Math.max(-1, ...skLabels) + 1);
        expect(r.eps).toBe(eps);
        // Every border row lies within eps of a core row of its own cluster.
        const isCore = new Set(skCore);
        for (let i = 0; i < f.n; i++) {
          if (isCore.has(i) || r.labels[i] < 0) continue;
          const reached = skCore.some((c) => r.labels[c] === r.labels[i] && dist(f.data, f.d, i, c) <= eps);
          expect(reached, `border row ${i}`).toBe(true);
        }
      });
    }
  }
  it('uses the grid for low dimension and the k-d tree above it', () => {
    const low = loadFixture('blobs-500x2-k4');
    const high = loadFixture('blobs-1500x6-k5-noisy');
    expect(dbscan(fixtureMatrix(low), { eps: low.dbscan.eps, minSamples: low.dbscan.min_samples }).algorithm).toBe('grid');
    expect(dbscan(fixtureMatrix(high), { eps: high.dbscan.eps, minSamples: high.dbscan.min_samples }).algorithm).toBe('kd-tree');
  });
});

describe('dbscan against the brute-force reference', () => {
  const cases = [
    { d: 2, n: 1200, eps: 0.6, minSamples: 6 },
    { d: 3, n: 1200, eps: 1.0, minSamples: 8 },
    { d: 6, n: 1000, eps: 2.2, minSamples: 5 },
    { d: 10, n: 800, eps: 3.5, minSamples: 4 },
  ];
  for (const c of cases) {
    const algorithms = c.d <= 3 ? (['grid', 'kd-tree'] as const) : (['kd-tree'] as const);
    for (const algorithm of algorithms) {
      for (const seed of [1, 2]) {
        it(`d=${c.d}, ${algorithm}, seed ${seed}`, () => {
          const m = blobs(c.n, c.d, seed * 100 + c.d);
          const ref = dbscanRef(m.data, m.rows, m.cols, c.eps, c.minSamples);
          // The case must hold clusters, noise and border rows, or it tests little.
          const nBorder = ref.labels.filter((l) => l >= 0).length - ref.coreSampleIndices.length;
          expect(ref.nClusters).toBeGreaterThanOrEqual(2);
          expect(ref.labels.filter((l) => l < 0).length).toBeGreaterThan(0);
          expect(nBorder).toBeGreaterThan(0);
          const r = dbscan(m, { eps: c.eps, minSamples: c.minSamples, algorithm });
          expect(r.algorithm).toBe(algorithm);
          expect(Array.from(r.coreSampleIndices)).toEqual(Array.from(ref.coreSampleIndices));
          expect(Array.from(r.labels)).toEqual(Array.from(ref.labels));
          expect(r.nClusters).toBe(ref.nClusters);
        });
      }
    }
  }

  it('handles eps covering everything (one compact cluster) and tiny eps (all noise)', () => {
    const m = blobs(700, 6, 7);
    const all = dbscan(m, { eps: 1000, minSamples: 5 });
    expect(all.nClusters).toBe(1);
    expect(Array.from(all.labels).every((l) => l === 0)).toBe(true);
    expect(all.coreSampleIndices.length).toBe(700);
    const none = dbscan(m, { eps: 1e-6, minSamples: 2 });
    expect(none.nClusters).toBe(0);
    expect(Array.from(none.labels).every((l) => l === -1)).toBe(true);
  });

  it('minSamples 1 makes every row core; minSamples above n makes every row noise', () => {
    const m = blobs(300, 2, 9);
    const ref = dbscanRef(m.data, m.rows, m.cols, 0.3, 1);
    const one = dbscan(m, { eps: 0.3, minSamples: 1 });
    expect(one.coreSampleIndices.length).toBe(300);
    expect(Array.from(one.labels)).toEqual(Array.from(ref.labels));
    const many = dbscan(m, { eps: 0.3, minSamples: 301 });
    expect(many.coreSampleIndices.length).toBe(0);
    expect(Array.from(many.labels).every((l) => l === -1)).toBe(true);
  });
});

describe('dbscan eps: auto', () => {
  it('picks the knee of the k-distance curve (hand-computed)', () => {
    // 2nd-neighbour distances (itself counted): 1 for rows 0..8, 92 for the outlier.
    // Sorted curve [1 x 9, 92]: the knee is at index 8, distance 1.
    const X = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((v) => [v]);
    const r = dbscan(X, { eps: 'auto', minSamples: 2 });
    expect(r.eps).toBe(1);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);
  });

  it('reports the knee of the brute-force k-distances', () => {
    const m = blobs(600, 3, 11);
    const k = 6;
    const kth: number[] = [];
    for (let i = 0; i < m.rows; i++) {
      const ds: number[] = [];
      for (let j = 0; j < m.rows; j++) ds.push(dist(m.data, 3, i, j));
      kth.push(ds.sort((a, b) => a - b)[k - 1]);
    }
    kth.sort((a, b) => a - b);
    const n = kth.length;
    let knee = 0;
    let bestGap = -Infinity;
    for (let i = 0; i < n; i++) {
      const gap = i / (n - 1) - (kth[i] - kth[0]) / (kth[n - 1] - kth[0]);
      if (gap > bestGap) [bestGap, knee] = [gap, i];
    }
    const r = dbscan(m, { eps: 'auto', minSamples: k });
    expect(r.eps).toBeCloseTo(kth[knee], 12);
    const ref = dbscanRef(m.data, m.rows, m.cols, r.eps, k);
    expect(Array.from(r.labels)).toEqual(Array.from(ref.labels));
  });

  it('needs minSamples <= rows', () => {
    expect(() => dbscan([[0], [1]], { eps: 'auto', minSamples: 3 })).toThrow(/minSamples/);
  });

  it('with minSamples 1 follows the scale of the data (the nearest other row), not a fixed 1', () => {
    // Rows 100 apart, plus one far outlier: the knee of the nearest-other-row distances is 100.
    const X = [0, 100, 200, 300, 400, 500, 600, 700, 800, 100_000].map((v) => [v]);
    expect(dbscan(X, { eps: 'auto', minSamples: 1 }).eps).toBe(100);
    const small = X.map(([v]) => [v / 1e5]);
    expect(dbscan(small, { eps: 'auto', minSamples: 1 }).eps).toBeCloseTo(0.001, 12);
  });
});

describe('dbscan on data with a crowded cell', () => {
  it("'auto' gives the same clustering as the k-d tree when many rows are equal", () => {
    const rng = new Random(5);
    const rows: number[][] = [];
    // 40 x 40 cells of side eps with about 2 rows each on average, but one cell holds 3,000.
    for (let i = 0; i < 3000; i++) rows.push([rng.next() * 20, rng.next() * 20]);
    for (let i = 0; i < 3000; i++) rows.push([10, 10]);
    const auto = dbscan(rows, { eps: 0.5, minSamples: 5 });
    const tree = dbscan(rows, { eps: 0.5, minSamples: 5, algorithm: 'kd-tree' });
    expect(Array.from(auto.labels)).toEqual(Array.from(tree.labels));
    expect(auto.algorithm).toBe('kd-tree');
  });
});

describe('dbscan predict and JSON', () => {
  const m = blobs(800, 3, 21);
  const model = dbscan(m, { eps: 1.0, minSamples: 8 });

  /** Brute force: cluster of the nearest core row within eps, ties to the lower index. */
  function nearestCoreLabel(q: number[]): number {
    let best = -1;
    let bestDist = Infinity;
    for (const c of model.coreSampleIndices) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (q[k] - m.data[c * 3 + k]) ** 2;
      const dd = Math.sqrt(s);
      if (dd <= 1.0 && dd < bestDist) [best, bestDist] = [c, dd];
    }
    return best < 0 ? -1 : model.labels[best];
  }

  it('labels new rows with the nearest core row within eps', () => {
    const rng = new Random(5);
    const Q = Array.from({ length: 400 }, () => [rng.next() * 30 - 15, rng.next() * 30 - 15, rng.next() * 30 - 15]);
    for (let i = 0; i < 100; i++) Q.push(Array.from(m.data.subarray(i * 3, i * 3 + 3)));
    const got = model.predict(Q);
    expect(Array.from(got)).toEqual(Q.map(nearestCoreLabel));
    expect(got.some((l) => l >= 0)).toBe(true);
    expect(got.some((l) => l < 0)).toBe(true);
    // Core rows predict their own cluster.
    const cores = Array.from(model.coreSampleIndices.slice(0, 50), (c) => Array.from(m.data.subarray(c * 3, c * 3 + 3)));
    expect(Array.from(model.predict(cores))).toEqual(Array.from(model.coreSampleIndices.slice(0, 50), (c) => model.labels[c]));
  });

  it('round-trips through JSON', () => {
    const back = DbscanModel.fromJSON(JSON.stringify(model));
    expect(back.eps).toBe(model.eps);
    expect(back.nClusters).toBe(model.nClusters);
    expect(Array.from(back.labels)).toEqual(Array.from(model.labels));
    expect(Array.from(back.coreSampleIndices)).toEqual(Array.from(model.coreSampleIndices));
    const Q = [[0, 0, 0], [100, 0, 0], Array.from(m.data.subarray(0, 3))];
    expect(Array.from(back.predict(Q))).toEqual(Array.from(model.predict(Q)));
    expect(() => DbscanModel.fromJSON({ type: 'segmint.kmeans' } as never)).toThrow(InvalidParameterError);
  });

  it('rejects rows of the wrong width', () => {
    expect(() => model.predict([[1, 2]])).toThrow(/X/);
  });
});

describe('dbscan bad input', () => {
  const X = [
    [0, 0],
    [1, 1],
    [2, 2],
  ];
  const cases: [string, () => unknown, string][] = [
    ['empty X', () => dbscan([], { eps: 1 }), 'X'],
    ['ragged X', () => dbscan([[1, 2], [3]], { eps: 1 }), 'X'],
    ['NaN in X', () => dbscan([[1, NaN]], { eps: 1 }), 'X'],
    ['string in X', () => dbscan([[1, 'a' as never]], { eps: 1 }), 'X'],
    ['eps 0', () => dbscan(X, { eps: 0 }), 'eps'],
    ['eps negative', () => dbscan(X, { eps: -1 }), 'eps'],
    ['eps NaN', () => dbscan(X, { eps: NaN }), 'eps'],
    ['eps Infinity', () => dbscan(X, { eps: Infinity }), 'eps'],
    ['eps string', () => dbscan(X, { eps: 'big' as never }), 'eps'],
    ['minSamples 0', () => dbscan(X, { eps: 1, minSamples: 0 }), 'minSamples'],
    ['minSamples fractional', () => dbscan(X, { eps: 1, minSamples: 2.5 }), 'minSamples'],
    ['minSamples string', () => dbscan(X, { eps: 1, minSamples: '5' as never }), 'minSamples'],
    ['unknown option', () => dbscan(X, { eps: 1, min_samples: 5 } as never), 'min_samples'],
    ['unknown algorithm', () => dbscan(X, { eps: 1, algorithm: 'ball-tree' as never }), 'algorithm'],
    ['grid in 4 dimensions', () => dbscan([[1, 2, 3, 4]], { eps: 1, algorithm: 'grid' }), 'algorithm'],
    ['options not an object', () => dbscan(X, 5 as never), 'options'],
  ];
  for (const [what, call, parameter] of cases) {
    it(what, () => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidParameterError);
      expect((error as InvalidParameterError).parameter).toBe(parameter);
    });
  }
  it('defaults to eps 0.5 and minSamples 5 like scikit-learn', () => {
    const r = dbscan(X);
    expect(r.eps).toBe(0.5);
    expect(r.minSamples).toBe(5);
  });
});

describe('dbscan SIMD and scalar builds agree', () => {
  afterAll(async () => {
    await init();
  });
  it('gives identical results', async () => {
    const runs = [];
    for (const variant of ['scalar', 'simd'] as const) {
      await init({ variant });
      const out = [];
      for (const d of [2, 6, 10]) {
        const m = blobs(900, d, 31 + d);
        const r = dbscan(m, { eps: 'auto', minSamples: 5 });
        const t = dbscan(m, { eps: r.eps, minSamples: 5, algorithm: 'kd-tree' });
        out.push({ eps: r.eps, labels: Array.from(r.labels), core: Array.from(r.coreSampleIndices), tree: Array.from(t.labels) });
      }
      runs.push(out);
    }
    expect(runs[0]).toEqual(runs[1]);
  });
});

describe('DBSCAN core counts on init({ threads })', () => {
  it('split over 2 and 3 threads: the same core rows and labels as one thread, on the k-d tree and the grid', async () => {
    // Blobs with noise above MIN_THREADED_DBSCAN_ROWS; d = 6 (k-d tree) and d = 2 (grid).
    const rng = new Random(21);
    const make = (n: number, d: number) => {
      const data = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const c = i % 4;
        for (let j = 0; j < d; j++) data[i * d + j] = (i % 50 === 0 ? rng.next() * 20 - 10 : c * 3 * (j === 0 ? 1 : 0.5)) + rng.normal() * 0.6;
      }
      return { data, rows: n, cols: d };
    };
    const cases = [
      { X: make(24_000, 6), algorithm: 'kd-tree' as const, eps: 0.9 },
      { X: make(24_000, 2), algorithm: 'grid' as const, eps: 0.15 },
    ];
    await init({ threads: 1 });
    const single = cases.map((c) => dbscan(c.X, { eps: c.eps, minSamples: 8, algorithm: c.algorithm }));
    for (const s of single) {
      expect(s.nClusters).toBeGreaterThan(1);
      expect(s.coreSampleIndices.length).toBeGreaterThan(1000);
    }
    await withEachThreadCount([2, 3], () => {
      cases.forEach((c, t) => {
        const split = dbscan(c.X, { eps: c.eps, minSamples: 8, algorithm: c.algorithm });
        expect(split.algorithm).toBe(c.algorithm);
        expect(Array.from(split.coreSampleIndices)).toEqual(Array.from(single[t].coreSampleIndices));
        expect(Array.from(split.labels)).toEqual(Array.from(single[t].labels));
      });
    });
  });
});
