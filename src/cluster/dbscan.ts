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
import { readModelJSON, type Clusterer, type ClusterModel } from './clusterer';
import { buildGrid, CELL_SLACK, GRID_MAX_DIM, gridDims, gridPairCount, type Grid } from '../spatial/grid';
import { buildKdTree, type KdTree } from '../spatial/kdtree';
import { gridRegions, treeRegions, writeGrid, writeTree } from '../spatial/layout';
import { kernels } from '../wasm/index';
import { coreDistances } from './hdbscanMst';
import { DBSCAN_H_STACK, DBSCAN_HEADER_SLOTS, DBSCAN_STACK_SLOTS } from '../wasm/layout';

/** The grid is offered up to this many dimensions. */
export { GRID_MAX_DIM };

/** Spatial index answering the radius queries; results do not depend on it. */
export type DbscanAlgorithm = 'auto' | 'grid' | 'kd-tree';

/** Options of dbscan(), all with defaults (defaultDbscanOptions). */
export interface DbscanOptions {
  /** Neighbourhood radius (distance <= eps), or 'auto' for the knee of the k-distance curve. */
  eps?: number | 'auto';
  /** Rows within eps, the row itself included, that make a row core (scikit-learn's min_samples). */
  minSamples?: number;
  /** Spatial index: 'grid' (d <= 3), 'kd-tree', or 'auto' (grid where it fits). Results do not depend on it. */
  algorithm?: DbscanAlgorithm;
}

/** Defaults of dbscan()'s options (scikit-learn's eps and min_samples). */
export const defaultDbscanOptions = {
  eps: 0.5 as number | 'auto',
  minSamples: 5,
  algorithm: 'auto' as DbscanAlgorithm,
};

const OPTION_NAMES = ['eps', 'minSamples', 'algorithm'] as const;

/** 'auto' takes the grid only when cells hold at most this many rows on average. */
const GRID_MAX_OCCUPANCY = 32;
/** 'auto' leaves the grid for the k-d tree when its cells hold more same-cell pairs than this per row. */
const GRID_MAX_PAIRS_PER_ROW = 256;
/** Hard cap on grid cells (an i32 each), even when 'grid' is asked for. */
const GRID_MAX_CELLS = 1 << 24;

/** DbscanModel.toJSON() output. */
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

/** A fitted DBSCAN: labels (-1 = noise), core samples and eps; predict() places new rows by their nearest core row. */
/** From this many rows DBSCAN's core counts are split over init({ threads }) (as HDBSCAN's core distances). */
export const MIN_THREADED_DBSCAN_ROWS = 20_000;

export class DbscanModel implements ClusterModel {
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
    return this.predictMatrix(toMatrix(X));
  }

  /** predict() on a validated matrix, which is read, not copied. */
  predictMatrix(q: Matrix): Int32Array {
    const d = this.nFeatures;
    if (q.cols !== d) throw new InvalidParameterError('X', `has ${q.cols} columns but the model was fitted on ${d}`);
    const nCore = this.coreSampleIndices.length;
    const out = new Int32Array(q.rows).fill(-1);
    if (nCore === 0) return out;
    const coreLabels = new Int32Array(nCore);
    for (let c = 0; c < nCore; c++) coreLabels[c] = this.labels[this.coreSampleIndices[c]];
    const tree = buildKdTree({ data: this.components, rows: nCore, cols: d });
    const e = kernels().exports;
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

  /** Plain JSON of the model: labels, core rows and what predict() needs. */
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
    const j = readModelJSON<DbscanJSON>(json, 'segmint.dbscan', 1, 'DBSCAN model');
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

/** What dbscan() returns. */
export type DbscanResult = DbscanModel;

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

/** eps at the knee of the sorted minSamples-th-neighbour distances. */
function autoEps(m: Matrix, minSamples: number): number {
  const n = m.rows;
  if (minSamples > n) {
    throw new InvalidParameterError('minSamples', `is ${minSamples} but X has only ${n} rows; eps: 'auto' needs minSamples <= rows`);
  }
  // With minSamples 1 the "1st neighbour" is the row itself (distance 0 for every row):
  // the nearest other row is what describes the data's scale. The walks are HDBSCAN's
  // core distances: in blocks (V8's optimised code from the second block on) and split
  // over init({ threads }); 100k x 6 took 1.1 s as one call.
  const k = Math.min(Math.max(minSamples, 2), n);
  const dist = coreDistances(m, k).sort();
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
  return fitDbscan(toMatrix(X), options);
}

/** dbscan() on a matrix the caller validated (toMatrix): read, never copied or modified. */
export function fitDbscan(m: Matrix, options?: DbscanOptions): DbscanModel {
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
          if (gridPairCount(grid) > GRID_MAX_PAIRS_PER_ROW * n) grid = null;
        }
      }
    }
  }
  const tree = grid ? null : buildKdTree(m);
  const perm = grid ? grid.perm : tree!.perm;

  const kern = kernels();
  const e = kern.exports;
  const ws = kern.workspace();
  const idx = grid ? gridRegions(ws, grid, n, d) : treeRegions(ws, tree!, n, d);
  const core = ws.i32(n);
  const parent = ws.i32(n);
  const coreLabels = ws.i32(n);
  const labelsOut = ws.i32(n);
  // The core counts (each row's neighbours within eps) split over init({ threads }): one
  // header copy per thread, each with a walk stack of its own.
  const use = kern.pool && n >= MIN_THREADED_DBSCAN_ROWS ? kern.pool.threads : 1;
  const headers = use > 1 ? ws.i32(DBSCAN_HEADER_SLOTS * use) : undefined;
  const stacks = use > 1 ? ws.i32(DBSCAN_STACK_SLOTS * use) : undefined;
  ws.commit();
  if (grid) writeGrid(ws, idx, grid, m.data, d);
  else writeTree(ws, idx, tree!, m.data, d);

  let nCore: number;
  if (headers && stacks) {
    const h = ws.viewI32(idx.header).slice();
    const copies = ws.viewI32(headers);
    for (let t = 0; t < use; t++) {
      h[DBSCAN_H_STACK] = stacks.ptr + t * DBSCAN_STACK_SLOTS * 4;
      copies.set(h, t * DBSCAN_HEADER_SLOTS);
    }
    nCore = kern.pool!.coreFlags(use, headers.ptr, DBSCAN_HEADER_SLOTS * 4, eps2, opts.minSamples, core.ptr, n);
  } else nCore = e.dbscanCoreFlags(idx.header.ptr, eps2, opts.minSamples, core.ptr);
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

/** DBSCAN in the registry. */
export const dbscanClusterer: Clusterer<DbscanOptions | undefined, DbscanModel> = {
  name: 'dbscan',
  modelType: 'segmint.dbscan',
  takesK: false,
  parameters: OPTION_NAMES,
  fit: fitDbscan,
  fromJSON: (json) => DbscanModel.fromJSON(json as never),
};
