// HDBSCAN against scikit-learn 1.6 (test/fixtures/hdbscan), a hand-computed tree, and
// the plain-TS reference of its kernels (core distances, Prim's MST).
import { beforeAll, describe, expect, it } from 'vitest';
import { boruvkaMst, coreDistances, mutualReachabilityMst } from '../src/cluster/hdbscan';
import { getClusterer, loadModel } from '../src/cluster/registry';
import { hdbscan, HdbscanModel, init } from '../src/index';
import { toMatrix } from '../src/matrix';
import { Random } from '../src/random';
import { fixtureMatrix, fixtureNames, loadFixture } from './helpers/fixtures';
import { coreDistancesRef, primMstRef } from './reference/hdbscan';
import { SegmentationError } from '../src/errors';
import { sampleCustomers } from '../src/sample';
import { assignSegments, segment } from '../src/segment';
import { hdbscanMinClusterSize } from '../src/service/algorithms';
import { expectParameterError, withEachThreadCount, zScoredCustomers } from './shared';

beforeAll(async () => {
  await init();
});

interface HdbscanCase {
  min_cluster_size: number;
  min_samples: number;
  labels: number[];
  probabilities: number[];
}

/** Adjusted Rand index of two labellings (Hubert & Arabie). */
function ari(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return 1;
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const joint = new Map<string, number>();
  const ca = new Map<number, number>();
  const cb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    joint.set(`${a[i]},${b[i]}`, (joint.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of joint.values()) index += pairs(v);
  let sa = 0;
  let sb = 0;
  for (const v of ca.values()) sa += pairs(v);
  for (const v of cb.values()) sb += pairs(v);
  const expected = (sa * sb) / pairs(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * Rows incident to two MST edges of exactly equal weight. Where such a row's side of a
 * split hangs on which edge merges first, scikit-learn's answer depends on numpy's
 * unstable argsort (CPU-specific SIMD quicksort), which no portable code reproduces;
 * segmint merges tied edges in Prim order.
 */
function tiedRows(model: HdbscanModel): Set<number> {
  const byRow = new Map<number, number[]>();
  const mst = model.minimumSpanningTree;
  for (let i = 0; i < mst.length / 3; i++) {
    for (const r of [mst[3 * i], mst[3 * i + 1]]) byRow.set(r, [...(byRow.get(r) ?? []), mst[3 * i + 2]]);
  }
  const out = new Set<number>();
  for (const [r, w] of byRow) if (new Set(w).size < w.length) out.add(r);
  return out;
}

describe('hdbscan: scikit-learn 1.6 fixtures', () => {
  const names = fixtureNames().filter((n) => n !== 'hdbscan');
  it('has a fixture per data set', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
  });
  for (const name of names) {
    const f = loadFixture(name);
    const h = loadFixture(`hdbscan/${name}`) as unknown as { hdbscan: HdbscanCase[] };
    for (const c of h.hdbscan) {
      it(`${name}, minClusterSize ${c.min_cluster_size}, minSamples ${c.min_samples}: same clusters, noise and probabilities`, () => {
        const model = hdbscan(fixtureMatrix(f), { minClusterSize: c.min_cluster_size, minSamples: c.min_samples });
        expect(model.nClusters).toBe(new Set(c.labels.filter((l) => l >= 0)).size);
        const noise = (l: ArrayLike<number>) => Array.from(l, (v, i) => (v < 0 ? i : -1)).filter((i) => i >= 0);
        expect(noise(model.labels)).toEqual(noise(c.labels));
        // Rows where our cluster or probability differs must be tie rows, and few.
        const ties = tiedRows(model);
        const clustered = c.labels.map((l, i) => (l >= 0 ? i : -1)).filter((i) => i >= 0);
        const mapping = new Map<number, Map<number, number>>();
        for (const i of clustered) {
          const m = mapping.get(model.labels[i]) ?? new Map<number, number>();
          m.set(c.labels[i], (m.get(c.labels[i]) ?? 0) + 1);
          mapping.set(model.labels[i], m);
        }
        const majority = new Map([...mapping].map(([ours, theirs]) => [ours, [...theirs].sort((a, b) => b[1] - a[1])[0][0]]));
        const differing = clustered.filter(
          (i) => majority.get(model.labels[i]) !== c.labels[i] || Math.abs(model.probabilities[i] - c.probabilities[i]) > 1e-9,
        );
        for (const i of differing) expect(ties.has(i), `row ${i} differs from scikit-learn without a tie`).toBe(true);
        expect(differing.length).toBeLessThanOrEqual(1);
        const kept = clustered.filter((i) => !differing.includes(i));
        expect(
          ari(
            kept.map((i) => model.labels[i]),
            kept.map((i) => c.labels[i]),
          ),
        ).toBe(1);
        for (let i = 0; i < f.n; i++) if (c.labels[i] < 0) expect(model.probabilities[i]).toBe(0);
      });
    }
  }
});

describe('hdbscan: kernels against the plain-TS reference', () => {
  for (const name of ['iris-standardized-k3', 'edge-duplicates-singleton', 'blobs-500x2-k4']) {
    it(`${name}: core distances and Prim's MST`, () => {
      const f = loadFixture(name);
      const m = toMatrix(fixtureMatrix(f));
      for (const k of [1, 5, 10]) {
        const core = coreDistances(m, k);
        const ref = coreDistancesRef(f.data, f.n, f.d, k);
        for (let i = 0; i < f.n; i++) expect(core[i]).toBeCloseTo(ref[i], 12);
        const mst = mutualReachabilityMst(m, ref);
        const mstRef = primMstRef(f.data, f.n, f.d, ref);
        let total = 0;
        let totalRef = 0;
        for (let i = 0; i < f.n - 1; i++) {
          total += mst[3 * i + 2];
          totalRef += mstRef[3 * i + 2];
        }
        expect(total).toBeCloseTo(totalRef, 9);
        // Every MST has the same multiset of weights; the edges themselves may differ on ties
        // (the kernel sums squares in two lanes, so distances can differ in the last bit).
        const w = mst.filter((_, i) => i % 3 === 2).sort();
        const wRef = mstRef.filter((_, i) => i % 3 === 2).sort();
        for (let i = 0; i < f.n - 1; i++) expect(w[i]).toBeCloseTo(wRef[i], 12);
        const seen = new Set<number>([0]);
        for (let i = 0; i < f.n - 1; i++) {
          expect(seen.has(mst[3 * i])).toBe(true); // Prim: each edge starts in the tree
          seen.add(mst[3 * i + 1]);
        }
        expect(seen.size).toBe(f.n);
      }
    });
  }
});

describe('hdbscan: Boruvka over the k-d tree', () => {
  const cases: [string, { data: Float64Array; rows: number; cols: number }][] = [
    ...['iris-standardized-k3', 'edge-duplicates-singleton', 'moons-800x2-k2', 'blobs-1500x6-k5-noisy'].map(
      (name) => [name, fixtureMatrix(loadFixture(name))] as [string, { data: Float64Array; rows: number; cols: number }],
    ),
    ['customers 3000 x 6', zScoredCustomers(3000, 4)],
  ];
  for (const [name, X] of cases) {
    it(`${name}: the same core distances and MST weights as Prim`, () => {
      const m = toMatrix(X);
      for (const k of [1, 5, 12]) {
        const { core, mst } = boruvkaMst(m, k);
        const ref = coreDistancesRef(X.data, X.rows, X.cols, k);
        for (let i = 0; i < X.rows; i++) expect(core[i]).toBeCloseTo(ref[i], 12);
        const w = mst.filter((_, i) => i % 3 === 2).sort();
        const wRef = primMstRef(X.data, X.rows, X.cols, ref)
          .filter((_, i) => i % 3 === 2)
          .sort();
        expect(w.length).toBe(X.rows - 1);
        for (let i = 0; i < X.rows - 1; i++) expect(w[i]).toBeCloseTo(wRef[i], 12);
        // A spanning tree: n - 1 edges joining every row.
        const parent = Int32Array.from({ length: X.rows }, (_, i) => i);
        const find = (x: number): number => {
          while (parent[x] !== x) x = parent[x];
          return x;
        };
        for (let i = 0; i < X.rows - 1; i++) parent[find(mst[3 * i])] = find(mst[3 * i + 1]);
        expect(new Set(Array.from({ length: X.rows }, (_, i) => find(i))).size).toBe(1);
      }
    });
  }
  it("fixtures: 'boruvka' finds scikit-learn's clusters and noise", () => {
    const f = loadFixture('moons-800x2-k2');
    const c = (loadFixture('hdbscan/moons-800x2-k2') as unknown as { hdbscan: HdbscanCase[] }).hdbscan[0];
    const m = hdbscan(fixtureMatrix(f), { minClusterSize: c.min_cluster_size, minSamples: c.min_samples, mstAlgorithm: 'boruvka' });
    expect(Array.from(m.labels, (l) => l < 0)).toEqual(c.labels.map((l) => l < 0));
    expect(ari(m.labels, c.labels)).toBe(1);
  });
});

describe('hdbscan: a hand-computed tree', () => {
  // 1-D rows 0, 1, 2, 4 | 10, 11, 12 with minSamples 1 (core distance 0): the MST is
  // 1, 1, 2 on the left, 1, 1 on the right and 6 between. The root splits at distance 6
  // (lambda 1/6) into {0,1,2,4} (id 8) and {10,11,12} (id 9); 4 leaves cluster 8 at
  // distance 2 (lambda 0.5), every other row at distance 1 (lambda 1).
  const X = [[0], [1], [2], [4], [10], [11], [12]];
  it('condensed tree, labels, probabilities and GLOSH scores', () => {
    const m = hdbscan(X, { minClusterSize: 3, minSamples: 1 });
    expect(Array.from(m.labels)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(m.probabilities)).toEqual([1, 1, 1, 0.5, 1, 1, 1]);
    expect(Array.from(m.outlierScores)).toEqual([0, 0, 0, 0.5, 0, 0, 0]);
    expect(Array.from(m.selectedClusters)).toEqual([8, 9]);
    const t = m.condensedTree;
    const rows = Array.from(t.parent, (p, i) => [p, t.child[i], t.lambda[i], t.size[i]]);
    expect(rows.filter((r) => r[3] > 1)).toEqual([
      [7, 8, 1 / 6, 4],
      [7, 9, 1 / 6, 3],
    ]);
    expect(rows.find((r) => r[1] === 3)).toEqual([8, 3, 0.5, 1]);
    for (const p of [0, 1, 2]) expect(rows.find((r) => r[1] === p)).toEqual([8, p, 1, 1]);
    expect(Array.from(m.minimumSpanningTree.filter((_, i) => i % 3 === 2))).toEqual([1, 1, 1, 1, 2, 6]);
    const slt = m.singleLinkageTree;
    expect(slt.length).toBe(24);
    expect(slt[23]).toBe(7); // the last merge holds every row
  });
  it("'leaf' selection and epsilon: the root is taken only with allowSingleCluster", () => {
    expect(Array.from(hdbscan(X, { minClusterSize: 3, minSamples: 1, clusterSelectionMethod: 'leaf' }).labels)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    // Both leaves are born at distance 6 < epsilon 7, but their parent is the root.
    expect(Array.from(hdbscan(X, { minClusterSize: 3, minSamples: 1, clusterSelectionEpsilon: 7 }).labels)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    const single = hdbscan(X, { minClusterSize: 3, minSamples: 1, clusterSelectionEpsilon: 7, allowSingleCluster: true });
    expect(Array.from(single.labels)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(single.nClusters).toBe(1);
  });
  it('allowSingleCluster keeps one tight blob whole instead of calling it noise', () => {
    const rng = new Random(3);
    const blob = Array.from({ length: 60 }, () => [rng.normal(), rng.normal()]);
    expect(hdbscan(blob, { minClusterSize: 40 }).nClusters).toBe(0);
    const one = hdbscan(blob, { minClusterSize: 40, allowSingleCluster: true });
    expect(one.nClusters).toBe(1);
    expect(Array.from(one.labels).filter((l) => l === 0).length).toBeGreaterThan(30);
  });
});

describe('hdbscan: outlier scores, predict, JSON', () => {
  const f = loadFixture('blobs-500x2-k4');
  const model = hdbscan(fixtureMatrix(f), { minClusterSize: 10, minSamples: 5 });
  it('GLOSH scores lie in [0, 1] and are higher for noise than for clustered rows on average', () => {
    let noise = 0;
    let inl = 0;
    let nn = 0;
    for (let i = 0; i < f.n; i++) {
      const s = model.outlierScores[i];
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      if (model.labels[i] < 0) {
        noise += s;
        nn++;
      } else inl += s;
    }
    expect(noise / nn).toBeGreaterThan(inl / (f.n - nn));
  });
  it('the far singleton of the edge data set is the top outlier', () => {
    const e = loadFixture('edge-duplicates-singleton');
    const m = hdbscan(fixtureMatrix(e), { minClusterSize: 5 });
    const top = m.outlierScores.indexOf(Math.max(...m.outlierScores));
    expect(m.labels[top]).toBe(-1);
    // The singleton is the row farthest from all others.
    expect(m.coreDistances[top]).toBe(Math.max(...m.coreDistances));
  });
  it('predict places training rows in their own cluster and far rows in noise', () => {
    const X = Array.from({ length: f.n }, (_, i) => f.data.slice(i * f.d, i * f.d + f.d));
    const p = model.predict(X);
    let agree = 0;
    let clustered = 0;
    for (let i = 0; i < f.n; i++) {
      if (model.labels[i] < 0) continue;
      clustered++;
      if (p[i] === model.labels[i]) agree++;
    }
    expect(agree / clustered).toBeGreaterThan(0.97);
    expect(Array.from(model.predict([[1e6, 1e6]]))).toEqual([-1]);
    const withP = model.predictWithProbabilities(X.slice(0, 20));
    for (const v of withP.probabilities) expect(v >= 0 && v <= 1).toBe(true);
  });
  it('toJSON / fromJSON / loadModel round-trip the labels and predictions', () => {
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const again = HdbscanModel.fromJSON(json);
    expect(Array.from(again.labels)).toEqual(Array.from(model.labels));
    expect(again.nClusters).toBe(model.nClusters);
    const q = [
      [0, 0],
      [5, 5],
      [-3, 8],
    ];
    expect(Array.from(again.predict(q))).toEqual(Array.from(model.predict(q)));
    expect(Array.from(loadModel(JSON.stringify(json)).predict!(q))).toEqual(Array.from(model.predict(q)));
    expect(getClusterer('hdbscan').modelType).toBe('segmint.hdbscan');
    // Duplicate rows give lambda = Infinity, which JSON carries as null.
    const e = loadFixture('edge-duplicates-singleton');
    const dup = hdbscan(fixtureMatrix(e), { minClusterSize: 5 });
    const dupAgain = HdbscanModel.fromJSON(JSON.stringify(dup.toJSON()));
    expect(Array.from(dupAgain.condensedTree.lambda)).toEqual(Array.from(dup.condensedTree.lambda));
  });
  it('bad options fail naming the parameter', () => {
    const X = [
      [0, 0],
      [1, 1],
      [2, 2],
    ];
    expectParameterError(() => hdbscan(X, { minClusterSize: 1 }), 'minClusterSize', /between 2/);
    expectParameterError(() => hdbscan(X, { minClusterSize: 2, minSamples: 4 }), 'minSamples', /only 3 rows/);
    expectParameterError(() => hdbscan(X, { clusterSelectionMethod: 'mass' as never, minClusterSize: 2 }), 'clusterSelectionMethod', /eom/);
    expectParameterError(() => hdbscan(X, { minClusterSize: 2, clusterSelectionEpsilon: -1 }), 'clusterSelectionEpsilon', />= 0/);
    expectParameterError(() => hdbscan(X, { minClusterSize: 2, allowSingleCluster: 'yes' as never }), 'allowSingleCluster', /true or false/);
    expectParameterError(() => hdbscan(X, { minClusterSize: 2, eps: 1 } as never), 'eps', /./);
    expectParameterError(() => hdbscan(X, { minClusterSize: 2, mstAlgorithm: 'kruskal' as never }), 'mstAlgorithm', /boruvka/);
    expectParameterError(() => model.predict([[1, 2, 3]]), 'X', /columns/);
    expectParameterError(() => HdbscanModel.fromJSON({ type: 'segmint.dbscan', version: 1 } as never), 'json', /HDBSCAN/);
  });
});

describe("segment(): algorithm 'hdbscan'", () => {
  const data = sampleCustomers(1200, 11);
  it('noise is the Outliers segment; min_cluster_size defaults to 1% of the customers', async () => {
    const r = await segment({ data, algorithm: 'hdbscan', n_clusters: 4 });
    expect(r.meta.algorithm).toBe('hdbscan');
    expect(r.meta.min_cluster_size).toBe(hdbscanMinClusterSize(1200));
    expect(hdbscanMinClusterSize(1200)).toBe(12);
    expect(hdbscanMinClusterSize(100)).toBe(5);
    expect(r.meta.warnings.map((w) => w.code)).toContain('hdbscan_n_clusters_ignored');
    const outliers = r.segments.find((s) => s.segment_id === -1);
    expect(r.meta.outliers).toBe(outliers?.size ?? 0);
    if (outliers) {
      expect(outliers.label_key).toBe('outliers');
      expect(r.segments[r.segments.length - 1].segment_id).toBe(-1);
    }
    expect(r.meta.n_clusters).toBe(r.segments.filter((s) => s.segment_id >= 0).length);
    expect(r.segments.reduce((a, s) => a + s.size, 0)).toBe(1200);
  });
  it('assign_outliers attaches every outlier to a segment and says how many', async () => {
    const plain = await segment({ data, algorithm: 'hdbscan', min_cluster_size: 20 });
    const r = await segment({ data, algorithm: 'hdbscan', min_cluster_size: 20, assign_outliers: true });
    expect(r.segments.some((s) => s.segment_id === -1)).toBe(false);
    expect(r.meta.n_clusters).toBe(plain.meta.n_clusters);
    const noise = plain.meta.outliers ?? 0;
    expect(noise).toBeGreaterThan(0);
    expect(r.meta.warnings.find((w) => w.code === 'outliers_assigned')?.message).toContain(String(noise));
    // Clustered customers keep their segment (segments renumber by size, so compare members).
    const before = new Map(plain.segments.flatMap((s) => s.customers.map((id) => [id, s.segment_id])));
    const after = new Map(r.segments.flatMap((s) => s.customers.map((id) => [id, s.segment_id])));
    const pairs = new Map<number, number>();
    for (const [id, seg] of before) {
      if (seg < 0) continue;
      if (!pairs.has(seg)) pairs.set(seg, after.get(id)!);
      expect(after.get(id)).toBe(pairs.get(seg));
    }
  });
  it("return_model: assignSegments uses the 'hdbscan' predictor", async () => {
    const r = await segment({ data, algorithm: 'hdbscan', min_cluster_size: 20, return_model: true });
    const model = JSON.parse(JSON.stringify(r.model));
    expect(model.predictor.kind).toBe('hdbscan');
    const assigned = assignSegments(model, data);
    const truth = new Map(r.segments.flatMap((s) => s.customers.map((id) => [id, s.segment_id])));
    const agree = assigned.filter((a) => truth.get(a.customer_id!) === a.segment_id).length;
    expect(agree / data.length).toBeGreaterThan(0.9);
  });
  it("'auto' with n_clusters 'auto' compares HDBSCAN too", async () => {
    const r = await segment({ data: data.slice(0, 600), algorithm: 'auto' });
    expect(r.meta.algorithm_comparison?.map((c) => c.algorithm)).toContain('hdbscan');
  });
  it('bad min_cluster_size and assign_outliers are 400s naming them', async () => {
    for (const [request, parameter] of [
      [{ data, algorithm: 'hdbscan', min_cluster_size: 1 }, 'min_cluster_size'],
      [{ data, algorithm: 'hdbscan', assign_outliers: 'yes' }, 'assign_outliers'],
    ] as const) {
      const err = await segment(request as never).then(
        () => null,
        (e: SegmentationError) => e,
      );
      expect(err).toBeInstanceOf(SegmentationError);
      expect(err!.status).toBe(400);
      expect(err!.details.parameter).toBe(parameter);
    }
  });
});

describe('HDBSCAN core distances on init({ threads })', () => {
  it('split over 1, 2 and 3 threads: the same core distances, MST and clusters, and the reference core distances', async () => {
    const X = zScoredCustomers(24_000, 8);
    await init({ threads: 1 });
    const single = hdbscan(X, { minClusterSize: 20, minSamples: 5 });
    await withEachThreadCount([2, 3], () => {
      const split = hdbscan(X, { minClusterSize: 20, minSamples: 5 });
      expect(split.coreDistances).toEqual(single.coreDistances);
      expect(split.minimumSpanningTree).toEqual(single.minimumSpanningTree);
      expect(split.labels).toEqual(single.labels);
      expect(split.probabilities).toEqual(single.probabilities);
    });
    // Independently: brute-force core distances of the first rows (plain TS).
    const m = toMatrix(X);
    const head = 300;
    const all = new Float64Array(m.rows);
    for (let i = 0; i < head; i++) {
      for (let j = 0; j < m.rows; j++) {
        let s2 = 0;
        for (let t = 0; t < m.cols; t++) s2 += (m.data[i * m.cols + t] - m.data[j * m.cols + t]) ** 2;
        all[j] = s2;
      }
      // min_samples counts the row itself (distance 0): the 5th smallest.
      expect(single.coreDistances[i]).toBeCloseTo(Math.sqrt(all.sort()[4]), 12);
    }
  });
});
