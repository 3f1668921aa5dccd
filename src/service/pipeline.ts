/**
 * The segmentation itself, for a checked Plan: prep -> roles -> k selection -> fit (each
 * candidate algorithm, keeping the best by the request's validation metric) -> scores.
 * Nothing here speaks a language: warnings leave as keys and values, failures as
 * DataErrors, and response.ts renders both.
 */
import { DataError } from '../errors';
import { countDistinctRows, type Matrix } from '../matrix';
import { clusterIndicesOfMatrix } from '../metrics/clusterScores';
import { SampleMissesClustersError, SILHOUETTE_EXACT_LIMIT, silhouetteOfMatrix } from '../metrics/silhouette';
import { compactLabels } from '../metrics/labels';
import { prepareRecords, type CategoricalColumn, type PreparedData } from '../prep/records';
import { inferRoles, type FeatureRole } from '../profile/roles';
import { chooseK, CHOOSE_K_SILHOUETTE_SAMPLE } from '../select/chooseK';
import { chooseEps } from '../select/chooseEps';
import type { LinkageMethod } from '../cluster/agglomerative';
import { gowerMaxExactRows, type GowerLinkage } from '../cluster/agglomerativeGower';
import { gowerSilhouette, gowerSpace } from '../metrics/gower';
import { chooseKMixed, type MixedKMethod } from '../select/chooseKMixed';
import {
  checkGowerLinkage,
  fitAlgorithm,
  fromAlgorithmError,
  gowerInverseRanges,
  hdbscanMinClusterSize,
  MIXED_ALGORITHMS,
  type FitOptions,
  type Fitted,
  type SegmentAlgorithm,
} from './algorithms';
import { unservable } from './errors';
import type { Plan } from './request';
import type { SegmentationResponse } from './response';

/** The reference's minimum for a stable segmentation; below it the response warns. */
export const STABLE_MIN_CUSTOMERS = 500;
/**
 * Above this many customers k is chosen on a seeded sample of K_SELECTION_FIT_SAMPLE
 * (the curve's shape needs far fewer rows than the final clustering, which still uses
 * every customer): at 100k customers choosing k over 2..10 went from about 0.5 s to 0.1 s.
 */
export const K_SELECTION_FIT_SAMPLE_ABOVE = 50_000;
/** Customers the k-selection curve is fitted on above K_SELECTION_FIT_SAMPLE_ABOVE. */
export const K_SELECTION_FIT_SAMPLE = 20_000;
/** When the silhouette sample misses a cluster, the score is exact up to this many customers (about 0.2 s), else null. */
export const SILHOUETTE_FALLBACK_EXACT_MAX = 20_000;
/**
 * K-Means restarts of the final fit. Measured on bench/kdata.mjs's 17 sets at their true k
 * (10,000 rows; /tmp script comparing with the best of 40 restarts): 1 restart lost up to
 * 0.17 ARI (mean 0.04), 3 up to 0.17, 5 at most 0.003, 10 at most 0.001 at twice 5's time.
 * A request whose k comes from one of the older criteria keeps kmeans()'s default (1), so
 * its result stays what it was (the reported silhouette is the curve's value at k).
 */
export const KMEANS_RESTARTS = 5;
/** Above this many customers 'auto' leaves hierarchical clustering out (it would use micro-clusters anyway). */
export const AUTO_HIERARCHICAL_MAX = 20_000;

/** Above this many customers 'auto' leaves HDBSCAN out (its tree work and memory grow with n). */
export const AUTO_HDBSCAN_MAX = 200_000;

/** A warning before it is rendered: its catalogue key (warning.<key>) and values. */
export interface Note {
  key: string;
  params: Record<string, string | number>;
}

/** The quality scores of one labelling; null where a metric is undefined for it. */
export interface Scores {
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  silhouetteInfo: SegmentationResponse['metrics']['silhouette'];
}

/** Wall-clock time per stage, in milliseconds rounded to 0.01. */
export class Stopwatch {
  readonly timings: Record<string, number> = {};
  readonly start = performance.now();
  private mark = this.start;
  /** Records the time since the previous lap under `name`. */
  lap(name: string): void {
    const now = performance.now();
    this.timings[name] = round2(now - this.mark);
    this.mark = now;
  }
}

