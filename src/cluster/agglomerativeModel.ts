/** The fitted hierarchy: flat labels, prediction and its JSON form. */
import { InvalidParameterError } from '../errors';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { enumOption, integerOption } from '../options';
import { nearestCentres } from '../spatial/nearest';
import { readModelJSON, type ClusterModel } from './clusterer';

/** How the distance between two clusters is measured (SciPy's method). */
export type LinkageMethod = 'ward' | 'complete' | 'average' | 'single';

/** Every LinkageMethod, for validation. */
export const LINKAGES = ['ward', 'complete', 'average', 'single'] as const;

/** How the rows were reduced before linking, when they were. */
export interface ApproximateInfo {
  /** Number of leaves of the linkage (micro-clusters, or distinct rows when fewer). */
  microClusters: number;
  /** Micro-cluster of each row. */
  microLabels: Int32Array;
  /** 'kmeans' micro-clusters, or 'distinct' rows (then the linkage is exact up to zero-height merges). */
  reduction: 'kmeans' | 'distinct';
}

/** AgglomerativeModel.toJSON() output. */
export interface AgglomerativeJSON {
  type: 'segmint.agglomerative';
  version: 1;
  method: LinkageMethod;
  nFeatures: number;
  nClusters: number;
  labels: number[];
  linkage: number[];
  centroids: number[][];
  approximate: null | {
    microClusters: number;
    reduction: 'kmeans' | 'distinct';
    microLabels: number[];
    microCentroids: number[][];
    microToCluster: number[];
  };
}

/** A fitted hierarchy: SciPy's linkage, the flat labels of its cut, and centroids for predict(). */
export class AgglomerativeModel implements ClusterModel {
  readonly method: LinkageMethod;
  readonly nFeatures: number;
  readonly nClusters: number;
  /** Flat cluster of each row, 0..nClusters-1 in order of first appearance. */
  readonly labels: Int32Array;
  /** SciPy's linkage matrix, row-major (leaves - 1) x 4: [a, b, height, size]. */
  readonly linkage: Float64Array;
  /** Mean of each flat cluster. */
  readonly centroids: number[][];
  readonly approximate: ApproximateInfo | null;
  private readonly microCentroids: Float64Array | null;
  private readonly microToCluster: Int32Array | null;

  constructor(args: {
    method: LinkageMethod;
    nFeatures: number;
    nClusters: number;
    labels: Int32Array;
    linkage: Float64Array;
    centroids: number[][];
    approximate: ApproximateInfo | null;
    microCentroids: Float64Array | null;
    microToCluster: Int32Array | null;
  }) {
    this.method = args.method;
    this.nFeatures = args.nFeatures;
    this.nClusters = args.nClusters;
    this.labels = args.labels;
    this.linkage = args.linkage;
    this.centroids = args.centroids;
    this.approximate = args.approximate;
    this.microCentroids = args.microCentroids;
    this.microToCluster = args.microToCluster;
  }

  /** Merge heights in order (column 2 of the linkage). */
  get heights(): Float64Array {
    const m = this.linkage.length / 4;
    const h = new Float64Array(m);
    for (let i = 0; i < m; i++) h[i] = this.linkage[4 * i + 2];
    return h;
  }

  /**
   * Labels new rows: exact path, the nearest flat-cluster centroid; approximate path, the
   * cluster of the nearest micro-cluster centroid.
   */
  predict(X: MatrixLike): Int32Array {
    return this.predictMatrix(toMatrix(X));
  }

  /** predict() on a validated matrix, which is read, not copied. */
  predictMatrix(m: Matrix): Int32Array {
    if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    }
    const d = m.cols;
    const centres = this.microCentroids ?? Float64Array.from(this.centroids.flat());
    const nc = centres.length / d;
    const nearest = nearestCentres(m, centres, nc);
    if (this.microToCluster) for (let i = 0; i < nearest.length; i++) nearest[i] = this.microToCluster[nearest[i]];
    return nearest;
  }

  /** Plain JSON of the model: linkage, labels, centroids and, on the approximate path, the micro-clusters. */
  toJSON(): AgglomerativeJSON {
    const d = this.nFeatures;
    return {
      type: 'segmint.agglomerative',
      version: 1,
      method: this.method,
      nFeatures: d,
      nClusters: this.nClusters,
      labels: Array.from(this.labels),
      linkage: Array.from(this.linkage),
      centroids: this.centroids,
      approximate:
        this.approximate && this.microCentroids && this.microToCluster
          ? {
              microClusters: this.approximate.microClusters,
              reduction: this.approximate.reduction,
              microLabels: Array.from(this.approximate.microLabels),
              microCentroids: rowsOf(this.microCentroids, this.microCentroids.length / d, d),
              microToCluster: Array.from(this.microToCluster),
            }
          : null,
    };
  }

  /** Rebuilds a model from toJSON() output (or its string); predictions are identical. */
  static fromJSON(json: AgglomerativeJSON | string): AgglomerativeModel {
    const j = readModelJSON<AgglomerativeJSON>(json, 'segmint.agglomerative', 1, 'agglomerative model');
    const method = enumOption('json.method', j.method, LINKAGES);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    const nClusters = integerOption('json.nClusters', j.nClusters, 1);
    if (!Array.isArray(j.centroids) || j.centroids.length !== nClusters) {
      throw new InvalidParameterError('json.centroids', `must hold nClusters = ${nClusters} rows`);
    }
    const centroids = j.centroids.map((row) => Array.from(toMatrix([row], 'json.centroids').data));
    if (centroids.some((row) => row.length !== d)) throw new InvalidParameterError('json.centroids', `rows must have ${d} values`);
    let approximate: ApproximateInfo | null = null;
    let microCentroids: Float64Array | null = null;
    let microToCluster: Int32Array | null = null;
    if (j.approximate) {
      const a = j.approximate;
      const mc = toMatrix(a.microCentroids, 'json.approximate.microCentroids');
      if (mc.cols !== d) throw new InvalidParameterError('json.approximate.microCentroids', `rows must have ${d} values`);
      if (!Array.isArray(a.microToCluster) || a.microToCluster.length !== mc.rows) {
        throw new InvalidParameterError('json.approximate.microToCluster', `must hold one cluster per micro-cluster (${mc.rows})`);
      }
      microToCluster = Int32Array.from(a.microToCluster, (c, i) => integerOption(`json.approximate.microToCluster[${i}]`, c, 0, nClusters - 1));
      microCentroids = mc.data;
      approximate = { microClusters: mc.rows, reduction: a.reduction, microLabels: Int32Array.from(a.microLabels ?? []) };
    }
    return new AgglomerativeModel({
      method,
      nFeatures: d,
      nClusters,
      labels: Int32Array.from(j.labels ?? []),
      linkage: Float64Array.from(j.linkage ?? []),
      centroids,
      approximate,
      microCentroids,
      microToCluster,
    });
  }
}

/** What agglomerative() returns. */
export type AgglomerativeResult = AgglomerativeModel;

/** Rows of a flat row-major buffer as number[][]. */
export function rowsOf(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from({ length: cols }, (_, j) => data[i * cols + j]));
  return out;
}
