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
import { GENERIC_MIN_EFFECT, readSegments, type BaseReading, type BusinessLabelKey, type LabelKey, type LabelScheme, type SegmentReadingInput } from './labels';
import { hasRfmRoles, readRfm } from './rfm';
import type { FeatureRole } from './roles';

/**
 * One feature that sets a segment apart: Cohen's d of the segment against every other
 * customer, d = (mean_s - mean_rest) / pooled SD, pooled SD = sqrt((SS_s + SS_rest) / (n_s + n_rest - 2))
 * over observed values in the customer's units. effect follows Cohen's convention:
 * |d| < 0.2 negligible, < 0.5 small, < 0.8 medium, else large.
 */
export interface Driver {
  feature: string;
  role: FeatureRole | null;
  direction: 'higher' | 'lower';
  d: number;
  effect: 'negligible' | 'small' | 'medium' | 'large';
  segment_mean: number;
  rest_mean: number;
}

/** At most this many drivers per segment, each with |d| >= GENERIC_MIN_EFFECT. */
export const MAX_DRIVERS = 5;

/** What profileSegments is asked for beyond the statistics. */
export interface ProfileOptions {
  /** Label names: 'business' or 'rfm'; default chooseLabelScheme(). */
  labels?: LabelScheme;
  /** Text features as codes into their categories (-1 = missing): profiled as distributions per segment. */
  categorical?: Record<string, { categories: string[]; codes: Int32Array }>;
  /** Whether the categorical features also name segments ("Mostly channel = mobile"): the mixed path, where the model used them. */
  categoricalLabels?: boolean;
}

/** Values a categorical profile lists by name; the rest are summed in other_share. */
export const MAX_PROFILE_CATEGORIES = 5;

/**
 * One categorical feature in one segment: its most common values and their shares of the
 * segment's members (count / size), the rest summed in other_share, missing values apart,
 * so that the shares of top, other_share and missing_share add up to 1.
 */
export interface CategoryProfile {
  /** Up to MAX_PROFILE_CATEGORIES values, most common first (ties: the categories' sorted order). */
  top: { value: string; count: number; share: number }[];
  /** Share of the members with an observed value not in top. */
  other_share: number;
  /** Members with no value, and their share. */
  missing: number;
  missing_share: number;
  observed: number;
}

/**
 * The value of a categorical feature most over-represented in a segment, by Cohen's h
 * (2 asin sqrt(p_segment) - 2 asin sqrt(p_rest), the effect size of a difference of
 * proportions, read with Cohen's thresholds as d), over the members with a value.
 */
export interface CategoryDriver {
  feature: string;
  value: string;
  /** Share of the segment with the value (missing members counted in the denominator). */
  share: number;
  rest_share: number;
  h: number;
  effect: 'negligible' | 'small' | 'medium' | 'large';
}

/**
 * The default label scheme: RFM names when the roles are exactly the RFM model's
 * (recency, frequency and monetary present, no engagement or discount feature, which RFM
 * names would ignore); business labels otherwise.
 */
export function chooseLabelScheme(features: string[], roles: Record<string, FeatureRole | undefined>): LabelScheme {
  const present = new Set(features.map((f) => roles[f]));
  return hasRfmRoles(features, roles) && !present.has('engagement') && !present.has('discount') ? 'rfm' : 'business';
}

const effectWord = (d: number): Driver['effect'] => {
  const a = Math.abs(d);
  return a < 0.2 ? 'negligible' : a < 0.5 ? 'small' : a < 0.8 ? 'medium' : 'large';
};

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
  /** Recommended action, localized. */
  action: string;
  /** The label before it was qualified to be unique, and the qualifier (null when none was needed). */
  baseLabel: string;
  qualifier: string | null;
  labelScheme: LabelScheme;
  /** Mean RFM quintile scores (1..5) of the members; present with RFM labels. */
  rfm?: { recency: number; frequency: number; monetary: number };
  /** Features that set the segment apart, strongest first (see Driver). */
  drivers: Driver[];
  /** Each categorical feature's distribution in the segment (see CategoryProfile). */
  categories?: Record<string, CategoryProfile>;
  /** Per categorical feature, its most over-represented value, strongest first; only those with h >= GENERIC_MIN_EFFECT. */
  categoryDrivers?: CategoryDriver[];
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

