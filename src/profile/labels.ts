/**
 * Business reading of segments: turns each segment's z-scores (segment mean minus overall
 * mean, in overall standard deviations) into one of the four labels of the reference
 * service's playbook, plus a one-sentence localized description.
 *
 * Per role, a segment's score is the mean z of the features having that role:
 * M monetary, F frequency, R recency (days since last purchase: high = inactive),
 * E engagement, D discount. A label is scored only when its roles exist in the data:
 *
 *   High-Value       mean(M, F)                                 big spenders who buy often
 *   At-Risk          mean(R, -E)                                gone quiet and/or disengaged
 *                    without R and E: -max(M, F) (needs M, F)   buy little and rarely (the
 *                                                               reference's own example has
 *                                                               only spend and frequency)
 *   Price-Sensitive  D - 0.5 * max(M, 0)                        heavy discount use (unless they
 *                                                               also spend a lot: that's value)
 *                    without D: -M - |F|  (needs M and F)       spend little at a normal pace
 *   Growth           mean(-R, E) - 0.5 * |M|                    recent and engaged, mid spend
 *                    without R and E: F - 0.5 * |M|             buy often, mid spend
 *
 * Assignment: a segment whose best score is below MIN_LABEL_SCORE (nothing stands out in a
 * business direction), or whose features have no known role, is 'generic': its description
 * names the one or two features with the largest |z|. The others are assigned greedily:
 * repeatedly, every unassigned segment proposes its best label still free, unless that
 * label scores more than CLOSE_MARGIN below its overall best label, in which case it
 * proposes the overall best (two segments then share a label); the proposal with the highest
 * score is accepted. So labels come out distinct when the evidence is close, and shared when
 * one reading clearly dominates (two tiers of big spenders are both High-Value). Ties go to
 * the lower segment id, then to the label order high_value, growth, price_sensitive,
 * at_risk, so the result depends only on the data.
 * DBSCAN noise (segment -1) is always 'outliers' and takes no part in the assignment.
 */
import type { FeatureRole } from './roles';
import { formatList, formatNumber, t, type Locale, type MessageKey } from '../i18n/index';

/** The four business readings of a segment. */
export type BusinessLabelKey = 'high_value' | 'growth' | 'price_sensitive' | 'at_risk';
/** Every label a segment can get. */
export type LabelKey = BusinessLabelKey | 'outliers' | 'generic';
/** The business labels, in the order that breaks ties between equal scores. */
export const BUSINESS_LABELS: readonly BusinessLabelKey[] = ['high_value', 'growth', 'price_sensitive', 'at_risk'];

/** Below this score (in standard deviations) a segment is not given a business label. */
export const MIN_LABEL_SCORE = 0.25;
/** A segment gives up its best (already taken) label for a free one scoring at most this much less. */
export const CLOSE_MARGIN = 0.5;
/** Features closer to the average than this (in standard deviations) are not named in a generic description. */
export const GENERIC_MIN_Z = 0.1;

/** What labelling needs to know about one feature of one segment. */
export interface FeatureReading {
  /** Segment mean over observed values, or null when the segment has none. */
  mean: number | null;
  z: number;
}

/** Overall statistics of a feature, to turn segment means into "2.3x the average". */
export interface BaseReading {
  mean: number;
  min: number;
}

/** What labelling reads of a segment. */
export interface SegmentReadingInput {
  segmentId: number;
  features: Record<string, FeatureReading>;
}

/** A segment's label key, label, description and label scores. */
export interface SegmentReading {
  segmentId: number;
  labelKey: LabelKey;
  label: string;
  description: string;
  /** Score of every business label that the available roles allow (absent = not scored). */
  scores: Partial<Record<BusinessLabelKey, number>>;
}

