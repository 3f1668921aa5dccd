/** The fitted K-Means model: prediction and its JSON form. */
import { InvalidParameterError } from '../errors';
import { subtractRow, toMatrixView, type Matrix, type MatrixLike } from '../matrix';
import { integerOption } from '../options';
import { kernels } from '../wasm/index';
import { readModelJSON, type ClusterModel } from './clusterer';
import { assignLloyd, lloydRegions, packPairs } from './kmeansLloyd';

/** KMeansModel.toJSON() output. */
export interface KMeansJSON {
  type: 'segmint.kmeans';
  version: 1;
  k: number;
  nFeatures: number;
  centroids: number[][];
  /** Exact model state: the centring vector and the centroids relative to it. */
  center: number[];
  centeredCentroids: number[];
  inertia: number;
  iterations: number;
  converged: boolean;
  algorithm: 'lloyd' | 'hamerly';
  labels?: number[];
}

/** A fitted K-Means: centroids, labels, inertia; predict() labels new rows, toJSON()/fromJSON() round-trip exactly. */
export class KMeansModel implements ClusterModel {
  readonly k: number;
  /** The same as k: K-Means always returns k clusters (relocating empty ones). */
  readonly nClusters: number;
  readonly nFeatures: number;
  readonly centroids: number[][];
  readonly labels: Int32Array;
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly algorithm: 'lloyd' | 'hamerly';
  readonly nInit: number;
  readonly warnings: string[];
  private readonly center: Float64Array;
  private readonly centeredCentroids: Float64Array;

  constructor(args: {
    center: Float64Array;
    centeredCentroids: Float64Array;
    k: number;
    labels: Int32Array;
    inertia: number;
    iterations: number;
    converged: boolean;
    algorithm: 'lloyd' | 'hamerly';
    nInit: number;
    warnings?: string[];
  }) {
    this.k = args.k;
    this.nClusters = args.k;
    this.nFeatures = args.center.length;
    this.center = args.center;
    this.centeredCentroids = args.centeredCentroids;
    this.labels = args.labels;
    this.inertia = args.inertia;
    this.iterations = args.iterations;
    this.converged = args.converged;
    this.algorithm = args.algorithm;
    this.nInit = args.nInit;
    this.warnings = args.warnings ?? [];
    const d = this.nFeatures;
    this.centroids = [];
    for (let c = 0; c < this.k; c++) {
      this.centroids.push(Array.from({ length: d }, (_, j) => args.centeredCentroids[c * d + j] + args.center[j]));
    }
  }

  /** Labels new rows with their nearest centroid. */
  predict(X: MatrixLike): Int32Array {
    return this.predictMatrix(toMatrixView(X));
  }

  /** predict() on a validated matrix, which is read, not copied or modified. */
  predictMatrix(m: Matrix): Int32Array {
    if (m.cols !== this.nFeatures) {
      throw new InvalidParameterError('X', `has ${m.cols} columns but the model was fitted on ${this.nFeatures}`);
    }
    const kern = kernels();
    const ws = kern.workspace();
    const r = lloydRegions(ws, m.rows, m.cols, this.k, false);
    ws.commit();
    // Centred in linear memory, as the fit centred X.
    const Xc = ws.viewF64(r.X);
    Xc.set(m.data);
    subtractRow({ data: Xc, rows: m.rows, cols: m.cols }, this.center);
    packPairs(kern, r.X.ptr, m.rows, m.cols, r.Xp.ptr);
    ws.write(r.C, this.centeredCentroids);
    ws.viewI32(r.labels).fill(-1);
    assignLloyd(kern, r, m.rows, m.cols, this.k, 0, false);
    return ws.viewI32(r.labels).slice();
  }

  /** Plain JSON of the model: the exact state (center, centeredCentroids) and the readable centroids. */
  toJSON(): KMeansJSON {
    return {
      type: 'segmint.kmeans',
      version: 1,
      k: this.k,
      nFeatures: this.nFeatures,
      centroids: this.centroids,
      center: Array.from(this.center),
      centeredCentroids: Array.from(this.centeredCentroids),
      inertia: this.inertia,
      iterations: this.iterations,
      converged: this.converged,
      algorithm: this.algorithm,
      labels: Array.from(this.labels),
    };
  }

  /** Rebuilds a model from toJSON() output (or its JSON.parse'd string); predictions are bit-identical. */
  static fromJSON(json: KMeansJSON | string): KMeansModel {
    const j = readModelJSON<KMeansJSON>(json, 'segmint.kmeans', 1, 'K-Means model');
    const k = integerOption('json.k', j.k, 1);
    const d = integerOption('json.nFeatures', j.nFeatures, 1);
    if (!Array.isArray(j.center) || j.center.length !== d) throw new InvalidParameterError('json.center', `must have ${d} values`);
    if (!Array.isArray(j.centeredCentroids) || j.centeredCentroids.length !== k * d) {
      throw new InvalidParameterError('json.centeredCentroids', `must have k * nFeatures = ${k * d} values`);
    }
    for (const v of [...j.center, ...j.centeredCentroids]) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParameterError('json', 'holds a value that is not a finite number');
    }
    return new KMeansModel({
      k,
      center: Float64Array.from(j.center),
      centeredCentroids: Float64Array.from(j.centeredCentroids),
      labels: Int32Array.from(j.labels ?? []),
      inertia: j.inertia,
      iterations: j.iterations,
      converged: j.converged,
      algorithm: j.algorithm,
      nInit: 1,
    });
  }
}

/** What kmeans() returns. */
export type KMeansResult = KMeansModel;
