// Each K-Means kernel against the plain-TS reference, in both builds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, kernels } from '../src/wasm/index';
import { hamerlyInit, type LloydRegions, packPairs } from '../src/cluster/kmeansLloyd';
import { clusterStatistics } from '../src/metrics/clusterScores';
import { Random } from '../src/random';
import { assignNearestRef, squaredDistancesRef } from './reference/kmeans';
import { expectedPairs, packedPairs } from './helpers/pairs';

function randomMatrix(rng: Random, n: number, d: number, scale = 1): Float64Array {
  const a = new Float64Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = scale * rng.normal();
  return a;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(Math.abs(expected[i]), 1e-12);
    if (Math.abs(actual[i] - expected[i]) > tol) {
      throw new Error(`index ${i}: ${actual[i]} vs reference ${expected[i]}`);
    }
  }
}

// Shapes chosen to hit every path: blocks of 4 points and the tail, an odd feature count
// (SIMD pairs plus a last lane), odd k (padding centroid), k = 1 and wide rows.
const shapes = [
  { n: 1, d: 1, k: 1 },
  { n: 7, d: 3, k: 2 },
  { n: 101, d: 6, k: 5 },
  { n: 64, d: 1, k: 3 },
  { n: 33, d: 512, k: 4 },
  { n: 257, d: 7, k: 9 },
  { n: 6, d: 2, k: 4 },
  { n: 10, d: 5, k: 8 },
];

const layout = (n: number, d: number, k: number) => {
  const ws = kernels().workspace();
  const r = {
    X: ws.f64(n * d),
    Xp: ws.f64(((n + 1) >> 1) * 2 * d),
    C: ws.f64(k * d),
    W: ws.f64(n),
    out: ws.f64(n * k),
    halfNorm: ws.f64(k),
    labels: ws.i32(n),
    sums: ws.f64(k * d),
    counts: ws.f64(k),
    upper: ws.f64(n),
    lower: ws.f64(n),
    shift: ws.f64(k),
    sep: ws.f64(k),
    dist: ws.f64(n),
    members: ws.i32(k),
    cumulative: ws.f64(k + 1),
    cand: ws.f64(2 * d),
    trials: ws.f64(2 * (n + 1)),
    pots: ws.f64(2),
    closest: ws.f64(n + 1),
    pairW: ws.f64(n + 1),
  };
  ws.commit();
  return { ws, r };
};

/** Hamerly's first pass over every row of a layout() in one call (weights in r.W). */
function hamerlyInitWhole(r: ReturnType<typeof layout>['r'], n: number, d: number, k: number): void {
  kernels().exports.hamerlyInitPairs(
    r.Xp.ptr,
    r.X.ptr,
    n,
    d,
    r.C.ptr,
    k,
    r.W.ptr,
    r.cumulative.ptr,
    r.labels.ptr,
    r.upper.ptr,
    r.lower.ptr,
    r.sums.ptr,
    r.counts.ptr,
    r.members.ptr,
    1,
  );
}