/**
 * The finite values of col at rows[from..to) (or at from..to when rows is null), packed
 * into scratch; returns how many. A function of its own, called once per feature and
 * segment, so V8 optimises it early: inline in profileSegments these loops ran
 * unoptimised for ~15 ns a value (90 ms of 340 at a million customers).
 */
function gatherFinite(col: Float64Array, rows: Int32Array | null, from: number, to: number, scratch: Float64Array): number {
  let count = 0;
  if (rows === null) {
    for (let i = from; i < to; i++) {
      const v = col[i]!;
      if (v - v === 0) scratch[count++] = v;
    }
  } else {
    for (let m = from; m < to; m++) {
      const v = col[rows[m]!]!;
      if (v - v === 0) scratch[count++] = v;
    }
  }
  return count;
}

/**
 * Each row's position in `ids`. The segments' ids are -1 and small integers, looked up in
 * an array (a million rows through a Map cost more than the profiles themselves); any
 * other labels a caller gives go through a Map.
 */
function rowSlots(labels: Int32Array, ids: number[]): Int32Array {
  const out = new Int32Array(labels.length);
  let lo = 0;
  let hi = 0;
  for (const id of ids) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  if (lo >= -1 && hi < 1 << 16) {
    const slotOf = new Int32Array(hi + 2);
    ids.forEach((id, s) => {
      slotOf[id + 1] = s;
    });
    for (let i = 0; i < labels.length; i++) out[i] = slotOf[labels[i] + 1];
  } else {
    const slot = new Map(ids.map((id, s) => [id, s]));
    for (let i = 0; i < labels.length; i++) out[i] = slot.get(labels[i])!;
  }
  return out;
}

/** Segment ids ascending, DBSCAN noise (-1) last. */
function orderedSegmentIds(labels: Int32Array): number[] {
  // The segments' ids are -1 and small integers: a presence table (a Set.add per row was
  // 15 ms at a million customers); other labels a caller gives go through a Set.
  const TABLE = 1 << 16;
  const present = new Uint8Array(TABLE + 1);
  let others: Set<number> | undefined;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l >= -1 && l < TABLE) present[l + 1] = 1;
    else {
      others ??= new Set();
      others.add(l);
    }
  }
  const ids: number[] = others ? [...others] : [];
  for (let l = 0; l < TABLE; l++) if (present[l + 1]) ids.push(l);
  if (present[0]) ids.push(-1);
  return ids.sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
}

