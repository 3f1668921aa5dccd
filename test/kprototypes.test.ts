// k-prototypes: hand-computed cases, the plain-TS reference from the same prototypes,
// and the cost never increasing over iterations (fast-check).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitAlgorithm, loadModel } from '../src/cluster/registry';
import { init, kprototypes, kprototypesCoded, KPrototypesModel } from '../src/index';
import { toMatrix } from '../src/matrix';
import { Random } from '../src/random';
import { kprototypesRef } from './reference/kprototypes';
import { expectParameterError } from './shared';

beforeAll(async () => {
  await init();
});

describe('kprototypes: hand-computed cases', () => {
  it('two groups agreeing on both parts: means, modes and cost', () => {
    const m = kprototypes([[0], [0.2], [10], [10.2]], [['a'], ['a'], ['b'], ['b']], {
      k: 2,
      gamma: 1,
      init: { centroids: [[0], [10]], modes: [['a'], ['b']] },
    });
    expect(Array.from(m.labels)).toEqual([0, 0, 1, 1]);
    expect(m.centroids[0][0]).toBeCloseTo(0.1, 14);
    expect(m.centroids[1][0]).toBeCloseTo(10.1, 14);
    expect(m.modes).toEqual([['a'], ['b']]);
    expect(m.cost).toBeCloseTo(0.04, 14); // four rows 0.1 from their mean
    expect(m.converged).toBe(true);
    expect(m.nClusters).toBe(2);
  });
  it('gamma decides a row that is numerically nearer one cluster and categorically the other', () => {
    const X = [[0], [0], [4], [4], [1.5]];
    const C = [['a'], ['a'], ['b'], ['b'], ['b']];
    const start = { centroids: [[0], [4]], modes: [['a'], ['b']] };
    // gamma 3: 1.5 joins A (2.25 + 3 < 6.25); A = {0, 0, 1.5}: mean 0.5, mode 'a';
    // cost 0.25 + 0.25 + 1 + 3 (its mismatch) = 4.5.
    const low = kprototypes(X, C, { k: 2, gamma: 3, init: start });
    expect(Array.from(low.labels)).toEqual([0, 0, 1, 1, 0]);
    expect(low.cost).toBeCloseTo(4.5, 12);
    // gamma 5: it joins B (6.25 < 7.25); B's mean is 19/6; cost 2 * (5/6)^2 + (10/6)^2 = 150/36.
    const high = kprototypes(X, C, { k: 2, gamma: 5, init: start });
    expect(Array.from(high.labels)).toEqual([0, 0, 1, 1, 1]);
    expect(high.centroids[1][0]).toBeCloseTo(19 / 6, 12);
    expect(high.cost).toBeCloseTo(150 / 36, 12);
  });
  it('identical numbers: the categories alone make the clusters, cost 0', () => {
    const m = kprototypes(
      [[5], [5], [5], [5]],
      [
        ['x', 'p'],
        ['y', 'q'],
        ['x', 'p'],
        ['y', 'q'],
      ],
      { k: 2, init: 'cao', nInit: 1 },
    );
    expect(m.labels[0]).toBe(m.labels[2]);
    expect(m.labels[1]).toBe(m.labels[3]);
    expect(m.labels[0]).not.toBe(m.labels[1]);
    expect(m.cost).toBe(0);
    expect(m.gamma).toBe(1); // constant numeric features: gamma falls back to 1
  });
  it("gamma defaults to half the mean population standard deviation (kmodes')", () => {
    // Columns 0, 2 (std 1) and 0, 4 (std 2): gamma = 0.5 * 1.5.
    const m = kprototypes(
      [
        [0, 0],
        [2, 4],
      ],
      [['u'], ['v']],
      { k: 1 },
    );
    expect(m.gamma).toBe(0.75);
    expect(m.centroids[0]).toEqual([1, 2]);
    // One cluster: mode tie between 'u' and 'v' goes to the lowest category, 'u'.
    expect(m.modes).toEqual([['u']]);
    // Each row is 1^2 + 2^2 = 5 from the mean; row 1 also mismatches the mode once.
    expect(m.cost).toBeCloseTo(5 + 5 + 0.75, 12);
  });
  it("'cao' starts from the densest row", () => {
    // Row 0's categories are the most frequent: with k = 1 and no numbers to move, the
    // mode is its categories.
    const m = kprototypes(
      [[0], [0], [0], [0]],
      [
        ['a', 'z'],
        ['a', 'z'],
        ['a', 'y'],
        ['b', 'z'],
      ],
      { k: 1, init: 'cao', nInit: 1 },
    );
    expect(m.modes).toEqual([['a', 'z']]);
    expect(m.cost).toBe(2); // rows 2 and 3 differ in one feature each (gamma 1)
  });
  it('missing categories (null) match no mode; unseen ones in predict neither', () => {
    const m = kprototypes([[0], [0], [10], [10]], [['a'], [null], ['b'], ['b']], { k: 2, gamma: 1, init: { centroids: [[0], [10]], modes: [['a'], ['b']] } });
    expect(Array.from(m.labels)).toEqual([0, 0, 1, 1]);
    expect(m.cost).toBe(1);
    expect(Array.from(m.predict([[0.1], [9.9]], [['zzz'], [null]]))).toEqual([0, 1]);
  });
});

