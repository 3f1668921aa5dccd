/**
 * Segment profiles: per segment and feature, statistics in the customer's own units, the
 * segment's offset from the whole population as a z-score, and the business label and
 * description (labels.ts).
 *
 * Statistics conventions (fixed here so users can reproduce them):
 * - Missing values (NaN, and non-finite values, which prep should never produce) are left
 *   out of every statistic and counted in `missing`; `observed + missing = size`.
 * - std is the sample standard deviation (ddof = 1), as pandas' describe() reports it;
 *   a single observed value has std 0 (no spread seen) rather than undefined.
 * - The median of an even count is the mean of the two middle values.
 * - z = (segment mean - overall mean) / overall std, where "overall" is every customer,
 *   DBSCAN noise included, and the overall std is also ddof = 1. z is 0 when the overall
 *   std is 0 or the segment has no observed value.
 * - A segment with no observed value of a feature reports null for mean, median, std,
 *   min, max and for `avg_<feature>` in characteristics, so the JSON never holds NaN.
 * - characteristics names the mean of a field `total_<x>` twice: `avg_total_<x>` and, as
 *   the reference's response does (`avg_purchases` for `total_purchases`), `avg_<x>`,
 *   unless the data also has a field `<x>` (whose own mean that name would seem to be).
 */
import { InvalidParameterError } from '../errors';
import { median } from '../stats';
import type { Locale } from '../i18n/index';
import { readSegments, type BaseReading, type BusinessLabelKey, type LabelKey, type SegmentReadingInput } from './labels';
import type { FeatureRole } from './roles';

/** One feature's statistics in one segment. */
export interface FeatureProfile {
  /** Mean over observed values; null when the segment has none (same for median..max). */
  mean: number | null;
  median: number | null;
  /** Sample standard deviation (ddof = 1); 0 for a single observed value. */
  std: number | null;
  min: number | null;
  max: number | null;
  /** (segment mean - base mean) / base std; 0 when base std is 0 or nothing was observed. */
  z: number;
  observed: number;
  missing: number;
}

/** One segment: size, characteristics, per-feature profile, label and description. */
export interface SegmentProfile {
  segmentId: number;
  size: number;
  /** size / number of customers (noise included). */
  share: number;
  /** `avg_${feature}`: mean over observed values, in the customer's own units; null when none was observed. */
  characteristics: Record<string, number | null>;
  profile: Record<string, FeatureProfile>;
  label: string;
  labelKey: LabelKey;
  description: string;
  /** Score of each business label the data's roles allow (see labels.ts); empty for outliers. */
  labelScores?: Partial<Record<BusinessLabelKey, number>>;
}

interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
  count: number;
}

/** Mean, ddof=1 std (two passes: stable for large offsets), min and max of values[0..count). */
function summarize(values: Float64Array, count: number): Summary {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < count; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  const std = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
  return { mean, std, min, max, count };
}

/** Segment ids ascending, DBSCAN noise (-1) last. */
function orderedSegmentIds(labels: Int32Array): number[] {
  const ids = [...new Set(labels)];
  return ids.sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
}

/**
 * columns[f] is a Float64Array of length n in original units with NaN for missing values;
 * labels[i] is the segment of customer i (-1 = DBSCAN noise -> the Outliers segment).
 * Returns one profile per segment id, sorted by id, -1 last. Never NaN in the output.
 */
export function profileSegments(
  columns: Record<string, Float64Array>,
  features: string[],
  labels: Int32Array,
  roles: Record<string, FeatureRole | undefined>,
  locale: Locale,
  /** Every field of the data (features or not), so `avg_<x>` never shadows a field `<x>`. */
  dataFields: readonly string[] = features,
): SegmentProfile[] {
  const n = labels.length;
  for (const f of features) {
    const col = columns[f];
    if (!(col instanceof Float64Array)) throw new InvalidParameterError('columns', `no Float64Array column for feature '${f}'`);
    if (col.length !== n) throw new InvalidParameterError('columns', `column '${f}' has ${col.length} values for ${n} labels`);
  }
  if (n === 0) return [];

  const ids = orderedSegmentIds(labels);
  const slot = new Map(ids.map((id, s) => [id, s]));
  // Members of each segment, laid out contiguously (counting sort by segment).
  const starts = new Int32Array(ids.length + 1);
  for (let i = 0; i < n; i++) starts[slot.get(labels[i])! + 1]++;
  for (let s = 0; s < ids.length; s++) starts[s + 1] += starts[s];
  const members = new Int32Array(n);
  const fill = starts.slice(0, ids.length);
  for (let i = 0; i < n; i++) members[fill[slot.get(labels[i])!]++] = i;

  const scratch = new Float64Array(n);
  const profiles: Record<string, FeatureProfile>[] = ids.map(() => ({}));
  const base: Record<string, BaseReading> = {};

  for (const f of features) {
    const col = columns[f];
    let count = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(col[i])) scratch[count++] = col[i];
    const all = count > 0 ? summarize(scratch, count) : undefined;
    if (all !== undefined) base[f] = { mean: all.mean, min: all.min };

    for (let s = 0; s < ids.length; s++) {
      const size = starts[s + 1] - starts[s];
      let observed = 0;
      for (let m = starts[s]; m < starts[s + 1]; m++) {
        const v = col[members[m]];
        if (Number.isFinite(v)) scratch[observed++] = v;
      }
      if (observed === 0) {
        profiles[s][f] = { mean: null, median: null, std: null, min: null, max: null, z: 0, observed: 0, missing: size };
        continue;
      }
      const seg = summarize(scratch, observed);
      const z = all !== undefined && all.std > 0 && Number.isFinite(all.std) ? (seg.mean - all.mean) / all.std : 0;
      profiles[s][f] = {
        mean: seg.mean,
        median: median(scratch, observed),
        std: seg.std,
        min: seg.min,
        max: seg.max,
        z: Number.isFinite(z) ? z : 0,
        observed,
        missing: size - observed,
      };
    }
  }

  const readingInputs: SegmentReadingInput[] = ids.map((id, s) => ({
    segmentId: id,
    features: Object.fromEntries(features.map((f) => [f, { mean: profiles[s][f].mean, z: profiles[s][f].z }])),
  }));
  const readings = readSegments(readingInputs, features, roles, base, locale);

  const taken = new Set([...dataFields, ...features]);
  const shortNames = features.map((f) => {
    const short = f.startsWith('total_') ? f.slice('total_'.length) : '';
    return short !== '' && !taken.has(short) ? `avg_${short}` : undefined;
  });
  return ids.map((id, s) => {
    const size = starts[s + 1] - starts[s];
    const characteristics: Record<string, number | null> = {};
    features.forEach((f, j) => {
      characteristics[`avg_${f}`] = profiles[s][f].mean;
      const short = shortNames[j];
      if (short !== undefined) characteristics[short] = profiles[s][f].mean;
    });
    const r = readings[s];
    return {
      segmentId: id,
      size,
      share: size / n,
      characteristics,
      profile: profiles[s],
      label: r.label,
      labelKey: r.labelKey,
      description: r.description,
      labelScores: r.scores,
    };
  });
}