/** Members of each segment slot, contiguous and in row order (a stable counting sort). */
function membersBySlot(slots: Int32Array, segments: number): { starts: Int32Array; members: Int32Array } {
  const n = slots.length;
  const starts = new Int32Array(segments + 1);
  for (let i = 0; i < n; i++) starts[slots[i]! + 1]!++;
  for (let s = 0; s < segments; s++) starts[s + 1]! += starts[s]!;
  const members = new Int32Array(n);
  const fill = starts.slice(0, segments);
  for (let i = 0; i < n; i++) members[fill[slots[i]!]!++] = i;
  return { starts, members };
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
  options: ProfileOptions = {},
): SegmentProfile[] {
  const scheme = options.labels ?? chooseLabelScheme(features, roles);
  if (scheme !== 'business' && scheme !== 'rfm') throw new InvalidParameterError('labels', `must be 'business' or 'rfm', got ${JSON.stringify(scheme)}`);
  if (scheme === 'rfm' && !hasRfmRoles(features, roles)) {
    throw new InvalidParameterError('labels', "'rfm' needs features with the recency, frequency and monetary roles");
  }
  const n = labels.length;
  for (const f of features) {
    const col = columns[f];
    if (!(col instanceof Float64Array)) throw new InvalidParameterError('columns', `no Float64Array column for feature '${f}'`);
    if (col.length !== n) throw new InvalidParameterError('columns', `column '${f}' has ${col.length} values for ${n} labels`);
  }
  if (n === 0) return [];

  const ids = orderedSegmentIds(labels);
  const { starts, members } = membersBySlot(rowSlots(labels, ids), ids.length);

  const scratch = new Float64Array(n);
  const profiles: Record<string, FeatureProfile>[] = ids.map(() => ({}));
  const effects: Record<string, { d: number; restMean: number }>[] = ids.map(() => ({}));
  const base: Record<string, BaseReading> = {};

  for (const f of features) {
    const col = columns[f];
    const count = gatherFinite(col, null, 0, n, scratch);
    const all = count > 0 ? summarize(scratch, count) : undefined;
    if (all !== undefined) base[f] = { mean: all.mean, min: all.min };

    for (let s = 0; s < ids.length; s++) {
      const size = starts[s + 1] - starts[s];
      const observed = gatherFinite(col, members, starts[s], starts[s + 1], scratch);
      if (observed === 0) {
        profiles[s][f] = { mean: null, median: null, std: null, min: null, max: null, z: 0, observed: 0, missing: size };
        continue;
      }
      const seg = summarize(scratch, observed);
      if (all !== undefined) effects[s][f] = cohensD(all, seg);
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

  const categorical = options.categorical ?? {};
  const categoryProfiles = ids.map((_, s) => categoricalProfiles(categorical, members, starts, s));
  const categoryDrivers = ids.map((_, s) => categoricalDrivers(categorical, members, starts, s, n));
  const readingInputs: SegmentReadingInput[] = ids.map((id, s) => ({
    segmentId: id,
    share: (starts[s + 1] - starts[s]) / n,
    features: Object.fromEntries(features.map((f) => [f, { mean: profiles[s][f].mean, z: profiles[s][f].z, d: effects[s][f]?.d ?? 0 }])),
    ...(options.categoricalLabels ? { categories: categoryDrivers[s].map((c) => ({ feature: c.feature, value: c.value, share: c.share, h: c.h })) } : {}),
  }));
  // Quintile scores cost a sort per feature: computed only when the labels are RFM names.
  const rfm = scheme === 'rfm' ? readRfm(columns, features, roles, members, starts) : undefined;
  const readings = readSegments(readingInputs, features, roles, base, locale, { scheme, rfm });
  const round2 = (x: number) => Math.round(x * 100) / 100;

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
      action: r.action,
      baseLabel: r.baseLabel,
      qualifier: r.qualifier,
      labelScheme: scheme,
      ...(rfm ? { rfm: { recency: round2(rfm[s].recency), frequency: round2(rfm[s].frequency), monetary: round2(rfm[s].monetary) } } : {}),
      drivers: driversOf(features, roles, profiles[s], effects[s]),
      ...(Object.keys(categorical).length > 0 ? { categories: categoryProfiles[s], categoryDrivers: categoryDrivers[s] } : {}),
    };
  });
}

/** Per categorical feature, segment slot s's distribution (see CategoryProfile). */
function categoricalProfiles(
  categorical: NonNullable<ProfileOptions['categorical']>,
  members: Int32Array,
  starts: Int32Array,
  s: number,
): Record<string, CategoryProfile> {
  const size = starts[s + 1] - starts[s];
  const out: Record<string, CategoryProfile> = {};
  for (const [feature, col] of Object.entries(categorical)) {
    const counts = new Float64Array(col.categories.length);
    let missing = 0;
    for (let q = starts[s]; q < starts[s + 1]; q++) {
      const code = col.codes[members[q]];
      if (code < 0 || code >= counts.length) missing++;
      else counts[code]++;
    }
    const order = Array.from(counts.keys())
      .filter((c) => counts[c] > 0)
      .sort((a, b) => counts[b] - counts[a] || a - b);
    const top = order.slice(0, MAX_PROFILE_CATEGORIES).map((c) => ({ value: col.categories[c], count: counts[c], share: size > 0 ? counts[c] / size : 0 }));
    let rest = 0;
    for (const c of order.slice(MAX_PROFILE_CATEGORIES)) rest += counts[c];
    out[feature] = {
      top,
      other_share: size > 0 ? rest / size : 0,
      missing,
      missing_share: size > 0 ? missing / size : 0,
      observed: size - missing,
    };
  }
  return out;
}

