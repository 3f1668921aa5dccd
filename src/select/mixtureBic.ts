/**
 * k by the BIC of full-covariance Gaussian mixtures fitted to the rows as they were
 * observed: the criterion behind chooseK's 'auto'.
 *
 * Plain BIC over-splits customer data for reasons that are artefacts, not segments
 * (measured on bench/kdata.mjs with scikit-learn 1.2 and then here):
 * - rows with an imputed value all sit on the hyperplane feature = median, and a
 *   mixture spends a component on them (1-2% of the rows, every true segment mixed in);
 *   they are left out of the criterion (`excludeRows`), and only of the criterion;
 * - counts, rounded rates and clamped values repeat exactly, and a component can shrink
 *   onto one repeated value; columns with few distinct values are spread uniformly over
 *   the gaps to their neighbouring values (dequantised, seeded), which keeps their
 *   distribution and removes the spikes;
 * - what is left of the skew (log recency, bounded rates) is absorbed by a covariance
 *   floor of REG_COVAR times the mean column variance, which stops a component from
 *   fitting the shape of one skewed segment instead of a segment.
 * On 30 sets with 3..7 known segments this found k on 24 (prediction strength: 19),
 * and the mixtures' labels at that k had a mean ARI of 0.94 against the true segments.
 */
import { fitAlgorithm } from '../cluster/registry';
import type { Matrix } from '../matrix';
import { Random, sampleIndices } from '../random';
import type { TaskClaims } from '../wasm/fitPool';
import { kernels } from '../wasm/index';
import type { CriterionPoint } from './resampling';
import { rowsOf } from '../matrix';

export interface MixtureBicOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** Rows the mixtures are fitted on (a seeded sample of the observed rows). */
  sampleSize: number;
  nInit: number;
  /** Covariance floor as a share of the mean column variance. */
  regCovar: number;
  /** Rows with a value that was not observed (imputed): 1 leaves the row out. */
  excludeRows?: Uint8Array;
}

/** Settings measured on bench/kdata.mjs (suite 65-kselect); see the module comment. */
export const MIXTURE_BIC_DEFAULTS = { sampleSize: 4_000, nInit: 3, regCovar: 0.05 };

/** A column with at most rows / DISCRETE_RATIO distinct values is dequantised. */
const DISCRETE_RATIO = 20;

/**
 * Rows of m kept for the criterion: the observed ones, unless fewer than a quarter of the
 * rows (or too few to fit kMax components) are observed, then all of them.
 */
function observedRows(m: Matrix, exclude: Uint8Array | undefined, kMax: number): Int32Array {
  const all = () => Int32Array.from({ length: m.rows }, (_, i) => i);
  if (!exclude) return all();
  let kept = 0;
  for (let i = 0; i < m.rows; i++) if (!exclude[i]) kept++;
  if (kept < m.rows / 4 || kept < 10 * (kMax + 1)) return all();
  const rows = new Int32Array(kept);
  for (let i = 0, at = 0; i < m.rows; i++) if (!exclude[i]) rows[at++] = i;
  return rows;
}

/** The given rows of m with each discrete column spread over its value gaps. */
export function dequantisedRows(m: Matrix, rows: Int32Array, rng: Random): Matrix {
  const d = m.cols;
  const n = rows.length;
  const { data } = rowsOf(m, rows);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = data[i * d + j];
    const values = Float64Array.from(new Set(column)).sort();
    if (values.length < 2 || values.length > n / DISCRETE_RATIO) continue;
    const u = values.length;
    // Each value owns the interval between the midpoints to its neighbours (the end
    // values as far out as their one neighbour's midpoint is in).
    const lo = new Float64Array(u);
    const hi = new Float64Array(u);
    for (let v = 0; v < u; v++) {
      lo[v] = v > 0 ? (values[v - 1] + values[v]) / 2 : values[0] - (values[1] - values[0]) / 2;
      hi[v] = v + 1 < u ? (values[v] + values[v + 1]) / 2 : values[u - 1] + (values[u - 1] - values[u - 2]) / 2;
    }
    const index = new Map<number, number>();
    for (let v = 0; v < u; v++) index.set(values[v], v);
    for (let i = 0; i < n; i++) {
      const v = index.get(data[i * d + j])!;
      data[i * d + j] = lo[v] + (hi[v] - lo[v]) * rng.next();
    }
  }
  return { data, rows: n, cols: d };
}

