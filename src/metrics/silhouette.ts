/**
 * Silhouette coefficient, scikit-learn's definition: for each point, a = mean distance
 * to the other points of its cluster, b = the smallest mean distance to another
 * cluster, s = (b - a) / max(a, b); a point alone in its cluster scores 0. The score
 * is the mean of s. Noise (negative labels) is left out (see labels.ts).
 *
 * Exact silhouette costs n^2/2 square roots (about 55 ms at 10,000 x 6 here, over 20 s at 100,000), so above
 * SILHOUETTE_EXACT_LIMIT labelled rows the score is computed on a seeded random sample
 * of SILHOUETTE_EXACT_LIMIT rows, as scikit-learn's `sample_size` does (the silhouette
 * of the sample, distances within the sample only). Stratifying the sample by cluster
 * was tried and did not reduce the error (it is within-cluster spread, not cluster
 * shares), so the sample is a plain one, the same for every labelling (chooseK relies
 * on that). `silhouette()` says whether and
 * how it sampled; `exact: true` forces the full computation, `sampleSize` sets it.
 */
import { InvalidParameterError } from '../errors';
import { toMatrixView, type Matrix, type MatrixLike } from '../matrix';
import { integerOption, numberOption, rejectUnknownOptions, withDefaults } from '../options';
import { Random, sampleIndices } from '../random';
import { kernels } from '../wasm/index';
import { silhouetteTileLoop } from '../wasm/threads';
import { checkClusterCount, clusterCountProblem, type CompactLabels, compactLabels, SampleMissesClustersError } from './labels';

/** Thrown when a silhouette sample holds too few of the clusters (parameter 'sampleSize'). */
export { SampleMissesClustersError };

/**
 * Above this many labelled rows silhouetteScore samples (to this many rows) unless told
 * otherwise. Set from `npm run bench -- metrics`: exact silhouette on 10,000 x 6 takes
 * about 55 ms here (1.3x the f64x2.sqrt floor), so a score never costs much more; on
 * 100k customers a 10,000-row sample was off the exact score by 0.0014 rms (8 seeds,
 * worst 0.0026), while the exact score took over 20 s.
 */
export const SILHOUETTE_EXACT_LIMIT = 10_000;

/** From this many scored rows the pair sums are split over init({ threads })' pool (see silhouetteOfRows). */
export const SILHOUETTE_THREADS_MIN = 2048;

/** Rows (and columns) per tile of the threaded pair sums (512 beat 128 and 256 on 2 threads). */
const SILHOUETTE_TILE = 512;

/** Options of the silhouette functions. */
export interface SilhouetteOptions {
  /** Score a seeded random sample of this many labelled rows (scikit-learn's sample_size). */
  sampleSize?: number;
  /** Seed of the sample. */
  seed?: number;
  /** Never sample, however large X is. */
  exact?: boolean;
}

/** Defaults of the silhouette options. */
export const defaultSilhouetteOptions = { seed: 0, exact: false };

/** What silhouette() returns: the score and how it was computed. */
export interface SilhouetteResult {
  /** Mean silhouette over the rows scored. */
  score: number;
  /** Whether the score is the silhouette of a random sample. */
  sampled: boolean;
  /** Rows scored (the sample size when sampled, otherwise every labelled row). */
  sampleSize: number;
  /** Labelled rows of X (noise excluded). */
  n: number;
  /** Rows left out because their label was negative. */
  nNoise: number;
  /** Distinct clusters among the labelled rows. */
  nClusters: number;
  /** Seed of the sample (when sampled). */
  seed?: number;
}

const OPTION_NAMES = ['sampleSize', 'seed', 'exact'] as const;

/**
 * Silhouette values of the rows `rows` of X (row-major n x d) with clusters `codes`
 * (0..k-1, one per entry of rows). Returns the values in the order of `rows` and their sum.
 * With init({ threads }) and SILHOUETTE_THREADS_MIN rows or more, the pair sums run as
 * tiles on every thread (silhouetteTile): the same sums in the same order, so the values
 * are bit-identical to the one-call kernel's (10,000 x 6 on 2 threads: 70 -> 43 ms).
 */
