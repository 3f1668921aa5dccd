// DBSCAN neighbourhood kernels: every query is "the points within eps of point i",
// answered from a spatial index that the host builds and lays out in linear memory.
// Nothing of size n^2 is ever stored: each phase queries again. The nearest-neighbour
// searches over the same tree (eps 'auto', predict) are in dbscan_search.ts.
//
// Two indexes, both over points reordered so that an index cell or tree node is one
// contiguous row range [start, end):
// - a dense uniform grid of cells of side >= eps (d <= 3): the neighbours of a point
//   lie in its own cell and the 3^d - 1 cells around it;
// - an implicit balanced k-d tree (node i has children 2i+1 and 2i+2, nodes from
//   firstLeaf on are leaves) with one bounding box per node.
// The index is described by an i32 header (slots DBSCAN_H_* in layout.ts, shared with
// the host) so every kernel takes one pointer.
//
// "Within eps" always means sqdistRows(x, y) <= eps2, the same expression in the SIMD
// and scalar builds. Box tests only skip work: a node is pruned when its box is farther
// than eps2 * (1 + BOX_MARGIN), and taken whole without distances when its box is
// nearer than eps2 * (1 - BOX_MARGIN), so rounding in the box arithmetic cannot change
// which pairs count as neighbours.

import { sqdistRows } from './distance';
import {
  DBSCAN_BOX_MARGIN as BOX_MARGIN,
  DBSCAN_H_BOUNDS as H_BOUNDS,
  DBSCAN_H_CELL_OF as H_CELL_OF,
  DBSCAN_H_CELL_START as H_CELL_START,
  DBSCAN_H_D as H_D,
  DBSCAN_H_FIRST_CORE as H_FIRST_CORE,
  DBSCAN_H_FIRST_LEAF as H_FIRST_LEAF,
  DBSCAN_H_GX as H_GX,
  DBSCAN_H_GY as H_GY,
  DBSCAN_H_GZ as H_GZ,
  DBSCAN_H_KIND as H_KIND,
  DBSCAN_H_N as H_N,
  DBSCAN_H_N_NODES as H_N_NODES,
  DBSCAN_H_RANGES as H_RANGES,
  DBSCAN_H_STACK as H_STACK,
  DBSCAN_H_UNITED as H_UNITED,
  DBSCAN_H_X as H_X,
  DBSCAN_KIND_TREE as KIND_TREE,
} from './layout';
import { f64At, i32At, setI32 } from './memory';

/** Address of tree node `node`'s box in bounds: lo[0..d) then hi[0..d). */
// @ts-ignore: decorator
@inline
export function nodeBox(bounds: usize, node: i32, d: i32): usize {
  return bounds + ((<usize>node * <usize>d) << 4);
}

/** Pushes node's children on a walk's stack, left on top so it is visited first; returns the new stack size. */
// @ts-ignore: decorator
@inline
export function pushChildren(stack: usize, sp: i32, node: i32): i32 {
  setI32(stack, sp, 2 * node + 2);
  setI32(stack, sp + 1, 2 * node + 1);
  return sp + 2;
}

/** Set by boxDistances: the squared distance from the row to the farthest corner of the box. */
let boxFarSq: f64 = 0;

/**
 * Squared distance from row x to the nearest point of a node's box [lo, hi] (0 inside),
 * and (in boxFarSq) to its farthest corner: the first prunes a node, the second takes it
 * whole. The box holds lo[0..d) then hi[0..d).
 */
// @ts-ignore: decorator
@inline
function boxDistances(x: usize, box: usize, d: i32): f64 {
  let near: f64 = 0;
  let far: f64 = 0;
  for (let k = 0; k < d; k++) {
    const v = f64At(x, k);
    const lo = f64At(box, k);
    const hi = f64At(box, d + k);
    const below = lo - v;
    const above = v - hi;
    const gap = below > 0 ? below : above > 0 ? above : 0;
    near += gap * gap;
    const reach = max(v - lo, hi - v);
    far += reach * reach;
  }
  boxFarSq = far;
  return near;
}

const MODE_COUNT: i32 = 0; // how many neighbours, stopping at `limit`
const MODE_UNION: i32 = 1; // union i with its core neighbours j > i
const MODE_BORDER: i32 = 2; // smallest cluster label among core neighbours

/** Root of i's set, halving the path on the way. */
// @ts-ignore: decorator
@inline
function findRoot(parent: usize, i: i32): i32 {
  let x = i;
  let p = i32At(parent, x);
  while (p != x) {
    const gp = i32At(parent, p);
    setI32(parent, x, gp);
    x = gp;
    p = i32At(parent, x);
  }
  return x;
}

