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
 *   At-Risk          mean(R, -E)          (needs R or E)        gone quiet and/or disengaged
 *   Price-Sensitive  D - 0.5 * max(M, 0)  (needs D)             heavy discount use (unless they
 *                                                               also spend a lot: that's value)
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
 *
 * Truth before coverage (issue 13): At-Risk is never read without a recency or engagement
 * feature, Price-Sensitive never without a discount feature (spending little is not price
 * sensitivity, buying little is not decline). And a label needs a real effect, not noise:
 * the same label formula computed on each feature's Cohen's d against the rest of the
 * customers (`d`, pooled SD) must reach MIN_LABEL_EFFECT (0.5, a "medium" effect).
 * High-Value is also only for a minority: at most HIGH_VALUE_MAX_SHARE of the customers.
 *
 * Unique names: when the assignment shares a label, every segment sharing it is qualified
 * by the features that set it apart from the others sharing it ("At-Risk: lapsed" vs
 * "At-Risk: low engagement"); a generic segment is named by its strongest differences
 * from the rest ("Frequent, low spend"), "Segment N" only when no feature reaches
 * GENERIC_MIN_EFFECT. makeUnique() guarantees distinct names: more traits, then the id.
 *
 * With scheme 'rfm' the names come from the RFM grid (rfm.ts) instead, qualified the same way.
 */
import type { FeatureRole } from './roles';
import type { RfmLabelKey, RfmReading } from './rfm';
import { formatList, formatNumber, t, type Locale, type MessageKey } from '../i18n/index';

/** The four business readings of a segment. */
export type BusinessLabelKey = 'high_value' | 'growth' | 'price_sensitive' | 'at_risk';
/** Every label a segment can get. */
export type LabelKey = BusinessLabelKey | 'outliers' | 'generic' | RfmLabelKey;
/** Which family of names a segmentation's labels come from. */
export type LabelScheme = 'business' | 'rfm';
/** The business labels, in the order that breaks ties between equal scores. */
export const BUSINESS_LABELS: readonly BusinessLabelKey[] = ['high_value', 'growth', 'price_sensitive', 'at_risk'];

/** Below this score (in standard deviations) a segment is not given a business label. */
export const MIN_LABEL_SCORE = 0.25;
/** A segment gives up its best (already taken) label for a free one scoring at most this much less. */
export const CLOSE_MARGIN = 0.5;
/** Features closer to the average than this (in standard deviations) are not named in a generic description. */
export const GENERIC_MIN_Z = 0.1;
/** A business label needs its formula, on Cohen's d against the rest, to reach this (a medium effect). */
export const MIN_LABEL_EFFECT = 0.5;
/** A feature names a generic segment or qualifies a shared label only from this |d| up (a small effect). */
export const GENERIC_MIN_EFFECT = 0.2;
/**
 * High-Value names a minority: a segment holding more than a third of the customers is
 * above average, not the top (customer value is Pareto-like; the playground's k = 2 called
 * 42.6% of the sample High-Value, the top 15% merged with the middle 30%).
 */
export const HIGH_VALUE_MAX_SHARE = 1 / 3;

/** What labelling needs to know about one feature of one segment. */
export interface FeatureReading {
  /** Segment mean over observed values, or null when the segment has none. */
  mean: number | null;
  z: number;
  /** Cohen's d of the segment against the other customers (pooled SD); z when absent. */
  d?: number;
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
  /** Share of all customers in the segment; High-Value needs it <= HIGH_VALUE_MAX_SHARE (absent = no limit). */
  share?: number;
  /**
   * Mixed data: per categorical feature, the value most over-represented in the segment,
   * its share of the segment and Cohen's h against the rest. A generic segment whose
   * strongest difference is one of these is named by it ("Mostly channel = mobile").
   */
  categories?: { feature: string; value: string; share: number; h: number }[];
}

/** A category names a segment ("mostly channel = mobile") only when more than half of its members have it. */
export const MOSTLY_MIN_SHARE = 0.5;

/** A segment's label key, label, description and label scores. */
export interface SegmentReading {
  segmentId: number;
  labelKey: LabelKey;
  label: string;
  description: string;
  /** Score of every business label that the available roles allow (absent = not scored). */
  scores: Partial<Record<BusinessLabelKey, number>>;
  /** Recommended action for the segment, localized. */
  action: string;
  /** The label before qualification ("At-Risk" of "At-Risk: lapsed"). */
  baseLabel: string;
  /** What was added to make the label unique, or null. */
  qualifier: string | null;
}

/** How readSegments names segments. */
export interface ReadOptions {
  /** 'business' (default) or 'rfm' (then `rfm` must hold one reading per segment). */
  scheme?: LabelScheme;
  rfm?: RfmReading[];
}

type RoleScores = Partial<Record<FeatureRole, number>>;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function roleScores(seg: SegmentReadingInput, features: string[], roles: Record<string, FeatureRole | undefined>, field: 'z' | 'd' = 'z'): RoleScores {
  const sums: Partial<Record<FeatureRole, number[]>> = {};
  for (const f of features) {
    const role = roles[f];
    if (role === undefined) continue;
    const zs = sums[role] ?? [];
    const reading = seg.features[f];
    zs.push((field === 'd' ? (reading?.d ?? reading?.z) : reading?.z) ?? 0);
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

  // Decline needs a decline signal and price sensitivity a price signal (see the top).
  const risk = present(R, E === undefined ? undefined : -E);
  if (risk.length > 0) scores.at_risk = mean(risk);

  if (D !== undefined) scores.price_sensitive = D - 0.5 * Math.max(M ?? 0, 0);

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

/** The categories that may name a segment: over half its members, a real effect (h >= GENERIC_MIN_EFFECT), strongest first. */
function categoryTraits(seg: SegmentReadingInput): { feature: string; value: string; share: number; h: number }[] {
  return (seg.categories ?? []).filter((c) => c.share > MOSTLY_MIN_SHARE && c.h >= GENERIC_MIN_EFFECT).sort((a, b) => b.h - a.h);
}

/** The strongest category of a segment when it beats every numeric difference (|d|), else undefined. */
function strongestCategory(seg: SegmentReadingInput, features: string[]): { feature: string; value: string; share: number; h: number } | undefined {
  const top = categoryTraits(seg)[0];
  if (top === undefined) return undefined;
  for (const f of features) if (Math.abs(effectOf(seg, f)) > top.h) return undefined;
  return top;
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

/** describeGeneric, or on mixed data "Customers mostly with channel = mobile (82% of the segment)." when a category is the strongest difference. */
function describeGenericMixed(locale: Locale, seg: SegmentReadingInput, features: string[]): string {
  const top = strongestCategory(seg, features);
  if (top === undefined) return describeGeneric(locale, seg, features);
  const share = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(top.share);
  return t(locale, 'desc.generic_mostly', { feature: top.feature, value: top.value, share });
}

/** A trait phrase for feature f in a direction: its role's word ("lapsed") or "high f". */
function trait(locale: Locale, f: string, role: FeatureRole | undefined, sign: number): string {
  if (role !== undefined) return t(locale, `trait.${role}_${sign > 0 ? 'high' : 'low'}` as MessageKey);
  return t(locale, sign > 0 ? 'trait.higher' : 'trait.lower', { feature: f });
}

const effectOf = (seg: SegmentReadingInput, f: string): number => {
  const r = seg.features[f];
  return r?.d ?? r?.z ?? 0;
};

/** Distinct trait phrases of `effects` (feature -> signed strength), strongest first; ties keep feature order. */
function rankTraits(
  locale: Locale,
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  strength: (f: string) => number,
  keep: (f: string) => boolean,
): string[] {
  const ranked = features
    .map((f, order) => ({ f, e: strength(f), order }))
    .filter((x) => x.e !== 0 && Number.isFinite(x.e) && keep(x.f))
    .sort((a, b) => Math.abs(b.e) - Math.abs(a.e) || a.order - b.order);
  // Two features of one role say the same word ("high spend"): keep the stronger.
  return [...new Set(ranked.map((x) => trait(locale, x.f, roles[x.f], x.e)))];
}

const capitalize = (locale: Locale, s: string): string => s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);

/** "Frequent, low spend": the segment's one or two strongest differences from the rest, or undefined when none is real. */
export function traitName(locale: Locale, seg: SegmentReadingInput, features: string[], roles: Record<string, FeatureRole | undefined>): string | undefined {
  const mostly = categoryTraits(seg);
  if (mostly.length > 0) {
    // Numeric traits by |d| and categorical ones by h, on one scale (Cohen's): strongest first.
    const numeric = features
      .map((f, order) => ({ f, e: effectOf(seg, f), order }))
      .filter((x) => Number.isFinite(x.e) && Math.abs(x.e) >= GENERIC_MIN_EFFECT)
      .map((x) => ({ text: trait(locale, x.f, roles[x.f], x.e), strength: Math.abs(x.e), order: x.order }));
    const cats = mostly.map((c, i) => ({ text: t(locale, 'trait.mostly', { feature: c.feature, value: c.value }), strength: c.h, order: features.length + i }));
    const ranked = [...numeric, ...cats].sort((a, b) => b.strength - a.strength || a.order - b.order);
    const texts = [...new Set(ranked.map((x) => x.text))].slice(0, 2);
    return capitalize(locale, texts.join(', '));
  }
  const traits = rankTraits(
    locale,
    features,
    roles,
    (f) => effectOf(seg, f),
    (f) => Math.abs(effectOf(seg, f)) >= GENERIC_MIN_EFFECT,
  ).slice(0, 2);
  return traits.length === 0 ? undefined : capitalize(locale, traits.join(', '));
}

/**
 * Makes labels distinct. Segments whose base label is shared are qualified by the traits
 * that separate each from the others sharing it, ranked by |z_s - mean z of the others|
 * (mean differences in overall SDs): a feature qualifies segment s when s differs from the
 * others in that direction AND its Cohen's d against the rest of the customers has the same
 * sign and is at least GENERIC_MIN_EFFECT, so the qualifier is true of s, not only relative. One trait, then two, then three; if traits cannot tell them
 * apart, the segment's number is added. Returns one { label, qualifier } per input.
 */
export function makeUnique(
  locale: Locale,
  bases: string[],
  segs: SegmentReadingInput[],
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
): { label: string; qualifier: string | null }[] {
  const out = bases.map((label) => ({ label, qualifier: null as string | null }));
  const groups = new Map<string, number[]>();
  bases.forEach((b, i) => groups.set(b, [...(groups.get(b) ?? []), i]));
  const numbered = (i: number, q: string): string => {
    const id = t(locale, 'label.generic', { id: segs[i].segmentId });
    return q === '' ? id : `${q} (${id})`;
  };
  for (const [base, group] of groups) {
    if (group.length < 2) continue;
    const traits = group.map((i) => {
      const others = group.filter((j) => j !== i);
      // Separation in overall SDs (z): the group's means compared on the population's scale.
      const zOf = (j: number, f: string) => segs[j].features[f]?.z ?? 0;
      const separation = (f: string) => zOf(i, f) - others.reduce((a, j) => a + zOf(j, f), 0) / others.length;
      return rankTraits(locale, features, roles, separation, (f) => {
        const e = effectOf(segs[i], f);
        return Math.abs(e) >= GENERIC_MIN_EFFECT && Math.sign(e) === Math.sign(separation(f));
      });
    });
    let qualifiers: string[] | undefined;
    for (let level = 1; level <= 3 && qualifiers === undefined; level++) {
      const qs = traits.map((tr) => tr.slice(0, level).join(', '));
      if (qs.every((q) => q !== '') && new Set(qs).size === qs.length) qualifiers = qs;
    }
    qualifiers ??= traits.map((tr, g) => numbered(group[g], tr.slice(0, 1).join('')));
    group.forEach((i, g) => {
      out[i] = { label: t(locale, 'label.qualified', { label: base, qualifier: qualifiers[g] }), qualifier: qualifiers[g] };
    });
  }
  // A qualified name can still meet another segment's name; the number settles it.
  const count = new Map<string, number>();
  for (const o of out) count.set(o.label, (count.get(o.label) ?? 0) + 1);
  out.forEach((o, i) => {
    if ((count.get(o.label) ?? 0) < 2) return;
    const qualifier = numbered(i, o.qualifier ?? '');
    out[i] = { label: t(locale, 'label.qualified', { label: bases[i], qualifier }), qualifier };
  });
  return out;
}

/**
 * Labels and describes every segment (input order is kept). `base` holds each feature's
 * overall mean and minimum, used to write ratios and day counts when the feature is
 * non-negative. Labels come out distinct (see the top).
 */
export function readSegments(
  segments: SegmentReadingInput[],
  features: string[],
  roles: Record<string, FeatureRole | undefined>,
  base: Record<string, BaseReading>,
  locale: Locale,
  options: ReadOptions = {},
): SegmentReading[] {
  const scheme = options.scheme ?? 'business';
  if (scheme === 'rfm' && options.rfm?.length !== segments.length) {
    throw new Error(`readSegments: scheme 'rfm' needs one RFM reading per segment (${segments.length}), got ${options.rfm?.length ?? 0}`);
  }
  const scores = segments.map((s) => (s.segmentId === -1 ? {} : scoreLabels(roleScores(s, features, roles))));
  // The same formulas on effect sizes against the rest: the label must describe a real difference.
  const effects = segments.map((s) => (s.segmentId === -1 ? {} : scoreLabels(roleScores(s, features, roles, 'd'))));
  const candidates = scores.map((sc, i) =>
    (Object.entries(sc) as [BusinessLabelKey, number][])
      .filter(([label]) => (effects[i][label] ?? -Infinity) >= MIN_LABEL_EFFECT)
      .filter(([label]) => label !== 'high_value' || (segments[i].share ?? 0) <= HIGH_VALUE_MAX_SHARE)
      .map(([label, score]) => ({ label, score })),
  );
  const assigned = scheme === 'business' ? assignLabels(candidates) : segments.map(() => undefined);
  const readings: Omit<SegmentReading, 'label' | 'qualifier'>[] = segments.map((seg, i) => {
    if (seg.segmentId === -1) {
      const label = t(locale, 'label.outliers');
      return {
        segmentId: -1,
        labelKey: 'outliers',
        baseLabel: label,
        description: t(locale, 'desc.outliers'),
        scores: {},
        action: t(locale, 'action.outliers'),
      };
    }
    if (scheme === 'rfm') {
      const r = options.rfm![i];
      const one = (x: number) => formatNumber(locale, x, 1);
      return {
        segmentId: seg.segmentId,
        labelKey: r.labelKey,
        baseLabel: t(locale, `label.rfm_${r.labelKey}`),
        description: t(locale, 'desc.rfm', { r: one(r.recency), f: one(r.frequency), m: one(r.monetary) }),
        scores: scores[i],
        action: t(locale, `action.rfm_${r.labelKey}`),
      };
    }
    const key = assigned[i];
    if (key === undefined) {
      return {
        segmentId: seg.segmentId,
        labelKey: 'generic',
        baseLabel: traitName(locale, seg, features, roles) ?? t(locale, 'label.generic', { id: seg.segmentId }),
        description: describeGenericMixed(locale, seg, features),
        scores: scores[i],
        action: t(locale, 'action.generic'),
      };
    }
    return {
      segmentId: seg.segmentId,
      labelKey: key,
      baseLabel: t(locale, `label.${key}`),
      description: describeBusiness(locale, key, seg, features, roles, base),
      scores: scores[i],
      action: t(locale, `action.${key}`),
    };
  });
  const unique = makeUnique(
    locale,
    readings.map((r) => r.baseLabel),
    segments,
    features,
    roles,
  );
  return readings.map((r, i) => ({ ...r, label: unique[i].label, qualifier: unique[i].qualifier }));
}
