// The WASM module against its generated typings and the shared layout: both builds
// export exactly the kernels the typings declare, and a DBSCAN k-d tree header written
// with src/wasm/layout's slots drives the tree kernels to the brute-force answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from '../src/wasm/bytes.generated';
import { KERNEL_NAMES, init, kernels } from '../src/wasm/index';
import {
  DBSCAN_H_BOUNDS,
  DBSCAN_H_D,
  DBSCAN_H_FIRST_LEAF,
  DBSCAN_H_KIND,
  DBSCAN_H_N,
  DBSCAN_H_N_NODES,
  DBSCAN_H_RANGES,
  DBSCAN_H_STACK,
  DBSCAN_H_X,
  DBSCAN_HEADER_SLOTS,
  DBSCAN_KIND_TREE,
  DBSCAN_STACK_SLOTS,
} from '../src/wasm/layout';
import { Random } from '../src/random';

/** An implicit balanced k-d tree as the kernels read it: rows reordered so each node is a contiguous range, a box per node. */
function buildTree(X: Float64Array, n: number, d: number, levels: number) {
  const nNodes = 2 ** levels - 1;
  const firstLeaf = 2 ** (levels - 1) - 1;
  const perm = Array.from({ length: n }, (_, i) => i);
  const ranges = new Int32Array(2 * nNodes);
  const bounds = new Float64Array(2 * d * nNodes);
  const split = (node: number, start: number, end: number): void => {
    ranges[2 * node] = start;
    ranges[2 * node + 1] = end;
    for (let j = 0; j < d; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = start; r < end; r++) {
        lo = Math.min(lo, X[perm[r] * d + j]);
        hi = Math.max(hi, X[perm[r] * d + j]);
      }
      bounds[2 * d * node + j] = lo;
      bounds[2 * d * node + d + j] = hi;
    }
    if (node >= firstLeaf) return;
    const axis = node % d;
    const part = perm.slice(start, end).sort((a, b) => X[a * d + axis] - X[b * d + axis]);
    perm.splice(start, end - start, ...part);
    const mid = (start + end) >> 1;
    split(2 * node + 1, start, mid);
    split(2 * node + 2, mid, end);
  };
  split(0, 0, n);
  const rows = new Float64Array(n * d);
  perm.forEach((p, r) => rows.set(X.subarray(p * d, p * d + d), r * d));
  return { nNodes, firstLeaf, ranges, bounds, rows };
}

/** Squared distance summed as assembly/distance.ts's sqdistRows does (even and odd features apart), so results compare exactly. */
const sq = (a: Float64Array, i: number, b: Float64Array, j: number, d: number): number => {
  let even = 0;
  let odd = 0;
  let f = 0;
  for (; f + 1 < d; f += 2) {
    even += (a[i * d + f] - b[j * d + f]) ** 2;
    odd += (a[i * d + f + 1] - b[j * d + f + 1]) ** 2;
  }
  let s = even + odd;
  if (f < d) s += (a[i * d + f] - b[j * d + f]) ** 2;
  return s;
};

