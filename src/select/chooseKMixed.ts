/**
 * Choosing k on mixed numeric and categorical data: every k is fitted with k-prototypes
 * (from k-means++ seeds, cluster/kprototypesSeeded.ts) on the combined matrix prep makes (numeric columns, then
 * category codes), and scored with a criterion defined without a vector space:
 * - 'silhouette': the mean silhouette on Gower distance (src/metrics/gower.ts), on one
 *   seeded sample of GOWER_SILHOUETTE_EXACT_LIMIT rows shared by every k (the same rows
 *   the service then scores the final segmentation on), highest wins;
 * - 'elbow': the kneedle knee of k-prototypes' cost (squared numeric distance + gamma *
 *   mismatches, kmodes' definition), as chooseK's elbow on K-Means inertia;
 * - 'prediction-strength' and 'auto': Tibshirani & Walther's prediction strength
 *   (select/resampling.ts) with k-prototypes fits and predictions, same settings.
 * Davies-Bouldin, Calinski-Harabasz, BIC and the gap statistic need centroids, a
 * likelihood or a reference box in a vector space, and are not offered here.
 */
import { fitKPrototypesSeeded } from '../cluster/kprototypesSeeded';
import { InvalidParameterError } from '../errors';
import type { Matrix } from '../matrix';
import { GOWER_SILHOUETTE_EXACT_LIMIT, gowerSilhouetteOfRows, gowerSpace } from '../metrics/gower';
import { clusterCountProblem, compactLabels } from '../metrics/labels';
import { samplePositions } from '../metrics/silhouette';
import { Random, sampleIndices } from '../random';
import { kneedleIndex } from '../stats';
import { RESAMPLING_DEFAULTS } from './chooseK';
import { minCoMembership, sampleRows } from './resampling';
import { rowsOf } from '../matrix';

/** The criteria chooseKMixed() knows. */
export type MixedKMethod = 'silhouette' | 'elbow' | 'prediction-strength' | 'auto';
/** Every criterion chooseKMixed() knows, in the order messages list them. */
export const MIXED_K_METHODS: readonly MixedKMethod[] = ['auto', 'prediction-strength', 'silhouette', 'elbow'];

/** Options of chooseKMixed(). */
export interface MixedChooseKOptions {
  kMin: number;
  kMax: number;
  method: MixedKMethod;
  seed: number;
  /** Matrix columns holding category codes. */
  categoricalColumns: readonly number[];
  /** Gower's 1 / numeric ranges over all the customers (default: from the rows given). */
  invRange?: Float64Array;
  /** Fit every k on a seeded sample of this many rows (large data). */
  fitSampleSize?: number;
  /** k-prototypes restarts per fit (default RESAMPLING_DEFAULTS.nInit). */
  nInit?: number;
}

/** The chosen k and the curve it was read from. */
export interface MixedChooseKResult {
  k: number;
  method: MixedKMethod;
  curve: { k: number; score: number }[];
  /** Rows the fits were made on, when fitSampleSize sampled them. */
  fitSampleSize?: number;
  criteria?: { prediction_strength: { k: number; score: number }[] };
}

