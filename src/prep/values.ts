/**
 * Reading values: what counts as a number or as missing, and the statistics of a column's
 * observed values that imputation, the log transform and scaling are decided on.
 */
import { median as medianOf } from '../stats';

const MISSING_STRINGS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?']);

/** A number, NaN for a missing value, or undefined for a value that is not numeric. */
export function parseNumeric(v: unknown): number | undefined {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? NaN : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (MISSING_STRINGS.has(s.toLowerCase())) return NaN;
    // Plain decimal numbers only: "1e3" and "12.5" yes, "0x1F", "12 apples" no.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    const x = Number(s);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

/** Median of sorted values (mean of the two middle ones for an even count). */
export function sortedMedian(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Linear-interpolated quantile of sorted values (numpy's default), as RobustScaler uses. */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median of the non-NaN values (quickselect: a full sort of 100k values per column cost more than the rest of prep). */
export function observedMedian(col: Float64Array, count: number): number {
  const a = new Float64Array(count);
  let p = 0;
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i])) a[p++] = col[i];
  return medianOf(a, count);
}

/** What observedStats() finds in a column. */
export interface ObservedStats {
  count: number;
  mean: number;
  min: number;
  binary: boolean;
  /** Adjusted Fisher-Pearson skewness (0 for fewer than 3 values or no spread). */
  skewness: number;
}

/** Statistics of the observed (non-NaN) values in two passes, without sorting. */
export function observedStats(col: Float64Array): ObservedStats {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let binary = true;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v !== 0 && v !== 1) binary = false;
  }
  const mean = count > 0 ? sum / count : NaN;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (Number.isNaN(v)) continue;
    const dlt = v - mean;
    m2 += dlt * dlt;
    m3 += dlt * dlt * dlt;
  }
  let skewness = 0;
  if (count >= 3 && m2 > 0) {
    m2 /= count;
    m3 /= count;
    skewness = (Math.sqrt(count * (count - 1)) / (count - 2)) * (m3 / m2 ** 1.5);
  }
  return { count, mean, min, binary, skewness };
}

/** Skewness above which 'auto' log-transforms a non-negative feature. */
export const SKEW_THRESHOLD = 1;
