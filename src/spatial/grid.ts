/**
 * A uniform grid of cells of side just above a radius, for radius queries in up to 3
 * dimensions: rows are counting-sorted by cell, so every row within the radius of a row
 * sits in its own cell or an adjacent one, and each cell's rows are one contiguous block.
 */
import type { Matrix } from '../matrix';
import { DBSCAN_BOX_MARGIN } from '../wasm/layout';

/** The grid is offered up to this many dimensions (neighbour cells grow as 3^d). */
export const GRID_MAX_DIM = 3;
/** Relative slack of grid cell sizes: the kernels' box-test margin (DBSCAN_BOX_MARGIN in assembly/layout.ts). */
export const CELL_SLACK = DBSCAN_BOX_MARGIN;

/** Cells along each axis (1 for missing axes), the grid's origin and its cell side. */
export interface GridLayout {
  dims: [number, number, number];
  mins: number[];
  side: number;
}

/** A built grid: the row order and the cell of each row in that order. */
export interface Grid {
  /** Grid order -> original row. */
  perm: Int32Array;
  /** Cell of each grid-order row. */
  cellOf: Int32Array;
  /** Cell c's rows are grid-order rows cellStart[c] .. cellStart[c+1]-1. */
  cellStart: Int32Array;
  dims: [number, number, number];
}

/** Cells along each axis for cells of side `radius`, or null when there would be more than maxCells. */
export function gridDims(m: Matrix, radius: number, maxCells: number): GridLayout | null {
  const { data, rows: n, cols: d } = m;
  const side = radius * (1 + CELL_SLACK);
  const mins: number[] = [];
  const dims: [number, number, number] = [1, 1, 1];
  let cells = 1;
  for (let k = 0; k < d; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mins.push(lo);
    dims[k] = Math.floor((hi - lo) / side) + 1;
    cells *= dims[k];
    if (!(cells <= maxCells)) return null;
  }
  return { dims, mins, side };
}

/** Counting-sorts the rows of m into the cells of `layout`. */
export function buildGrid(m: Matrix, layout: GridLayout): Grid {
  const { data, rows: n, cols: d } = m;
  const { dims, mins, side } = layout;
  const nCells = dims[0] * dims[1] * dims[2];
  const cellOfRow = new Int32Array(n);
  const cellStart = new Int32Array(nCells + 1);
  for (let i = 0; i < n; i++) {
    const c = [0, 0, 0];
    for (let k = 0; k < d; k++) c[k] = Math.min(dims[k] - 1, Math.floor((data[i * d + k] - mins[k]) / side));
    const cell = (c[0] * dims[1] + c[1]) * dims[2] + c[2];
    cellOfRow[i] = cell;
    cellStart[cell + 1]++;
  }
  for (let c = 0; c < nCells; c++) cellStart[c + 1] += cellStart[c];
  const next = cellStart.slice(0, nCells);
  const perm = new Int32Array(n);
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = next[cellOfRow[i]]++;
    perm[pos] = i;
    cellOf[pos] = cellOfRow[i];
  }
  return { perm, cellOf, cellStart, dims };
}

/** Sum over cells of their row count squared: what a radius query pass costs in pairs. */
export function gridPairCount(grid: Grid): number {
  let pairs = 0;
  for (let c = 0; c + 1 < grid.cellStart.length; c++) {
    const size = grid.cellStart[c + 1] - grid.cellStart[c];
    pairs += size * size;
  }
  return pairs;
}