type RoleScores = Partial<Record<FeatureRole, number>>;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function roleScores(seg: SegmentReadingInput, features: string[], roles: Record<string, FeatureRole | undefined>): RoleScores {
  const sums: Partial<Record<FeatureRole, number[]>> = {};
  for (const f of features) {
    const role = roles[f];
    if (role === undefined) continue;
    const zs = sums[role] ?? [];
    zs.push(seg.features[f]?.z ?? 0);
    sums[role] = zs;
  }
  const out: RoleScores = {};
  for (const [role, zs] of Object.entries(sums) as [FeatureRole, number[]][]) out[role] = mean(zs);
  return out;
}

/** The label scores a segment's role z-scores support (see the table at the top). */
export function scoreLabels(r: RoleScores): Partial<Record<BusinessLabelKey, number>> {
  const { monetary: M, frequency: F, recency: R, engagement: E, discount: D } = r;
  const present = (...xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  const scores: Partial<Record<BusinessLabelKey, number>> = {};

  const value = present(M, F);
  if (value.length > 0) scores.high_value = mean(value);

  const risk = present(R, E === undefined ? undefined : -E);
  if (risk.length > 0) scores.at_risk = mean(risk);
  else if (M !== undefined && F !== undefined) scores.at_risk = -Math.max(M, F);

  if (D !== undefined) scores.price_sensitive = D - 0.5 * Math.max(M ?? 0, 0);
  else if (M !== undefined && F !== undefined) scores.price_sensitive = -M - Math.abs(F);

  const momentum = present(R === undefined ? undefined : -R, E);
  const growthBase = momentum.length > 0 ? mean(momentum) : F;
  if (growthBase !== undefined) scores.growth = growthBase - 0.5 * Math.abs(M ?? 0);

  return scores;
}

interface Candidate {
  label: BusinessLabelKey;
  score: number;
}

const labelOrder = (l: BusinessLabelKey): number => BUSINESS_LABELS.indexOf(l);
const byScore = (a: Candidate, b: Candidate): number => b.score - a.score || labelOrder(a.label) - labelOrder(b.label);

/** Greedy assignment described at the top; returns segment index -> label (undefined = generic). */
function assignLabels(candidates: Candidate[][]): (BusinessLabelKey | undefined)[] {
  const assigned: (BusinessLabelKey | undefined)[] = candidates.map(() => undefined);
  const ranked = candidates.map((c) => c.filter((x) => x.score >= MIN_LABEL_SCORE).sort(byScore));
  const pending = new Set(ranked.map((c, i) => (c.length > 0 ? i : -1)).filter((i) => i >= 0));
  const taken = new Set<BusinessLabelKey>();
  while (pending.size > 0) {
    let best: { index: number; choice: Candidate } | undefined;
    for (const i of pending) {
      const top = ranked[i][0];
      const free = ranked[i].find((c) => !taken.has(c.label));
      const choice = !taken.has(top.label) ? top : free !== undefined && top.score - free.score <= CLOSE_MARGIN ? free : top;
      // Strict comparison: pending is iterated in segment order, so ties keep the lower id.
      if (best === undefined || choice.score > best.choice.score) best = { index: i, choice };
    }
    assigned[best!.index] = best!.choice.label;
    taken.add(best!.choice.label);
    pending.delete(best!.index);
  }
  return assigned;
}

/** Which roles a label's description talks about, most telling first. */
const FACT_ROLES: Record<BusinessLabelKey, FeatureRole[]> = {
  high_value: ['monetary', 'frequency', 'recency'],
  growth: ['recency', 'engagement', 'monetary', 'frequency'],
  price_sensitive: ['discount', 'monetary', 'frequency'],
  at_risk: ['recency', 'engagement', 'monetary', 'frequency'],
};
const MAX_FACTS = 3;

function ratioText(locale: Locale, ratio: number): string {
  return formatNumber(locale, ratio, ratio < 1 ? 2 : 1);
}

/** "spend 2.3x the average", "last purchase 12 days ago on average", "engagement above average". */
function fact(locale: Locale, role: FeatureRole, reading: FeatureReading, base: BaseReading | undefined): string {
  const what = t(locale, `role.${role}` as MessageKey);
  const nonNegative = base !== undefined && base.min >= 0;
  if (reading.mean !== null && nonNegative) {
    if (role === 'recency') return t(locale, 'fact.recency_days', { days: formatNumber(locale, Math.round(reading.mean), 0) });
    if (base.mean > 0) return t(locale, 'fact.ratio', { what, ratio: ratioText(locale, reading.mean / base.mean) });
  }
  return t(locale, reading.z >= 0 ? 'fact.above' : 'fact.below', { what });
}

function describeBusiness(
  locale: Locale,
  label: BusinessLabelKey,
  seg: SegmentReadingInput,
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  base: Record<string, BaseReading>,
): string {
  const facts: string[] = [];
  for (const role of FACT_ROLES[label]) {
    if (facts.length === MAX_FACTS) break;
    // The feature of this role that moves most in this segment speaks for the role.
    let pick: string | undefined;
    for (const f of features) {
      if (roles[f] !== role) continue;
      if (pick === undefined || Math.abs(seg.features[f]?.z ?? 0) > Math.abs(seg.features[pick]?.z ?? 0)) pick = f;
    }
    if (pick !== undefined) facts.push(fact(locale, role, seg.features[pick] ?? { mean: null, z: 0 }, base[pick]));
  }
  return t(locale, `desc.${label}`, { facts: formatList(locale, facts) });
}

/** "Customers with higher a and lower b than average." from the 1-2 features with the largest |z|. */
export function describeGeneric(locale: Locale, seg: SegmentReadingInput, features: string[]): string {
  const standouts = features
    .map((f, order) => ({ f, z: seg.features[f]?.z ?? 0, order }))
    .filter((x) => Math.abs(x.z) >= GENERIC_MIN_Z)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.order - b.order)
    .slice(0, 2);
  if (standouts.length === 0) return t(locale, 'desc.generic_average');
  if (standouts.length === 1) return t(locale, standouts[0].z > 0 ? 'desc.generic_higher' : 'desc.generic_lower', { a: standouts[0].f });
  const [x, y] = standouts;
  if (x.z > 0 && y.z > 0) return t(locale, 'desc.generic_higher_higher', { a: x.f, b: y.f });
  if (x.z < 0 && y.z < 0) return t(locale, 'desc.generic_lower_lower', { a: x.f, b: y.f });
  const [up, down] = x.z > 0 ? [x, y] : [y, x];
  return t(locale, 'desc.generic_higher_lower', { a: up.f, b: down.f });
}

