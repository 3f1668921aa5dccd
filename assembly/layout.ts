// Memory layouts and codes that the kernels and the host must agree on. This file is
// valid AssemblyScript and valid TypeScript (plain literals only: AssemblyScript reads
// them as i32 and f64 compile-time constants, TypeScript as literal types), so the
// kernels import it here and the host imports the very same file through
// src/wasm/layout.ts: one source, nothing generated, nothing to keep in step by hand.

// DBSCAN's spatial index is described to the kernels by one i32 header of
// DBSCAN_HEADER_SLOTS slots; slot s holds the value named DBSCAN_H_*. Pointers are byte
// offsets into linear memory. Slots an index kind does not use are ignored.

/** Length of the DBSCAN index header, in i32 slots. */
export const DBSCAN_HEADER_SLOTS = 16;
/** Header slot: DBSCAN_KIND_TREE or DBSCAN_KIND_GRID. */
export const DBSCAN_H_KIND = 0;
/** Header slot: number of rows n. */
export const DBSCAN_H_N = 1;
/** Header slot: number of features d. */
export const DBSCAN_H_D = 2;
/** Header slot: pointer to f64[n*d], the rows reordered so each tree node or grid cell is a contiguous range. */
export const DBSCAN_H_X = 3;
/** Header slot (tree): pointer to f64[nNodes*2*d], per node its box, lo[0..d) then hi[0..d). */
export const DBSCAN_H_BOUNDS = 4;
/** Header slot (tree): pointer to i32[nNodes*2], per node its row range start, end. */
export const DBSCAN_H_RANGES = 5;
/** Header slot (tree): index of the first leaf; nodes from here on are leaves. */
export const DBSCAN_H_FIRST_LEAF = 6;
/** Header slot (tree): pointer to i32[DBSCAN_STACK_SLOTS], the walks' scratch stack. */
export const DBSCAN_H_STACK = 7;
/** Header slot (grid): pointer to i32[n], the linear cell index of each row. */
export const DBSCAN_H_CELL_OF = 8;
/** Header slot (grid): pointer to i32[nCells+1], the first row of each cell. */
export const DBSCAN_H_CELL_START = 9;
/** Header slot (grid): cells along the first axis (1 for a missing axis). */
export const DBSCAN_H_GX = 10;
/** Header slot (grid): cells along the second axis (1 for a missing axis). */
export const DBSCAN_H_GY = 11;
/** Header slot (grid): cells along the third axis (1 for a missing axis). */
export const DBSCAN_H_GZ = 12;
/** Header slot (tree): pointer to i32[nNodes], each node's first core row or -1; the host fills -1. */
export const DBSCAN_H_FIRST_CORE = 13;
/** Header slot (tree): pointer to i32[nNodes], 1 for nodes whose core rows are one set; the host sets compact nodes. */
export const DBSCAN_H_UNITED = 14;
/** Header slot (tree): number of tree nodes. */
export const DBSCAN_H_N_NODES = 15;

/** DBSCAN_H_KIND value of an implicit balanced k-d tree (children of node i: 2i+1, 2i+2). */
export const DBSCAN_KIND_TREE = 0;
/** DBSCAN_H_KIND value of a dense uniform grid of cells of side >= eps (d <= 3). */
export const DBSCAN_KIND_GRID = 1;

/**
 * Size of the tree walks' stack, in i32 slots. A walk pops one node and pushes its two
 * children, so it holds at most one node per tree level: the host's trees have
 * floor(log2((n-1)/leaf size)) + 1 levels, 27 for n < 2^31 with 16-row leaves.
 */
export const DBSCAN_STACK_SLOTS = 128;

/**
 * Relative slack of DBSCAN's box tests (and of the host's grid cell sizes): a node is
 * pruned only beyond eps^2 * (1 + margin) and taken whole only within eps^2 * (1 - margin),
 * so rounding in box arithmetic never decides which pairs are neighbours.
 */
export const DBSCAN_BOX_MARGIN = 1e-9;

/** matrixNNChain's `method` code for complete linkage (Lance-Williams max). */
export const LINKAGE_COMPLETE = 0;
/** matrixNNChain's `method` code for average linkage (size-weighted mean). */
export const LINKAGE_AVERAGE = 1;
/** matrixNNChain's `method` code for single linkage (min). */
export const LINKAGE_SINGLE = 2;
