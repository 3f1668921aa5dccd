// kprototypesStep (assembly/kprototypes.ts), the fused assign + accumulate pass of a fit,
// in both builds, against a plain-TS pass written from the definition: the same labels,
// costs, cost sum, sums and counts bit for bit, since the fit's results depend on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../src/random';
import { init, kernels } from '../src/wasm/index';

interface Shape {
  n: number;
  p: number;
  m: number;
  k: number;
}

// Blocks of four rows and every tail length, one feature of either kind, k = 1, missing codes.
const shapes: Shape[] = [
  { n: 1, p: 1, m: 1, k: 1 },
  { n: 3, p: 2, m: 1, k: 2 },
  { n: 4, p: 4, m: 3, k: 5 },
  { n: 5, p: 1, m: 2, k: 3 },
  { n: 7, p: 3, m: 4, k: 2 },
  { n: 101, p: 4, m: 3, k: 5 },
  { n: 258, p: 7, m: 5, k: 9 },
];

/** One pass from the definition, row-major input. */
function stepRef(num: Float64Array, codes: Int32Array, s: Shape, sizes: number[], cen: Float64Array, modes: Int32Array, gamma: number, prev: Int32Array) {
  const { n, p, m, k } = s;
  const offsets: number[] = [];
  let total = 0;
  for (const z of sizes) {
    offsets.push(total);
    total += z;
  }
  const labels = new Int32Array(n);
  const costs = new Float64Array(n);
  const sums = new Float64Array(k * p);
  const counts = new Int32Array(k);
  const cats = new Int32Array(k * total);
  let cost = 0;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bestK = 0;
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let t = 0; t < p; t++) d += (num[i * p + t] - cen[j * p + t]) * (num[i * p + t] - cen[j * p + t]);
      let mis = 0;
      for (let t = 0; t < m; t++) if (codes[i * m + t] < 0 || codes[i * m + t] !== modes[j * m + t]) mis++;
      d += gamma * mis;
      if (d < best) {
        best = d;
        bestK = j;
      }
    }
    if (prev[i] !== bestK) changed++;
    labels[i] = bestK;
    costs[i] = best;
    cost += best;
    counts[bestK]++;
    for (let t = 0; t < p; t++) sums[bestK * p + t] += num[i * p + t];
    for (let t = 0; t < m; t++) if (codes[i * m + t] >= 0) cats[bestK * total + offsets[t] + codes[i * m + t]]++;
  }
  return { labels, costs, sums, counts, cats, cost, changed, offsets, total };
}

for (const variant of ['simd', 'scalar'] as const) {
  describe(`kprototypesStep (${variant})`, () => {
    beforeAll(async () => {
      await init({ variant });
    });
    afterAll(async () => {
      await init();
    });

    it.each(shapes)('matches the definition bit for bit (n=$n p=$p m=$m k=$k)', (s) => {
      const { n, p, m, k } = s;
      const rng = new Random(n * 100 + p * 10 + m + k);
      const sizes = Array.from({ length: m }, (_, t) => 2 + (t % 3));
      const num = Float64Array.from({ length: n * p }, () => 3 * rng.normal());
      // About one code in eight missing (-1).
      const codes = Int32Array.from({ length: n * m }, (_, x) => (rng.next() < 0.125 ? -1 : rng.int(sizes[x % m])));
      const cen = Float64Array.from({ length: k * p }, () => 3 * rng.normal());
      const modes = Int32Array.from({ length: k * m }, (_, x) => (x % 7 === 3 ? -1 : rng.int(sizes[x % m])));
      const prev = Int32Array.from({ length: n }, () => rng.int(k + 1) - 1);
      const gamma = 0.75;
      const ref = stepRef(num, codes, s, sizes, cen, modes, gamma, prev);

      const ws = kernels().workspace();
      const r = {
        X: ws.f64(n * p),
        C: ws.i32(n * m),
        cen: ws.f64(k * p),
        mod: ws.i32(k * m),
        lab: ws.i32(n),
        costs: ws.f64(n),
        off: ws.i32(m),
        sums: ws.f64(k * p),
        counts: ws.i32(k),
        cats: ws.i32(k * ref.total),
        tot: ws.f64(1),
      };
      ws.commit();
      const Xt = new Float64Array(n * p);
      const Ct = new Int32Array(n * m);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < p; t++) Xt[t * n + i] = num[i * p + t];
        for (let t = 0; t < m; t++) Ct[t * n + i] = codes[i * m + t];
      }
      ws.write(r.X, Xt);
      ws.write(r.C, Ct);
      ws.write(r.cen, cen);
      ws.write(r.mod, modes);
      ws.write(r.lab, prev);
      ws.write(r.off, ref.offsets);
      // Stale values the kernel must clear.
      ws.viewF64(r.sums).fill(9);
      ws.viewI32(r.counts).fill(9);
      ws.viewI32(r.cats).fill(9);
      const e = kernels().exports;
      const changed = e.kprototypesStep(
        r.X.ptr,
        r.C.ptr,
        n,
        p,
        m,
        r.cen.ptr,
        r.mod.ptr,
        k,
        gamma,
        r.lab.ptr,
        r.costs.ptr,
        r.off.ptr,
        ref.total,
        r.sums.ptr,
        r.counts.ptr,
        r.cats.ptr,
        r.tot.ptr,
      );
      expect(changed).toBe(ref.changed);
      expect(Array.from(ws.viewI32(r.lab))).toEqual(Array.from(ref.labels));
      expect(Array.from(ws.viewF64(r.costs))).toEqual(Array.from(ref.costs));
      expect(ws.viewF64(r.tot)[0]).toBe(ref.cost);
      expect(Array.from(ws.viewF64(r.sums))).toEqual(Array.from(ref.sums));
      expect(Array.from(ws.viewI32(r.counts))).toEqual(Array.from(ref.counts));
      expect(Array.from(ws.viewI32(r.cats))).toEqual(Array.from(ref.cats));
      // The same prototypes again: no label moves.
      expect(
        e.kprototypesStep(
          r.X.ptr,
          r.C.ptr,
          n,
          p,
          m,
          r.cen.ptr,
          r.mod.ptr,
          k,
          gamma,
          r.lab.ptr,
          r.costs.ptr,
          r.off.ptr,
          ref.total,
          r.sums.ptr,
          r.counts.ptr,
          r.cats.ptr,
          r.tot.ptr,
        ),
      ).toBe(0);
    });
  });
}
