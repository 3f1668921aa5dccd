// DBSCAN's nearest-neighbour searches over the k-d tree of dbscan.ts (same header, same
// rows): the k-th neighbour distance of every row, behind eps 'auto', and the nearest
// core row within eps of new rows, behind predict. Unlike the neighbourhood queries
// these prune against a bound that shrinks as the search finds nearer rows.

import { sqdistRows } from './distance';
import { nodeBox, pushChildren } from './dbscan';
import {
  DBSCAN_BOX_MARGIN as BOX_MARGIN,
  DBSCAN_H_BOUNDS as H_BOUNDS,
  DBSCAN_H_D as H_D,
  DBSCAN_H_FIRST_LEAF as H_FIRST_LEAF,
  DBSCAN_H_N as H_N,
  DBSCAN_H_RANGES as H_RANGES,
  DBSCAN_H_STACK as H_STACK,
  DBSCAN_H_X as H_X,
} from './layout';
import { f64At, i32At, setF64, setI32 } from './memory';

/** Squared distance from row x to the nearest point of a node's box (0 inside); for the walks that prune only. */
// @ts-ignore: decorator
@inline
export function boxNearSq(x: usize, box: usize, d: i32): f64 {
  let near: f64 = 0;
  for (let j = 0; j < d; j++) {
    const v = f64At(x, j);
    const below = f64At(box, j) - v;
    const above = v - f64At(box, d + j);
    const gap = below > 0 ? below : above > 0 ? above : 0;
    near += gap * gap;
  }
  return near;
}

/**
 * Pushes node's children on a walk's stack, the one whose box is nearer to row x on top
 * (left on ties), so a walk that prunes against a shrinking bound tightens it sooner.
 * One pass over the features measures both boxes; returns the new stack size.
 */
// @ts-ignore: decorator
@inline
export function pushNearerChildren(stack: usize, sp: i32, x: usize, bounds: usize, node: i32, d: i32): i32 {
  const left = 2 * node + 1;
  const right = left + 1;
  const lbox = nodeBox(bounds, left, d);
  const rbox = nodeBox(bounds, right, d);
  let lnear: f64 = 0;
  let rnear: f64 = 0;
  for (let j = 0; j < d; j++) {
    const v = f64At(x, j);
    const lg = max(max(f64At(lbox, j) - v, v - f64At(lbox, d + j)), 0);
    const rg = max(max(f64At(rbox, j) - v, v - f64At(rbox, d + j)), 0);
    lnear += lg * lg;
    rnear += rg * rg;
  }
  setI32(stack, sp, lnear <= rnear ? right : left);
  setI32(stack, sp + 1, lnear <= rnear ? left : right);
  return sp + 2;
}

/** Sift-down in a max-heap of f64 held in heap[0..size). */
// @ts-ignore: decorator
@inline
function siftDown(heap: usize, size: i32, value: f64): void {
  let pos = 0;
  while (true) {
    let child = 2 * pos + 1;
    if (child >= size) break;
    let cv = f64At(heap, child);
    if (child + 1 < size) {
      const rv = load<f64>(heap + (<usize>(child + 1) << 3));
      if (rv > cv) {
        child++;
        cv = rv;
      }
    }
    if (cv <= value) break;
    setF64(heap, pos, cv);
    pos = child;
  }
  setF64(heap, pos, value);
}

const SEARCH_KTH: i32 = 0; // the k-th smallest distance, in a max-heap whose top is the bound
const SEARCH_WITHIN: i32 = 1; // the nearest row within eps2, ties to the smaller id
export const SEARCH_KNN: i32 = 2; // the k nearest rows and their distances, ascending

/** Sift-down of a max-heap of (distance, id) pairs after its top was replaced. */
// @ts-ignore: decorator
@inline
function pairHeapReplaceTop(dist: usize, ids: usize, size: i32, value: f64, id: i32): void {
  let pos = 0;
  while (true) {
    let child = 2 * pos + 1;
    if (child >= size) break;
    let cv = f64At(dist, child);
    if (child + 1 < size) {
      const rv = f64At(dist, child + 1);
      if (rv > cv) {
        child++;
        cv = rv;
      }
    }
    if (cv <= value) break;
    setF64(dist, pos, cv);
    setI32(ids, pos, i32At(ids, child));
    pos = child;
  }
  setF64(dist, pos, value);
  setI32(ids, pos, id);
}

/** A max-heap of k (distance, id) pairs -> ascending by distance (insertion sort: k is small), then Euclidean distances. */
// @ts-ignore: decorator
@inline
function sortPairHeap(hd: usize, hi: usize, k: i32): void {
  for (let a = 1; a < k; a++) {
    const v = f64At(hd, a);
    const id = i32At(hi, a);
    let b = a;
    while (b > 0 && f64At(hd, b - 1) > v) {
      setF64(hd, b, f64At(hd, b - 1));
      setI32(hi, b, i32At(hi, b - 1));
      b--;
    }
    setF64(hd, b, v);
    setI32(hi, b, id);
  }
  for (let t = 0; t < k; t++) setF64(hd, t, Math.sqrt(f64At(hd, t)));
}

