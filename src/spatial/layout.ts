/**
 * The spatial indexes as the kernels read them: the rows reordered into index order and
 * an i32 header of pointers and sizes, so every kernel takes one pointer. The header's
 * length and slots are the DBSCAN_* constants of assembly/layout.ts (through
 * src/wasm/layout.ts), the very values the kernels read, so nothing is kept in step by hand.
 */
import type { Region, Workspace } from '../wasm/index';
import {
  DBSCAN_H_BOUNDS,
  DBSCAN_H_CELL_OF,
  DBSCAN_H_CELL_START,
  DBSCAN_H_D,
  DBSCAN_H_FIRST_CORE,
  DBSCAN_H_FIRST_LEAF,
  DBSCAN_H_GX,
  DBSCAN_H_GY,
  DBSCAN_H_GZ,
  DBSCAN_H_KIND,
  DBSCAN_H_N,
  DBSCAN_H_N_NODES,
  DBSCAN_H_RANGES,
  DBSCAN_H_STACK,
  DBSCAN_H_UNITED,
  DBSCAN_H_X,
  DBSCAN_HEADER_SLOTS,
  DBSCAN_KIND_GRID,
  DBSCAN_KIND_TREE,
  DBSCAN_STACK_SLOTS,
} from '../wasm/layout';
import type { Grid } from './grid';
import type { KdTree } from './kdtree';

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
    header: ws.i32(DBSCAN_HEADER_SLOTS),
    X: ws.f64(n * d),
    stack: ws.i32(DBSCAN_STACK_SLOTS),
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
  const h = new Int32Array(DBSCAN_HEADER_SLOTS);
  h[DBSCAN_H_KIND] = DBSCAN_KIND_TREE;
  h[DBSCAN_H_N] = tree.perm.length;
  h[DBSCAN_H_D] = d;
  h[DBSCAN_H_X] = r.X.ptr;
  h[DBSCAN_H_BOUNDS] = r.bounds!.ptr;
  h[DBSCAN_H_RANGES] = r.ranges!.ptr;
  h[DBSCAN_H_FIRST_LEAF] = tree.firstLeaf;
  h[DBSCAN_H_STACK] = r.stack.ptr;
  h[DBSCAN_H_FIRST_CORE] = r.firstCore!.ptr;
  h[DBSCAN_H_UNITED] = r.compact!.ptr; // initial "united" flags: compact nodes
  h[DBSCAN_H_N_NODES] = tree.nNodes;
  ws.write(r.header, h);
}

/** Reserves a grid's regions (call before ws.commit()). */
export function gridRegions(ws: Workspace, grid: Grid, n: number, d: number): IndexRegions {
  return {
    header: ws.i32(DBSCAN_HEADER_SLOTS),
    X: ws.f64(n * d),
    stack: ws.i32(DBSCAN_STACK_SLOTS),
    cellOf: ws.i32(n),
    cellStart: ws.i32(grid.cellStart.length),
  };
}

/** Writes the reordered rows, the cells and the header of a grid. */
export function writeGrid(ws: Workspace, r: IndexRegions, grid: Grid, data: Float64Array, d: number): void {
  ws.write(r.X, reorderRows(data, grid.perm, d));
  ws.write(r.cellOf!, grid.cellOf);
  ws.write(r.cellStart!, grid.cellStart);
  const h = new Int32Array(DBSCAN_HEADER_SLOTS);
  h[DBSCAN_H_KIND] = DBSCAN_KIND_GRID;
  h[DBSCAN_H_N] = grid.perm.length;
  h[DBSCAN_H_D] = d;
  h[DBSCAN_H_X] = r.X.ptr;
  h[DBSCAN_H_STACK] = r.stack.ptr;
  h[DBSCAN_H_CELL_OF] = r.cellOf!.ptr;
  h[DBSCAN_H_CELL_START] = r.cellStart!.ptr;
  h[DBSCAN_H_GX] = grid.dims[0];
  h[DBSCAN_H_GY] = grid.dims[1];
  h[DBSCAN_H_GZ] = grid.dims[2];
  ws.write(r.header, h);
}
