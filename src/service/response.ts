/**
 * A pipeline result -> the reference's response body, rendered once in the caller's
 * language: segments renumbered by size, their members, profiles, labels and
 * descriptions, the metrics, the warnings, and (return_model) the fitted model.
 *
 * Segment ids: segments are numbered by size, largest first (0, 1, ...), so the same data
 * gives the same ids whatever the algorithm's internal numbering; DBSCAN noise is segment
 * -1, listed last and left out of the metrics.
 */
import { t, type Locale, type MessageKey } from '../i18n/index';
import type { CustomerId, Preprocessing } from '../prep/records';
import { InvalidParameterError } from '../errors';
import type { LabelScheme } from '../profile/labels';
import { profileSegments, type CategoryDriver, type CategoryProfile, type Driver, type FeatureProfile } from '../profile/profile';
import type { FeatureRole } from '../profile/roles';
import type { RuleCondition } from '../profile/rules';
import { unservable } from './errors';
import { explainSegments, type ExplainMeta } from './explain';
import type { SegmentAlgorithm } from './algorithms';
import { buildModel, type SegmentationModel } from './model';
import type { Note, PipelineResult, Stopwatch } from './pipeline';

/** One segment of the response: the reference's fields, then segmint's. */
export interface SegmentResponse {
  segment_id: number;
  size: number;
  characteristics: Record<string, number | null>;
  customers: CustomerId[];
  share: number;
  label: string;
  label_key: string;
  description: string;
  profile: Record<string, FeatureProfile>;
  /** Recommended action, localized. */
  action: string;
  /** 'business' or 'rfm': where the label comes from. */
  label_scheme: LabelScheme;
  /** The label before it was made unique ("At-Risk"), and what was added (null if nothing). */
  label_base: string;
  label_qualifier: string | null;
  /** Mean RFM quintile scores (1..5, 5 best) of the members, with RFM labels. */
  rfm?: { recency: number; frequency: number; monetary: number };
  /** Features that set the segment apart (Cohen's d against the rest), strongest first. */
  drivers: Driver[];
  /** A threshold description of the segment (explain). */
  rules?: { text: string; conditions: RuleCondition[]; coverage: number; precision: number };
  /** Bootstrap stability: mean best Jaccard over resamples (explain); null for noise or when unscored. */
  stability?: number | null;
  /** Each text feature named in `features`: its distribution in the segment (top values and shares, other, missing). */
  categories?: Record<string, CategoryProfile>;
  /** Per text feature, the value most over-represented in the segment (Cohen's h against the rest), strongest first. */
  category_drivers?: CategoryDriver[];
}

/** A warning of the response: a stable code and a localized message. */
export interface SegmentationWarning {
  code: string;
  message: string;
}

/** The response body of segment() and of the endpoint. */
export interface SegmentationResponse {
  segments: SegmentResponse[];
  metrics: {
    silhouette_score: number | null;
    davies_bouldin_score: number | null;
    calinski_harabasz_score: number | null;
    silhouette: { method: 'exact' | 'sampled'; sample_size: number; customers_scored: number } | null;
  };
  k_selection?: {
    method: string;
    algorithm: string;
    k: number;
    k_range: [number, number];
    curve: { k: number; score: number }[];
    /** Customers the curve was fitted on, when k was chosen on a sample (large data). */
    sample_size?: number;
  };
  meta: {
    algorithm: SegmentAlgorithm;
    n_clusters: number;
    customers: number;
    features: string[];
    model_features: string[];
    roles: Record<string, FeatureRole | null>;
    preprocessing: Preprocessing;
    warnings: SegmentationWarning[];
    timings_ms: Record<string, number>;
    locale: Locale;
    seed: number;
    algorithm_comparison?: { algorithm: SegmentAlgorithm; k: number; score: number | null; metric: string; error?: string }[];
    outliers?: number;
    eps?: number;
    /** The label scheme used for every segment. */
    labels: LabelScheme;
    /** How rules and stability were computed (absent with explain: false). */
    explain?: ExplainMeta;
    /** HDBSCAN: the min_cluster_size used. */
    min_cluster_size?: number;
    /**
     * Mixed numeric and categorical features: 'gower', the distance the silhouette and the
     * k selection used (k-prototypes fits; hierarchical links on it too).
     */
    distance?: 'gower';
    /** Mixed data: the text features the model used as categories, and the linkage hierarchical used on Gower distance. */
    categorical_features?: string[];
    linkage?: string;
  };
  model?: SegmentationModel;
}

