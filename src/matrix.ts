/**
 * Input matrices. Every public function takes a MatrixLike and validates it here, once,
 * at the boundary: kernels downstream assume a dense, finite, row-major Float64Array.
 */
import { InvalidParameterError } from './errors';

/** What public functions accept: rows of numbers, or a flat row-major buffer with its shape. */
export type MatrixLike = number[][] | { data: Float64Array | number[]; rows: number; cols: number };

/** A validated matrix: dense, finite, row-major, owned by whoever made it with toMatrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

function badValue(param: string, row: number, col: number, v: unknown): InvalidParameterError {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return new InvalidParameterError(param, `row ${row}, column ${col} is ${v}; values must be within +-${MAX_ABS_VALUE} (rescale the data)`);
  }
  const what = typeof v === 'number' ? `is ${describe(v)}` : `is ${describe(v)}, not a number`;
  return new InvalidParameterError(param, `row ${row}, column ${col} ${what}; every value must be a finite number`);
}

/**
 * Largest magnitude accepted: squared distances between values this size still fit in a
 * double (1e150^2 * features is far below 1.8e308), so no kernel can overflow to Infinity.
 */
export const MAX_ABS_VALUE = 1e150;

/** Index of the first NaN, +-Infinity or value beyond MAX_ABS_VALUE, or -1. Small and monomorphic so it stays fast. */
function firstNonFinite(data: Float64Array): number {
  const n = data.length;
  for (let i = 0; i < n; i++) {
    // One comparison: false for NaN, +-Infinity and anything beyond the limit.
    if (!(Math.abs(data[i]) <= MAX_ABS_VALUE)) return i;
  }
  return -1;
}

/**
 * Validates X as toMatrix does but, for { data: Float64Array, rows, cols }, returns the
 * caller's array itself instead of a copy: for functions that only read X and keep none
 * of it (kmeans(), the metrics), a million x 6 copy was 48 MB and ~25 ms of a fit.
 */
export function toMatrixView(X: MatrixLike, param = 'X'): Matrix {
  if (Array.isArray(X) || X === null || typeof X !== 'object' || !((X as { data?: unknown }).data instanceof Float64Array)) return toMatrix(X, param);
  const { rows, cols, data } = X as { rows: number; cols: number; data: Float64Array };
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1 || data.length !== rows * cols) return toMatrix(X, param);
  const bad = firstNonFinite(data);
  if (bad >= 0) throw badValue(param, Math.floor(bad / cols), bad % cols, data[bad]);
  return { data, rows, cols };
}

/** Validates X and returns a fresh row-major copy (callers may modify it). */
export function toMatrix(X: MatrixLike, param = 'X'): Matrix {
  if (Array.isArray(X)) {
    const rows = X.length;
    if (rows === 0) throw new InvalidParameterError(param, 'has no rows');
    const first = X[0];
    if (!Array.isArray(first) && !ArrayBuffer.isView(first)) {
      throw new InvalidParameterError(param, 'must be an array of rows (number[][]) or { data, rows, cols }');
    }
    const cols = first.length;
    if (cols === 0) throw new InvalidParameterError(param, 'rows have no columns');
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = X[i];
      if (!Array.isArray(row) && !ArrayBuffer.isView(row)) {
        throw new InvalidParameterError(param, `row ${i} is ${describe(row)}, not an array`);
      }
      if (row.length !== cols) {
        throw new InvalidParameterError(param, `row ${i} has ${row.length} values but row 0 has ${cols} (ragged rows)`);
      }
      const off = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number' || !Number.isFinite(v) || v > MAX_ABS_VALUE || v < -MAX_ABS_VALUE) throw badValue(param, i, j, v);
        data[off + j] = v;
      }
    }
    return { data, rows, cols };
  }
  if (X === null || typeof X !== 'object' || !('data' in X)) {
    throw new InvalidParameterError(param, 'must be an array of rows (number[][]) or { data, rows, cols }');
  }
  const { rows, cols, data: src } = X;
  if (!Number.isInteger(rows) || rows < 0) throw new InvalidParameterError(`${param}.rows`, `must be a non-negative integer, got ${describe(rows)}`);
  if (rows === 0) throw new InvalidParameterError(param, 'has no rows');
  if (!Number.isInteger(cols) || cols < 1) throw new InvalidParameterError(`${param}.cols`, `must be a positive integer, got ${describe(cols)}`);
  if (!src || typeof (src as ArrayLike<number>).length !== 'number') {
    throw new InvalidParameterError(`${param}.data`, 'must be a Float64Array or number[]');
  }
  if (src.length !== rows * cols) {
    throw new InvalidParameterError(`${param}.data`, `has ${src.length} values but rows * cols = ${rows * cols}`);
  }
  // A typed array is copied with one memcpy; Float64Array.from turns non-numbers in a
  // plain array into NaN, so one finiteness check covers both.
  const data = src instanceof Float64Array ? new Float64Array(src) : Float64Array.from(src as ArrayLike<number>);
  const bad = firstNonFinite(data);
  if (bad >= 0) throw badValue(param, Math.floor(bad / cols), bad % cols, (src as ArrayLike<unknown>)[bad]);
  return { data, rows, cols };
}

