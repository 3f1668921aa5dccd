import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, chooseK, dbscan, gapStatistic, init, predictionStrength, segment } from '../src/index';
import { Random } from '../src/random';
import { dequantisedRows, mixtureBic } from '../src/select/mixtureBic';
import { expectParameterError, withEachThreadCount } from './shared';

/** Well-separated isotropic Gaussian blobs in d dimensions (centres on a scaled simplex-ish grid). */
function blobs(k: number, perCluster: number, d: number, seed: number): { data: Float64Array; rows: number; cols: number; labels: Int32Array } {
  const rng = new Random(seed);
  const n = k * perCluster;
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === c % d ? 12 : 0) + (j === (c + 1) % d && c >= d ? 12 : 0) + rng.normal();
  }
  return { data, rows: n, cols: d, labels };
}

describe('adjustedRandIndex', () => {
  it('matches a hand-computed case', () => {
    // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]. Contingency rows (0: 2,1,0), (1: 0,1,2).
    // sum C(nij,2) = 1 + 1 = 2; rows C(3,2)*2 = 6; cols C(2,2)*3 = 3; C(6,2) = 15.
    // expected = 6*3/15 = 1.2; max = (6+3)/2 = 4.5; ARI = (2-1.2)/(4.5-1.2) = 0.8/3.3.
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.8 / 3.3, 12);
  });
  it('is 1 for a relabelling, symmetric, and refuses different lengths', () => {
    expect(adjustedRandIndex([0, 0, 1, 2], [5, 5, -1, 3])).toBe(1);
    expect(adjustedRandIndex([0, 1, 1, 0, 2], [1, 1, 0, 0, 2])).toBeCloseTo(adjustedRandIndex([1, 1, 0, 0, 2], [0, 1, 1, 0, 2]), 14);
    // a = [0,0,1,1], b = [0,1,0,1]: no pair together in both; expected 2*2/6, max 2 -> -0.5.
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    expectParameterError(() => adjustedRandIndex([0, 1], [0]), 'labels', /lengths 2 and 1/);
  });
});

describe('new k-selection methods find the number of well-separated blobs', () => {
  for (const [k, d, seed] of [
    [3, 3, 1],
    [4, 4, 2],
    [5, 3, 3],
  ] as const) {
    const X = blobs(k, 80, d, seed);
    it(`auto, prediction strength and gap: k = ${k} in ${d}-D`, () => {
      for (const method of ['auto', 'prediction-strength', 'gap-statistic'] as const) {
        const r = chooseK(X, { method, kMin: 2, kMax: 8, seed: 0 });
        expect(r.k, method).toBe(k);
        expect(r.method).toBe(method);
        expect(adjustedRandIndex(r.labels, X.labels)).toBeGreaterThan(0.95);
      }
    });
  }
  it('reports each criterion curve; prediction strength is 1 at the true k and the gap 1-SE rule holds', () => {
    const X = blobs(4, 80, 4, 7);
    const ps = predictionStrength(X, { kMin: 2, kMax: 6, seed: 1, splits: 2, threshold: 0.85, nInit: 3 });
    expect(ps.curve.map((p) => p.k)).toEqual([2, 3, 4, 5, 6]);
    expect(ps.curve[2].score).toBeGreaterThan(0.95);
    expect(Math.max(ps.curve[3].score, ps.curve[4].score)).toBeLessThan(0.85);
    const gap = gapStatistic(X, { kMin: 1, kMax: 6, seed: 1, references: 5, reference: 'pca', nInit: 2 });
    const i = gap.curve.findIndex((p) => p.k === gap.k);
    expect(gap.k).toBe(4);
    expect(gap.curve[i].score).toBeGreaterThanOrEqual(gap.curve[i + 1].score - gap.curve[i + 1].se!);
    const r = chooseK(X, { method: 'auto', kMin: 2, kMax: 6 });
    expect(r.criteria?.mixture_bic?.map((p) => p.score)).toEqual(r.curve.map((p) => p.score));
    // The chosen k is the curve's lowest BIC.
    const lowest = r.curve.reduce((a, b) => (b.score < a.score ? b : a));
    expect(r.k).toBe(lowest.k);
  });
  it('refuses algorithm gmm and sampleSize, naming the parameter', () => {
    const X = blobs(3, 30, 2, 1);
    expectParameterError(() => chooseK(X, { method: 'auto', algorithm: 'gmm' }), 'algorithm', /needs algorithm 'kmeans'/);
    expectParameterError(() => chooseK(X, { method: 'auto', sampleSize: 10 }), 'sampleSize', /only applies/);
  });
});

