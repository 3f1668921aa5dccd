// HDBSCAN's WASM-backed steps up to the minimum spanning tree: core distances over the
// k-d tree, and the mutual-reachability MST by dense Prim or by Boruvka.

import type { Matrix } from '../matrix';
import { buildKdTree } from '../spatial/kdtree';
import { treeRegions, writeTree } from '../spatial/layout';
import { type Kernels, kernels } from '../wasm/index';
import { DBSCAN_STACK_SLOTS } from '../wasm/layout';
import { KTH_CHUNK_ROWS } from '../wasm/threads';
import { findRoot } from './unionFind';

/**
 * Rows from which core distances are split over init({ threads })' pool: below, starting
 * the threads costs more than the walks they share.
 */
export const MIN_THREADED_CORE_ROWS = 20_000;

/** Threads the core distances of n rows use, and the scratch they need (a heap and a walk stack each). */
function coreScratch(kern: Kernels, ws: ReturnType<Kernels['workspace']>, n: number, k: number) {
  const use = kern.pool && n >= MIN_THREADED_CORE_ROWS ? kern.pool.threads : 1;
  return { use, heap: ws.f64(k * use), stacks: use > 1 ? ws.i32(DBSCAN_STACK_SLOTS * use) : undefined };
}

/**
 * Squared k-th neighbour distances of every tree row into out, on the pool's threads when
 * it pays. Each row's walk reads only the shared tree, so blocks of rows give the same
 * values as one call; blocks of KTH_CHUNK_ROWS also let V8 run its optimised code (see there).
 */
function kthNeighbourSq(kern: Kernels, r: ReturnType<typeof treeRegions>, k: number, s: ReturnType<typeof coreScratch>, out: number, n: number): void {
  if (s.use > 1 && s.stacks) kern.pool!.kthNeighbourSq(s.use, r.header.ptr, k, s.heap.ptr, out, n, s.stacks.ptr, DBSCAN_STACK_SLOTS * 4);
  else
    for (let at = 0; at < n; at += KTH_CHUNK_ROWS)
      kern.exports.dbscanKthNeighbourSqRows(r.header.ptr, k, s.heap.ptr, out, at, Math.min(KTH_CHUNK_ROWS, n - at), r.stack.ptr);
}

/** Distance of every row to its k-th nearest row, itself counted (over DBSCAN's k-d tree). */
export function coreDistances(m: Matrix, k: number): Float64Array {
  const { rows: n, cols: d } = m;
  const tree = buildKdTree(m);
  const kern = kernels();
  const ws = kern.workspace();
  const r = treeRegions(ws, tree, n, d);
  const scratch = coreScratch(kern, ws, n, k);
  const kth = ws.f64(n);
  ws.commit();
  writeTree(ws, r, tree, m.data, d);
  kthNeighbourSq(kern, r, k, scratch, kth.ptr, n);
  const sq = ws.viewF64(kth);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[tree.perm[i]] = Math.sqrt(sq[i]);
  return out;
}

/** The mutual-reachability MST by dense Prim in WASM, unsorted, in scikit-learn's edge order. */
export function mutualReachabilityMst(m: Matrix, core: Float64Array): Float64Array {
  const { rows: n, cols: d } = m;
  const e = kernels().exports;
  const ws = kernels().workspace();
  const X = ws.f64(n * d);
  const C = ws.f64(n);
  const inTree = ws.i32(n);
  const minReach = ws.f64(n);
  const sources = ws.i32(n);
  const mst = ws.f64(3 * Math.max(0, n - 1));
  ws.commit();
  ws.write(X, m.data);
  ws.write(C, core);
  e.hdbscanPrimMst(X.ptr, C.ptr, n, d, inTree.ptr, minReach.ptr, sources.ptr, mst.ptr);
  return ws.viewF64(mst).slice();
}

/**
 * The mutual-reachability MST by Boruvka over the k-d tree (assembly/hdbscan.ts), with
 * the core distances: both in the caller's row order. Same weights as Prim; on tied
 * weights it may pick other edges (so other merge orders at equal heights).
 */
export function boruvkaMst(m: Matrix, minSamples: number): { core: Float64Array; mst: Float64Array } {
  const { rows: n, cols: d } = m;
  const tree = buildKdTree(m);
  const kern = kernels();
  const e = kern.exports;
  const ws = kern.workspace();
  const r = treeRegions(ws, tree, n, d);
  const scratch = coreScratch(kern, ws, n, minSamples);
  const core = ws.f64(n);
  const comp = ws.i32(n);
  const nodeComp = ws.i32(tree.nNodes);
  const nodeMinCore = ws.f64(tree.nNodes);
  const best = ws.f64(n);
  const bestFrom = ws.i32(n);
  const bestTo = ws.i32(n);
  const rowLower = ws.f64(n);
  ws.commit();
  ws.viewF64(rowLower).fill(0);
  writeTree(ws, r, tree, m.data, d);
  kthNeighbourSq(kern, r, minSamples, scratch, core.ptr, n);
  const coreView = ws.viewF64(core);
  for (let i = 0; i < n; i++) coreView[i] = Math.sqrt(coreView[i]);
  e.hdbscanNodeMinCore(r.header.ptr, core.ptr, nodeMinCore.ptr);
  // Union-find over tree-order rows; comp holds each row's root, refreshed every round.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => findRoot(parent, x);
  const edges = new Float64Array(3 * Math.max(0, n - 1));
  let nEdges = 0;
  ws.viewI32(comp).set(parent);
  while (nEdges < n - 1) {
    e.hdbscanNodeComponents(r.header.ptr, comp.ptr, nodeComp.ptr);
    // In blocks of rows, in order (the same updates as one call), so V8 runs the round's
    // optimised code from its first block on (see KTH_CHUNK_ROWS).
    ws.viewF64(best).fill(Infinity);
    for (let at = 0; at < n; at += KTH_CHUNK_ROWS) {
      const count = Math.min(KTH_CHUNK_ROWS, n - at);
      e.hdbscanBoruvkaRoundRows(r.header.ptr, core.ptr, comp.ptr, nodeComp.ptr, nodeMinCore.ptr, best.ptr, bestFrom.ptr, bestTo.ptr, rowLower.ptr, at, count);
    }
    const bw = ws.viewF64(best);
    const bf = ws.viewI32(bestFrom);
    const bt = ws.viewI32(bestTo);
    const before = nEdges;
    for (let c = 0; c < n; c++) {
      if (bw[c] === Infinity) continue;
      const a = find(bf[c]);
      const b = find(bt[c]);
      if (a === b) continue; // the other component chose the same (or an equal) edge
      parent[a] = b;
      edges[3 * nEdges] = tree.perm[bf[c]];
      edges[3 * nEdges + 1] = tree.perm[bt[c]];
      edges[3 * nEdges + 2] = Math.sqrt(bw[c]);
      nEdges++;
    }
    if (nEdges === before) throw new Error('segmint internal: Boruvka made no progress');
    const cv = ws.viewI32(comp);
    for (let i = 0; i < n; i++) cv[i] = find(i);
  }
  const coreOut = new Float64Array(n);
  for (let i = 0; i < n; i++) coreOut[tree.perm[i]] = coreView[i];
  return { core: coreOut, mst: edges };
}

/** Rows from which 'auto' builds the MST by Boruvka rather than dense Prim. */
export const BORUVKA_MIN_ROWS = 4096;
/** 'auto' keeps Prim above this many features, where k-d tree pruning fades. */
export const BORUVKA_MAX_DIM = 16;