/** Everything the response is built from. */
export interface PipelineResult {
  plan: Plan;
  prep: PreparedData;
  roles: Record<string, FeatureRole | undefined>;
  algorithm: SegmentAlgorithm;
  /** The k asked for (after reduction) or chosen; 0 for DBSCAN alone. */
  k: number;
  fitted: Fitted;
  scores: Scores;
  kSelection?: SegmentationResponse['k_selection'];
  comparison: NonNullable<SegmentationResponse['meta']['algorithm_comparison']>;
  notes: Note[];
  /**
   * Mixed data: the distance the silhouette and k selection used, the fit options every
   * refit needs (explain's stability), and the categorical features rules may split on.
   */
  mixed?: {
    distance: 'gower';
    linkage: GowerLinkage;
    fitOptions: Pick<FitOptions, 'categoricalColumns' | 'gowerInvRange' | 'linkage'>;
    categorical: Record<string, CategoricalColumn>;
  };
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100;

/** Runs the plan up to scored labels. */
export function runPipeline(plan: Plan, progress: (stage: string) => void, clock: Stopwatch): PipelineResult {
  const rowCount = Array.isArray(plan.data) ? plan.data.length : undefined;
  if (rowCount !== undefined && rowCount < 2) throw tooFewCustomers(rowCount);

  progress('prep');
  // 'auto' uses text features as categories only where the request's methods are defined
  // on them; otherwise they are one-hot encoded as before, and a warning says why.
  const onehotBecause = plan.categorical === 'auto' ? mixedUnsupported(plan, rowCount) : null;
  const prep = prepareRecords(plan.data, {
    idField: plan.idField,
    features: plan.features,
    scaling: plan.scaling,
    logTransform: plan.logTransform,
    missing: plan.missing,
    maxCategories: plan.maxCategories,
    categorical: onehotBecause ? 'onehot' : plan.categorical,
  });
  const roles = inferRoles(prep.profileFeatures, plan.roles);
  const m = prep.matrix;
  const n = m.rows;
  if (n < 2) throw tooFewCustomers(n);
  const notes: Note[] = [];
  const encoded = Object.keys(prep.preprocessing.oneHot);
  if (onehotBecause && encoded.length > 0) notes.push({ key: 'categorical_onehot', params: { features: encoded.join(', '), reason: onehotBecause } });
  // The service serves what the data allows (the reference's own example asks for 3
  // segments of 2 customers): more segments than distinct customers become as many
  // segments as there are distinct customers, with a warning. kmeans()/gmm() stay strict.
  let requestedK = plan.k;
  if (typeof requestedK === 'number' && plan.algorithm !== 'dbscan' && plan.algorithm !== 'hdbscan') {
    const distinct = countDistinctRows(m, requestedK);
    if (distinct < requestedK) {
      notes.push({ key: 'n_clusters_reduced', params: { requested: requestedK, k: distinct } });
      requestedK = distinct;
    }
  }
  if (n < STABLE_MIN_CUSTOMERS) notes.push({ key: 'small_sample', params: { n } });
  for (const w of prep.warnings) notes.push({ key: w.key, params: w.params });
  if (plan.unknownFields.length > 0) notes.push({ key: 'unknown_parameters', params: { parameters: plan.unknownFields.join(', ') } });
  const mixed = prep.categoricalColumns.length > 0 ? mixedSetup(plan, prep, n, notes) : undefined;
  clock.lap('prep');

  let candidates: SegmentAlgorithm[] =
    plan.algorithm === 'auto' ? (n <= AUTO_HIERARCHICAL_MAX ? ['kmeans', 'gmm', 'hierarchical'] : ['kmeans', 'gmm']) : [plan.algorithm];
  // 'auto' with k to choose also tries HDBSCAN, outliers attached so every candidate scores every customer.
  if (plan.algorithm === 'auto' && plan.k === 'auto' && n <= AUTO_HDBSCAN_MAX) candidates.push('hdbscan');
  if (mixed) candidates = mixed.candidates;

  // k: given, or chosen on the curve (DBSCAN finds its own number of clusters).
  let k = 0;
  let kSelection: SegmentationResponse['k_selection'];
  if (plan.algorithm === 'dbscan' && typeof plan.k === 'number') notes.push({ key: 'n_clusters_ignored', params: { n_clusters: plan.k } });
  if (plan.algorithm === 'hdbscan' && typeof plan.k === 'number') notes.push({ key: 'hdbscan_n_clusters_ignored', params: { n_clusters: plan.k } });
  if (candidates.some((a) => a !== 'dbscan' && a !== 'hdbscan')) {
    if (plan.k === 'auto') {
      progress('k_selection');
      kSelection = mixed ? selectKMixed(plan, m, mixed) : selectK(plan, m, candidates[0], imputedRows(prep));
      k = kSelection.k;
      notes.push({ key: 'k_auto', params: { k } });
      clock.lap('k_selection');
    } else {
      k = requestedK as number;
    }
  }

  progress('clustering');
  const olderCriterion = plan.k === 'auto' && !isResampling(plan.kMethod);
  const options: FitOptions = {
    k,
    seed: plan.seed,
    linkage: plan.linkage,
    covarianceType: plan.covarianceType,
    eps: plan.eps,
    minSamples: plan.minSamples,
    // k-prototypes (mixed data) always gets the restarts: it has no older result to keep.
    ...(olderCriterion && !mixed ? {} : { kmeansRestarts: KMEANS_RESTARTS }),
    // Fixed here from all the customers, so explain's refits on samples keep the same value.
    minClusterSize: plan.minClusterSize ?? hdbscanMinClusterSize(n),
    assignOutliers: plan.assignOutliers || plan.algorithm === 'auto',
    ...(mixed ? { categoricalColumns: prep.categoricalColumns, gowerInvRange: mixed.invRange, linkage: mixed.linkage } : {}),
  };
  // eps 'auto' for DBSCAN: the radius whose clustering scores best (src/select/chooseEps.ts),
  // not the k-distance knee alone, which leaves one cluster and its noise on customer data.
  if (candidates.includes('dbscan') && plan.eps === 'auto' && plan.minSamples <= n) options.eps = chooseEps(m, plan.minSamples, plan.seed).eps;
  let best: { algorithm: SegmentAlgorithm; fitted: Fitted; scores: Scores } | undefined;
  let metricsMs = 0;
  const comparison: PipelineResult['comparison'] = [];
  for (const algorithm of candidates) {
    let fitted: Fitted;
    try {
      fitted = fitAlgorithm(algorithm, m, options);
    } catch (err) {
      const refusal = fromAlgorithmError(err, { algorithm, stage: 'fit', customers: n, options });
      if (candidates.length > 1 && refusal instanceof DataError) {
        // The algorithm's own words: this is a comparison table, not an error body.
        const error = err instanceof DataError ? (err.reason ?? err.message) : (err as Error).message;
        comparison.push({ algorithm, k, score: null, metric: plan.validation, error });
        continue;
      }
      throw refusal;
    }
    const metricsStart = performance.now();
    const scores = mixed ? scoreMixedLabels(m, fitted.labels, plan.seed, mixed) : scoreLabels(m, fitted.labels, plan.seed);
    metricsMs += performance.now() - metricsStart;
    const value = validationValue(scores, plan.validation);
    if (candidates.length > 1) {
      const metric = plan.validation === 'silhouette' ? scores.silhouette : scores.daviesBouldin;
      comparison.push({ algorithm, k, score: metric, metric: plan.validation });
    }
    const bestValue = best ? validationValue(best.scores, plan.validation) : null;
    if (!best || (value !== null && (bestValue === null || value > bestValue))) best = { algorithm, fitted, scores };
  }
  if (!best) {
    const reason = comparison.map((c) => `${c.algorithm}: ${c.error}`).join('; ');
    throw unservable('INSUFFICIENT_DATA', 'algorithm', reason, { algorithms: candidates.join(', '), n, k }, 'error.no_algorithm');
  }
  clock.lap('clustering');
  clock.timings.clustering = round2(clock.timings.clustering - metricsMs);
  clock.timings.metrics = round2(metricsMs);
  return {
    plan,
    prep,
    roles,
    algorithm: best.algorithm,
    k,
    fitted: best.fitted,
    scores: best.scores,
    kSelection,
    comparison,
    notes,
    ...(mixed
      ? {
          mixed: {
            distance: 'gower' as const,
            linkage: mixed.linkage,
            fitOptions: { categoricalColumns: prep.categoricalColumns, gowerInvRange: mixed.invRange, linkage: mixed.linkage },
            categorical: Object.fromEntries(prep.categoricalFeatures.map((f) => [f, prep.categorical[f]])),
          },
        }
      : {}),
  };
}

/** What the mixed path settles before fitting: the algorithms, the linkage, Gower's ranges. */
interface MixedSetup {
  candidates: SegmentAlgorithm[];
  linkage: GowerLinkage;
  invRange: Float64Array;
}

/**
 * What in the request is not defined on categorical features (as mixedSetup would refuse
 * it), named as the request spells it; null when the mixed path can serve it. `rows` is
 * the customer count when known before prep (records), for the Gower exact limit.
 */
function mixedUnsupported(plan: Plan, rows: number | undefined): string | null {
  if (plan.algorithm !== 'auto' && !MIXED_ALGORITHMS.includes(plan.algorithm)) return `algorithm '${plan.algorithm}'`;
  if (plan.validation === 'davies_bouldin') return "validation 'davies_bouldin'";
  if (plan.k === 'auto' && !MIXED_K_SELECTION[plan.kMethod]) return `k_selection '${K_SELECTION_NAMES[plan.kMethod] ?? plan.kMethod}'`;
  if (plan.algorithm === 'hierarchical' || (plan.algorithm === 'auto' && plan.linkageGiven)) {
    if (plan.linkageGiven && plan.linkage === 'ward') return "linkage 'ward'";
    const linkage = (plan.linkageGiven ? plan.linkage : 'average') as GowerLinkage;
    if (plan.algorithm === 'hierarchical' && rows !== undefined && rows > gowerMaxExactRows(linkage)) return `algorithm 'hierarchical' on ${rows} customers`;
  }
  return null;
}

/**
 * Mixed numeric and categorical features (prep coded the text features): checks what the
 * request asks for against what is defined on them, and picks the algorithms. 'kmeans'
 * runs k-prototypes, 'hierarchical' Gower linkage ('average' unless the request names
 * another; Ward is refused); 'auto' compares the two (hierarchical up to its exact limit).
 */
function mixedSetup(plan: Plan, prep: PreparedData, n: number, notes: Note[]): MixedSetup {
  notes.push({ key: 'categorical_features', params: { features: prep.categoricalFeatures.join(', ') } });
  if (plan.validation === 'davies_bouldin') {
    throw unservable(
      'REJECTED_PARAMETER',
      'validation',
      "davies_bouldin needs centroids in a vector space, which mixed numeric and categorical features do not have; use 'silhouette' (Gower distance) or categorical: 'onehot'",
      { value: plan.validation },
      'error.validation_not_mixed',
    );
  }
  if (plan.k === 'auto' && !MIXED_K_SELECTION[plan.kMethod]) {
    const value = K_SELECTION_NAMES[plan.kMethod] ?? plan.kMethod;
    throw unservable(
      'REJECTED_PARAMETER',
      'k_selection',
      `'${value}' is not defined for mixed numeric and categorical features; use 'auto', 'prediction_strength', 'silhouette' or 'elbow', or categorical: 'onehot'`,
      { value },
      'error.k_selection_not_mixed',
    );
  }
  if (plan.algorithm !== 'auto' && !MIXED_ALGORITHMS.includes(plan.algorithm)) {
    throw unservable(
      'REJECTED_PARAMETER',
      'algorithm',
      `${plan.algorithm} needs numeric features only; ${prep.categoricalFeatures.join(', ')} are categorical. Use 'kmeans' (k-prototypes) or 'hierarchical' (Gower), or categorical: 'onehot'`,
      { algorithm: plan.algorithm },
      'error.algorithm_not_mixed',
    );
  }
  const linkage: LinkageMethod = plan.linkageGiven ? plan.linkage : 'average';
  if (plan.algorithm === 'hierarchical' || (plan.algorithm === 'auto' && plan.linkageGiven)) checkGowerLinkage(linkage, plan.algorithm === 'auto' ? 0 : n);
  const candidates: SegmentAlgorithm[] =
    plan.algorithm === 'auto' ? (n <= gowerMaxExactRows(linkage as GowerLinkage) ? ['kmeans', 'hierarchical'] : ['kmeans']) : [plan.algorithm];
  return { candidates, linkage: linkage as GowerLinkage, invRange: gowerInverseRanges(prep.matrix, prep.categoricalColumns) };
}

/**
 * k-prototypes restarts per fit of the mixed k-selection curve. Prediction strength fits
 * 2 x 3 halvings x 9 values of k: with 3 restarts that took about 3 s at 2,000-row halves
 * on this machine, with 1 about 1 s.
 */
export const MIXED_K_SELECTION_RESTARTS = 1;

/** The k-selection methods defined on mixed data, by the plan's name for them. */
const MIXED_K_SELECTION: Partial<Record<Plan['kMethod'], MixedKMethod>> = {
  auto: 'auto',
  'prediction-strength': 'prediction-strength',
  silhouette: 'silhouette',
  elbow: 'elbow',
};
/** The request's spelling of each k-selection method, for messages. */
const K_SELECTION_NAMES: Partial<Record<Plan['kMethod'], string>> = {
  'gap-statistic': 'gap',
  'davies-bouldin': 'davies_bouldin',
  'calinski-harabasz': 'calinski_harabasz',
  bic: 'bic',
};

/** k for mixed data: k-prototypes fits scored on Gower distance or their own cost (select/chooseKMixed.ts). */
function selectKMixed(plan: Plan, m: Matrix, mixed: MixedSetup): NonNullable<SegmentationResponse['k_selection']> {
  const n = m.rows;
  const [kMin, hi] = plan.kRange ?? [2, 10];
  const distinct = countDistinctRows(m, hi + 1);
  const maxK = Math.min(n - 1, distinct);
  const kMax = Math.min(hi, maxK);
  if (maxK < 2 || kMin > maxK) {
    throw unservable('INSUFFICIENT_DATA', plan.kRange ? 'k_range' : 'data', `choosing k needs at least ${kMin + 1} distinct customers`, {
      min: kMin + 1,
      n,
    });
  }
  const method = MIXED_K_SELECTION[plan.kMethod]!;
  try {
    const chosen = chooseKMixed(m, {
      kMin,
      kMax,
      method,
      seed: plan.seed,
      categoricalColumns: mixedColumns(m, mixed),
      invRange: mixed.invRange,
      nInit: MIXED_K_SELECTION_RESTARTS,
      ...(n > K_SELECTION_FIT_SAMPLE_ABOVE ? { fitSampleSize: K_SELECTION_FIT_SAMPLE } : {}),
    });
    const selection: NonNullable<SegmentationResponse['k_selection']> & { criteria?: Record<string, { k: number; score: number }[]> } = {
      method: method === 'prediction-strength' ? 'prediction_strength' : method,
      algorithm: 'kprototypes',
      k: chosen.k,
      k_range: [kMin, kMax],
      curve: chosen.curve,
      ...(chosen.fitSampleSize ? { sample_size: chosen.fitSampleSize } : {}),
    };
    if (chosen.criteria) selection.criteria = chosen.criteria;
    return selection;
  } catch (err) {
    throw fromAlgorithmError(err, { algorithm: 'kmeans', stage: 'k_selection', customers: n, options: {} });
  }
}

/** The category-code columns of the mixed matrix: always its last ones (prep puts them there). */
function mixedColumns(m: Matrix, mixed: MixedSetup): number[] {
  const p = mixed.invRange.length;
  return Array.from({ length: m.cols - p }, (_, t) => p + t);
}

/**
 * Scores on mixed data: the silhouette on Gower distance (exact up to
 * GOWER_SILHOUETTE_EXACT_LIMIT labelled customers, else on the seeded sample the k
 * selection scored); Davies-Bouldin and Calinski-Harabasz are null (they need centroids
 * in a vector space), which the response says in a warning.
 */
function scoreMixedLabels(m: Matrix, labels: Int32Array, seed: number, mixed: MixedSetup): Scores {
  const clusters = new Set<number>();
  let labelled = 0;
  for (const l of labels) {
    if (l >= 0) {
      clusters.add(l);
      labelled++;
    }
  }
  const none: Scores = { silhouette: null, daviesBouldin: null, calinskiHarabasz: null, silhouetteInfo: null };
  if (clusters.size < 2 || clusters.size > labelled - 1) return none;
  const space = gowerSpace(m, mixedColumns(m, mixed), mixed.invRange);
  let sil: ReturnType<typeof gowerSilhouette> | null = null;
  try {
    sil = gowerSilhouette(space, labels, { seed });
  } catch (err) {
    if (!(err instanceof SampleMissesClustersError)) throw err;
  }
  if (!sil || !Number.isFinite(sil.score)) return none;
  return {
    silhouette: sil.score,
    daviesBouldin: null,
    calinskiHarabasz: null,
    silhouetteInfo: { method: sil.sampled ? 'sampled' : 'exact', sample_size: sil.sampleSize, customers_scored: sil.n },
  };
}

function tooFewCustomers(n: number) {
  return unservable('INSUFFICIENT_DATA', 'data', `at least 2 customers are needed, got ${n}`, { min: 2, n });
}

/** 1 for each customer with an imputed value in a model feature (undefined when none). */
function imputedRows(prep: PreparedData): Uint8Array | undefined {
  const features = Object.keys(prep.preprocessing.imputed).filter((f) => !prep.preprocessing.constantDropped.includes(f));
  if (features.length === 0) return undefined;
  const rows = new Uint8Array(prep.matrix.rows);
  for (const f of features) {
    const col = prep.columns[f];
    for (let i = 0; i < rows.length; i++) if (Number.isNaN(col[i])) rows[i] = 1;
  }
  return rows;
}

/** Chooses k on the curve of the request's k_selection method (on a sample for large data). */
function selectK(plan: Plan, m: Matrix, first: SegmentAlgorithm, imputed: Uint8Array | undefined): NonNullable<SegmentationResponse['k_selection']> {
  const n = m.rows;
  const [kMin, hi] = plan.kRange ?? [2, 10];
  // Counted one past the largest k asked for: enough to know the limit (a fixed 11 refused k_range [12, 14]).
  const distinct = countDistinctRows(m, hi + 1);
  const maxK = Math.min(n - 1, distinct);
  const kMax = Math.min(hi, maxK);
  if (maxK < 2 || kMin > maxK) {
    // Too few customers says itself; too few distinct ones among many needs its own words.
    const distinctIsTheLimit = n - 1 >= Math.max(2, kMin);
    throw unservable(
      'INSUFFICIENT_DATA',
      plan.kRange ? 'k_range' : 'data',
      `choosing k needs at least ${kMin + 1} distinct customers`,
      distinctIsTheLimit ? { min: kMin + 1, n, distinct, k_min: kMin } : { min: kMin + 1, n },
      distinctIsTheLimit ? 'error.k_selection_distinct' : undefined,
    );
  }
  const resampling = isResampling(plan.kMethod);
  // The resampling methods judge K-Means partitions whatever algorithm then segments.
  const kAlgorithm = resampling ? 'kmeans' : plan.kMethod === 'bic' || first === 'gmm' ? 'gmm' : 'kmeans';
  try {
    const chosen = chooseK(m, {
      kMin,
      kMax,
      method: plan.kMethod,
      algorithm: kAlgorithm,
      seed: plan.seed,
      ...(n > K_SELECTION_FIT_SAMPLE_ABOVE ? { fitSampleSize: K_SELECTION_FIT_SAMPLE } : {}),
      ...(plan.kMethod === 'auto' && imputed ? { excludeRows: imputed } : {}),
    });
    const selection: NonNullable<SegmentationResponse['k_selection']> & { criteria?: Record<string, { k: number; score: number; se?: number }[]> } = {
      method: plan.kMethod === 'prediction-strength' ? 'prediction_strength' : plan.kMethod === 'gap-statistic' ? 'gap' : plan.kMethod,
      algorithm: chosen.algorithm,
      k: chosen.k,
      k_range: [kMin, kMax],
      curve: chosen.curve.map((p) => ({ k: p.k, score: plan.kMethod === 'auto' ? reported(p.score) : p.score })),
      ...(chosen.fitSampleSize ? { sample_size: chosen.fitSampleSize } : {}),
    };
    // The resampling methods' curves by criterion (an added field of k_selection).
    if (chosen.criteria) {
      const { mixture_bic, ...others } = chosen.criteria;
      selection.criteria = mixture_bic ? { ...others, mixture_bic: mixture_bic.map((p) => ({ k: p.k, score: reported(p.score) })) } : others;
    }
    return selection;
  } catch (err) {
    throw fromAlgorithmError(err, { algorithm: kAlgorithm, stage: 'k_selection', customers: n, options: {} });
  }
}

/**
 * A curve score as the response gives it: BIC values rounded to 1e-6. A mixture's
 * log-likelihood goes through JavaScript's Math.log, whose last bit differs between
 * engines (Node and Chromium disagree at 1e-16 relative), and the response is the same
 * in every engine. Only 'auto' is rounded: the other methods' curves stay as they were.
 */
function reported(bic: number): number {
  return Math.round(bic * 1e6) / 1e6;
}

/** Whether k is chosen by one of the resampling criteria (src/select/resampling.ts). */
function isResampling(method: Plan['kMethod']): boolean {
  return method === 'auto' || method === 'gap-statistic' || method === 'prediction-strength';
}

function scoreLabels(m: Matrix, labels: Int32Array, seed: number): Scores {
  // Distinct labels by a presence table (labels are compact segment ids, -1 for noise):
  // a Set over a million labels cost tens of milliseconds.
  let labelled = 0;
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l >= 0) labelled++;
    if (l > maxLabel) maxLabel = l;
  }
  const present = new Uint8Array(maxLabel + 1);
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) present[labels[i]!] = 1;
  let clusters = 0;
  for (let c = 0; c <= maxLabel; c++) clusters += present[c]!;
  // Every metric needs 2 to n-1 clusters among the labelled customers.
  if (clusters < 2 || clusters > labelled - 1) {
    return { silhouette: null, daviesBouldin: null, calinskiHarabasz: null, silhouetteInfo: null };
  }
  // Above the exact limit, score the same seeded sample chooseK scores every k on, so the
  // reported silhouette equals the k-selection curve's value at the chosen k. A sample can
  // miss a tiny cluster entirely; then the score is exact where that stays affordable.
  let sil: ReturnType<typeof silhouetteOfMatrix> | null = null;
  const compact = compactLabels(labels, m.rows);
  try {
    sil = silhouetteOfMatrix(m, labels, { seed, ...(labelled > SILHOUETTE_EXACT_LIMIT ? { sampleSize: CHOOSE_K_SILHOUETTE_SAMPLE } : {}) }, compact);
  } catch (err) {
    if (!(err instanceof SampleMissesClustersError)) throw err;
    if (labelled <= SILHOUETTE_FALLBACK_EXACT_MAX) sil = silhouetteOfMatrix(m, labels, { exact: true }, compact);
  }
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const indices = clusterIndicesOfMatrix(m, labels, compact);
  return {
    silhouette: sil ? finite(sil.score) : null,
    daviesBouldin: finite(indices.daviesBouldin),
    calinskiHarabasz: finite(indices.calinskiHarabasz),
    silhouetteInfo: sil ? { method: sil.sampled ? 'sampled' : 'exact', sample_size: sil.sampleSize, customers_scored: sil.n } : null,
  };
}

/** Higher is better, for comparing algorithms by the request's validation metric. */
function validationValue(scores: Scores, validation: 'silhouette' | 'davies_bouldin'): number | null {
  if (validation === 'silhouette') return scores.silhouette;
  return scores.daviesBouldin === null ? null : -scores.daviesBouldin;
}
