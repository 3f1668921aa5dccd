/**
 * The spatial indexes as the kernels read them: the rows reordered into index order and
 * an i32 header of pointers and sizes, so every kernel takes one pointer. The header
 * slots are assembly/dbscan.ts's H_* constants; keep the two in step.
 */
import type { Region, Workspace } from '../wasm/index';
import type { Grid } from './grid';
import type { KdTree } from './kdtree';

/** i32 slots of the header (assembly/dbscan.ts H_*). */
export const HEADER_SLOTS = 16;
/** i32 scratch slots of the kernels' traversal stack. */
export const STACK_SLOTS = 128;

/** The workspace regions of one index; the tree-only and grid-only ones are absent for the other kind. */
export interface IndexRegions {
  header: Region;
  X: Region;
  stack: Region;
  bounds?: Region;
  ranges?: Region;
  /** Tree: per node, its first core row (-1 if none), filled by the caller. */
  firstCore?: Region;
  /** Tree: per node, 1 when all its rows are within the radius of each other, filled by the caller. */
  compact?: Region;
  cellOf?: Region;
  cellStart?: Region;
}

/** Copies of the rows of data in the order perm gives. */
export function reorderRows(data: Float64Array, perm: Int32Array, d: number): Float64Array {
  const out = new Float64Array(perm.length * d);
  for (let r = 0; r < perm.length; r++) out.set(data.subarray(perm[r] * d, perm[r] * d + d), r * d);
  return out;
}

/** Reserves a tree's regions (call before ws.commit()). */
export function treeRegions(ws: Workspace, tree: KdTree, n: number, d: number): IndexRegions {
  return {
    header: ws.i32(HEADER_SLOTS),
    X: ws.f64(n * d),
    stack: ws.i32(STACK_SLOTS),
    bounds: ws.f64(tree.nNodes * 2 * d),
    ranges: ws.i32(tree.nNodes * 2),
    firstCore: ws.i32(tree.nNodes),
    compact: ws.i32(tree.nNodes),
  };
}

/** Writes the reordered rows, the tree and its header; firstCore starts at -1, compact at 0. */
export function writeTree(ws: Workspace, r: IndexRegions, tree: KdTree, data: Float64Array, d: number): void {
  ws.write(r.X, reorderRows(data, tree.perm, d));
  ws.write(r.bounds!, tree.bounds);
  ws.write(r.ranges!, tree.ranges);
  ws.viewI32(r.firstCore!).fill(-1);
  ws.viewI32(r.compact!).fill(0);
  const h = new Int32Array(HEADER_SLOTS);
  h[0] = 0;
  h[1] = tree.perm.length;
  h[2] = d;
  h[3] = r.X.ptr;
  h[4] = r.bounds!.ptr;
  h[5] = r.ranges!.ptr;
  h[6] = tree.firstLeaf;
  h[7] = r.stack.ptr;
  h[13] = r.firstCore!.ptr;
  h[14] = r.compact!.ptr; // initial "united" flags: compact nodes
  h[15] = tree.nNodes;
  ws.write(r.header, h);
}

/** Reserves a grid's regions (call before ws.commit()). */
export function gridRegions(ws: Workspace, grid: Grid, n: number, d: number): IndexRegions {
  return {
    header: ws.i32(HEADER_SLOTS),
    X: ws.f64(n * d),
    stack: ws.i32(STACK_SLOTS),
    cellOf: ws.i32(n),
    cellStart: ws.i32(grid.cellStart.length),
  };
}

/** Writes the reordered rows, the cells and the header of a grid. */
export function writeGrid(ws: Workspace, r: IndexRegions, grid: Grid, data: Float64Array, d: number): void {
  ws.write(r.X, reorderRows(data, grid.perm, d));
  ws.write(r.cellOf!, grid.cellOf);
  ws.write(r.cellStart!, grid.cellStart);
  const h = new Int32Array(HEADER_SLOTS);
  h[0] = 1;
  h[1] = grid.perm.length;
  h[2] = d;
  h[3] = r.X.ptr;
  h[7] = r.stack.ptr;
  h[8] = r.cellOf!.ptr;
  h[9] = r.cellStart!.ptr;
  h[10] = grid.dims[0];
  h[11] = grid.dims[1];
  h[12] = grid.dims[2];
  ws.write(r.header, h);
}
