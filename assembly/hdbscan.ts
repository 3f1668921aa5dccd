// HDBSCAN's hot loops: the minimum spanning tree of the mutual-reachability graph
// (mrd(a, b) = max(core[a], core[b], |a - b|)) and the nearest training rows of new
// rows for approximate prediction. Core distances come from dbscanKthNeighbourSq.
//
// hdbscanPrimMst is dense Prim, O(n^2 d) time and O(n) memory, with scikit-learn's
// scan order and tie rules (mst_from_data_matrix), so its edges are the very ones
// scikit-learn 1.6 finds: ties decide which point joins first, and the condensed tree
// depends on that order when heights are equal.
//
// Past a few thousand rows the host switches to Boruvka over the k-d tree of
// dbscan.ts (same header): each round every component finds its cheapest edge to
// another component, each row searching the tree with three prunes: nodes whose rows
// are all in its own component, nodes whose lower bound max(core[q], min core in node,
// box distance) is no better than its component's best so far, and rows whose own core
// distance already is. About log2(n) rounds, each near O(n log n) in low dimension.

import { nodeBox } from './dbscan';
import { boxNearSq, pushNearerChildren, SEARCH_KNN, searchTree } from './dbscan_search';
import { sqdistRows } from './distance';
import {
  DBSCAN_H_BOUNDS as H_BOUNDS,
  DBSCAN_H_D as H_D,
  DBSCAN_H_FIRST_LEAF as H_FIRST_LEAF,
  DBSCAN_H_N as H_N,
  DBSCAN_H_N_NODES as H_N_NODES,
  DBSCAN_H_RANGES as H_RANGES,
  DBSCAN_H_STACK as H_STACK,
  DBSCAN_H_X as H_X,
} from './layout';
import { f64At, i32At, setF64, setI32 } from './memory';

/**
 * Prim's MST over mutual reachability, started at row 0, as scikit-learn's
 * mst_from_data_matrix: edge i is [source, target, mrd], in the order rows join.
 */
export function hdbscanPrimMst(
  X: usize, // IN f64[n*d]
  core: usize, // IN f64[n], core distance of each row
  n: i32,
  d: i32,
  inTree: usize, // SCRATCH i32[n]
  minReach: usize, // SCRATCH f64[n]
  sources: usize, // SCRATCH i32[n]
  mst: usize, // OUT f64[(n-1)*3]: source, target, distance
): void {
  const rowBytes = <usize>d << 3;
  for (let j = 0; j < n; j++) {
    setI32(inTree, j, 0);
    setF64(minReach, j, Infinity);
    setI32(sources, j, 1); // scikit-learn's initial value; read only for unreachable rows
  }
  let current = 0;
  for (let i = 0; i < n - 1; i++) {
    setI32(inTree, current, 1);
    const coreCurrent = f64At(core, current);
    const cx = X + <usize>current * rowBytes;
    let best: f64 = f64.MAX_VALUE;
    let source = 0;
    let next = 0;
    for (let j = 0; j < n; j++) {
      if (i32At(inTree, j)) continue;
      const reach = f64At(minReach, j);
      let mrd = Math.sqrt(sqdistRows(cx, X + <usize>j * rowBytes, d));
      const cj = f64At(core, j);
      if (coreCurrent > mrd) mrd = coreCurrent;
      if (cj > mrd) mrd = cj;
      if (mrd < reach) {
        setF64(minReach, j, mrd);
        setI32(sources, j, current);
        if (mrd < best) {
          best = mrd;
          source = current;
          next = j;
        }
      } else if (reach < best) {
        best = reach;
        source = i32At(sources, j);
        next = j;
      }
    }
    const row = mst + ((<usize>i * 3) << 3);
    store<f64>(row, <f64>source);
    store<f64>(row, <f64>next, 8);
    store<f64>(row, best, 16);
    current = next;
  }
}

/** Per tree node, the smallest core distance, squared, of its rows (leaves up). */
export function hdbscanNodeMinCore(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  core: usize, // IN f64[n], core distances in tree order
  out: usize, // OUT f64[nNodes]
): void {
  const ranges = <usize>i32At(index, H_RANGES);
  const firstLeaf = i32At(index, H_FIRST_LEAF);
  for (let node = i32At(index, H_N_NODES) - 1; node >= 0; node--) {
    let m: f64 = Infinity;
    if (node >= firstLeaf) {
      const end = i32At(ranges, (node << 1) + 1);
      for (let j = i32At(ranges, node << 1); j < end; j++) m = min(m, f64At(core, j));
      m *= m;
    } else m = min(f64At(out, 2 * node + 1), f64At(out, 2 * node + 2));
    setF64(out, node, m);
  }
}

/** Per tree node, the component all its rows are in, or -1 when they are in several (leaves up). */
export function hdbscanNodeComponents(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  comp: usize, // IN i32[n], component of each row in tree order
  out: usize, // OUT i32[nNodes]
): void {
  const ranges = <usize>i32At(index, H_RANGES);
  const firstLeaf = i32At(index, H_FIRST_LEAF);
  for (let node = i32At(index, H_N_NODES) - 1; node >= 0; node--) {
    let c = -1;
    if (node >= firstLeaf) {
      const start = i32At(ranges, node << 1);
      const end = i32At(ranges, (node << 1) + 1);
      c = end > start ? i32At(comp, start) : -1;
      for (let j = start + 1; j < end; j++) {
        if (i32At(comp, j) != c) {
          c = -1;
          break;
        }
      }
    } else {
      const l = i32At(out, 2 * node + 1);
      c = l == i32At(out, 2 * node + 2) ? l : -1;
    }
    setI32(out, node, c);
  }
}