/**
 * The nearest-neighbour walk of the search kernels, over m query rows: prunes a node
 * when its box is beyond the current bound, scans leaves, and writes each query's
 * result. Called with a constant `search`, so after inlining each kernel keeps only its
 * own branches. SEARCH_KTH and SEARCH_KNN visit the nearer child first so the bound
 * tightens sooner; SEARCH_WITHIN starts from eps2 and visits left before right.
 * SEARCH_KNN keeps one heap per query in place: distances at heap + q*k, ids at ids + q*k.
 */
// @ts-ignore: decorator
@inline
export function searchTree(
  search: i32, index: usize, m: i32, Q: usize, k: i32, heap: usize, ids: usize, eps2: f64, out: usize,
): void {
  searchTreeWith(search, index, m, Q, k, heap, ids, eps2, out, <usize>i32At(index, H_STACK));
}

/** searchTree with the walk's stack given: threads sharing one tree each walk on their own. */
// @ts-ignore: decorator
@inline
function searchTreeWith(
  search: i32, index: usize, m: i32, Q: usize, k: i32, heap: usize, ids: usize, eps2: f64, out: usize, stack: usize,
): void {
  const d = i32At(index, H_D);
  const X = <usize>i32At(index, H_X);
  const bounds = <usize>i32At(index, H_BOUNDS);
  const ranges = <usize>i32At(index, H_RANGES);
  const firstLeaf = i32At(index, H_FIRST_LEAF);
  const rowBytes = <usize>d << 3;
  for (let q = 0; q < m; q++) {
    const x = Q + <usize>q * rowBytes;
    let best = -1;
    let bestDist = eps2;
    const hd = search == SEARCH_KNN ? heap + ((<usize>q * k) << 3) : heap;
    const hi = search == SEARCH_KNN ? ids + ((<usize>q * k) << 2) : ids;
    // The heap starts full of +Inf, so its top is always the current k-th distance.
    if (search != SEARCH_WITHIN) for (let t = 0; t < k; t++) setF64(hd, t, Infinity);
    if (search == SEARCH_KNN) for (let t = 0; t < k; t++) setI32(hi, t, -1);
    setI32(stack, 0, 0);
    let sp = 1;
    while (sp > 0) {
      sp--;
      const node = i32At(stack, sp);
      const box = nodeBox(bounds, node, d);
      const near = boxNearSq(x, box, d);
      const bound = search == SEARCH_WITHIN ? bestDist : load<f64>(hd);
      // HDBSCAN's query has always pruned at the bound itself; the DBSCAN searches leave BOX_MARGIN.
      if (near > (search == SEARCH_KNN ? bound : bound * (1 + BOX_MARGIN))) continue;
      if (node >= firstLeaf) {
        const end = i32At(ranges, (node << 1) + 1);
        for (let j = i32At(ranges, node << 1); j < end; j++) {
          const dist = sqdistRows(x, X + <usize>j * rowBytes, d);
          if (search == SEARCH_KTH) {
            if (dist < load<f64>(hd)) siftDown(hd, k, dist);
          } else if (search == SEARCH_KNN) {
            if (dist < load<f64>(hd)) pairHeapReplaceTop(hd, hi, k, dist, j);
          } else if (dist < bestDist || (dist == bestDist && (best < 0 || i32At(ids, j) < i32At(ids, best)))) {
            bestDist = dist;
            best = j;
          }
        }
        continue;
      }
      if (search == SEARCH_WITHIN) sp = pushChildren(stack, sp, node);
      else sp = pushNearerChildren(stack, sp, x, bounds, node, d);
    }
    if (search == SEARCH_KTH) setF64(out, q, load<f64>(hd));
    else if (search == SEARCH_KNN) sortPairHeap(hd, hi, k);
    else setI32(out, q, best);
  }
}

/** Writes each row's squared distance to its k-th nearest row, itself counted (k-d tree index only). */
export function dbscanKthNeighbourSq(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  k: i32, // 1 <= k <= n
  heap: usize, // SCRATCH f64[k]
  out: usize, // OUT f64[n]
): void {
  searchTree(SEARCH_KTH, index, i32At(index, H_N), <usize>i32At(index, H_X), k, heap, 0, 0, out);
}

/**
 * dbscanKthNeighbourSq for the tree rows [first, first + count) only, walking with the
 * caller's heap and stack: one thread's block of rows. Each row's result does not depend
 * on the others', so blocks give exactly the whole call's values.
 */
export function dbscanKthNeighbourSqRows(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  k: i32, // 1 <= k <= n
  heap: usize, // SCRATCH f64[k]
  out: usize, // OUT f64[n], rows [first, first + count) written
  first: i32,
  count: i32,
  stack: usize, // SCRATCH i32[DBSCAN_STACK_SLOTS]
): void {
  const d = i32At(index, H_D);
  const X = <usize>i32At(index, H_X);
  searchTreeWith(SEARCH_KTH, index, count, X + ((<usize>first * <usize>d) << 3), k, heap, 0, 0, out + (<usize>first << 3), stack);
}

/**
 * For each query row, the index (in tree order) of the nearest tree row within eps,
 * ties to the smaller `ids` value; -1 when none is within eps.
 */
export function dbscanNearestWithin(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  ids: usize, // IN i32[n], tie-break key of each tree row
  Q: usize, // IN f64[m*d]
  m: i32,
  eps2: f64,
  out: usize, // OUT i32[m]
): void {
  searchTree(SEARCH_WITHIN, index, m, Q, 0, 0, ids, eps2, out);
}