/** Joins the sets of a and b under the smaller root, so a root is its set's first row. */
// @ts-ignore: decorator
@inline
function unionSets(parent: usize, a: i32, b: i32): void {
  const ra = findRoot(parent, a);
  const rb = findRoot(parent, b);
  if (ra < rb) setI32(parent, rb, ra);
  else if (rb < ra) setI32(parent, ra, rb);
}

/**
 * Applies one query mode to rows [start, end). `inside` says every row there is known
 * to be within eps. Returns the updated accumulator (count, or best label).
 */
// @ts-ignore: decorator
@inline
function scanRange(
  mode: i32, X: usize, d: i32, x: usize, i: i32, start: i32, end: i32, inside: bool,
  eps2: f64, acc: i32, aux: usize, aux2: usize,
): i32 {
  const rowBytes = <usize>d << 3;
  if (mode == MODE_COUNT) {
    if (inside) return acc + (end - start);
    for (let j = start; j < end; j++) {
      if (sqdistRows(x, X + <usize>j * rowBytes, d) <= eps2) acc++;
    }
    return acc;
  }
  if (mode == MODE_UNION) {
    // aux: core flags, aux2: parent. Pairs are seen from their smaller row only.
    for (let j = max(start, i + 1); j < end; j++) {
      if (i32At(aux, j) == 0) continue;
      if (inside || sqdistRows(x, X + <usize>j * rowBytes, d) <= eps2) unionSets(aux2, i, j);
    }
    return acc;
  }
  // MODE_BORDER, aux: cluster label of each core row (-1 for non-core rows).
  for (let j = start; j < end; j++) {
    const label = i32At(aux, j);
    if (label < 0 || (acc >= 0 && label >= acc)) continue;
    if (inside || sqdistRows(x, X + <usize>j * rowBytes, d) <= eps2) acc = label;
  }
  return acc;
}

/** Whether a query can stop early with this accumulator. */
// @ts-ignore: decorator
@inline
function done(mode: i32, acc: i32, limit: i32): bool {
  return (mode == MODE_COUNT && acc >= limit) || (mode == MODE_BORDER && acc == 0);
}

function queryTree(h: usize, mode: i32, i: i32, eps2: f64, acc: i32, limit: i32, aux: usize, aux2: usize): i32 {
  const d = i32At(h, H_D);
  const X = <usize>i32At(h, H_X);
  const bounds = <usize>i32At(h, H_BOUNDS);
  const ranges = <usize>i32At(h, H_RANGES);
  const firstLeaf = i32At(h, H_FIRST_LEAF);
  const stack = <usize>i32At(h, H_STACK);
  const x = X + <usize>i * (<usize>d << 3);
  const pruneAbove = eps2 * (1 + BOX_MARGIN);
  const insideBelow = eps2 * (1 - BOX_MARGIN);
  store<i32>(stack, 0);
  let sp = 1;
  while (sp > 0) {
    sp--;
    const node = i32At(stack, sp);
    const start = i32At(ranges, node << 1);
    const end = i32At(ranges, (node << 1) + 1);
    if (mode == MODE_UNION && end <= i + 1) continue;
    const box = nodeBox(bounds, node, d);
    const near = boxDistances(x, box, d);
    const far = boxFarSq;
    if (near > pruneAbove) continue;
    if (far < insideBelow || node >= firstLeaf) {
      acc = scanRange(mode, X, d, x, i, start, end, far < insideBelow, eps2, acc, aux, aux2);
      if (done(mode, acc, limit)) return acc;
      continue;
    }
    sp = pushChildren(stack, sp, node);
  }
  return acc;
}

/** Whether every core row of rows [start, end) has the same root as `first`. */
// @ts-ignore: decorator
@inline
function allInOneSet(core: usize, parent: usize, first: i32, end: i32): bool {
  const root = findRoot(parent, first);
  for (let j = first + 1; j < end; j++) {
    if (i32At(core, j) != 0 && findRoot(parent, j) != root) return false;
  }
  return true;
}

/**
 * Unions core row i with its core neighbours in the tree. Nodes whose core rows are
 * already one set ("united", a flag that only ever turns on) cost one root comparison:
 * skipped when that set is i's, else joined through the first core row found within
 * eps. In dense regions most nodes are united early, so a query costs nodes, not pairs.
 */