/** Chooses k for mixed data by `method` (see the top). */
export function chooseKMixed(X: Matrix, o: MixedChooseKOptions): MixedChooseKResult {
  if (!(MIXED_K_METHODS as readonly string[]).includes(o.method)) {
    throw new InvalidParameterError(
      'method',
      `must be one of ${MIXED_K_METHODS.map((m) => `'${m}'`).join(', ')} on mixed data, got ${JSON.stringify(o.method)}`,
    );
  }
  const categoricalColumns = [...o.categoricalColumns];
  const nInit = o.nInit ?? RESAMPLING_DEFAULTS.nInit;
  const fitOn = o.fitSampleSize !== undefined && X.rows > o.fitSampleSize ? sampleRows(X, o.fitSampleSize, o.seed) : X;
  const sampled = fitOn !== X ? { fitSampleSize: fitOn.rows } : {};
  const fitAt = (m: Matrix, k: number, seed: number) => fitKPrototypesSeeded(m, { k, seed, restarts: nInit, categoricalColumns });

  if (o.method === 'auto' || o.method === 'prediction-strength') {
    const ps = predictionStrengthMixed(fitOn, o, fitAt);
    return { k: ps.k, method: o.method, curve: ps.curve, criteria: { prediction_strength: ps.curve }, ...sampled };
  }
  const curve: { k: number; score: number }[] = [];
  if (o.method === 'elbow') {
    for (let k = Math.max(1, o.kMin); k <= o.kMax; k++) curve.push({ k, score: fitAt(fitOn, k, o.seed).cost });
    const knee = kneedleIndex(curve.map((p) => p.score));
    return { k: curve[knee].k, method: o.method, curve, ...sampled };
  }
  // Silhouette on Gower distance, on one sample shared by every k.
  const space = gowerSpace(fitOn, categoricalColumns, o.invRange);
  const wanted = Math.min(fitOn.rows, GOWER_SILHOUETTE_EXACT_LIMIT);
  const rows = wanted < fitOn.rows ? samplePositions(fitOn.rows, wanted, o.seed) : Int32Array.from({ length: fitOn.rows }, (_, i) => i);
  for (let k = o.kMin; k <= o.kMax; k++) {
    const labels = fitAt(fitOn, k, o.seed).labels;
    const lab = compactLabels(
      Int32Array.from(rows, (r) => labels[r]),
      rows.length,
    );
    // A k whose clusters the sample does not separate is left out, as chooseK does.
    if (clusterCountProblem(lab.k, rows.length, 'chooseKMixed') !== null) continue;
    const values = gowerSilhouetteOfRows(space, rows, lab.codes, lab.k);
    let total = 0;
    for (const v of values) total += v;
    curve.push({ k, score: total / rows.length });
  }
  if (curve.length === 0) throw new InvalidParameterError('k', `no k from ${o.kMin} to ${o.kMax} gives 2 or more clusters on these rows`);
  let best = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i].score > curve[best].score) best = i;
  return { k: curve[best].k, method: o.method, curve, ...sampled };
}

type Fit = (m: Matrix, k: number, seed: number) => { labels: Int32Array; predictMatrix(X: Matrix): Int32Array };

/** Prediction strength (see select/resampling.ts) with k-prototypes fits and predictions. */
function predictionStrengthMixed(X: Matrix, o: MixedChooseKOptions, fitAt: Fit): { k: number; curve: { k: number; score: number }[] } {
  const m = sampleRows(X, RESAMPLING_DEFAULTS.predictionStrengthSample, o.seed);
  const rng = new Random(o.seed ^ 0x510e527f);
  const halves: [Matrix, Matrix][] = [];
  for (let s = 0; s < RESAMPLING_DEFAULTS.splits; s++) {
    const order = sampleIndices(m.rows, m.rows, rng);
    const half = m.rows >> 1;
    halves.push([rowsOf(m, order.subarray(0, half)), rowsOf(m, order.subarray(half))]);
  }
  const curve: { k: number; score: number }[] = [];
  for (let k = o.kMin; k <= o.kMax; k++) {
    let total = 0;
    halves.forEach(([train, test], s) => {
      const trained = fitAt(train, k, o.seed + s);
      const own = fitAt(test, k, o.seed + s + 1000).labels;
      total += minCoMembership(own, trained.predictMatrix(test), k);
    });
    curve.push({ k, score: total / RESAMPLING_DEFAULTS.splits });
  }
  let chosen = 0;
  for (let i = 0; i < curve.length; i++) if (curve[i].score >= RESAMPLING_DEFAULTS.threshold) chosen = i;
  return { k: curve[chosen].k, curve };
}
