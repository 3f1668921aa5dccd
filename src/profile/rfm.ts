/**
 * RFM names: each customer gets a recency score R and frequency/monetary scores F and M,
 * 1 to 5, the quintile of their own value among all customers (recency is days since the
 * last purchase, so fewer days score higher: R = 6 - quintile). A segment's scores are its
 * members' mean scores; its name comes from the cell (round(R), round((F + M) / 2)) of the
 * usual R x FM grid.
 *
 * The grid is the widely used "RFM segmentation map" (the R-vs-F regex map of the Python
 * RFM tutorials, e.g. `seg_map = {r'[1-2][1-2]': 'Hibernating', r'[1-2][3-4]': 'At Risk',
 * r'[1-2]5': "Can't Lose Them", r'3[1-2]': 'About to Sleep', r'33': 'Need Attention',
 * r'[3-4][4-5]': 'Loyal Customers', r'41': 'Promising', r'51': 'New Customers',
 * r'[4-5][2-3]': 'Potential Loyalists', r'5[4-5]': 'Champions'}`), which follows Putler's
 * RFM chart; Putler's eleventh segment, Lost, is the worst corner cell (R 1, FM 1) carved
 * out of Hibernating. Rows are R, columns FM:
 *
 *   R\FM   1               2                    3                    4                5
 *   5      new_customers   potential_loyalists  potential_loyalists  champions        champions
 *   4      promising       potential_loyalists  potential_loyalists  loyal_customers  loyal_customers
 *   3      about_to_sleep  about_to_sleep       need_attention       loyal_customers  loyal_customers
 *   2      hibernating     hibernating          at_risk              at_risk          cant_lose_them
 *   1      lost            hibernating          at_risk              at_risk          cant_lose_them
 *
 * Quintile of a value v among the N observed values: p = (#values < v + #values == v / 2) / N
 * (the mid-rank, so equal values score alike), score = min(5, floor(5p) + 1). Missing values
 * get no score and are left out of the segment means. Several features of one role: a
 * segment's role score is the mean of those features' segment means.
 */
import type { FeatureRole } from './roles';

/** The eleven RFM segment names (label keys), best first. */
export type RfmLabelKey =
  | 'champions'
  | 'loyal_customers'
  | 'potential_loyalists'
  | 'new_customers'
  | 'promising'
  | 'need_attention'
  | 'about_to_sleep'
  | 'at_risk'
  | 'cant_lose_them'
  | 'hibernating'
  | 'lost';

/** RFM_GRID[R - 1][FM - 1]: the table at the top, bottom row (R = 1) first. */
export const RFM_GRID: readonly (readonly RfmLabelKey[])[] = [
  ['lost', 'hibernating', 'at_risk', 'at_risk', 'cant_lose_them'],
  ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose_them'],
  ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal_customers', 'loyal_customers'],
  ['promising', 'potential_loyalists', 'potential_loyalists', 'loyal_customers', 'loyal_customers'],
  ['new_customers', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
];

/** A segment's mean RFM scores (1..5) and its grid name. */
export interface RfmReading {
  recency: number;
  frequency: number;
  monetary: number;
  labelKey: RfmLabelKey;
}

const clampScore = (x: number): number => Math.min(5, Math.max(1, Math.round(x)));

/** The grid name of mean scores R and FM (rounded half up, clamped to 1..5). */
export function rfmCell(r: number, fm: number): RfmLabelKey {
  return RFM_GRID[clampScore(r) - 1][clampScore(fm) - 1];
}

/** True when the roles include recency, frequency and monetary. */
export function hasRfmRoles(features: string[], roles: Record<string, FeatureRole | undefined>): boolean {
  const present = new Set(features.map((f) => roles[f]));
  return present.has('recency') && present.has('frequency') && present.has('monetary');
}

/** Quintile scores 1..5 of every value of col (NaN stays NaN), as documented at the top. */
export function quintileScores(col: Float64Array): Float64Array {
  const sorted = col.filter((v) => Number.isFinite(v)).sort();
  const n = sorted.length;
  // The score only grows with the value, so four cut values decide it: cuts[s - 1] is the
  // smallest value scoring above s (a scan of the sorted runs; no per-customer search).
  const cuts = [Infinity, Infinity, Infinity, Infinity];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    const score = Math.min(5, Math.floor((5 * (start + (end - start) / 2)) / n) + 1);
    for (let c = 0; c < score - 1; c++) if (cuts[c] === Infinity) cuts[c] = sorted[start];
    start = end;
  }
  const [c1, c2, c3, c4] = cuts;
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    out[i] = Number.isFinite(v) ? 1 + (v >= c1 ? 1 : 0) + (v >= c2 ? 1 : 0) + (v >= c3 ? 1 : 0) + (v >= c4 ? 1 : 0) : Number.NaN;
  }
  return out;
}

/**
 * Mean R, F and M scores and the grid name of every segment. members[starts[s]..starts[s+1])
 * are the rows of segment s. Segments with no scored member of a role get 3 (the middle).
 */
export function readRfm(
  columns: Record<string, Float64Array>,
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  members: Int32Array,
  starts: Int32Array,
): RfmReading[] {
  const segments = starts.length - 1;
  const perRole: Record<'recency' | 'frequency' | 'monetary', number[][]> = { recency: [], frequency: [], monetary: [] };
  for (const f of features) {
    const role = roles[f];
    if (role !== 'recency' && role !== 'frequency' && role !== 'monetary') continue;
    const scores = quintileScores(columns[f]);
    const means: number[] = [];
    for (let s = 0; s < segments; s++) {
      let sum = 0;
      let count = 0;
      for (let m = starts[s]; m < starts[s + 1]; m++) {
        const v = scores[members[m]];
        if (Number.isFinite(v)) {
          sum += role === 'recency' ? 6 - v : v;
          count++;
        }
      }
      means.push(count > 0 ? sum / count : Number.NaN);
    }
    perRole[role].push(means);
  }
  const roleMean = (role: 'recency' | 'frequency' | 'monetary', s: number): number => {
    const xs = perRole[role].map((means) => means[s]).filter((x) => Number.isFinite(x));
    return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 3;
  };
  return Array.from({ length: segments }, (_, s) => {
    const recency = roleMean('recency', s);
    const frequency = roleMean('frequency', s);
    const monetary = roleMean('monetary', s);
    return { recency, frequency, monetary, labelKey: rfmCell(recency, (frequency + monetary) / 2) };
  });
}