function unionTree(h: usize, i: i32, eps2: f64, core: usize, parent: usize): void {
  const d = i32At(h, H_D);
  const X = <usize>i32At(h, H_X);
  const bounds = <usize>i32At(h, H_BOUNDS);
  const ranges = <usize>i32At(h, H_RANGES);
  const firstLeaf = i32At(h, H_FIRST_LEAF);
  const stack = <usize>i32At(h, H_STACK);
  const firstCore = <usize>i32At(h, H_FIRST_CORE);
  const united = <usize>i32At(h, H_UNITED);
  const rowBytes = <usize>d << 3;
  const x = X + <usize>i * rowBytes;
  const pruneAbove = eps2 * (1 + BOX_MARGIN);
  const insideBelow = eps2 * (1 - BOX_MARGIN);
  store<i32>(stack, 0);
  let sp = 1;
  while (sp > 0) {
    sp--;
    const node = i32At(stack, sp);
    const first = i32At(firstCore, node);
    if (first < 0) continue; // no core rows below
    const end = i32At(ranges, (node << 1) + 1);
    const isLeaf = node >= firstLeaf;
    let isUnited = i32At(united, node) != 0;
    if (!isUnited && !isLeaf) {
      const l = 2 * node + 1;
      const fl = i32At(firstCore, l);
      const fr = i32At(firstCore, l + 1);
      if ((fl < 0 || i32At(united, l) != 0) && (fr < 0 || i32At(united, l + 1) != 0) &&
          (fl < 0 || fr < 0 || findRoot(parent, fl) == findRoot(parent, fr))) {
        isUnited = true;
        setI32(united, node, 1);
      }
    }
    if (isUnited && findRoot(parent, first) == findRoot(parent, i)) continue;
    // Pairs are seen from their smaller row, except through united nodes (any core row
    // of theirs will do, and i may be the only one to reach it).
    if (!isUnited && end <= i + 1) continue;
    const box = nodeBox(bounds, node, d);
    const near = boxDistances(x, box, d);
    const far = boxFarSq;
    if (near > pruneAbove) continue;
    const inside = far < insideBelow;
    if (isUnited) {
      if (inside) {
        unionSets(parent, i, first);
        continue;
      }
      if (isLeaf) {
        for (let j = first; j < end; j++) {
          if (i32At(core, j) != 0 && sqdistRows(x, X + <usize>j * rowBytes, d) <= eps2) {
            unionSets(parent, i, j);
            break;
          }
        }
        continue;
      }
    } else if (inside || isLeaf) {
      scanRange(MODE_UNION, X, d, x, i, i32At(ranges, node << 1), end, inside, eps2, 0, core, parent);
      if (isLeaf && allInOneSet(core, parent, first, end)) setI32(united, node, 1);
      continue;
    }
    sp = pushChildren(stack, sp, node);
  }
}

function queryGrid(h: usize, mode: i32, i: i32, eps2: f64, acc: i32, limit: i32, aux: usize, aux2: usize): i32 {
  const d = i32At(h, H_D);
  const X = <usize>i32At(h, H_X);
  const cellStart = <usize>i32At(h, H_CELL_START);
  const gx = i32At(h, H_GX);
  const gy = i32At(h, H_GY);
  const gz = i32At(h, H_GZ);
  const x = X + <usize>i * (<usize>d << 3);
  const cell = i32At(<usize>i32At(h, H_CELL_OF), i);
  const cz = cell % gz;
  const cy = (cell / gz) % gy;
  const cx = cell / (gz * gy);
  for (let ax = max(cx - 1, 0); ax <= min(cx + 1, gx - 1); ax++) {
    for (let ay = max(cy - 1, 0); ay <= min(cy + 1, gy - 1); ay++) {
      // Cells along z are adjacent in row order: one range covers all three.
      const rowCell = (ax * gy + ay) * gz;
      const start = i32At(cellStart, rowCell + max(cz - 1, 0));
      const end = i32At(cellStart, rowCell + min(cz + 1, gz - 1) + 1);
      if (mode == MODE_UNION && end <= i + 1) continue;
      acc = scanRange(mode, X, d, x, i, start, end, false, eps2, acc, aux, aux2);
      if (done(mode, acc, limit)) return acc;
    }
  }
  return acc;
}

// @ts-ignore: decorator
@inline
function query(h: usize, mode: i32, i: i32, eps2: f64, acc: i32, limit: i32, aux: usize, aux2: usize): i32 {
  return i32At(h, H_KIND) == KIND_TREE
    ? queryTree(h, mode, i, eps2, acc, limit, aux, aux2)
    : queryGrid(h, mode, i, eps2, acc, limit, aux, aux2);
}

