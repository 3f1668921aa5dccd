/**
 * Cluster labels as the metrics take them: one integer per row of X, any values
 * (they are compacted to 0..k-1 in increasing order, as scikit-learn's LabelEncoder
 * does), negative values meaning noise (DBSCAN's -1). Noise rows are left out of every
 * metric, as if they were not in X: a noise "cluster" is no cluster, and counting it
 * would reward or punish a clustering for points it declined to place.
 */
import { InvalidParameterError } from '../errors';

/** Labels with noise dropped and clusters renumbered 0..k-1. */
export interface CompactLabels {
  /** Indices (into X) of the labelled rows, ascending. */
  rows: Int32Array;
  /** Cluster of each labelled row, 0..k-1. */
  codes: Int32Array;
  /** Number of distinct non-negative labels. */
  k: number;
  /** Rows left out as noise. */
  nNoise: number;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  return v === undefined ? 'undefined' : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

/** Validates labels against n rows, drops noise and compacts the rest to 0..k-1. */
export function compactLabels(labels: ArrayLike<number>, n: number, param = 'labels'): CompactLabels {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new InvalidParameterError(param, 'must be an array of integers (one cluster label per row of X)');
  }
  if (labels.length !== n) throw new InvalidParameterError(param, `has ${labels.length} values but X has ${n} rows`);
  let kept = 0;
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new InvalidParameterError(param, `value ${i} is ${describe(v)}; labels must be integers (negative = noise)`);
    }
    if (v >= 0) {
      kept++;
      if (v > maxLabel) maxLabel = v;
    }
  }
  const rows = new Int32Array(kept);
  const codes = new Int32Array(kept);
  // Dense labels (the usual 0..k-1) map through an array; sparse ones through a sorted Map.
  let codeOf: (v: number) => number;
  let k: number;
  if (maxLabel < 4 * n + 1024) {
    const table = new Int32Array(maxLabel + 1).fill(-1);
    for (let i = 0; i < n; i++) if (labels[i] >= 0) table[labels[i]] = 0;
    k = 0;
    for (let v = 0; v <= maxLabel; v++) if (table[v] === 0) table[v] = k++ + 1;
    codeOf = (v) => table[v] - 1;
  } else {
    const distinct = [...new Set(Array.from(labels).filter((v) => v >= 0))].sort((a, b) => a - b);
    const map = new Map(distinct.map((v, c) => [v, c]));
    k = distinct.length;
    codeOf = (v) => map.get(v)!;
  }
  let p = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v < 0) continue;
    rows[p] = i;
    codes[p++] = codeOf(v);
  }
  return { rows, codes, k, nNoise: n - kept };
}

/**
 * A seeded sample of labelled rows holds too few (or too many) of the clusters to be
 * scored: not bad input as such, so callers can react (chooseK skips that k, the service
 * falls back to the exact score). `parameter` is 'sampleSize', `code` says which case.
 */
export class SampleMissesClustersError extends InvalidParameterError {
  readonly code = 'SAMPLE_MISSES_CLUSTERS';
  /** The numbers the message was built from. */
  readonly values: Record<string, number>;
  constructor(message: string, values: Record<string, number>) {
    super('sampleSize', message);
    this.name = 'SampleMissesClustersError';
    this.values = values;
  }
}

/** Why k clusters among n labelled rows cannot be scored (scikit-learn: 2 to n-1 clusters), or null when they can. */
export function clusterCountProblem(k: number, n: number, fn: string, context = ''): string | null {
  if (k >= 2 && k <= n - 1) return null;
  return (
    `${fn} needs between 2 and n-1 distinct labels${context}, but there ${k === 1 ? 'is' : 'are'} ${k} distinct label${k === 1 ? '' : 's'} among ${n} labelled rows` +
    (n === 0 ? ' (every row is noise: labels are all negative)' : '')
  );
}

/** Throws clusterCountProblem's message as an error naming `param`. */
export function checkClusterCount(k: number, n: number, fn: string, param = 'labels', context = ''): void {
  const problem = clusterCountProblem(k, n, fn, context);
  if (problem) throw new InvalidParameterError(param, problem);
}
