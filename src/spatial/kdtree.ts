/**
 * An implicit balanced k-d tree over the rows of a matrix, laid out as scikit-learn's
 * KDTree: node i's children are 2i+1 and 2i+2, every node covers a contiguous block of
 * rows in tree order (`perm`), split at the median of its widest dimension, and carries
 * its bounding box. Built here in TS; the kernels (assembly/dbscan.ts and dbscan_search.ts)
 * walk it in linear memory (see layout.ts).
 */
import type { Matrix } from '../matrix';
import { selectNth } from '../stats';

/** scikit-learn's leaf_size: leaves hold leafSize to 2 * leafSize rows (fewer only in a one-leaf tree); small leaves prune better. */
export const LEAF_SIZE = 16;

/** A built tree: the row order and, per node, its box and its range of rows. */
export interface KdTree {
  /** Tree order -> original row. */
  perm: Int32Array;
  nNodes: number;
  firstLeaf: number;
  /** Per node: lo[d] then hi[d]. */
  bounds: Float64Array;
  /** Per node: start, end (tree-order rows). */
  ranges: Int32Array;
}

/** Builds the tree of the rows of m (m is read, not modified). */
export function buildKdTree(m: Matrix, leafSize = LEAF_SIZE): KdTree {
  const { data, rows: n, cols: d } = m;
  const levels = Math.floor(Math.log2(Math.max(1, (n - 1) / leafSize))) + 1;
  const nNodes = 2 ** levels - 1;
  const firstLeaf = 2 ** (levels - 1) - 1;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const bounds = new Float64Array(nNodes * 2 * d);
  const ranges = new Int32Array(nNodes * 2);
  // The split coordinate of a node's rows, contiguous, so quickselect does not chase perm.
  const keys = new Float64Array(n);
  ranges[1] = n;
  for (let node = 0; node < nNodes; node++) {
    const start = ranges[2 * node];
    const end = ranges[2 * node + 1];
    const lo = node * 2 * d;
    const hi = lo + d;
    for (let k = 0; k < d; k++) {
      bounds[lo + k] = Infinity;
      bounds[hi + k] = -Infinity;
    }
    for (let r = start; r < end; r++) {
      const off = perm[r] * d;
      for (let k = 0; k < d; k++) {
        const v = data[off + k];
        if (v < bounds[lo + k]) bounds[lo + k] = v;
        if (v > bounds[hi + k]) bounds[hi + k] = v;
      }
    }
    if (node >= firstLeaf) continue;
    let dim = 0;
    for (let k = 1; k < d; k++) if (bounds[hi + k] - bounds[lo + k] > bounds[hi + dim] - bounds[lo + dim]) dim = k;
    const mid = start + ((end - start) >> 1);
    for (let r = start; r < end; r++) keys[r] = data[perm[r] * d + dim];
    if (end > start) selectNth(keys, perm, start, end, mid);
    ranges[2 * (2 * node + 1)] = start;
    ranges[2 * (2 * node + 1) + 1] = mid;
    ranges[2 * (2 * node + 2)] = mid;
    ranges[2 * (2 * node + 2) + 1] = end;
  }
  return { perm, nNodes, firstLeaf, bounds, ranges };
}
