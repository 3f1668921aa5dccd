/**
 * DBSCAN, exact, with scikit-learn's definitions and numbering (sklearn/cluster/_dbscan.py):
 * a row is core when at least minSamples rows (itself included) lie within eps
 * (distance <= eps); clusters are the connected groups of core rows, numbered in the
 * order of their first core row; a border row joins the first (lowest-numbered)
 * cluster with a core row within eps; everything else is noise (-1).
 *
 * Rather than store every neighbourhood (scikit-learn's O(n * neighbours) memory), the
 * kernels (assembly/dbscan.ts) query a spatial index three times: count neighbours up to
 * minSamples (core flags), union core rows within eps (union-find), then give each
 * non-core row the smallest label among its core neighbours. Because a cluster's label
 * is fixed by its smallest core row and a border row takes the smallest label, the
 * result does not depend on traversal order and equals scikit-learn's exactly.
 *
 * The index is a uniform grid of eps-sized cells for d <= 3 when the cells are not too
 * crowded, and an implicit balanced k-d tree otherwise. Rows are reordered so each
 * cell or tree node is a contiguous block (locality), and mapped back at the end.
 *
 * eps: 'auto' follows the usual recipe: the distance of every row to its
 * minSamples-th nearest row (itself counted), sorted, and the knee of that curve
 * (kneedle: the point farthest below the chord of the normalised curve).
 */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { kneedleIndex } from '../stats';
import { kernels, type Region, type Workspace } from '../wasm/index';

type Ptr = number;

interface DbscanKernels {
  dbscanCoreFlags(index: Ptr, eps2: number, minSamples: number, core: Ptr): number;
  dbscanUnionCores(index: Ptr, eps2: number, core: Ptr, parent: Ptr): void;
  dbscanBorderLabels(index: Ptr, eps2: number, coreLabels: Ptr, out: Ptr): void;
  dbscanKthNeighbourSq(index: Ptr, k: number, heap: Ptr, out: Ptr): void;
  dbscanNearestWithin(index: Ptr, ids: Ptr, Q: Ptr, m: number, eps2: number, out: Ptr): void;
}

export type DbscanAlgorithm = 'auto' | 'grid' | 'kd-tree';

export interface DbscanOptions {
  /** Neighbourhood radius (distance <= eps), or 'auto' for the knee of the k-distance curve. */
  eps?: number | 'auto';
  /** Rows within eps, the row itself included, that make a row core (scikit-learn's min_samples). */
  minSamples?: number;
  /** Spatial index: 'grid' (d <= 3), 'kd-tree', or 'auto' (grid where it fits). Results do not depend on it. */
  algorithm?: DbscanAlgorithm;
}

export const defaultDbscanOptions = {
  eps: 0.5 as number | 'auto',
  minSamples: 5,
  algorithm: 'auto' as DbscanAlgorithm,
};

const OPTION_NAMES = ['eps', 'minSamples', 'algorithm'] as const;

/** Rows per k-d tree leaf (upper bound); small leaves prune better in the count phase. */
const LEAF_SIZE = 16;
/** The grid is used up to this many dimensions. */
export const GRID_MAX_DIM = 3;
/** 'auto' takes the grid only when cells hold at most this many rows on average. */
const GRID_MAX_OCCUPANCY = 32;
/** 'auto' leaves the grid for the k-d tree when its cells hold more same-cell pairs than this per row. */
const GRID_MAX_PAIRS_PER_ROW = 256;
/** Hard cap on grid cells (an i32 each), even when 'grid' is asked for. */
const GRID_MAX_CELLS = 1 << 24;
/** Box arithmetic of the kernels and grid cell sizes keep this relative slack (see assembly/dbscan.ts). */
const CELL_SLACK = 1e-9;
const HEADER_SLOTS = 16;
const STACK_SLOTS = 128;

export interface DbscanJSON {
  type: 'segmint.dbscan';
  version: 1;
  eps: number;
  minSamples: number;
  nFeatures: number;
  nClusters: number;
  labels: number[];
  coreSampleIndices: number[];
  /** The core rows, row-major (nCore x nFeatures): what predict() needs. */
  components: number[];
}