/** Validates per-row weights: n finite, non-negative values with a positive sum. */
export function toWeights(w: ArrayLike<number> | undefined, n: number, param = 'sampleWeight'): Float64Array | undefined {
  if (w === undefined) return undefined;
  if (w === null || typeof w.length !== 'number') throw new InvalidParameterError(param, 'must be an array of numbers');
  if (w.length !== n) throw new InvalidParameterError(param, `has ${w.length} values but X has ${n} rows`);
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InvalidParameterError(param, `value ${i} is ${describe(v)}; weights must be finite and >= 0`);
    }
    out[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new InvalidParameterError(param, 'all weights are 0');
  return out;
}

/** Mean of every column of m. */
export function columnMeans(m: Matrix): Float64Array {
  const { data, rows, cols } = m;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** Subtracts `center` from every row, in place. */
export function subtractRow(m: Matrix, center: Float64Array): void {
  const { data, rows, cols } = m;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] -= center[j];
}

/** Distinct rows of m, counting no further than `limit` (stops early: usually after `limit` rows). */
export function countDistinctRows(m: Matrix, limit: number): number {
  const seen = new Set<string>();
  const { data, rows, cols } = m;
  for (let i = 0; i < rows && seen.size < limit; i++) {
    seen.add(Array.prototype.join.call(data.subarray(i * cols, (i + 1) * cols), ','));
  }
  return seen.size;
}

/**
 * Mean row of each group: means[g * cols + j] for labels 0..k-1. Negative labels
 * (noise) belong to no group; an empty group's mean is 0 and its count 0.
 */
export function groupMeans(m: Matrix, labels: ArrayLike<number>, k: number): { means: Float64Array; counts: Float64Array } {
  const { data, rows, cols } = m;
  const means = new Float64Array(k * cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    counts[l]++;
    for (let j = 0; j < cols; j++) means[l * cols + j] += data[i * cols + j];
  }
  for (let g = 0; g < k; g++) {
    if (counts[g] === 0) continue;
    for (let j = 0; j < cols; j++) means[g * cols + j] /= counts[g];
  }
  return { means, counts };
}

/**
 * The given rows of m, copied in that order, value by value: a subarray and a set() per
 * row cost 55 ms for 200,000 rows of a million (an object each), the plain loop ~15.
 */
export function rowsOf(m: Matrix, rows: ArrayLike<number>): Matrix {
  const d = m.cols;
  const src = m.data;
  const data = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i] * d;
    const to = i * d;
    for (let f = 0; f < d; f++) data[to + f] = src[from + f];
  }
  return { data, rows: rows.length, cols: d };
}