/** Flags rows with at least minSamples rows (itself included) within eps; returns the number of core rows. */
export function dbscanCoreFlags(
  index: usize, // IN i32[DBSCAN_HEADER_SLOTS] header, see layout.ts
  eps2: f64,
  minSamples: i32,
  core: usize, // OUT i32[n], 1 for core rows
): i32 {
  return coreFlagRows(index, eps2, minSamples, core, 0, i32At(index, H_N));
}

/**
 * dbscanCoreFlags over rows [from, to) only; returns their number of core rows. Each
 * row's count reads only the shared index, so init({ threads }) runs row blocks on
 * several threads, each with a header copy whose walk stack is its own.
 */
export function dbscanCoreFlagsRows(index: usize, eps2: f64, minSamples: i32, core: usize, from: i32, to: i32): i32 {
  return coreFlagRows(index, eps2, minSamples, core, from, to);
}

// @ts-ignore: decorator
@inline
function coreFlagRows(index: usize, eps2: f64, minSamples: i32, core: usize, from: i32, to: i32): i32 {
  let cores = 0;
  for (let i = from; i < to; i++) {
    const isCore = query(index, MODE_COUNT, i, eps2, 0, minSamples, 0, 0) >= minSamples;
    setI32(core, i, isCore ? 1 : 0);
    if (isCore) cores++;
  }
  return cores;
}

/** Unions every pair of core rows within eps; afterwards each set's root is its first row. */
export function dbscanUnionCores(
  index: usize, // IN i32 header
  eps2: f64,
  core: usize, // IN i32[n]
  parent: usize, // INOUT i32[n], parent[i] = i on entry; fully compressed on return
): void {
  const n = i32At(index, H_N);
  if (i32At(index, H_KIND) == KIND_TREE) {
    // Rows of a compact node (flagged united by the host: its diameter is below eps) are
    // all within eps of each other: join its core rows once, up front.
    const compact = <usize>i32At(index, H_UNITED);
    const firstCore = <usize>i32At(index, H_FIRST_CORE);
    const ranges = <usize>i32At(index, H_RANGES);
    const nNodes = i32At(index, H_N_NODES);
    for (let node = 0; node < nNodes; node++) {
      if (i32At(compact, node) == 0 || (node > 0 && i32At(compact, (node - 1) >> 1) != 0)) continue;
      const first = i32At(firstCore, node);
      if (first < 0) continue;
      const end = i32At(ranges, (node << 1) + 1);
      for (let j = first + 1; j < end; j++) if (i32At(core, j) != 0) unionSets(parent, first, j);
    }
    // Join the core pairs inside each leaf (leaf size^2 work in all), so that most
    // leaves start out united and later queries pass them with one root comparison.
    const X = <usize>i32At(index, H_X);
    const d = i32At(index, H_D);
    const rowBytes = <usize>d << 3;
    for (let leaf = i32At(index, H_FIRST_LEAF); leaf < nNodes; leaf++) {
      const first = i32At(firstCore, leaf);
      if (first < 0 || i32At(compact, leaf) != 0) continue;
      const end = i32At(ranges, (leaf << 1) + 1);
      for (let a = first; a < end; a++) {
        if (i32At(core, a) == 0) continue;
        const xa = X + <usize>a * rowBytes;
        for (let b = a + 1; b < end; b++) {
          if (i32At(core, b) != 0 && sqdistRows(xa, X + <usize>b * rowBytes, d) <= eps2) unionSets(parent, a, b);
        }
      }
      if (allInOneSet(core, parent, first, end)) setI32(compact, leaf, 1);
    }
  }
  for (let i = 0; i < n; i++) {
    if (i32At(core, i) == 0) continue;
    if (i32At(index, H_KIND) == KIND_TREE) unionTree(index, i, eps2, core, parent);
    else queryGrid(index, MODE_UNION, i, eps2, 0, 0, core, parent);
  }
  for (let i = 0; i < n; i++) setI32(parent, i, findRoot(parent, i));
}

/** Labels each non-core row with the smallest cluster label among its core neighbours (-1 if none). */
export function dbscanBorderLabels(
  index: usize, // IN i32 header
  eps2: f64,
  coreLabels: usize, // IN i32[n]: cluster label of core rows, -1 elsewhere
  out: usize, // OUT i32[n]: labels of all rows
): void {
  const n = i32At(index, H_N);
  for (let i = 0; i < n; i++) {
    let label = i32At(coreLabels, i);
    if (label < 0) label = query(index, MODE_BORDER, i, eps2, -1, 0, coreLabels, 0);
    setI32(out, i, label);
  }
}
