/**
 * One feature's statistics over data read in chunks, in memory independent of the row
 * count, for preprocessing that cannot hold the whole column (segmint segment --stream).
 *
 * Exact, in one pass: count, mean, second and third central moments of the observed
 * values (each chunk's moments computed in two passes over the chunk, then merged with
 * Chan et al.'s pairwise update, extended to the third moment by Terriberry/Pébay), the
 * same moments of log1p(value) (for the log transform, while no value is negative), min,
 * max and whether every value is 0 or 1. So z-scores, min-max, the mean imputation and
 * the skewness that decides the log transform are those prepareRecords() computes on the
 * whole column, up to floating-point rounding.
 *
 * Approximate, with a bound: medians (the default imputation) and the quartiles of robust
 * scaling come from a DDSketch (Masson, Rim and Lee, VLDB 2019; @datadog/sketches-js) with
 * relative accuracy QUANTILE_RELATIVE_ACCURACY: the value returned for quantile q is within
 * that fraction of the true q-quantile's value (|estimate - x_q| <= 0.005 |x_q|), whatever
 * the row count. After a log transform the quartiles are log1p of the sketch's, an
 * absolute error of at most 0.005 in log units.
 */
import { DDSketch } from '@datadog/sketches-js';

/** The relative accuracy of every quantile the streaming statistics report. */
export const QUANTILE_RELATIVE_ACCURACY = 0.005;

/** Count, mean and central moment sums M2 = sum (x - mean)^2 and M3 = sum (x - mean)^3. */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
  m3: number;
}

/** The moments of a and b together (Chan et al.; the M3 term from Pébay 2008). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  const mean = a.mean + (delta * b.n) / n;
  const m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  const m3 = a.m3 + b.m3 + (delta ** 3 * a.n * b.n * (a.n - b.n)) / (n * n) + (3 * delta * (a.n * b.m2 - b.n * a.m2)) / n;
  return { n, mean, m2, m3 };
}

/** The moments of the values `keep` accepts, in two passes over them (exact within the chunk). */
function chunkMoments(values: Float64Array, map: (v: number) => number): Moments {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    n++;
    sum += map(v);
  }
  if (n === 0) return { n: 0, mean: 0, m2: 0, m3: 0 };
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const d = map(v) - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  return { n, mean, m2, m3 };
}

const identity = (v: number): number => v;

/** Streaming statistics of one numeric feature; add() each chunk's column (NaN = missing). */
export class FeatureStream {
  /** Rows seen, missing ones included. */
  rows = 0;
  observed: Moments = { n: 0, mean: 0, m2: 0, m3: 0 };
  /** Moments of log1p(value); meaningful while `nonNegative`. */
  logged: Moments = { n: 0, mean: 0, m2: 0, m3: 0 };
  min = Infinity;
  max = -Infinity;
  binary = true;
  /** Global row of the first missing value, or -1. */
  firstMissing = -1;
  private readonly sketch = new DDSketch({ relativeAccuracy: QUANTILE_RELATIVE_ACCURACY });

  get nonNegative(): boolean {
    return this.observed.n > 0 && this.min >= 0;
  }

  get missing(): number {
    return this.rows - this.observed.n;
  }

  /** Folds in one chunk's values; `rowOffset` is the chunk's first global row. */
  add(values: Float64Array, rowOffset: number): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) {
        if (this.firstMissing < 0) this.firstMissing = rowOffset + i;
        continue;
      }
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (v !== 0 && v !== 1) this.binary = false;
      this.sketch.accept(v);
    }
    this.rows += values.length;
    this.observed = mergeMoments(this.observed, chunkMoments(values, identity));
    // log1p of a negative value is of no use: the log transform is off for the column then.
    if (this.min >= 0) this.logged = mergeMoments(this.logged, chunkMoments(values, Math.log1p));
  }

  /** Adjusted Fisher-Pearson skewness of the observed values, as observedStatsOf() computes it. */
  get skewness(): number {
    const { n, m2, m3 } = this.observed;
    if (n < 3 || !(m2 > 0)) return 0;
    return (Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / n / (m2 / n) ** 1.5);
  }

  /** The observed values' q-quantile, within QUANTILE_RELATIVE_ACCURACY of the true one. */
  quantile(q: number): number {
    return this.sketch.getValueAtQuantile(q);
  }

  /**
   * The finished model column's centre and spread: missing values set to `impute`, then
   * log1p when `log`. Quartiles come from the sketch, with the imputed values' weight added.
   */
  column(impute: number, log: boolean): { mean: number; std: number; min: number; max: number; quantile: (q: number) => number } {
    const missing = this.missing;
    const f = log ? Math.log1p : identity;
    const filled = f(impute);
    const base = log ? this.logged : this.observed;
    const all = mergeMoments(base, { n: missing, mean: filled, m2: 0, m3: 0 });
    let min = f(this.min);
    let max = f(this.max);
    if (missing > 0) {
      min = Math.min(min, filled);
      max = Math.max(max, filled);
    }
    if (base.n === 0) {
      min = filled;
      max = filled;
    }
    const sketch = this.sketch;
    const quantile = (q: number): number => {
      if (missing === 0) return f(sketch.getValueAtQuantile(q));
      const withMissing = new DDSketch({ relativeAccuracy: QUANTILE_RELATIVE_ACCURACY });
      withMissing.merge(sketch);
      withMissing.accept(impute, missing);
      return f(withMissing.getValueAtQuantile(q));
    };
    return { mean: all.mean, std: all.n > 0 ? Math.sqrt(all.m2 / all.n) : 0, min, max, quantile };
  }
}
