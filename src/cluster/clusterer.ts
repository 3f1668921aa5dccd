/**
 * The shape every clustering algorithm has, so the registry (registry.ts), chooseK and
 * the service dispatch by name instead of by if-chains: `fit` on a matrix that the
 * caller has already validated (toMatrix) returns a model with labels, nClusters, a
 * predict for new rows and toJSON; `fromJSON` reads that JSON back. The public
 * functions (kmeans(), gmm(), ...) validate and copy their input, then call the same fit.
 */
import { InvalidParameterError } from '../errors';
import type { Matrix, MatrixLike } from '../matrix';

/** What every model's toJSON() starts with: which model it is and the format's version. */
export interface ModelJSON {
  type: string;
  version: number;
}

/** A fitted clustering, whatever the algorithm. */
export interface ClusterModel {
  /** Cluster of each training row, 0..nClusters-1 (DBSCAN: -1 for noise). */
  readonly labels: Int32Array;
  /** Number of clusters found or asked for (noise is not a cluster). */
  readonly nClusters: number;
  /** Labels new rows by the model's own rule (validated and copied like any public input). */
  predict?(X: MatrixLike): Int32Array;
  /** predict() on a validated matrix (toMatrix's output), which it reads without copying. */
  predictMatrix?(m: Matrix): Int32Array;
  toJSON(): ModelJSON;
}

/** One algorithm: its name, the JSON type of its models, how to fit one and how to read one back. */
export interface Clusterer<Params = Record<string, unknown>, Model extends ClusterModel = ClusterModel> {
  /** Registry name ('kmeans', 'gmm', 'agglomerative', 'dbscan'). */
  readonly name: string;
  /** The `type` field of its models' toJSON() ('segmint.kmeans', ...). */
  readonly modelType: string;
  /** Whether the algorithm is told the number of clusters (option k), as chooseK needs. */
  readonly takesK: boolean;
  /** Option names fit accepts (the same as the public function's). */
  readonly parameters: readonly string[];
  /** Fits on a validated matrix, which it reads but neither copies nor modifies; params are validated. */
  fit(m: Matrix, params: Params): Model;
  /** Rebuilds a model from its toJSON() output (or that as a string). */
  fromJSON(json: unknown): Model;
}

/**
 * The preamble of every fromJSON: parses a string, checks type and version, and names
 * the model (`what`, e.g. 'K-Means model') in the error.
 */
export function readModelJSON<J extends ModelJSON>(json: J | string, type: J['type'], version: J['version'], what: string): J {
  const j: J = typeof json === 'string' ? JSON.parse(json) : json;
  if (j?.type !== type || j.version !== version) {
    throw new InvalidParameterError('json', `is not a segmint ${what} (expected type '${type}', version ${version})`);
  }
  return j;
}