/** Random mixed data: n rows, p numeric features around k centres, m categorical ones. */
function mixed(n: number, p: number, m: number, cats: number, seed: number) {
  const rng = new Random(seed);
  const centres = Array.from({ length: 3 }, () => Array.from({ length: p }, () => rng.normal() * 3));
  const X: number[][] = [];
  const C: string[][] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    X.push(centres[c].map((v) => v + rng.normal()));
    C.push(Array.from({ length: m }, (_, t) => `c${rng.next() < 0.7 ? (c + t) % cats : rng.int(cats)}`));
  }
  return { X, C };
}

/** The categories coded in sorted order, as kprototypes() codes them. */
function codeOf(C: string[][]): { codes: number[]; categories: string[][] } {
  const m = C[0].length;
  const categories = Array.from({ length: m }, (_, t) => [...new Set(C.map((r) => r[t]))].sort());
  return { codes: C.flatMap((r) => r.map((v, t) => categories[t].indexOf(v))), categories };
}

describe('kprototypes: against the plain-TS reference', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: same labels, prototypes and cost from the same start`, () => {
      const { X, C } = mixed(300, 3, 2, 4, seed);
      const { codes, categories } = codeOf(C);
      const rng = new Random(seed + 100);
      const starts = Array.from({ length: 4 }, () => rng.int(300));
      const centroids = starts.map((i) => [...X[i]]);
      const modes = starts.map((i) => [...C[i]]);
      const got = kprototypes(X, C, { k: 4, gamma: 0.8, init: { centroids, modes } });
      const ref = kprototypesRef(
        X.flat(),
        codes,
        300,
        3,
        2,
        centroids,
        modes.map((r) => r.map((v, t) => categories[t].indexOf(v))),
        0.8,
      );
      expect(Array.from(got.labels)).toEqual(ref.labels);
      expect(got.cost).toBeCloseTo(ref.cost, 9);
      expect(got.modes).toEqual(ref.modes.map((r) => r.map((c, t) => categories[t][c])));
      for (let j = 0; j < 4; j++) for (let t = 0; t < 3; t++) expect(got.centroids[j][t]).toBeCloseTo(ref.centroids[j][t], 12);
      expect(got.costHistory.length).toBe(ref.costHistory.length);
    });
  }
});

describe('kprototypes: properties', () => {
  it('the cost never increases over iterations, and equals the cost of the returned labels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('huang', 'cao'),
        (n, p, m, cats, k, seed, initMethod) => {
          const { X, C } = mixed(n, p, m, cats, seed);
          const model = kprototypes(X, C, { k: Math.min(k, n), nInit: 2, seed, init: initMethod as 'huang' | 'cao' });
          const h = model.costHistory;
          for (let i = 1; i < h.length; i++) expect(h[i]).toBeLessThanOrEqual(h[i - 1] * (1 + 1e-12) + 1e-12);
          let cost = 0;
          for (let i = 0; i < n; i++) {
            const j = model.labels[i];
            for (let t = 0; t < p; t++) cost += (X[i][t] - model.centroids[j][t]) ** 2;
            for (let t = 0; t < m; t++) if (C[i][t] !== model.modes[j][t]) cost += model.gamma;
          }
          expect(model.cost).toBeCloseTo(cost, 8);
        },
      ),
      { seed: 53, numRuns: 60 },
    );
  });
});

describe('kprototypesCoded: pre-coded categories', () => {
  it('equals kprototypes() on the decoded values, missing ones included', () => {
    const { X, C } = mixed(300, 3, 3, 4, 21);
    const withMissing: (string | null)[][] = C.map((r, i) => (i % 17 === 5 ? [r[0], null, r[2]] : r));
    const { codes, categories } = codeOf(C);
    for (let i = 0; i < C.length; i++) if (i % 17 === 5) codes[i * 3 + 1] = -1;
    for (const init of ['huang', 'cao'] as const) {
      const a = kprototypes(X, withMissing, { k: 3, seed: 5, nInit: 3, init });
      const b = kprototypesCoded(X, { codes: Int32Array.from(codes), categories }, { k: 3, seed: 5, nInit: 3, init });
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(b.cost).toBe(a.cost);
      expect(b.costHistory).toEqual(a.costHistory);
      expect(b.modes).toEqual(a.modes);
      expect(b.centroids).toEqual(a.centroids);
      expect(Array.from(b.predict(X, withMissing))).toEqual(Array.from(a.labels));
    }
  });
  it('bad codes fail naming the parameter', () => {
    const X = [[0], [1]];
    const categories = [['a', 'b']];
    expectParameterError(() => kprototypesCoded(X, { codes: [0, 1] as never, categories }, { k: 1 }), 'coded.codes', /Int32Array/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0), categories }, { k: 1 }), 'coded.codes', /need 2/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0, 2), categories }, { k: 1 }), 'coded.codes', /row 1 feature 0 has code 2/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0, -2), categories }, { k: 1 }), 'coded.codes', /code -2/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0, 1), categories: [] }, { k: 1 }), 'coded.categories', /non-empty/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0, 1), categories: [['a', 'a']] }, { k: 1 }), 'coded.categories[0]', /twice/);
    expectParameterError(() => kprototypesCoded(X, { codes: Int32Array.of(0, 1), categories: [['a', null]] }, { k: 1 }), 'coded.categories[0][1]', /missing/);
  });
});

describe('kprototypes: predict, JSON, registry, errors', () => {
  const { X, C } = mixed(200, 2, 2, 3, 9);
  const model = kprototypes(X, C, { k: 3, seed: 4 });
  it('predict puts converged training rows back; toJSON round-trips', () => {
    expect(model.converged).toBe(true);
    expect(Array.from(model.predict(X, C))).toEqual(Array.from(model.labels));
    const again = KPrototypesModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(Array.from(again.predict(X, C))).toEqual(Array.from(model.labels));
    expect(again.modes).toEqual(model.modes);
    expect(loadModel(JSON.stringify(model.toJSON())).nClusters).toBe(3);
  });
  it('the registry fits on one matrix with categoricalColumns, as kprototypes() on the split data', () => {
    const cat = X.map((_, i) => [i % 3, (i * 7) % 4]);
    const combined = X.map((r, i) => [cat[i][0], r[0], r[1], cat[i][1]]);
    const viaRegistry = fitAlgorithm('kprototypes', toMatrix(combined), { k: 3, seed: 4, categoricalColumns: [0, 3] });
    const direct = kprototypes(X, cat, { k: 3, seed: 4 });
    expect(Array.from(viaRegistry.labels)).toEqual(Array.from(direct.labels));
    expect(Array.from(viaRegistry.predict(combined))).toEqual(Array.from(viaRegistry.labels));
  });
  it('bad input fails naming the parameter', () => {
    expectParameterError(() => kprototypes(X, C, { k: 0 }), 'k', /between 1/);
    expectParameterError(() => kprototypes(X, C, { k: 2, gamma: -1 }), 'gamma', />= 0/);
    expectParameterError(() => kprototypes(X, C, { k: 2, init: 'random' as never }), 'init', /huang/);
    expectParameterError(() => kprototypes(X, C.slice(1), { k: 2 }), 'categorical', /200 rows/);
    expectParameterError(() => kprototypes(X, [...C.slice(1), ['a']], { k: 2 }), 'categorical', /row 199/);
    expectParameterError(() => kprototypes(X, [...C.slice(1), [{}, 'a']], { k: 2 }), 'categorical[199][0]', /not a string/);
    expectParameterError(
      () =>
        kprototypes(X, C, {
          k: 2,
          nInit: 3,
          init: {
            centroids: [
              [0, 0],
              [1, 1],
            ],
            modes: [
              ['a', 'a'],
              ['b', 'b'],
            ],
          },
        }),
      'nInit',
      /explicit/,
    );
    expectParameterError(() => kprototypes(X, C, { k: 2, init: { centroids: [[0]], modes: [] } }), 'init.centroids', /2 rows/);
    expectParameterError(() => kprototypes(X, C, { k: 2, tol: 1 } as never), 'tol', /not an option/);
    expectParameterError(() => fitAlgorithm('kprototypes', toMatrix(X), { k: 2, categoricalColumns: [5] }), 'categoricalColumns', /indices/);
    expectParameterError(() => model.predict([[1, 2, 3]], [['a', 'b']]), 'X', /numeric features/);
  });
});