export function silhouetteOfRows(data: Float64Array, d: number, rows: Int32Array, codes: Int32Array, k: number): { values: Float64Array; total: number } {
  const m = rows.length;
  // Counting sort by cluster: clusterStart[c] .. clusterStart[c+1]-1 are cluster c's slots.
  const clusterStart = new Int32Array(k + 1);
  for (let p = 0; p < m; p++) clusterStart[codes[p] + 1]++;
  for (let c = 0; c < k; c++) clusterStart[c + 1] += clusterStart[c];
  const next = clusterStart.slice(0, k);
  const slotOf = new Int32Array(m);
  for (let p = 0; p < m; p++) slotOf[p] = next[codes[p]]++;

  const kern = kernels();
  const e = kern.exports;
  const pool = kern.pool;
  // From SILHOUETTE_THREADS_MIN rows the pair sums run as tiles, on one thread too: a
  // single call of the one-call kernel runs on V8's baseline WebAssembly code (tier-up
  // applies from the next call), which made a first 5,000-row score ~5x slower than a
  // warm one; after the first tile the rest run optimised. Same sums, same order.
  const tiled = m >= SILHOUETTE_THREADS_MIN;
  const use = pool !== null && tiled ? pool.threads : 1;
  const ws = kern.workspace();
  const rXT = ws.f64(d * m);
  const rStart = ws.i32(k + 1);
  const rSums = ws.f64(k * m);
  const rOut = ws.f64(m);
  const nb = Math.ceil(m / SILHOUETTE_TILE);
  const threaded = tiled ? { lanes: ws.f64(4 * m), tot: ws.f64(k * m), flags: ws.i32(nb * nb), counter: ws.i32(1) } : undefined;
  ws.commit();
  const XT = ws.viewF64(rXT);
  for (let p = 0; p < m; p++) {
    const src = rows[p] * d;
    const slot = slotOf[p];
    for (let f = 0; f < d; f++) XT[f * m + slot] = data[src + f];
  }
  ws.write(rStart, clusterStart);
  if (threaded) {
    ws.viewF64(threaded.lanes).fill(0);
    ws.viewF64(threaded.tot).fill(0);
    ws.viewF64(rSums).fill(0);
    ws.viewI32(threaded.flags).fill(0);
    ws.viewI32(threaded.counter).fill(0);
    const { lanes, tot, flags, counter } = threaded;
    const params = [rXT.ptr, m, d, rStart.ptr, k, lanes.ptr, tot.ptr, rSums.ptr, SILHOUETTE_TILE, nb, flags.ptr, counter.ptr];
    if (pool !== null && use > 1) pool.silhouetteTiles(use, params);
    else silhouetteTileLoop(e, e.memory.buffer, params);
    const sums = ws.viewF64(rSums);
    const totals = ws.viewF64(tot);
    for (let x = 0; x < sums.length; x++) sums[x] += totals[x];
  } else {
    e.silhouetteClusterSums(rXT.ptr, m, d, rStart.ptr, k, rSums.ptr);
  }
  const total = e.silhouetteFromSums(rSums.ptr, m, rStart.ptr, k, rOut.ptr);
  const sorted = ws.viewF64(rOut);
  const values = new Float64Array(m);
  for (let p = 0; p < m; p++) values[p] = sorted[slotOf[p]];
  return { values, total };
}

/** `size` distinct positions out of 0..n-1, seeded (partial Fisher-Yates), ascending. */
export function samplePositions(n: number, size: number, seed: number): Int32Array {
  return sampleIndices(n, size, new Random(seed)).sort();
}

interface ResolvedSilhouette {
  sampleSize: number | undefined;
  seed: number;
  exact: boolean;
}

function resolveOptions(options: SilhouetteOptions | undefined, fn: string): ResolvedSilhouette {
  rejectUnknownOptions(options, OPTION_NAMES, fn);
  const o = withDefaults(defaultSilhouetteOptions, options);
  const seed = numberOption('seed', o.seed, (v) => Number.isInteger(v), 'an integer');
  if (typeof o.exact !== 'boolean') throw new InvalidParameterError('exact', `must be true or false, got ${JSON.stringify(o.exact)}`);
  let sampleSize: number | undefined;
  if (o.sampleSize !== undefined) {
    if (o.exact) throw new InvalidParameterError('exact', 'cannot be true together with sampleSize (one asks for all rows, the other for a sample)');
    sampleSize = integerOption('sampleSize', o.sampleSize, 2);
  }
  return { sampleSize, seed, exact: o.exact };
}