/** Catalogue keys of warnings whose code differs from the note's key. */
const WARNING_KEYS: Record<string, string> = { log_transformed: 'log_transform' };

/** A note as the caller reads it; the imputation method is itself a localized word. */
function renderWarning(locale: Locale, note: Note): SegmentationWarning {
  const code = WARNING_KEYS[note.key] ?? note.key;
  const params = note.key === 'imputed' ? { ...note.params, method: t(locale, `method.${note.params.method}` as MessageKey) } : note.params;
  return { code, message: t(locale, `warning.${code}` as MessageKey, params) };
}

/** Labels renumbered by cluster size (largest = 0); ties by first appearance. Noise stays -1. */
export function relabelBySize(labels: Int32Array): { labels: Int32Array; mapping: Map<number, number> } {
  // Typed arrays indexed by label, not Maps: a million customers pass through here. The
  // labels are the pipeline's own (-1 or 0..k-1).
  let top = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > top) top = labels[i];
  const size = new Float64Array(top + 1);
  const first = new Float64Array(top + 1).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0) continue;
    if (size[l]++ === 0) first[l] = i;
  }
  const present: number[] = [];
  for (let l = 0; l <= top; l++) if (size[l] > 0) present.push(l);
  const order = present.sort((a, b) => size[b] - size[a] || first[a] - first[b]);
  const mapping = new Map(order.map((l, i) => [l, i]));
  const to = new Int32Array(top + 1).fill(-1);
  for (const [l, i] of mapping) to[l] = i;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] < 0 ? -1 : to[labels[i]];
  return { labels: out, mapping };
}

/**
 * Each segment's customer ids, in row order. The labels here are relabelBySize's: -1 and
 * 0..k-1, so the lists are sized first from a count per label and filled by index (a Map
 * lookup and a growing push per customer were 35 ms and their copies' garbage at a
 * million); any other label goes through the Map.
 */
function membersBySegment(labels: Int32Array, ids: CustomerId[]): Map<number, CustomerId[]> {
  const n = labels.length;
  const TABLE = 1 << 16;
  const counts = new Int32Array(TABLE + 1);
  let others = false;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l >= -1 && l < TABLE) counts[l + 1]!++;
    else others = true;
  }
  const members = new Map<number, CustomerId[]>();
  const lists: CustomerId[][] = [];
  const fill = new Int32Array(TABLE + 1);
  for (let slot = 0; slot <= TABLE; slot++) {
    if (counts[slot] === 0) continue;
    const list = new Array<CustomerId>(counts[slot]!);
    lists[slot] = list;
    members.set(slot - 1, list);
  }
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l >= -1 && l < TABLE) {
      const slot = l + 1;
      lists[slot]![fill[slot]!++] = ids[i]!;
    } else if (others) {
      let list = members.get(l);
      if (!list) {
        list = [];
        members.set(l, list);
      }
      list.push(ids[i]!);
    }
  }
  return members;
}

