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
];

const layout = (n: number, d: number, k: number) => {
  const ws = kernels().workspace();
  const kPad = (k + 1) & ~1;
  const r = {
    X: ws.f64(n * d), C: ws.f64(k * d), W: ws.f64(n), out: ws.f64(n * k), panel: ws.f64(kPad * d),
    halfNorm: ws.f64(kPad), scores: ws.f64(4 * kPad), labels: ws.i32(n), sums: ws.f64(k * d), counts: ws.f64(k),
    upper: ws.f64(n), lower: ws.f64(n), shift: ws.f64(k), sep: ws.f64(k), dist: ws.f64(n),
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
      e.packCentroids(r.C.ptr, k, d, r.panel.ptr, r.halfNorm.ptr);
      const changed = e.assignNearest(r.X.ptr, n, d, r.panel.ptr, r.halfNorm.ptr, k, r.W.ptr, r.scores.ptr, r.labels.ptr, r.sums.ptr, r.counts.ptr);
      const ref = assignNearestRef(X, n, d, C, k, W);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref.labels));
      expect(changed).toBe(n);
      expectClose(ws.viewF64(r.sums), ref.sums);
      expectClose(ws.viewF64(r.counts), ref.counts);
      // Same labels again: nothing changed.
      expect(e.assignNearest(r.X.ptr, n, d, r.panel.ptr, r.halfNorm.ptr, k, 0, r.scores.ptr, r.labels.ptr, 0, 0)).toBe(0);
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
      e.hamerlyAssign(r.X.ptr, n, d, r.C.ptr, k, 0, r.shift.ptr, r.sep.ptr, r.labels.ptr, r.upper.ptr, r.lower.ptr, r.sums.ptr, r.counts.ptr, 1);
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
      e.hamerlyAssign(r.X.ptr, n, d, r.C.ptr, k, 0, r.shift.ptr, r.sep.ptr, r.labels.ptr, r.upper.ptr, r.lower.ptr, r.sums.ptr, r.counts.ptr, 0);
      const ref2 = assignNearestRef(X, n, d, C2, k);
      expect(Array.from(ws.viewI32(r.labels))).toEqual(Array.from(ref2.labels));
      expectClose(ws.viewF64(r.counts), ref2.counts);
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

      // k-means++ update against centroid 0 with a previous "closest" of the distance to centroid k-1.
      const closest = Array.from({ length: n }, (_, i) => D[i * k + (k - 1)]);
      ws.write(r.upper, closest);
      const pot = e.closestSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.upper.ptr, 0, r.lower.ptr);
      const want = Array.from({ length: n }, (_, i) => Math.min(closest[i], D[i * k]));
      expectClose(ws.viewF64(r.lower), want);
      expectClose([pot], [want.reduce((s, v) => s + v, 0)]);
    });
  });
}
