/**
 * Choosing the number of clusters: fit the algorithm for every k in kMin..kMax, score
 * each fit, and pick the best k by the method's rule. The whole curve is returned so
 * callers can plot it or overrule the choice.
 *
 * Methods are a table: a method says how to score a fit, which way is better, the
 * smallest k it is defined for and which algorithms can feed it (K-Means' inertia,
 * the mixture's bic). Fits go through the clusterer registry (src/cluster/registry.ts),
 * so an algorithm that takes k is one entry in a method's `algorithms` away.
 *
 * Work shared across k: X is validated and copied once (every fit reads that copy), and the silhouette method
 * draws one seeded sample (above CHOOSE_K_SILHOUETTE_SAMPLE rows) that every k is scored
 * on, so differences between k are not sampling noise. A shared pairwise-distance
 * matrix of the sample was considered and rejected: the silhouette kernel runs within
 * 1.3x of the square-root floor, so re-reading an m^2/2 matrix (100 MB at m = 5,000)
 * would save little time for a lot of memory. Deterministic for a seed.
 */
import type { ClusterModel } from '../cluster/clusterer';
import { fitAlgorithm } from '../cluster/registry';
import { InvalidParameterError } from '../errors';
import { countDistinctRows, toMatrix, type Matrix, type MatrixLike } from '../matrix';
import { calinskiHarabaszFromStatistics, clusterStatistics, daviesBouldinFromStatistics } from '../metrics/clusterScores';
import { checkClusterCount, clusterCountProblem, compactLabels, SampleMissesClustersError } from '../metrics/labels';
import { samplePositions, silhouetteOfRows } from '../metrics/silhouette';
import { enumOption, integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { kneedleIndex } from '../stats';
import { MIXTURE_BIC_DEFAULTS, mixtureBic } from './mixtureBic';
import { type CriterionPoint, gapStatistic, predictionStrength, sampleRowIndices, sampleRows } from './resampling';
import { rowsOf } from '../matrix';

/** Kneedle on a decreasing curve (the elbow method's rule); see src/stats.ts. */
export { kneedleIndex };

/** How k is scored and picked (see METHODS). */
export type ChooseKMethod = 'silhouette' | 'elbow' | 'davies-bouldin' | 'calinski-harabasz' | 'bic' | ResamplingMethod;
/**
 * Methods that judge the data's structure instead of scoring one K-Means fit per k: the
 * gap statistic and prediction strength (src/select/resampling.ts), and 'auto', the one
 * measured best at recovering known segments (bench/suites/65-kselect.mjs): the BIC of
 * full-covariance mixtures on the observed, dequantised rows (src/select/mixtureBic.ts).
 */
export type ResamplingMethod = 'auto' | 'gap-statistic' | 'prediction-strength';
/** The clusterings chooseK can fit for each k. */
export type ChooseKAlgorithm = 'kmeans' | 'gmm';

/** Options of chooseK(), all with defaults (defaultChooseKOptions). */
export interface ChooseKOptions {
  kMin?: number;
  kMax?: number;
  /** 'silhouette' (max, default), 'elbow' (kneedle on inertia), 'davies-bouldin' (min), 'calinski-harabasz' (max), 'bic' (min). */
  method?: ChooseKMethod;
  /** The clustering fitted for each k; defaults to the method's own ('kmeans', or 'gmm' for 'bic'). */
  algorithm?: ChooseKAlgorithm;
  /** Seed of every fit and of the silhouette sample. */
  seed?: number;
  /** Silhouette method: rows in the shared sample (default: every row up to CHOOSE_K_SILHOUETTE_SAMPLE rows, else that many). */
  sampleSize?: number;
  /**
   * Fit every k on a seeded sample of this many rows instead of all of them (large data:
   * the curve's shape needs far fewer rows than the final clustering). The curve is then
   * the sample's; `labels` come from the chosen k's model predicting every row.
   */
  fitSampleSize?: number;
  /**
   * 'auto': rows whose values were not all observed (imputed), 1 per such row. They are
   * left out of the criterion, since imputed values line up on a hyperplane that a
   * mixture would take for a segment; they are still in `labels`.
   */
  excludeRows?: Uint8Array;
}

/**
 * Default size of chooseK's shared silhouette sample: half of silhouetteScore's, because
 * it is scored once per k. Measured (`npm run bench -- metrics`, 100k customers, k = 5):
 * a 5,000-row sample is off the exact score by 0.003 rms (10,000 rows: 0.0014), and
 * being shared, it shifts every k alike; with 10,000 rows chooseK 2..10 on 100k rows
 * took just over 1 s here, with 5,000 about 0.65 s (K-Means fits are most of that).
 */
export const CHOOSE_K_SILHOUETTE_SAMPLE = 5_000;

/** Defaults of chooseK()'s options. */
export const defaultChooseKOptions = {
  kMin: 2,
  kMax: 10,
  method: 'silhouette' as ChooseKMethod,
  seed: 0,
};

/** One k of the curve and its score. */
export interface ChooseKPoint {
  k: number;
  /** The method's score of this k (inertia for 'elbow'). */
  score: number;
  /** The fit's inertia, when the algorithm has one. */
  inertia?: number;
}

/** What chooseK() returns: the chosen k, the whole curve and the chosen fit's labels. */
export interface ChooseKResult {
  k: number;
  method: ChooseKMethod;
  algorithm: ChooseKAlgorithm;
  curve: ChooseKPoint[];
  /** Labels of the fit for the chosen k (no need to fit it again). */
  labels: Int32Array;
  /** Silhouette method: whether the scores are of a sample, and its size. */
  sampled?: boolean;
  sampleSize?: number;
  /** Rows the fits were made on, when fitSampleSize sampled them. */
  fitSampleSize?: number;
  /** Values of k left out of the curve, and why (a cluster missing from the silhouette sample). */
  skipped?: { k: number; reason: string }[];
  /** Resampling methods: each criterion's curve ('gap' points carry their standard error). */
  criteria?: { gap?: CriterionPoint[]; prediction_strength?: CriterionPoint[]; mixture_bic?: CriterionPoint[] };
}

/**
 * Settings of the resampling methods, measured on bench/kdata.mjs (suite 65-kselect):
 * prediction strength on 4,000 rows with 3 halvings and 3 K-Means restarts per fit found
 * k more often than 2 halvings (curves were noisier) at about 0.2 s; threshold 0.85 beat
 * 0.8 (over-split well-separated blobs) and 0.9 (under-split overlapping segments). 10
 * restarts looked better on the sets tuned on (12 of 15 sets with 3..7 segments against
 * 10) but worse on another draw of them (7 against 9): that difference is noise, and 3
 * restarts cost a third. The gap statistic runs 10 reference sets of 2,000 rows in the
 * principal-components box.
 */
export const RESAMPLING_DEFAULTS = {
  predictionStrengthSample: 4_000,
  splits: 3,
  threshold: 0.85,
  gapSample: 2_000,
  references: 10,
  nInit: 3,
};

const OPTION_NAMES = ['kMin', 'kMax', 'method', 'algorithm', 'seed', 'sampleSize', 'fitSampleSize', 'excludeRows'] as const;

/** One fit for one k: what the methods read (K-Means' inertia, the mixture's bic). */
type Fit = ClusterModel & { inertia?: number; bic?: number };

const ALGORITHM_NAMES: readonly ChooseKAlgorithm[] = ['kmeans', 'gmm'];

/** What a method scores with, computed once for all k. */
interface Shared {
  m: Matrix;
  seed: number;
  /** Silhouette: the rows scored (all, or the one sample). */
  silhouetteRows?: Int32Array;
}

interface MethodSpec {
  /** Which score is best; 'knee' is the kneedle elbow of a decreasing curve. */
  best: 'max' | 'min' | 'knee';
  /** Smallest k the score is defined for. */
  minK: number;
  /** Algorithms whose fits carry what the score needs; the first is the default. */
  algorithms: readonly ChooseKAlgorithm[];
  /** The score, or why this k cannot be scored on the shared data (then it is skipped). */
  score(shared: Shared, fit: Fit, k: number): number | { skip: string };
}

function clusterScore(shared: Shared, fit: Fit, which: 'db' | 'ch'): number {
  const { m } = shared;
  const lab = compactLabels(fit.labels, m.rows);
  checkClusterCount(lab.k, m.rows, 'chooseK');
  const stats = clusterStatistics(m.data, m.cols, null, lab.codes, lab.k);
  return which === 'db' ? daviesBouldinFromStatistics(stats) : calinskiHarabaszFromStatistics(stats);
}

const METHODS: Record<Exclude<ChooseKMethod, ResamplingMethod>, MethodSpec> = {
  silhouette: {
    best: 'max',
    minK: 2,
    algorithms: ['kmeans', 'gmm'],
    score(shared, fit) {
      const rows = shared.silhouetteRows!;
      const codes = new Int32Array(rows.length);
      for (let p = 0; p < rows.length; p++) codes[p] = fit.labels[rows[p]];
      const lab = compactLabels(codes, rows.length);
      // A k whose clusters the shared sample does not separate (a tiny cluster it missed)
      // cannot be scored on it: chooseK leaves that k out rather than fail the choice.
      const problem = clusterCountProblem(lab.k, rows.length, 'chooseK', ` in the silhouette sample of ${rows.length} rows`);
      if (problem) return { skip: `sampleSize: ${problem}` };
      return silhouetteOfRows(shared.m.data, shared.m.cols, rows, lab.codes, lab.k).total / rows.length;
    },
  },
  elbow: {
    best: 'knee',
    minK: 1,
    algorithms: ['kmeans'],
    score: (_, fit) => fit.inertia!,
  },
  'davies-bouldin': { best: 'min', minK: 2, algorithms: ['kmeans', 'gmm'], score: (s, fit) => clusterScore(s, fit, 'db') },
  'calinski-harabasz': { best: 'max', minK: 2, algorithms: ['kmeans', 'gmm'], score: (s, fit) => clusterScore(s, fit, 'ch') },
  bic: { best: 'min', minK: 1, algorithms: ['gmm'], score: (_, fit) => fit.bic! },
};

const RESAMPLING_METHODS: readonly ResamplingMethod[] = ['auto', 'gap-statistic', 'prediction-strength'];
const METHOD_NAMES = [...(Object.keys(METHODS) as ChooseKMethod[]), ...RESAMPLING_METHODS];

/** Fits kMin..kMax clusters and picks k by the method (see the module comment). */
export function chooseK(X: MatrixLike, options?: ChooseKOptions): ChooseKResult {
  const all = toMatrix(X);
  let m = all;
  rejectUnknownOptions(options, OPTION_NAMES, 'chooseK');
  const o = withDefaults(defaultChooseKOptions, options);
  const method = enumOption('method', o.method, METHOD_NAMES);
  if ((RESAMPLING_METHODS as readonly string[]).includes(method)) return chooseKByResampling(all, o, method as ResamplingMethod);
  if (o.excludeRows !== undefined) throw new InvalidParameterError('excludeRows', `only applies to method 'auto', not '${method}'`);
  const spec = METHODS[method as keyof typeof METHODS];
  let algorithm: ChooseKAlgorithm;
  if (o.algorithm === undefined) {
    algorithm = spec.algorithms[0];
  } else {
    algorithm = enumOption('algorithm', o.algorithm, ALGORITHM_NAMES);
    if (!spec.algorithms.includes(algorithm)) {
      throw new InvalidParameterError(
        'algorithm',
        `method '${method}' needs algorithm ${spec.algorithms.map((a) => `'${a}'`).join(' or ')}, got '${algorithm}'`,
      );
    }
  }
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  const kMin = integerOption('kMin', o.kMin, spec.minK);
  const kMax = integerOption('kMax', o.kMax, kMin);
  if (spec.best === 'knee' && kMax - kMin < 2) {
    throw new InvalidParameterError('kMax', `method '${method}' needs at least 3 values of k to find an elbow, got kMin ${kMin} and kMax ${kMax}`);
  }
  if (spec.minK >= 2 && kMax > m.rows - 1) {
    throw new InvalidParameterError('kMax', `is ${kMax} but method '${method}' needs at most n-1 = ${m.rows - 1} clusters`);
  }
  const distinct = countDistinctRows(m, kMax);
  if (distinct < kMax) {
    throw new InvalidParameterError('kMax', `is ${kMax} but X has only ${distinct} distinct row${distinct === 1 ? '' : 's'}; use kMax <= ${distinct}`);
  }

  let fitSampleSize: number | undefined;
  if (o.fitSampleSize !== undefined) {
    const wanted = integerOption('fitSampleSize', o.fitSampleSize, kMax + 1);
    if (wanted < all.rows) {
      // Another stream than the silhouette sample's, which is drawn from these rows.
      const rows = samplePositions(all.rows, wanted, seed ^ 0x2545f491);
      const d = all.cols;
      const data = new Float64Array(wanted * d);
      rows.forEach((r, i) => data.set(all.data.subarray(r * d, (r + 1) * d), i * d));
      m = { data, rows: wanted, cols: d };
      if (countDistinctRows(m, kMax) < kMax) m = all;
      else fitSampleSize = wanted;
    }
  }

  const shared: Shared = { m, seed };
  let sampled: boolean | undefined;
  let sampleSize: number | undefined;
  if (method === 'silhouette') {
    const wanted = o.sampleSize === undefined ? Math.min(m.rows, CHOOSE_K_SILHOUETTE_SAMPLE) : integerOption('sampleSize', o.sampleSize, 2);
    sampled = wanted < m.rows;
    sampleSize = sampled ? wanted : m.rows;
    shared.silhouetteRows = sampled ? samplePositions(m.rows, wanted, seed) : Int32Array.from({ length: m.rows }, (_, i) => i);
  } else if (o.sampleSize !== undefined) {
    throw new InvalidParameterError('sampleSize', `only applies to method 'silhouette', not '${method}'`);
  }

  const curve: ChooseKPoint[] = [];
  const fits: Fit[] = [];
  const skipped: { k: number; reason: string }[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const fit: Fit = fitAlgorithm(algorithm, m, { k, seed });
    const score = spec.score(shared, fit, k);
    if (typeof score !== 'number') {
      skipped.push({ k, reason: score.skip });
      continue;
    }
    const point: ChooseKPoint = { k, score };
    if (fit.inertia !== undefined) point.inertia = fit.inertia;
    curve.push(point);
    fits.push(fit);
  }
  if (curve.length === 0) {
    throw new SampleMissesClustersError(`no k in ${kMin}..${kMax} could be scored on the silhouette sample: ${skipped[0].reason}`, {
      sampleSize: sampleSize ?? m.rows,
      kMin,
      kMax,
    });
  }

  let chosen = 0;
  if (spec.best === 'knee') {
    chosen = kneedleIndex(curve.map((p) => p.score));
  } else {
    // The first (smallest) k wins a tie.
    for (let i = 1; i < curve.length; i++) {
      if (spec.best === 'max' ? curve[i].score > curve[chosen].score : curve[i].score < curve[chosen].score) chosen = i;
    }
  }
  const labels = m === all ? fits[chosen].labels : fits[chosen].predictMatrix!(all);
  const result: ChooseKResult = { k: curve[chosen].k, method, algorithm, curve, labels };
  if (sampled !== undefined) {
    result.sampled = sampled;
    result.sampleSize = sampleSize;
  }
  if (fitSampleSize !== undefined) result.fitSampleSize = fitSampleSize;
  if (skipped.length > 0) result.skipped = skipped;
  return result;
}

function describeLength(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.length} entries`;
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** chooseK for the resampling methods: K-Means only, fitted on seeded samples of rows. */
function chooseKByResampling(all: Matrix, o: ChooseKOptions & typeof defaultChooseKOptions, method: ResamplingMethod): ChooseKResult {
  if (o.algorithm !== undefined && o.algorithm !== 'kmeans') {
    throw new InvalidParameterError('algorithm', `method '${method}' needs algorithm 'kmeans', got ${JSON.stringify(o.algorithm)}`);
  }
  if (o.sampleSize !== undefined) throw new InvalidParameterError('sampleSize', `only applies to method 'silhouette', not '${method}'`);
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  const kMin = integerOption('kMin', o.kMin, method === 'gap-statistic' ? 1 : 2);
  const kMax = integerOption('kMax', o.kMax, kMin);
  if (kMax > all.rows - 1) throw new InvalidParameterError('kMax', `is ${kMax} but method '${method}' needs at most n-1 = ${all.rows - 1} clusters`);
  const distinct = countDistinctRows(all, kMax);
  if (distinct < kMax) {
    throw new InvalidParameterError('kMax', `is ${kMax} but X has only ${distinct} distinct row${distinct === 1 ? '' : 's'}; use kMax <= ${distinct}`);
  }
  let exclude = o.excludeRows;
  if (exclude !== undefined) {
    if (method !== 'auto') throw new InvalidParameterError('excludeRows', `only applies to method 'auto', not '${method}'`);
    if (!(exclude instanceof Uint8Array) || exclude.length !== all.rows) {
      throw new InvalidParameterError('excludeRows', `must be a Uint8Array with one entry per row (${all.rows}), got ${describeLength(exclude)}`);
    }
  }
  let m = all;
  let fitSampleSize: number | undefined;
  if (o.fitSampleSize !== undefined) {
    const wanted = integerOption('fitSampleSize', o.fitSampleSize, kMax + 1);
    if (wanted < all.rows) {
      const rows = sampleRowIndices(all.rows, wanted, seed);
      m = rowsOf(all, rows);
      if (exclude) {
        const full = exclude;
        exclude = Uint8Array.from(rows, (r) => full[r]);
      }
      fitSampleSize = wanted;
    }
  }
  const d = RESAMPLING_DEFAULTS;
  // Prediction strength fits each half: halves of fewer than ~4 rows per cluster say nothing.
  const psRows = Math.min(m.rows, d.predictionStrengthSample);
  const criteria: NonNullable<ChooseKResult['criteria']> = {};
  let k: number;
  let curve: ChooseKPoint[];
  if (method === 'auto') {
    const mix = mixtureBic(m, { kMin, kMax, seed, ...MIXTURE_BIC_DEFAULTS, excludeRows: exclude });
    criteria.mixture_bic = mix.curve;
    k = mix.k;
    curve = mix.curve.map((p) => ({ k: p.k, score: p.score }));
  } else if (method === 'gap-statistic') {
    const gap = gapStatistic(sampleRows(m, d.gapSample, seed), { kMin, kMax, seed, references: d.references, reference: 'pca', nInit: d.nInit });
    criteria.gap = gap.curve;
    k = gap.k;
    curve = gap.curve.map((p) => ({ k: p.k, score: p.score }));
  } else {
    if (psRows < 2 * (kMax + 1)) {
      throw new InvalidParameterError('kMax', `is ${kMax} but method '${method}' needs at least ${2 * (kMax + 1)} rows (two halves of kMax+1), got ${psRows}`);
    }
    const ps = predictionStrength(sampleRows(m, psRows, seed), { kMin, kMax, seed, splits: d.splits, threshold: d.threshold, nInit: d.nInit });
    criteria.prediction_strength = ps.curve;
    k = ps.k;
    curve = ps.curve.map((p) => ({ k: p.k, score: p.score }));
  }
  // Labels as the other methods give them: fitted on the rows the curve was (a sample of
  // large data, then predicted for every row), so a caller that refits pays little here.
  let labels: Int32Array;
  if (k === 1) labels = new Int32Array(all.rows);
  else {
    const fit = fitAlgorithm('kmeans', m, { k, seed, nInit: d.nInit });
    labels = m === all ? fit.labels : fit.predictMatrix!(all);
  }
  const result: ChooseKResult = { k, method, algorithm: 'kmeans', curve, labels, criteria };
  if (fitSampleSize !== undefined) result.fitSampleSize = fitSampleSize;
  return result;
}