describe("'auto': mixture BIC on the observed, dequantised rows", () => {
  it('fits the mixtures on init({ threads }) workers with the very curve of one thread', async () => {
    // A sample above MIN_PARALLEL_BIC_ROWS; every k a task, some of them run by the caller.
    const X = blobs(4, 600, 5, 3);
    const options = { kMin: 2, kMax: 7, seed: 3, sampleSize: 2000, nInit: 2, regCovar: 0.05 };
    await init({ threads: 1 });
    const single = mixtureBic(X, options);
    expect(single.curve.map((p) => p.k)).toEqual([2, 3, 4, 5, 6, 7]);
    await withEachThreadCount([2, 3], () => {
      const split = mixtureBic(X, options);
      expect(split.curve).toEqual(single.curve);
      expect(split.k).toBe(single.k);
    });
    expect(single.k).toBe(4);
  });
  it('imputed rows on the median hyperplane are not taken for a segment once left out', () => {
    // 3 blobs of 1,000 rows; 8% of the rows get coordinate 0 replaced by its median, as
    // median imputation does. A mixture gives that hyperplane a component of its own.
    const X = blobs(3, 1000, 3, 4);
    const rng = new Random(9);
    const col = Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols]).sort((a, b) => a - b);
    const median = (col[X.rows / 2 - 1] + col[X.rows / 2]) / 2;
    const imputed = new Uint8Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      if (rng.next() < 0.08) {
        imputed[i] = 1;
        X.data[i * X.cols] = median;
      }
    }
    const options = { kMin: 2, kMax: 6, seed: 0, sampleSize: 4000, nInit: 2, regCovar: 1e-6 };
    expect(mixtureBic(X, options).k).toBeGreaterThan(3);
    expect(mixtureBic(X, { ...options, excludeRows: imputed }).k).toBe(3);
    const r = chooseK(X, { method: 'auto', kMin: 2, kMax: 6, excludeRows: imputed });
    expect(r.k).toBe(3);
    expect(r.labels.length).toBe(X.rows);
  });
  it('dequantises columns of few values within the gaps to their neighbours, and leaves the others', () => {
    const rng = new Random(3);
    const n = 2000;
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      data[i * 2] = 1 + Math.floor(rng.next() * 6); // counts 1..6
      data[i * 2 + 1] = rng.normal();
    }
    const m = { data, rows: n, cols: 2 };
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const out = dequantisedRows(m, rows, new Random(1));
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * 2];
      const w = out.data[i * 2];
      // Value v owns [v - 0.5, v + 0.5): unit gaps, and the ends extend by half a gap.
      expect(w).toBeGreaterThanOrEqual(v - 0.5);
      expect(w).toBeLessThan(v + 0.5);
      if (w !== v) moved++;
      expect(out.data[i * 2 + 1]).toBe(data[i * 2 + 1]);
    }
    expect(moved).toBe(n);
    expect(new Set(out.data.filter((_, j) => j % 2 === 0)).size).toBe(n);
  });
  it('refuses excludeRows of the wrong length or for another method, naming it', () => {
    const X = blobs(3, 30, 2, 1);
    expectParameterError(() => chooseK(X, { method: 'auto', excludeRows: new Uint8Array(5) }), 'excludeRows', /one entry per row \(90\), got 5 entries/);
    expectParameterError(() => chooseK(X, { method: 'silhouette', excludeRows: new Uint8Array(90) }), 'excludeRows', /only applies to method 'auto'/);
    expectParameterError(() => chooseK(X, { method: 'gap-statistic', excludeRows: new Uint8Array(90) }), 'excludeRows', /only applies to method 'auto'/);
  });
});

describe('segment(): k_selection auto is the default', () => {
  const X = blobs(4, 100, 4, 5);
  const data = Array.from({ length: X.rows }, (_, i) => {
    const rec: Record<string, number | string> = { customer_id: `c${i}` };
    for (let j = 0; j < X.cols; j++) rec[`x${j}`] = X.data[i * X.cols + j];
    return rec;
  });
  it('finds the 4 groups without n_clusters and reports the criteria', async () => {
    const r = await segment({ data, log_transform: false });
    expect(r.k_selection?.method).toBe('auto');
    expect(r.meta.n_clusters).toBe(4);
    const sel = r.k_selection as typeof r.k_selection & { criteria: { mixture_bic: { k: number; score: number }[] } };
    expect(sel.criteria.mixture_bic.map((p) => p.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it('an explicitly named old method gives the same result as chooseK with that method', async () => {
    const r = await segment({ data, log_transform: false, k_selection: 'silhouette', k_range: [2, 6] });
    expect(r.k_selection?.method).toBe('silhouette');
    const best = r.k_selection!.curve.reduce((a, b) => (b.score > a.score ? b : a));
    expect(r.k_selection!.k).toBe(best.k);
  });
  it('names k_selection for an unknown method', async () => {
    await expect(segment({ data, k_selection: 'nope' as never })).rejects.toMatchObject({ status: 400, details: { parameter: 'k_selection' } });
  });
});

describe("segment(): DBSCAN's eps 'auto' finds the density structure", () => {
  it('three blobs of unequal spread become three segments (the knee alone gives four)', async () => {
    // Spreads 0.6, 1.2 and 1.8: the k-distance knee suits the tight blob and splits a
    // loose one (4 clusters, 39 noise points, checked with dbscan(X, { eps: 'auto' })).
    const rng = new Random(11);
    const centres = [
      [0, 0],
      [10, 0],
      [5, 9],
    ];
    const spread = [0.6, 1.2, 1.8];
    const truth: number[] = [];
    const data = Array.from({ length: 900 }, (_, i) => {
      const c = i % 3;
      truth.push(c);
      return { customer_id: `c${i}`, a: centres[c][0] + spread[c] * rng.normal(), b: centres[c][1] + spread[c] * rng.normal() };
    });
    const knee = dbscan(
      data.map((d) => [d.a, d.b]),
      { eps: 'auto' },
    );
    expect(knee.nClusters).not.toBe(3);
    const r = await segment({ data, algorithm: 'dbscan', log_transform: false, scaling: 'none' });
    const clusters = r.segments.filter((s) => s.segment_id >= 0);
    expect(clusters.length).toBe(3);
    const byId = new Map<unknown, number>();
    for (const s of r.segments) for (const id of s.customers) byId.set(id, s.segment_id);
    expect(
      adjustedRandIndex(
        data.map((d) => byId.get(d.customer_id) ?? -1),
        truth,
      ),
    ).toBeGreaterThan(0.9);
  });
});