/** Per categorical feature, the value most over-represented in segment slot s against the rest (Cohen's h), strongest first. */
function categoricalDrivers(
  categorical: NonNullable<ProfileOptions['categorical']>,
  members: Int32Array,
  starts: Int32Array,
  s: number,
  n: number,
): CategoryDriver[] {
  const size = starts[s + 1] - starts[s];
  const restSize = n - size;
  if (size === 0 || restSize === 0) return [];
  const out: CategoryDriver[] = [];
  for (const [feature, col] of Object.entries(categorical)) {
    const all = new Float64Array(col.categories.length);
    const seg = new Float64Array(col.categories.length);
    for (let i = 0; i < n; i++) {
      const code = col.codes[i];
      if (code >= 0 && code < all.length) all[code]++;
    }
    for (let q = starts[s]; q < starts[s + 1]; q++) {
      const code = col.codes[members[q]];
      if (code >= 0 && code < seg.length) seg[code]++;
    }
    let best: CategoryDriver | undefined;
    for (let c = 0; c < all.length; c++) {
      const p = seg[c] / size;
      const r = (all[c] - seg[c]) / restSize;
      const h = 2 * Math.asin(Math.sqrt(p)) - 2 * Math.asin(Math.sqrt(r));
      if (best === undefined || h > best.h) best = { feature, value: col.categories[c], share: p, rest_share: r, h, effect: effectWord(h) };
    }
    if (best !== undefined && best.h >= GENERIC_MIN_EFFECT) out.push({ ...best, h: Math.round(best.h * 1000) / 1000 });
  }
  return out.sort((a, b) => b.h - a.h);
}

/** Cohen's d of a segment against the rest, from the overall and the segment's summaries (parallel-axis split of the sums of squares). */
function cohensD(all: Summary, seg: Summary): { d: number; restMean: number } {
  const nRest = all.count - seg.count;
  if (nRest < 1 || all.count < 3) return { d: 0, restMean: all.mean };
  const restMean = (all.count * all.mean - seg.count * seg.mean) / nRest;
  const ssAll = all.std * all.std * (all.count - 1);
  const ssSeg = seg.std * seg.std * (seg.count - 1);
  const ssRest = Math.max(0, ssAll - ssSeg - seg.count * (seg.mean - all.mean) ** 2 - nRest * (restMean - all.mean) ** 2);
  const pooled = Math.sqrt((ssSeg + ssRest) / (all.count - 2));
  const d = pooled > 0 ? (seg.mean - restMean) / pooled : 0;
  return { d: Number.isFinite(d) ? d : 0, restMean };
}

function driversOf(
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  profile: Record<string, FeatureProfile>,
  effects: Record<string, { d: number; restMean: number }>,
): Driver[] {
  return features
    .filter((f) => effects[f] !== undefined && profile[f].mean !== null && Math.abs(effects[f].d) >= GENERIC_MIN_EFFECT)
    .sort((a, b) => Math.abs(effects[b].d) - Math.abs(effects[a].d))
    .slice(0, MAX_DRIVERS)
    .map((f) => ({
      feature: f,
      role: roles[f] ?? null,
      direction: effects[f].d > 0 ? 'higher' : 'lower',
      d: Math.round(effects[f].d * 1000) / 1000,
      effect: effectWord(effects[f].d),
      segment_mean: profile[f].mean as number,
      rest_mean: effects[f].restMean,
    }));
}