/** Mean of the column variances of m. */
function meanVariance(m: Matrix): number {
  const { data, rows, cols } = m;
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + j];
    mean /= rows;
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += (data[i * cols + j] - mean) ** 2;
    total += ss / rows;
  }
  return total / cols;
}

/**
 * BIC(k) of full-covariance mixtures for k = kMin..kMax on the observed, dequantised
 * sample; the k of the lowest BIC is chosen. A k whose mixture cannot be fitted on the
 * sample is left out of the curve.
 */
export function mixtureBic(m: Matrix, o: MixtureBicOptions): { k: number; curve: CriterionPoint[] } {
  const rng = new Random(o.seed ^ 0x9b05688c);
  const kept = observedRows(m, o.excludeRows, o.kMax);
  const observed = dequantisedRows(m, kept, rng);
  const sample = observed.rows <= o.sampleSize ? observed : rowsOf(observed, sampleIndices(observed.rows, o.sampleSize, rng));
  const regCovar = o.regCovar * (meanVariance(sample) || 1);
  const bics = mixtureBics(sample, o.kMin, o.kMax, o.seed, o.nInit, regCovar);
  const curve: CriterionPoint[] = [];
  bics.forEach((bic, t) => {
    if (Number.isFinite(bic)) curve.push({ k: o.kMin + t, score: bic });
  });
  if (curve.length === 0) return { k: o.kMin, curve };
  let best = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i].score < curve[best].score) best = i;
  return { k: curve[best].k, curve };
}

/** One mixture's BIC, NaN when it cannot be fitted (too few distinct rows for k components). */
function bicOf(sample: Matrix, k: number, seed: number, nInit: number, regCovar: number): number {
  try {
    return fitAlgorithm('gmm', sample, { k, seed, nInit, covarianceType: 'full', regCovar }).bic;
  } catch {
    return Number.NaN;
  }
}

/**
 * Below this many sample rows the mixtures stay on the calling thread: each fit takes
 * well under a millisecond and the hand-off would not pay.
 */
const MIN_PARALLEL_BIC_ROWS = 1000;

/**
 * BIC for k = kMin..kMax. With init({ threads }) the fits (independent, each a function
 * of the sample, k and the seed only) are tasks for the whole-task workers and the
 * calling thread, so the curve is bit for bit the one thread's.
 */
function mixtureBics(sample: Matrix, kMin: number, kMax: number, seed: number, nInit: number, regCovar: number): Float64Array {
  const tasks = kMax - kMin + 1;
  const pool = kernels().fitPool;
  if (!pool || tasks < 2 || sample.rows < MIN_PARALLEL_BIC_ROWS) {
    return Float64Array.from({ length: Math.max(0, tasks) }, (_, t) => bicOf(sample, kMin + t, seed, nInit, regCovar));
  }
  const out = new Float64Array(new SharedArrayBuffer(8 * tasks));
  const X = new SharedArrayBuffer(sample.data.length * 8);
  new Float64Array(X).set(sample.data);
  const job: MixtureBicJob = { kind: 'gmm.bic', X, n: sample.rows, d: sample.cols, kMin, seed, nInit, regCovar, out: out.buffer as SharedArrayBuffer };
  const left = pool.run(job, tasks, Math.min(pool.size, tasks - 1), (claims) => runMixtureBicJob(job, claims));
  for (const t of left) out[t] = bicOf(sample, kMin + t, seed, nInit, regCovar);
  return out;
}

/** A mixture BIC job as posted to whole-task workers (see src/wasm/fitPool.ts): task t is k = kMin + t. */
export interface MixtureBicJob {
  kind: 'gmm.bic';
  X: SharedArrayBuffer;
  n: number;
  d: number;
  kMin: number;
  seed: number;
  nInit: number;
  regCovar: number;
  /** One BIC per task (NaN: not fitted). */
  out: SharedArrayBuffer;
}

/** Runs claimed tasks of a mixture BIC job (on a worker or the calling thread). */
export function runMixtureBicJob(job: MixtureBicJob, claims: TaskClaims): void {
  const sample: Matrix = { data: new Float64Array(job.X), rows: job.n, cols: job.d };
  const out = new Float64Array(job.out);
  for (let t = claims.claim(); t >= 0; t = claims.claim()) {
    out[t] = bicOf(sample, job.kMin + t, job.seed, job.nInit, job.regCovar);
    claims.finish(t);
  }
}