for (const variant of ['simd', 'scalar'] as const) {
  describe(`wasm module and layout (${variant})`, () => {
    beforeAll(async () => {
      await init({ variant });
    });
    afterAll(async () => {
      await init();
    });

    it('exports exactly the kernels its generated typings declare', () => {
      const bytes = Buffer.from(variant === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64, 'base64');
      const exported = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
      expect(exported.filter((x) => x.kind === 'function').map((x) => x.name)).toEqual([...KERNEL_NAMES]);
      expect(exported.filter((x) => x.kind !== 'function')).toEqual([{ name: 'memory', kind: 'memory' }]);
      for (const name of KERNEL_NAMES) expect(typeof kernels().exports[name]).toBe('function');
    });

    it.each([
      { n: 1, d: 2, levels: 1, k: 1 },
      { n: 200, d: 3, levels: 4, k: 7 },
      { n: 333, d: 6, levels: 5, k: 10 },
    ])('a tree header laid out with the layout slots gives brute-force k-th neighbours and core flags (n=$n d=$d)', ({ n, d, levels, k }) => {
      const rng = new Random(n + d);
      const X = Float64Array.from({ length: n * d }, () => rng.normal());
      const tree = buildTree(X, n, d, levels);
      const ws = kernels().workspace();
      const r = {
        header: ws.i32(DBSCAN_HEADER_SLOTS),
        X: ws.f64(n * d),
        bounds: ws.f64(tree.bounds.length),
        ranges: ws.i32(tree.ranges.length),
        stack: ws.i32(DBSCAN_STACK_SLOTS),
        heap: ws.f64(k),
        kth: ws.f64(n),
        core: ws.i32(n),
        ids: ws.i32(n),
        Q: ws.f64(3 * d),
        nearest: ws.i32(3),
      };
      ws.commit();
      ws.write(r.X, tree.rows);
      ws.write(r.bounds, tree.bounds);
      ws.write(r.ranges, tree.ranges);
      const h = new Int32Array(DBSCAN_HEADER_SLOTS);
      h[DBSCAN_H_KIND] = DBSCAN_KIND_TREE;
      h[DBSCAN_H_N] = n;
      h[DBSCAN_H_D] = d;
      h[DBSCAN_H_X] = r.X.ptr;
      h[DBSCAN_H_BOUNDS] = r.bounds.ptr;
      h[DBSCAN_H_RANGES] = r.ranges.ptr;
      h[DBSCAN_H_FIRST_LEAF] = tree.firstLeaf;
      h[DBSCAN_H_STACK] = r.stack.ptr;
      h[DBSCAN_H_N_NODES] = tree.nNodes;
      ws.write(r.header, h);
      const e = kernels().exports;
      const rows = tree.rows;

      const kk = Math.min(k, n);
      e.dbscanKthNeighbourSq(r.header.ptr, kk, r.heap.ptr, r.kth.ptr);
      const want = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => sq(rows, i, rows, j, d)).sort((a, b) => a - b)[kk - 1]);
      expect(Array.from(ws.viewF64(r.kth))).toEqual(want);

      // Core flags at eps^2 = the median k-th distance: about half the rows are core.
      const eps2 = [...want].sort((a, b) => a - b)[n >> 1];
      const cores = e.dbscanCoreFlags(r.header.ptr, eps2, kk, r.core.ptr);
      const wantCore = want.map((v) => (v <= eps2 ? 1 : 0));
      expect(Array.from(ws.viewI32(r.core))).toEqual(wantCore);
      expect(cores).toBe(wantCore.reduce((a: number, b: number) => a + b, 0));

      // Nearest row within eps of three queries: two near rows, one far from all.
      const ids = Int32Array.from({ length: n }, (_, i) => n - i);
      const Q = new Float64Array(3 * d);
      for (let f = 0; f < d; f++) {
        Q[f] = rows[f] + 1e-3;
        Q[d + f] = rows[(n - 1) * d + f];
        Q[2 * d + f] = 1e6;
      }
      ws.write(r.ids, ids);
      ws.write(r.Q, Q);
      e.dbscanNearestWithin(r.header.ptr, r.ids.ptr, r.Q.ptr, 3, eps2, r.nearest.ptr);
      const wantNearest = [0, 1, 2].map((q) => {
        let best = -1;
        let bestDist = eps2;
        for (let j = 0; j < n; j++) {
          const dist = sq(Q, q, rows, j, d);
          if (dist < bestDist || (dist === bestDist && (best < 0 || ids[j] < ids[best]))) {
            best = j;
            bestDist = dist;
          }
        }
        return best;
      });
      expect(Array.from(ws.viewI32(r.nearest))).toEqual(wantNearest);
      expect(wantNearest[2]).toBe(-1);
    });
  });
}