/**
 * One Boruvka round: for every component (indexed by its id in comp), the cheapest
 * mutual-reachability edge to another component, as squared distance and rows (tree
 * order). best is reset here; components with no row keep Infinity.
 */
export function hdbscanBoruvkaRound(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  core: usize, // IN f64[n], core distances in tree order
  comp: usize, // IN i32[n], component id (0..n-1) of each row
  nodeComp: usize, // IN i32[nNodes], from hdbscanNodeComponents
  nodeMinCore: usize, // IN f64[nNodes], from hdbscanNodeMinCore
  best: usize, // OUT f64[n], per component the squared weight of its cheapest edge
  bestFrom: usize, // OUT i32[n], its row inside the component
  bestTo: usize, // OUT i32[n], its row outside
  rowLower: usize, // INOUT f64[n], per row a lower bound on its cheapest edge out of its component (0 at first)
): void {
  const n = i32At(index, H_N);
  for (let i = 0; i < n; i++) setF64(best, i, Infinity);
  boruvkaRows(index, core, comp, nodeComp, nodeMinCore, best, bestFrom, bestTo, rowLower, 0, n);
}

/**
 * hdbscanBoruvkaRound for rows [first, first + count) only, with best, bestFrom and
 * bestTo carried over from the previous rows (best all +Inf before the first block):
 * blocks in row order make exactly the same updates as one call over every row.
 */
export function hdbscanBoruvkaRoundRows(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  core: usize, // IN f64[n], core distances in tree order
  comp: usize, // IN i32[n], component id (0..n-1) of each row
  nodeComp: usize, // IN i32[nNodes], from hdbscanNodeComponents
  nodeMinCore: usize, // IN f64[nNodes], from hdbscanNodeMinCore
  best: usize, // INOUT f64[n], per component the squared weight of its cheapest edge so far
  bestFrom: usize, // INOUT i32[n], its row inside the component
  bestTo: usize, // INOUT i32[n], its row outside
  rowLower: usize, // INOUT f64[n], per row a lower bound on its cheapest edge out of its component (0 at first)
  first: i32,
  count: i32,
): void {
  boruvkaRows(index, core, comp, nodeComp, nodeMinCore, best, bestFrom, bestTo, rowLower, first, first + count);
}

// @ts-ignore: decorator
@inline
function boruvkaRows(
  index: usize, core: usize, comp: usize, nodeComp: usize, nodeMinCore: usize, best: usize, bestFrom: usize, bestTo: usize, rowLower: usize, first: i32, end: i32,
): void {
  const d = i32At(index, H_D);
  const X = <usize>i32At(index, H_X);
  const bounds = <usize>i32At(index, H_BOUNDS);
  const ranges = <usize>i32At(index, H_RANGES);
  const firstLeaf = i32At(index, H_FIRST_LEAF);
  const stack = <usize>i32At(index, H_STACK);
  const rowBytes = <usize>d << 3;
  for (let q = first; q < end; q++) {
    const c = i32At(comp, q);
    const cq = f64At(core, q);
    const cq2 = cq * cq;
    // Components only grow, so what bounded this row's edges out last round bounds them now.
    if (max(cq2, f64At(rowLower, q)) >= f64At(best, c)) continue;
    const x = X + <usize>q * rowBytes;
    setI32(stack, 0, 0);
    let sp = 1;
    while (sp > 0) {
      sp--;
      const node = i32At(stack, sp);
      if (i32At(nodeComp, node) == c) continue;
      const bound = f64At(best, c);
      const lower = max(max(cq2, f64At(nodeMinCore, node)), boxNearSq(x, nodeBox(bounds, node, d), d));
      if (lower >= bound) continue;
      if (node >= firstLeaf) {
        const end = i32At(ranges, (node << 1) + 1);
        for (let j = i32At(ranges, node << 1); j < end; j++) {
          if (i32At(comp, j) == c) continue;
          const cj = f64At(core, j);
          let mrd = max(max(cq2, cj * cj), sqdistRows(x, X + <usize>j * rowBytes, d));
          if (mrd < f64At(best, c)) {
            setF64(best, c, mrd);
            setI32(bestFrom, c, q);
            setI32(bestTo, c, j);
          }
        }
        continue;
      }
      sp = pushNearerChildren(stack, sp, x, bounds, node, d);
    }
    // Every edge out of q not found costs at least the component's bound at the end.
    setF64(rowLower, q, max(f64At(rowLower, q), f64At(best, c)));
  }
}

/**
 * For each query row, its k nearest tree rows (tree order), ascending by distance, over
 * the k-d tree: approximate prediction's neighbour search. Distances are Euclidean.
 */
export function hdbscanQueryKnn(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, a k-d tree
  Q: usize, // IN f64[m*d]
  m: i32,
  k: i32, // 1 <= k <= n
  outIdx: usize, // OUT i32[m*k]
  outDist: usize, // OUT f64[m*k]
): void {
  searchTree(SEARCH_KNN, index, m, Q, k, outDist, outIdx, 0, 0);
}
