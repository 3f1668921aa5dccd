/**
 * Scaling of the model columns, fitted on the training customers: each column gets the
 * centre and scale its FeatureTransform records, so that assignSegments applies the same
 * numbers to new customers. Constant columns are dropped: they carry no information and
 * break z-scores.
 */
import type { Matrix } from '../matrix';
import type { FeatureTransform, Scaling } from './records';
import { quantile, sortedMedian } from './values';

/** Fits transforms[c].center/scale for every column; returns the indices kept, and pushes the names dropped onto `dropped`. */
export function fitScaling(modelColumns: Float64Array[], transforms: FeatureTransform[], scaling: Scaling, n: number, dropped: string[]): number[] {
  const kept: number[] = [];
  const ranges = columnRanges(modelColumns);
  const varying = modelColumns.map((_, c) => c).filter((c) => ranges.max[c] !== ranges.min[c]);
  const means = new Float64Array(modelColumns.length);
  for (const c of varying) means[c] = ranges.sum[c]! / n;
  const squares =
    scaling === 'zscore'
      ? squaredDeviations(
          varying.map((c) => modelColumns[c]!),
          Float64Array.from(varying, (c) => means[c]!),
        )
      : null;
  let v = 0;
  modelColumns.forEach((values, c) => {
    const t = transforms[c];
    if (ranges.max[c] === ranges.min[c]) {
      dropped.push(t.name);
      return;
    }
    const mean = means[c]!;
    if (scaling === 'zscore') {
      t.center = mean;
      t.scale = Math.sqrt(squares![v++]! / n);
    } else if (scaling === 'robust') {
      const sorted = Float64Array.from(values).sort();
      const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
      t.center = sortedMedian(sorted);
      // scikit-learn's RobustScaler leaves a zero-IQR column unscaled.
      t.scale = iqr > 0 ? iqr : 1;
    } else if (scaling === 'minmax') {
      t.center = ranges.min[c]!;
      t.scale = ranges.max[c]! - ranges.min[c]!;
    }
    // A spread too small (or values too large) for doubles would scale to 0 or Infinity:
    // for the model such a column is as good as constant.
    if (!(t.scale > 0) || !Number.isFinite(t.scale) || !Number.isFinite(t.center)) {
      dropped.push(t.name);
      return;
    }
    kept.push(c);
  });
  return kept;
}

/*
 * The sums below run over four columns per pass: each column's sum is added in its own
 * order (the same bits as one column at a time), and the four chains of additions
 * overlap instead of each waiting ~3 ns per add (see observedStatsOf). A short last group
 * repeats its first column and drops the repeats.
 */

/** Minimum, maximum and sum of every column (no missing values: these are model columns). */
function columnRanges(cols: Float64Array[]): { min: Float64Array; max: Float64Array; sum: Float64Array } {
  const min = new Float64Array(cols.length);
  const max = new Float64Array(cols.length);
  const sum = new Float64Array(cols.length);
  for (let g = 0; g < cols.length; g += 4) {
    const at = (j: number) => cols[g + j < cols.length ? g + j : g]!;
    const a = at(0);
    const b = at(1);
    const c = at(2);
    const d = at(3);
    let lo0 = Infinity,
      lo1 = Infinity,
      lo2 = Infinity,
      lo3 = Infinity;
    let hi0 = -Infinity,
      hi1 = -Infinity,
      hi2 = -Infinity,
      hi3 = -Infinity;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let i = 0; i < a.length; i++) {
      const x0 = a[i]!;
      const x1 = b[i]!;
      const x2 = c[i]!;
      const x3 = d[i]!;
      if (x0 < lo0) lo0 = x0;
      if (x1 < lo1) lo1 = x1;
      if (x2 < lo2) lo2 = x2;
      if (x3 < lo3) lo3 = x3;
      if (x0 > hi0) hi0 = x0;
      if (x1 > hi1) hi1 = x1;
      if (x2 > hi2) hi2 = x2;
      if (x3 > hi3) hi3 = x3;
      s0 += x0;
      s1 += x1;
      s2 += x2;
      s3 += x3;
    }
    const four = [
      [lo0, hi0, s0],
      [lo1, hi1, s1],
      [lo2, hi2, s2],
      [lo3, hi3, s3],
    ];
    for (let j = 0; j < 4 && g + j < cols.length; j++) [min[g + j], max[g + j], sum[g + j]] = four[j]!;
  }
  return { min, max, sum };
}

/** Sum of (x - means[j])^2 over column j, for every column. */
function squaredDeviations(cols: Float64Array[], means: Float64Array): Float64Array {
  const out = new Float64Array(cols.length);
  for (let g = 0; g < cols.length; g += 4) {
    const j = (k: number) => (g + k < cols.length ? g + k : g);
    const a = cols[j(0)]!;
    const b = cols[j(1)]!;
    const c = cols[j(2)]!;
    const d = cols[j(3)]!;
    const m0 = means[j(0)]!;
    const m1 = means[j(1)]!;
    const m2 = means[j(2)]!;
    const m3 = means[j(3)]!;
    let q0 = 0,
      q1 = 0,
      q2 = 0,
      q3 = 0;
    for (let i = 0; i < a.length; i++) {
      q0 += (a[i]! - m0) ** 2;
      q1 += (b[i]! - m1) ** 2;
      q2 += (c[i]! - m2) ** 2;
      q3 += (d[i]! - m3) ** 2;
    }
    const four = [q0, q1, q2, q3];
    for (let k = 0; k < 4 && g + k < cols.length; k++) out[g + k] = four[k]!;
  }
  return out;
}

/** The model matrix, row-major: the kept columns centred and scaled. */
export function scaledMatrix(modelColumns: Float64Array[], transforms: FeatureTransform[], kept: number[], n: number): Matrix {
  const d = kept.length;
  const matrix = new Float64Array(n * d);
  const columns = kept.map((c) => modelColumns[c]);
  const centers = Float64Array.from(kept, (c) => transforms[c].center);
  const scales = Float64Array.from(kept, (c) => transforms[c].scale);
  // Row by row: each row's cache line is written once, not once per column.
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) matrix[row + j] = (columns[j][i] - centers[j]) / scales[j];
  }
  return { data: matrix, rows: n, cols: d };
}
