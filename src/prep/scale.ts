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
  modelColumns.forEach((values, c) => {
    const t = transforms[c];
    let min = Infinity;
    let max = -Infinity;
    let mean = 0;
    // Indexed loops: a million customers per column, and iterators cost here.
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
      mean += v;
    }
    mean /= n;
    if (max === min) {
      dropped.push(t.name);
      return;
    }
    if (scaling === 'zscore') {
      let ss = 0;
      for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
      t.center = mean;
      t.scale = Math.sqrt(ss / n);
    } else if (scaling === 'robust') {
      const sorted = Float64Array.from(values).sort();
      const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
      t.center = sortedMedian(sorted);
      // scikit-learn's RobustScaler leaves a zero-IQR column unscaled.
      t.scale = iqr > 0 ? iqr : 1;
    } else if (scaling === 'minmax') {
      t.center = min;
      t.scale = max - min;
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