export class DbscanModel {
  readonly labels: Int32Array;
  readonly coreSampleIndices: Int32Array;
  readonly nClusters: number;
  /** The eps used (the chosen one when eps was 'auto'). */
  readonly eps: number;
  readonly minSamples: number;
  readonly nFeatures: number;
  /** Which index answered the queries. */
  readonly algorithm: 'grid' | 'kd-tree';
  /** Core rows, row-major (nCore x nFeatures), in coreSampleIndices order. */
  readonly components: Float64Array;

  constructor(args: {
    labels: Int32Array;
    coreSampleIndices: Int32Array;
    nClusters: number;
    eps: number;
    minSamples: number;
    nFeatures: number;
    algorithm: 'grid' | 'kd-tree';
    components: Float64Array;
  }) {
    this.labels = args.labels;
    this.coreSampleIndices = args.coreSampleIndices;
    this.nClusters = args.nClusters;
    this.eps = args.eps;
    this.minSamples = args.minSamples;
    this.nFeatures = args.nFeatures;
    this.algorithm = args.algorithm;
    this.components = args.components;
  }

  /**
   * Labels new rows with the cluster of their nearest core row within eps (ties to
   * the lower core index), or -1. scikit-learn's DBSCAN has no predict; this is the
   * natural extension: a new row that would be a border row joins that cluster.
   */
  predict(X: MatrixLike): Int32Array {
    const q = toMatrix(X);
    const d = this.nFeatures;
    if (q.cols !== d) throw new InvalidParameterError('X', `has ${q.cols} columns but the model was fitted on ${d}`);
    const nCore = this.coreSampleIndices.length;
    const out = new Int32Array(q.rows).fill(-1);
    if (nCore === 0) return out;
    const coreLabels = new Int32Array(nCore);
    for (let c = 0; c < nCore; c++) coreLabels[c] = this.labels[this.coreSampleIndices[c]];
    const tree = buildKdTree({ data: this.components, rows: nCore, cols: d });
    const e = kernels().exports as unknown as DbscanKernels;
    const ws = kernels().workspace();
    const idx = treeRegions(ws, tree, nCore, d);
    const ids = ws.i32(nCore);
    const Q = ws.f64(q.rows * d);
    const nearest = ws.i32(q.rows);
    ws.commit();
    writeTree(ws, idx, tree, this.components, d);
    ws.write(ids, tree.perm);
    ws.write(Q, q.data);
    e.dbscanNearestWithin(idx.header.ptr, ids.ptr, Q.ptr, q.rows, this.eps * this.eps, nearest.ptr);
    const near = ws.viewI32(nearest);
    for (let r = 0; r < q.rows; r++) if (near[r] >= 0) out[r] = coreLabels[tree.perm[near[r]]];
    return out;
  }

  toJSON(): DbscanJSON {
    return {
      type: 'segmint.dbscan',
      version: 1,
      eps: this.eps,
      minSamples: this.minSamples,
      nFeatures: this.nFeatures,
      nClusters: this.nClusters,
      labels: Array.from(this.labels),
      coreSampleIndices: Array.from(this.coreSampleIndices),
      components: Array.from(this.components),
    };
  }

  /** Rebuilds a model from toJSON() output (or its JSON string); predict() gives the same labels. */
  static fromJSON(json: DbscanJSON | string): DbscanModel {
    const j: DbscanJSON = typeof json === 'string' ? JSON.parse(json) : json;
    if (j?.type !== 'segmint.dbscan' || j.version !== 1) {
      throw new InvalidParameterError('json', "is not a segmint DBSCAN model (expected type 'segmint.dbscan', version 1)");
    }
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    const eps = numberOption('json.eps', j.eps, (v) => v > 0, 'a number > 0');
    if (!Array.isArray(j.labels)) throw new InvalidParameterError('json.labels', 'must be an array');
    if (!Array.isArray(j.coreSampleIndices)) throw new InvalidParameterError('json.coreSampleIndices', 'must be an array');
    const n = j.labels.length;
    for (const c of j.coreSampleIndices) {
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new InvalidParameterError('json.coreSampleIndices', `holds ${c}, not a row index below ${n}`);
    }
    if (!Array.isArray(j.components) || j.components.length !== j.coreSampleIndices.length * d) {
      throw new InvalidParameterError('json.components', `must have nCore * nFeatures = ${j.coreSampleIndices.length * d} values`);
    }
    for (const v of j.components) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParameterError('json.components', 'holds a value that is not a finite number');
    }
    return new DbscanModel({
      labels: Int32Array.from(j.labels),
      coreSampleIndices: Int32Array.from(j.coreSampleIndices),
      nClusters: j.nClusters,
      eps,
      minSamples: j.minSamples,
      nFeatures: d,
      algorithm: 'kd-tree',
      components: Float64Array.from(j.components),
    });
  }
}

