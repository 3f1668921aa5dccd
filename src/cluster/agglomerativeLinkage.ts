/**
 * SciPy's linkage matrix from the kernels' raw merges (assembly/linkage.ts: NN-chain for
 * ward, complete and average, Prim's MST for single), and flat cuts of it.
 */
import { kernels } from '../wasm/index';
import { LINKAGE_AVERAGE, LINKAGE_COMPLETE, LINKAGE_SINGLE } from '../wasm/layout';
import type { LinkageMethod } from './agglomerativeModel';
import { findRoot } from './unionFind';

/** Codes of the Lance-Williams update in matrixNNChain (assembly/layout.ts). */
const MATRIX_METHOD = { complete: LINKAGE_COMPLETE, average: LINKAGE_AVERAGE, single: LINKAGE_SINGLE } as const;

/**
 * Sorts SciPy's raw NN-chain / MST rows by height (stable, as its mergesort) and
 * relabels them with a union-find: a < b are the current cluster ids, size the rows
 * (leaf weights) under the new cluster n + i. In place.
 */
export function sortAndRelabel(Z: Float64Array, leaves: number, leafSizes?: ArrayLike<number>): Float64Array {
  const merges = leaves - 1;
  const order = Array.from({ length: merges }, (_, i) => i);
  order.sort((a, b) => Z[4 * a + 2] - Z[4 * b + 2] || a - b);
  const sorted = new Float64Array(merges * 4);
  order.forEach((src, i) => sorted.set(Z.subarray(4 * src, 4 * src + 4), 4 * i));
  const parent = new Int32Array(2 * leaves - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const size = new Float64Array(2 * leaves - 1);
  for (let i = 0; i < leaves; i++) size[i] = leafSizes ? leafSizes[i] : 1;
  const find = (x: number): number => findRoot(parent, x);
  for (let i = 0; i < merges; i++) {
    const x = find(sorted[4 * i]);
    const y = find(sorted[4 * i + 1]);
    const next = leaves + i;
    sorted[4 * i] = Math.min(x, y);
    sorted[4 * i + 1] = Math.max(x, y);
    parent[x] = parent[y] = next;
    size[next] = size[x] + size[y];
    sorted[4 * i + 3] = size[next];
  }
  return sorted;
}

/** Leaf labels after applying the first `merges` rows of a sorted linkage, numbered by first appearance. */
export function applyMerges(Z: Float64Array, leaves: number, merges: number): Int32Array {
  const parent = new Int32Array(2 * leaves - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  for (let i = 0; i < merges; i++) parent[Z[4 * i]] = parent[Z[4 * i + 1]] = leaves + i;
  const rootLabel = new Map<number, number>();
  const labels = new Int32Array(leaves);
  for (let i = 0; i < leaves; i++) {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    parent[i] = r; // later leaves under the same merge reach the root sooner
    let l = rootLabel.get(r);
    if (l === undefined) {
      l = rootLabel.size;
      rootLabel.set(r, l);
    }
    labels[i] = l;
  }
  return labels;
}

/** How many merges of a sorted linkage a k or a distance threshold keeps. */
export function mergesToApply(Z: Float64Array, leaves: number, cut: { k?: number; distanceThreshold?: number }): number {
  if (cut.k !== undefined) return leaves - cut.k;
  let m = 0;
  while (m < leaves - 1 && Z[4 * m + 2] < cut.distanceThreshold!) m++;
  return m;
}

/** Runs the kernel of `method` on `leaves` rows (weighted by sizes) and returns SciPy's sorted linkage. */
export function linkLeaves(method: LinkageMethod, data: Float64Array, leaves: number, d: number, sizes?: Float64Array): Float64Array {
  if (leaves === 1) return new Float64Array(0);
  const kern = kernels();
  const e = kern.exports;
  const ws = kern.workspace();
  const Z = ws.f64((leaves - 1) * 4);
  const X = ws.f64(leaves * d);
  if (method === 'ward') {
    const cap = (leaves + 3) & ~3;
    const S = ws.f64(cap);
    const slots = ws.i32(leaves);
    const CT = ws.f64(d * cap);
    const xbuf = ws.f64(d);
    const chain = ws.i32(leaves);
    const newPos = ws.i32(leaves);
    ws.commit();
    ws.write(X, data);
    if (sizes) ws.viewF64(S).set(sizes);
    else ws.viewF64(S).fill(1, 0, leaves);
    const s = ws.viewI32(slots);
    for (let i = 0; i < leaves; i++) s[i] = i;
    e.wardNNChain(X.ptr, S.ptr, slots.ptr, leaves, d, CT.ptr, xbuf.ptr, chain.ptr, newPos.ptr, Z.ptr);
  } else if (method === 'single') {
    const slots = ws.i32(leaves);
    const nearest = ws.f64(leaves);
    ws.commit();
    ws.write(X, data);
    const s = ws.viewI32(slots);
    for (let i = 0; i < leaves; i++) s[i] = i;
    e.singlePrim(X.ptr, slots.ptr, leaves, d, nearest.ptr, Z.ptr);
  } else {
    const D = ws.f64((leaves * (leaves - 1)) / 2);
    const S = ws.f64(leaves);
    const chain = ws.i32(leaves);
    ws.commit();
    ws.write(X, data);
    if (sizes) ws.write(S, sizes);
    else ws.viewF64(S).fill(1);
    e.condensedDistances(X.ptr, leaves, d, D.ptr);
    e.matrixNNChain(D.ptr, leaves, MATRIX_METHOD[method], S.ptr, chain.ptr, Z.ptr);
  }
  const raw = ws.viewF64(Z).slice();
  return sortAndRelabel(raw, leaves, sizes);
}