/** Renders the response body of a pipeline result in `locale`. */
export function renderResponse(result: PipelineResult, locale: Locale, progress: (stage: string) => void, clock: Stopwatch): SegmentationResponse {
  const { plan, prep, roles, algorithm, k, fitted, scores } = result;
  const n = prep.matrix.rows;
  const { labels, mapping } = relabelBySize(fitted.labels);
  const found = mapping.size;
  const notes = [...result.notes];
  if (algorithm !== 'dbscan' && algorithm !== 'hdbscan' && found < k) notes.push({ key: 'fewer_clusters', params: { found, requested: k } });
  if (fitted.outliersAssigned) notes.push({ key: 'outliers_assigned', params: { outliers: fitted.outliersAssigned } });
  if (scores.silhouetteInfo?.method === 'sampled') notes.push({ key: 'silhouette_sampled', params: { n: scores.silhouetteInfo.sample_size } });
  if (result.mixed && scores.silhouette !== null) {
    notes.push({ key: 'mixed_metrics_unavailable', params: {} });
  } else if (scores.silhouette === null || scores.daviesBouldin === null || scores.calinskiHarabasz === null) {
    notes.push({ key: 'metrics_unavailable', params: { clusters: found } });
  }

  progress('profiles');
  let profiles: ReturnType<typeof profileSegments>;
  try {
    profiles = profileSegments(prep.columns, prep.profileFeatures, labels, roles, locale, prep.fields, {
      ...(plan.labels ? { labels: plan.labels } : {}),
      // Every named text feature is profiled; on the mixed path (the model used them) they also name segments.
      ...(Object.keys(prep.categorical).length > 0 ? { categorical: prep.categorical, categoricalLabels: result.mixed !== undefined } : {}),
    });
  } catch (err) {
    if (err instanceof InvalidParameterError && err.parameter === 'labels') {
      const found = prep.profileFeatures.map((f) => `${f}: ${roles[f] ?? 'none'}`).join(', ');
      throw unservable('REJECTED_PARAMETER', 'labels', `${err.message}; roles found: ${found}`, { value: 'rfm' });
    }
    throw err;
  }
  const members = membersBySegment(labels, prep.ids);
  const segments: SegmentResponse[] = profiles.map((p) => ({
    segment_id: p.segmentId,
    size: p.size,
    characteristics: p.characteristics,
    customers: members.get(p.segmentId) ?? [],
    share: p.share,
    label: p.label,
    label_key: p.labelKey,
    description: p.description,
    profile: p.profile,
    action: p.action,
    label_scheme: p.labelScheme,
    label_base: p.baseLabel,
    label_qualifier: p.qualifier,
    ...(p.rfm ? { rfm: p.rfm } : {}),
    drivers: p.drivers,
    ...(p.categories ? { categories: p.categories, category_drivers: p.categoryDrivers ?? [] } : {}),
  }));
  clock.lap('profiles');
  let explainMeta: ExplainMeta | undefined;
  if (plan.explain !== false) {
    progress('explain');
    const explained = explainSegments(
      result,
      labels,
      segments.map((s) => s.segment_id),
      locale,
    );
    for (const s of segments) {
      const rule = explained.rules.get(s.segment_id);
      if (rule) s.rules = rule;
      s.stability = explained.stability.get(s.segment_id) ?? null;
    }
    explainMeta = explained.meta;
    clock.lap('explain');
  }
  clock.timings.total = Math.round((performance.now() - clock.start) * 100) / 100;

  const outliers = members.get(-1)?.length ?? 0;
  const response: SegmentationResponse = {
    segments,
    metrics: {
      silhouette_score: scores.silhouette,
      davies_bouldin_score: scores.daviesBouldin,
      calinski_harabasz_score: scores.calinskiHarabasz,
      silhouette: scores.silhouetteInfo,
    },
    ...(result.kSelection ? { k_selection: result.kSelection } : {}),
    meta: {
      algorithm,
      n_clusters: found,
      customers: n,
      features: prep.features,
      model_features: prep.transforms.map((tr) => tr.name),
      roles: Object.fromEntries(prep.profileFeatures.map((f) => [f, roles[f] ?? null])),
      preprocessing: prep.preprocessing,
      warnings: notes.map((note) => renderWarning(locale, note)),
      timings_ms: clock.timings,
      locale,
      seed: plan.seed,
      ...(result.comparison.length > 0 ? { algorithm_comparison: result.comparison } : {}),
      ...(algorithm === 'dbscan' ? { outliers, eps: fitted.eps } : {}),
      labels: profiles.find((p) => p.segmentId !== -1)?.labelScheme ?? profiles[0]?.labelScheme ?? 'business',
      ...(explainMeta ? { explain: explainMeta } : {}),
      ...(algorithm === 'hdbscan' ? { outliers, min_cluster_size: fitted.minClusterSize } : {}),
      ...(result.mixed
        ? {
            distance: result.mixed.distance,
            categorical_features: prep.categoricalFeatures,
            ...(algorithm === 'hierarchical' ? { linkage: result.mixed.linkage } : {}),
          }
        : {}),
    },
  };
  if (plan.returnModel) response.model = buildModel(plan.idField, algorithm, prep.transforms, fitted.predictor, mapping, segments);
  return response;
}