export type DbscanResult = DbscanModel;

// ---------------------------------------------------------------------------------------
// Spatial indexes, built here and laid out in linear memory for the kernels.

interface KdTree {
  /** Tree order -> original row. */
  perm: Int32Array;
  nNodes: number;
  firstLeaf: number;
  /** Per node: lo[d] then hi[d]. */
  bounds: Float64Array;
  /** Per node: start, end (tree-order rows). */
  ranges: Int32Array;
}

/** Puts the nth smallest key (by column dim) of perm[lo, hi) at position nth (Hoare quickselect). */
function selectNth(perm: Int32Array, data: Float64Array, d: number, dim: number, lo: number, hi: number, nth: number): void {
  let l = lo;
  let r = hi - 1;
  while (r > l) {
    const a = data[perm[l] * d + dim];
    const b = data[perm[(l + r) >>> 1] * d + dim];
    const c = data[perm[r] * d + dim];
    const pivot = a < b ? (b < c ? b : Math.max(a, c)) : a < c ? a : Math.max(b, c);
    let i = l;
    let j = r;
    while (i <= j) {
      while (data[perm[i] * d + dim] < pivot) i++;
      while (data[perm[j] * d + dim] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (nth <= j) r = j;
    else if (nth >= i) l = i;
    else return;
  }
}

/** A balanced k-d tree as scikit-learn lays it out: split at the median of the widest dimension. */
function buildKdTree(m: Matrix): KdTree {
  const { data, rows: n, cols: d } = m;
  const levels = Math.floor(Math.log2(Math.max(1, (n - 1) / LEAF_SIZE))) + 1;
  const nNodes = 2 ** levels - 1;
  const firstLeaf = 2 ** (levels - 1) - 1;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const bounds = new Float64Array(nNodes * 2 * d);
  const ranges = new Int32Array(nNodes * 2);
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
    selectNth(perm, data, d, dim, start, end, mid);
    ranges[2 * (2 * node + 1)] = start;
    ranges[2 * (2 * node + 1) + 1] = mid;
    ranges[2 * (2 * node + 2)] = mid;
    ranges[2 * (2 * node + 2) + 1] = end;
  }
  return { perm, nNodes, firstLeaf, bounds, ranges };
}

interface Grid {
  perm: Int32Array;
  /** Cell of each grid-order row. */
  cellOf: Int32Array;
  cellStart: Int32Array;
  dims: [number, number, number];
}

/** Cells along each axis for side eps, or null when there would be more than maxCells. */
function gridDims(m: Matrix, eps: number, maxCells: number): { dims: [number, number, number]; mins: number[]; side: number } | null {
  const { data, rows: n, cols: d } = m;
  const side = eps * (1 + CELL_SLACK);
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

/** Counting-sorts rows into cells of side just above eps, so neighbours sit in adjacent cells. */
function buildGrid(m: Matrix, layout: { dims: [number, number, number]; mins: number[]; side: number }): Grid {
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

function reorderRows(data: Float64Array, perm: Int32Array, d: number): Float64Array {
  const out = new Float64Array(perm.length * d);
  for (let r = 0; r < perm.length; r++) out.set(data.subarray(perm[r] * d, perm[r] * d + d), r * d);
  return out;
}

interface IndexRegions {
  header: Region;
  X: Region;
  stack: Region;
  bounds?: Region;
  ranges?: Region;
  firstCore?: Region;
  compact?: Region;
  cellOf?: Region;
  cellStart?: Region;
}

function treeRegions(ws: Workspace, tree: KdTree, n: number, d: number): IndexRegions {
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

/** Writes the reordered rows, the tree and its header (the header slots are assembly/dbscan.ts's H_*). */
function writeTree(ws: Workspace, r: IndexRegions, tree: KdTree, data: Float64Array, d: number): void {
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

function gridRegions(ws: Workspace, grid: Grid, n: number, d: number): IndexRegions {
  return {
    header: ws.i32(HEADER_SLOTS),
    X: ws.f64(n * d),
    stack: ws.i32(STACK_SLOTS),
    cellOf: ws.i32(n),
    cellStart: ws.i32(grid.cellStart.length),
  };
}

function writeGrid(ws: Workspace, r: IndexRegions, grid: Grid, data: Float64Array, d: number): void {
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

/** Per tree node: its first core row (-1 if none) and whether every pair of its rows is within eps. */
function markTreeNodes(tree: KdTree, d: number, core: Int32Array, eps2: number, firstCore: Int32Array, compact: Int32Array): void {
  const { nNodes, firstLeaf, bounds, ranges } = tree;
  for (let node = nNodes - 1; node >= 0; node--) {
    if (node >= firstLeaf) {
      let f = -1;
      for (let r = ranges[2 * node]; r < ranges[2 * node + 1]; r++) {
        if (core[r]) {
          f = r;
          break;
        }
      }
      firstCore[node] = f;
    } else {
      const left = firstCore[2 * node + 1];
      firstCore[node] = left >= 0 ? left : firstCore[2 * node + 2];
    }
    let diameter2 = 0;
    for (let k = 0; k < d; k++) {
      const w = bounds[node * 2 * d + d + k] - bounds[node * 2 * d + k];
      diameter2 += w * w;
    }
    compact[node] = diameter2 < eps2 * (1 - CELL_SLACK) ? 1 : 0;
  }
}

// ---------------------------------------------------------------------------------------

/** eps at the knee of the sorted minSamples-th-neighbour distances. */
function autoEps(m: Matrix, minSamples: number): number {
  const { rows: n, cols: d } = m;
  if (minSamples > n) {
    throw new InvalidParameterError('minSamples', `is ${minSamples} but X has only ${n} rows; eps: 'auto' needs minSamples <= rows`);
  }
  const tree = buildKdTree(m);
  const e = kernels().exports as unknown as DbscanKernels;
  const ws = kernels().workspace();
  const r = treeRegions(ws, tree, n, d);
  // With minSamples 1 the "1st neighbour" is the row itself (distance 0 for every row):
  // the nearest other row is what describes the data's scale.
  const k = Math.min(Math.max(minSamples, 2), n);
  const heap = ws.f64(k);
  const kth = ws.f64(n);
  ws.commit();
  writeTree(ws, r, tree, m.data, d);
  e.dbscanKthNeighbourSq(r.header.ptr, k, heap.ptr, kth.ptr);
  const dist = ws.viewF64(kth).slice().map(Math.sqrt).sort();
  const knee = dist[kneedleIndex(dist, 'increasing')];
  if (knee > 0) return knee;
  // Duplicated rows put the knee at 0, which is not a radius: take the smallest positive distance.
  for (const v of dist) if (v > 0) return v;
  return 1; // every row is identical: any radius gives one cluster
}

interface Resolved {
  eps: number | 'auto';
  minSamples: number;
  algorithm: DbscanAlgorithm;
}

function resolveOptions(options: DbscanOptions | undefined): Resolved {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidParameterError('options', 'dbscan(X, options) takes an options object');
  }
  rejectUnknownOptions(options, OPTION_NAMES, 'dbscan');
  const o = withDefaults(defaultDbscanOptions, options);
  const eps = o.eps === 'auto' ? 'auto' : numberOption('eps', o.eps, (v) => v > 0, "a finite number > 0 or 'auto'");
  const minSamples = integerOption('minSamples', o.minSamples, 1);
  const algorithm = enumOption('algorithm', o.algorithm, ['auto', 'grid', 'kd-tree'] as const);
  return { eps, minSamples, algorithm };
}

/**
 * Density-based clustering of the rows of X; label -1 marks noise. Synchronous; in a
 * browser's main thread call `await init()` once first.
 */
export function dbscan(X: MatrixLike, options?: DbscanOptions): DbscanModel {
  const m = toMatrix(X);
  const { rows: n, cols: d } = m;
  const opts = resolveOptions(options);
  const eps = opts.eps === 'auto' ? autoEps(m, opts.minSamples) : opts.eps;
  const eps2 = eps * eps;

  let grid: Grid | null = null;
  if (opts.algorithm !== 'kd-tree') {
    if (d > GRID_MAX_DIM) {
      if (opts.algorithm === 'grid') throw new InvalidParameterError('algorithm', `'grid' supports at most ${GRID_MAX_DIM} features, X has ${d}`);
    } else {
      const cap = opts.algorithm === 'grid' ? GRID_MAX_CELLS : Math.min(GRID_MAX_CELLS, 4 * n + 1024);
      const layout = gridDims(m, eps, cap);
      if (!layout && opts.algorithm === 'grid') {
        throw new InvalidParameterError('algorithm', `'grid' would need more than ${GRID_MAX_CELLS} cells at eps ${eps}; use 'kd-tree'`);
      }
      const cells = layout ? layout.dims[0] * layout.dims[1] * layout.dims[2] : 0;
      if (layout && (opts.algorithm === 'grid' || n / cells <= GRID_MAX_OCCUPANCY)) {
        grid = buildGrid(m, layout);
        // An average can hide one crowded cell (many equal rows): pairs within a cell cost
        // its size squared, so 'auto' takes the k-d tree, which joins such rows up front,
        // when the cells would cost more than GRID_MAX_PAIRS_PER_ROW pairs per row.
        if (opts.algorithm === 'auto') {
          let pairs = 0;
          for (let c = 0; c + 1 < grid.cellStart.length; c++) {
            const size = grid.cellStart[c + 1] - grid.cellStart[c];
            pairs += size * size;
          }
          if (pairs > GRID_MAX_PAIRS_PER_ROW * n) grid = null;
        }
      }
    }
  }
  const tree = grid ? null : buildKdTree(m);
  const perm = grid ? grid.perm : tree!.perm;

  const e = kernels().exports as unknown as DbscanKernels;
  const ws = kernels().workspace();
  const idx = grid ? gridRegions(ws, grid, n, d) : treeRegions(ws, tree!, n, d);
  const core = ws.i32(n);
  const parent = ws.i32(n);
  const coreLabels = ws.i32(n);
  const labelsOut = ws.i32(n);
  ws.commit();
  if (grid) writeGrid(ws, idx, grid, m.data, d);
  else writeTree(ws, idx, tree!, m.data, d);

  const nCore = e.dbscanCoreFlags(idx.header.ptr, eps2, opts.minSamples, core.ptr);
  const coreFlags = ws.viewI32(core);
  if (tree) markTreeNodes(tree, d, coreFlags, eps2, ws.viewI32(idx.firstCore!), ws.viewI32(idx.compact!));
  const par = ws.viewI32(parent);
  for (let i = 0; i < n; i++) par[i] = i;
  e.dbscanUnionCores(idx.header.ptr, eps2, core.ptr, parent.ptr);

  // Number clusters by their first core row in the caller's order (scikit-learn's numbering).
  const roots = ws.viewI32(parent);
  const firstOriginal = new Int32Array(n).fill(n);
  const coreRows: number[] = [];
  for (let r = 0; r < n; r++) {
    if (!coreFlags[r]) continue;
    coreRows.push(r);
    if (perm[r] < firstOriginal[roots[r]]) firstOriginal[roots[r]] = perm[r];
  }
  const rootList = coreRows.filter((r) => roots[r] === r).sort((a, b) => firstOriginal[a] - firstOriginal[b]);
  const clusterOfRoot = new Int32Array(n).fill(-1);
  rootList.forEach((root, c) => (clusterOfRoot[root] = c));
  const cl = ws.viewI32(coreLabels);
  cl.fill(-1);
  for (const r of coreRows) cl[r] = clusterOfRoot[roots[r]];
  e.dbscanBorderLabels(idx.header.ptr, eps2, coreLabels.ptr, labelsOut.ptr);

  const treeLabels = ws.viewI32(labelsOut);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) labels[perm[r]] = treeLabels[r];
  const coreSampleIndices = Int32Array.from(coreRows, (r) => perm[r]).sort();
  if (coreSampleIndices.length !== nCore) throw new Error('segmint internal: core count mismatch');
  const components = new Float64Array(nCore * d);
  coreSampleIndices.forEach((i, c) => components.set(m.data.subarray(i * d, i * d + d), c * d));
  return new DbscanModel({
    labels,
    coreSampleIndices,
    nClusters: rootList.length,
    eps,
    minSamples: opts.minSamples,
    nFeatures: d,
    algorithm: grid ? 'grid' : 'kd-tree',
    components,
  });
}
