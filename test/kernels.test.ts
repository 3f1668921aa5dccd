// Each K-Means kernel against the plain-TS reference, in both builds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, kernels } from '../src/wasm/index';
import { Random } from '../src/random';
import { assignNearestRef, squaredDistancesRef } from './reference/kmeans';

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
    X: ws.f64(n * d), Xp: ws.f64(((n + 1) >> 1) * 2 * d), C: ws.f64(k * d), W: ws.f64(n), out: ws.f64(n * k),
    halfNorm: ws.f64(k), labels: ws.i32(n), sums: ws.f64(k * d), counts: ws.f64(k),
    upper: ws.f64(n), lower: ws.f64(n), shift: ws.f64(k), sep: ws.f64(k), dist: ws.f64(n), members: ws.i32(k),
    cand: ws.f64(2 * d), trials: ws.f64(2 * n), pots: ws.f64(2),
  };
  ws.commit();
  return { ws, r };
};

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
      e.hamerlyAssign(r.X.ptr, n, d, r.C.ptr, k, 0, r.shift.ptr, r.sep.ptr, r.labels.ptr, r.upper.ptr, r.lower.ptr, r.sums.ptr, r.counts.ptr, r.members.ptr, 1);
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
      e.hamerlyAssign(r.X.ptr, n, d, r.C.ptr, k, 0, r.shift.ptr, r.sep.ptr, r.labels.ptr, r.upper.ptr, r.lower.ptr, r.sums.ptr, r.counts.ptr, r.members.ptr, 0);
      const ref2 = assignNearestRef(X, n, d, C2, k);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref2.labels));
      expectClose(ws.viewF64(r.counts), ref2.counts);
      // Sums are kept incrementally: they must still equal the from-scratch sums.
      expectClose(ws.viewF64(r.sums), ref2.sums, 1e-9);
      expect(Array.from(ws.viewI32(r.members))).toEqual(Array.from(ref2.counts));
      const upper = ws.viewF64(r.upper);
      for (let i = 0; i < n; i++) expect(upper[i]).toBeGreaterThanOrEqual(Math.sqrt(ref2.minDist[i]) * (1 - 1e-12));
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
      // of the distance to centroid k-1.
      const closest = Array.from({ length: n }, (_, i) => D[i * k + (k - 1)]);
      ws.write(r.upper, closest);
      ws.write(r.cand, C.subarray(0, Math.min(2, k) * d));
      e.packPointPairs(r.X.ptr, n, d, r.Xp.ptr);
      const m = Math.min(2, k);
      e.closestSquaredDistances(r.Xp.ptr, n, d, r.cand.ptr, m, r.upper.ptr, r.W.ptr, r.trials.ptr, r.pots.ptr);
      for (let t = 0; t < m; t++) {
        const want = Array.from({ length: n }, (_, i) => Math.min(closest[i], D[i * k + t]));
        expectClose(ws.viewF64(r.trials).subarray(t * n, (t + 1) * n), want);
        expectClose([ws.viewF64(r.pots)[t]], [want.reduce((s, v, i) => s + W[i] * v, 0)]);
      }
      // No previous centre: plain distances.
      e.closestSquaredDistances(r.Xp.ptr, n, d, r.cand.ptr, 1, 0, 0, r.trials.ptr, r.pots.ptr);
      expectClose(ws.viewF64(r.trials).subarray(0, n), Array.from({ length: n }, (_, i) => D[i * k]));
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
  });
}