for (const variant of ['simd', 'scalar'] as const) {
  describe(`kernels (${variant})`, () => {
    beforeAll(async () => {
      await init({ variant });
    });
    afterAll(async () => {
      await init();
    });

    it.each(shapes)('squaredDistances matches the reference (n=$n d=$d k=$k)', ({ n, d, k }) => {
      const rng = new Random(n * 1000 + d * 10 + k);
      const X = randomMatrix(rng, n, d, 3);
      const C = randomMatrix(rng, k, d, 3);
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      kernels().exports.squaredDistances(r.X.ptr, n, d, r.C.ptr, k, r.out.ptr);
      expectClose(ws.viewF64(r.out), squaredDistancesRef(X, n, d, C, k));
    });

    it.each(shapes)('assignNearest labels, sums and counts match (n=$n d=$d k=$k)', ({ n, d, k }) => {
      const rng = new Random(n + d + k);
      const X = randomMatrix(rng, n, d);
      const C = randomMatrix(rng, k, d);
      const W = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      ws.write(r.W, W);
      ws.viewI32(r.labels).fill(-1);
      const e = kernels().exports;
      e.packPointPairs(r.X.ptr, n, d, r.Xp.ptr);
      e.halfSquaredNorms(r.C.ptr, k, d, r.halfNorm.ptr);
      const changed = e.assignNearest(r.Xp.ptr, r.X.ptr, n, d, r.C.ptr, r.halfNorm.ptr, k, r.W.ptr, r.labels.ptr, r.sums.ptr, r.counts.ptr);
      const ref = assignNearestRef(X, n, d, C, k, W);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref.labels));
      expect(changed).toBe(n);
      expectClose(ws.viewF64(r.sums), ref.sums);
      expectClose(ws.viewF64(r.counts), ref.counts);
      // Same labels again: nothing changed.
      expect(e.assignNearest(r.Xp.ptr, r.X.ptr, n, d, r.C.ptr, r.halfNorm.ptr, k, 0, r.labels.ptr, 0, 0)).toBe(0);
    });

    it.each(shapes)('hamerlyAssign gives the reference labels, sums and bounds (n=$n d=$d k=$k)', ({ n, d, k }) => {
      const rng = new Random(7 * n + d + k);
      const X = randomMatrix(rng, n, d);
      const C = randomMatrix(rng, k, d);
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      ws.viewI32(r.labels).fill(-1);
      const e = kernels().exports;
      e.hamerlyAssign(
        r.X.ptr,
        n,
        d,
        r.C.ptr,
        k,
        0,
        r.shift.ptr,
        r.sep.ptr,
        r.cumulative.ptr,
        r.labels.ptr,
        r.upper.ptr,
        r.lower.ptr,
        r.sums.ptr,
        r.counts.ptr,
        r.members.ptr,
        1,
      );
      const ref = assignNearestRef(X, n, d, C, k);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref.labels));
      expectClose(ws.viewF64(r.sums), ref.sums);
      expectClose(ws.viewF64(r.upper), Array.from(ref.minDist, Math.sqrt));
      // Move the centroids a little and pass the shifts: bounds must stay valid and labels exact.
      const C2 = Float64Array.from(C, (v) => v + 0.05 * rng.normal());
      const shift = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (C2[c * d + j] - C[c * d + j]) ** 2;
        shift[c] = Math.sqrt(s);
      }
      ws.write(r.C, C2);
      ws.write(r.shift, shift);
      e.hamerlyAssign(
        r.X.ptr,
        n,
        d,
        r.C.ptr,
        k,
        0,
        r.shift.ptr,
        r.sep.ptr,
        r.cumulative.ptr,
        r.labels.ptr,
        r.upper.ptr,
        r.lower.ptr,
        r.sums.ptr,
        r.counts.ptr,
        r.members.ptr,
        0,
      );
      const ref2 = assignNearestRef(X, n, d, C2, k);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref2.labels));
      expectClose(ws.viewF64(r.counts), ref2.counts);
      // Sums are kept incrementally: they must still equal the from-scratch sums.
      expectClose(ws.viewF64(r.sums), ref2.sums, 1e-9);
      expect(Array.from(ws.viewI32(r.members))).toEqual(Array.from(ref2.counts));
      // Bounds are stored relative to the running shift totals: upper = upperRel + S[label],
      // lower = lowerRel - M; both must still hold against the exact distances.
      const upperRel = ws.viewF64(r.upper);
      const lowerRel = ws.viewF64(r.lower);
      const cumulative = ws.viewF64(r.cumulative);
      const lab = ws.viewI32(r.labels);
      const D2 = squaredDistancesRef(X, n, d, C2, k);
      for (let i = 0; i < n; i++) {
        expect(upperRel[i] + cumulative[lab[i]]).toBeGreaterThanOrEqual(Math.sqrt(ref2.minDist[i]) * (1 - 1e-12));
        for (let c = 0; c < k; c++) {
          if (c !== lab[i]) expect(lowerRel[i] - cumulative[k]).toBeLessThanOrEqual(Math.sqrt(D2[i * k + c]) * (1 + 1e-12) + 1e-12);
        }
      }
    });

    it.each(shapes)('hamerlyInitPairs gives the reference labels, sums, and exact bounds (n=$n d=$d k=$k)', ({ n, d, k }) => {
      const rng = new Random(13 * n + d + k);
      const X = randomMatrix(rng, n, d);
      const C = randomMatrix(rng, k, d);
      const W = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      ws.write(r.W, W);
      const e = kernels().exports;
      e.packPointPairs(r.X.ptr, n, d, r.Xp.ptr);
      hamerlyInitWhole(r, n, d, k);
      const ref = assignNearestRef(X, n, d, C, k, W);
      const D = squaredDistancesRef(X, n, d, C, k);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref.labels));
      expectClose(ws.viewF64(r.sums), ref.sums);
      expectClose(ws.viewF64(r.counts), ref.counts);
      expect(Array.from(ws.viewI32(r.members))).toEqual(Array.from(assignNearestRef(X, n, d, C, k).counts));
      expectClose(ws.viewF64(r.upper), Array.from(ref.minDist, Math.sqrt));
      const second = Array.from({ length: n }, (_, i) => {
        const row = Array.from({ length: k }, (_, c) => D[i * k + c]).sort((a, b) => a - b);
        return Math.sqrt(k > 1 ? row[1] : Infinity);
      });
      expectClose(ws.viewF64(r.lower), second);
      expect(Array.from(ws.viewF64(r.cumulative))).toEqual(new Array(k + 1).fill(0));
    });

    it.each(shapes)('assignedSquaredDistances and closestSquaredDistances match (n=$n d=$d k=$k)', ({ n, d, k }) => {
      const rng = new Random(3 * n + d + k);
      const X = randomMatrix(rng, n, d, 2);
      const C = randomMatrix(rng, k, d, 2);
      const W = Float64Array.from({ length: n }, () => rng.next());
      const labels = Int32Array.from({ length: n }, () => rng.int(k));
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      ws.write(r.W, W);
      ws.write(r.labels, labels);
      const e = kernels().exports;
      const D = squaredDistancesRef(X, n, d, C, k);
      const expected = Array.from(labels, (l, i) => D[i * k + l]);
      const total = e.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, r.W.ptr, r.dist.ptr);
      expectClose(ws.viewF64(r.dist), expected);
      expectClose([total], [expected.reduce((s, v, i) => s + W[i] * v, 0)]);

      // k-means++ update for two candidates (centroids 0 and 1) with a previous "closest"
      // of the distance to centroid k-1. Per-point arrays are padded to an even length
      // (the kernel reads pairs); the padding is closest 0 and weight 0.
      const nEven = n + (n & 1);
      const closest = Array.from({ length: n }, (_, i) => D[i * k + (k - 1)]);
      const closestView = ws.viewF64(r.closest);
      closestView.set(closest);
      closestView[n] = 0;
      const pw = ws.viewF64(r.pairW);
      pw.set(W);
      pw[n] = 0;
      ws.write(r.cand, C.subarray(0, Math.min(2, k) * d));
      e.packPointPairs(r.X.ptr, n, d, r.Xp.ptr);
      const m = Math.min(2, k);
      e.closestSquaredDistances(r.Xp.ptr, n, d, r.cand.ptr, m, r.closest.ptr, r.pairW.ptr, r.trials.ptr, r.pots.ptr, 0, (n + 1) >> 1);
      for (let t = 0; t < m; t++) {
        const want = Array.from({ length: n }, (_, i) => Math.min(closest[i], D[i * k + t]));
        expectClose(ws.viewF64(r.trials).subarray(t * nEven, t * nEven + n), want);
        expectClose([ws.viewF64(r.pots)[t]], [want.reduce((s, v, i) => s + W[i] * v, 0)]);
      }
      // No previous centre (closest +Infinity), unweighted: plain distances and their sum.
      closestView.fill(Infinity);
      closestView[n] = 0;
      e.closestSquaredDistances(r.Xp.ptr, n, d, r.cand.ptr, 1, r.closest.ptr, 0, r.trials.ptr, r.pots.ptr, 0, (n + 1) >> 1);
      const plain = Array.from({ length: n }, (_, i) => D[i * k]);
      expectClose(ws.viewF64(r.trials).subarray(0, n), plain);
      expectClose([ws.viewF64(r.pots)[0]], [plain.reduce((a, b) => a + b, 0)]);
      // A range of pairs: only those points' trials are written, and only they are summed.
      const [from, to] = [(n + 1) >> 2, (n + 1) >> 1];
      ws.viewF64(r.trials).fill(-1);
      e.closestSquaredDistances(r.Xp.ptr, n, d, r.cand.ptr, 1, r.closest.ptr, 0, r.trials.ptr, r.pots.ptr, from, to);
      const trials = ws.viewF64(r.trials);
      for (let i = 0; i < n; i++) expect(trials[i]).toBe(i >= 2 * from && i < 2 * to ? trials[i] : -1);
      expectClose(Array.from(trials.subarray(2 * from, n)), plain.slice(2 * from));
      expectClose([ws.viewF64(r.pots)[0]], [plain.slice(2 * from).reduce((a, b) => a + b, 0)]);
    });

    // The SIMD build scores up to four candidates per pass; each must be what a pass of
    // its own gives, to the bit: the same operations in the same order as below.
    it.each([1, 2, 3, 4, 5, 7, 9])('closestSquaredDistances with %i candidates is the per-candidate sum to the bit', (m) => {
      const [n, d] = [203, 5];
      const rng = new Random(40 + m);
      const X = randomMatrix(rng, n, d, 3);
      const nEven = n + (n & 1);
      const ws = kernels().workspace();
      const rX = ws.f64(n * d);
      const rXp = ws.f64(nEven * d);
      const rCand = ws.f64(m * d);
      const rClosest = ws.f64(nEven);
      const rW = ws.f64(nEven);
      const rTrials = ws.f64(m * nEven);
      const rPots = ws.f64(m);
      ws.commit();
      const cand = randomMatrix(rng, m, d, 3);
      const closest = Float64Array.from({ length: nEven }, (_, i) => (i === n ? 0 : i % 5 === 0 ? Infinity : 40 * rng.next()));
      const w = Float64Array.from({ length: nEven }, (_, i) => (i === n ? 0 : 0.25 + rng.next()));
      ws.write(rX, X);
      ws.write(rCand, cand);
      ws.write(rClosest, closest);
      ws.write(rW, w);
      const e = kernels().exports;
      e.packPointPairs(rX.ptr, n, d, rXp.ptr);
      const xp = ws.viewF64(rXp).slice();
      const [from, to] = [3, nEven / 2 - 2];
      for (const weighted of [false, true]) {
        ws.viewF64(rTrials).fill(-1);
        e.closestSquaredDistances(rXp.ptr, n, d, rCand.ptr, m, rClosest.ptr, weighted ? rW.ptr : 0, rTrials.ptr, rPots.ptr, from, to);
        const trials = ws.viewF64(rTrials);
        for (let t = 0; t < m; t++) {
          const lanePot = [0, 0];
          for (let p = from; p < to; p++) {
            for (let lane = 0; lane < 2; lane++) {
              let acc = 0;
              for (let j = 0; j < d; j++) {
                const diff = xp[p * 2 * d + 2 * j + lane] - cand[t * d + j];
                acc = acc + diff * diff;
              }
              const i = 2 * p + lane;
              // biome-ignore lint/complexity/useMathMinMax: pmin's own rule, not Math.min's (-0, NaN)
              const v = closest[i] < acc ? closest[i] : acc;
              expect(trials[t * nEven + i]).toBe(v);
              lanePot[lane] = lanePot[lane] + (weighted ? w[i] * v : v);
            }
          }
          expect(ws.viewF64(rPots)[t]).toBe(lanePot[0] + lanePot[1]);
          // Rows outside [from, to) are not written.
          expect(trials[t * nEven + 2 * from - 1]).toBe(-1);
          expect(trials[t * nEven + 2 * to]).toBe(-1);
        }
      }
    });

    it.each(shapes)('centerColumns gives column means, variances and centred X (n=$n d=$d)', ({ n, d, k }) => {
      const rng = new Random(11 * n + d + k);
      const X = randomMatrix(rng, n, d, 100).map((v) => v + 1000);
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      kernels().exports.centerColumns(r.X.ptr, n, d, r.cand.ptr, r.cand.ptr + d * 8);
      const stats = ws.viewF64(r.cand);
      for (let j = 0; j < d; j++) {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += X[i * d + j];
        mean /= n;
        let v = 0;
        for (let i = 0; i < n; i++) v += (X[i * d + j] - mean) ** 2;
        expectClose([stats[j]], [mean]);
        if (n > 1) expectClose([stats[d + j]], [v / n], 1e-9);
        for (let i = 0; i < n; i++) expect(Math.abs(ws.viewF64(r.X)[i * d + j] - (X[i * d + j] - mean))).toBeLessThan(1e-9);
      }
    });

    it('packPairs, in calls of a block of rows, writes the layout of two rows per SIMD pair', () => {
      // Past several calls' worth of rows, with an odd count (the last pair's second lane is 0).
      for (const [n, d] of [
        [40_001, 3],
        [16_384, 2],
        [3, 5],
      ]) {
        const rng = new Random(n + d);
        const X = randomMatrix(rng, n, d);
        expect(packedPairs(X, n, d)).toEqual(expectedPairs(X, n, d));
      }
    });

    it("Hamerly's first pass and the cluster statistics, in blocks of rows, give one call's results bit for bit", () => {
      // Past several blocks, an odd row count (the last pair's second lane is padding), weights.
      const n = 40_001;
      const d = 5;
      const k = 6;
      const rng = new Random(99);
      const X = randomMatrix(rng, n, d);
      const C = randomMatrix(rng, k, d);
      const W = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      const { ws, r } = layout(n, d, k);
      ws.write(r.X, X);
      ws.write(r.C, C);
      ws.write(r.W, W);
      const e = kernels().exports;
      packPairs(kernels(), r.X.ptr, n, d, r.Xp.ptr);
      const state = () => ({
        labels: Array.from(ws.viewI32(r.labels)),
        upper: Array.from(ws.viewF64(r.upper)),
        lower: Array.from(ws.viewF64(r.lower)),
        sums: Array.from(ws.viewF64(r.sums)),
        counts: Array.from(ws.viewF64(r.counts)),
        members: Array.from(ws.viewI32(r.members)),
        cumulative: Array.from(ws.viewF64(r.cumulative)),
      });
      hamerlyInitWhole(r, n, d, k);
      const one = state();
      for (const view of [ws.viewF64(r.upper), ws.viewF64(r.lower), ws.viewF64(r.sums), ws.viewF64(r.counts), ws.viewF64(r.cumulative)]) view.fill(7);
      ws.viewI32(r.labels).fill(-3);
      ws.viewI32(r.members).fill(5);
      hamerlyInit(kernels(), r as unknown as LloydRegions, n, d, k, r.W.ptr, r);
      expect(state()).toEqual(one);

      // The statistics: clusterStatistics (in blocks) against one call of each kernel.
      const codes = Int32Array.from(one.labels);
      const blocked = clusterStatistics(X, d, null, codes, k);
      const ws2 = kernels().workspace();
      const rX = ws2.f64(n * d);
      const rL = ws2.i32(n);
      const rMeans = ws2.f64(k * d);
      const rCounts = ws2.f64(k);
      const rDist = ws2.f64(k);
      const rSq = ws2.f64(k);
      ws2.commit();
      ws2.write(rX, X);
      ws2.write(rL, codes);
      e.clusterMeans(rX.ptr, n, d, rL.ptr, k, rMeans.ptr, rCounts.ptr, 3);
      e.centroidDistanceSums(rX.ptr, n, d, rL.ptr, k, rMeans.ptr, rDist.ptr, rSq.ptr, 3);
      expect(Array.from(blocked.means)).toEqual(Array.from(ws2.viewF64(rMeans)));
      expect(Array.from(blocked.counts)).toEqual(Array.from(ws2.viewF64(rCounts)));
      expect(Array.from(blocked.distanceSums)).toEqual(Array.from(ws2.viewF64(rDist)));
      expect(Array.from(blocked.squaredSums)).toEqual(Array.from(ws2.viewF64(rSq)));
    });
  });
}