/** Silhouette score with how it was computed: exact, or on a seeded sample above SILHOUETTE_EXACT_LIMIT rows. */
export function silhouette(X: MatrixLike, labels: ArrayLike<number>, options?: SilhouetteOptions): SilhouetteResult {
  return silhouetteWith(toMatrixView(X), labels, options, 'silhouette');
}

/**
 * silhouette() on a validated matrix (toMatrix's output), which it reads without copying;
 * `compact` is compactLabels(labels, m.rows) when the caller has it already (segment()
 * scores one labelling with several metrics: one pass over a million labels, not two).
 */
export function silhouetteOfMatrix(m: Matrix, labels: ArrayLike<number>, options?: SilhouetteOptions, compact?: CompactLabels): SilhouetteResult {
  return silhouetteWith(m, labels, options, 'silhouette', compact);
}

function silhouetteWith(m: Matrix, labels: ArrayLike<number>, options: SilhouetteOptions | undefined, fn: string, compact?: CompactLabels): SilhouetteResult {
  const opts = resolveOptions(options, fn);
  const lab = compact ?? compactLabels(labels, m.rows);
  const n = lab.rows.length;
  checkClusterCount(lab.k, n, fn);
  const wanted = opts.sampleSize ?? (opts.exact || n <= SILHOUETTE_EXACT_LIMIT ? n : SILHOUETTE_EXACT_LIMIT);
  if (wanted >= n) {
    const { total } = silhouetteOfRows(m.data, m.cols, lab.rows, lab.codes, lab.k);
    return { score: total / n, sampled: false, sampleSize: n, n, nNoise: lab.nNoise, nClusters: lab.k };
  }
  const positions = samplePositions(n, wanted, opts.seed);
  const rows = new Int32Array(wanted);
  const sampleLabels = new Int32Array(wanted);
  for (let p = 0; p < wanted; p++) {
    rows[p] = lab.rows[positions[p]];
    sampleLabels[p] = lab.codes[positions[p]];
  }
  // The sample may miss clusters: recompact so empty clusters cost nothing.
  const sub = compactLabels(sampleLabels, wanted);
  const problem = clusterCountProblem(sub.k, wanted, fn, ` in the sample of ${wanted} rows (seed ${opts.seed}); use a larger sampleSize or exact: true`);
  if (problem) throw new SampleMissesClustersError(problem, { clusters: sub.k, sampleSize: wanted, seed: opts.seed, labelledRows: n });
  const { total } = silhouetteOfRows(m.data, m.cols, rows, sub.codes, sub.k);
  return { score: total / wanted, sampled: true, sampleSize: wanted, n, nNoise: lab.nNoise, nClusters: lab.k, seed: opts.seed };
}

/** Mean silhouette coefficient (sampled above SILHOUETTE_EXACT_LIMIT rows; see silhouette() to know). */
export function silhouetteScore(X: MatrixLike, labels: ArrayLike<number>, options?: SilhouetteOptions): number {
  return silhouetteWith(toMatrixView(X), labels, options, 'silhouetteScore').score;
}

/**
 * Exact silhouette of every row, in the order of X. Noise rows (negative labels) have
 * no silhouette: their entries are NaN, so indices stay aligned with X.
 */
export function silhouetteSamples(X: MatrixLike, labels: ArrayLike<number>): Float64Array {
  const m = toMatrixView(X);
  const lab = compactLabels(labels, m.rows);
  checkClusterCount(lab.k, lab.rows.length, 'silhouetteSamples');
  const { values } = silhouetteOfRows(m.data, m.cols, lab.rows, lab.codes, lab.k);
  if (lab.nNoise === 0) return values;
  const out = new Float64Array(m.rows).fill(NaN);
  for (let p = 0; p < lab.rows.length; p++) out[lab.rows[p]] = values[p];
  return out;
}