/**
 * Labels and describes every segment (input order is kept). `base` holds each feature's
 * overall mean and minimum, used to write ratios and day counts when the feature is
 * non-negative.
 */
export function readSegments(
  segments: SegmentReadingInput[],
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  base: Record<string, BaseReading>,
  locale: Locale,
): SegmentReading[] {
  const scores = segments.map((s) => (s.segmentId === -1 ? {} : scoreLabels(roleScores(s, features, roles))));
  const candidates = scores.map((sc) => (Object.entries(sc) as [BusinessLabelKey, number][]).map(([label, score]) => ({ label, score })));
  const assigned = assignLabels(candidates);
  return segments.map((seg, i) => {
    if (seg.segmentId === -1) {
      return { segmentId: -1, labelKey: 'outliers', label: t(locale, 'label.outliers'), description: t(locale, 'desc.outliers'), scores: {} };
    }
    const key = assigned[i];
    if (key === undefined) {
      return {
        segmentId: seg.segmentId,
        labelKey: 'generic',
        label: t(locale, 'label.generic', { id: seg.segmentId }),
        description: describeGeneric(locale, seg, features),
        scores: scores[i],
      };
    }
    return {
      segmentId: seg.segmentId,
      labelKey: key,
      label: t(locale, `label.${key}`),
      description: describeBusiness(locale, key, seg, features, roles, base),
      scores: scores[i],
    };
  });
}
