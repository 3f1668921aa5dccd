/**
 * Segment stability, as R's fpc::clusterboot measures it (Hennig 2007): draw B bootstrap
 * samples of the customers (with replacement), refit the same algorithm with the same k on
 * each, and score every original segment by the mean, over the resamples, of its Jaccard
 * similarity with the most similar refitted cluster. Both sides are restricted to the
 * distinct customers drawn. Hennig's reading: below 0.6 a segment is not stable, above 0.75
 * it is, above 0.85 highly.
 *
 * Cost is bounded two ways: a resample holds at most `sampleSize` customers (5,000 by
 * default; the original segments are compared on those customers only), and resampling stops
 * after `resamples` refits or once `budgetMs` has passed, whichever comes first; the result
 * says how many resamples were used. With the default budget (none) the result depends only
 * on the data, the refit and the seed. The refit is the caller's (the service passes
 * fitAlgorithm), so this module knows no algorithm.
 */
import type { Matrix } from '../matrix';
import { Random } from '../random';
import { rowsOf } from '../matrix';

/** How much resampling stability may do. */
export interface StabilityOptions {
  /** Refits at most (B); default 20. */
  resamples?: number;
  /** Customers per resample at most; default 5000. */
  sampleSize?: number;
  /** Stop starting refits after this many milliseconds; default Infinity (deterministic: always `resamples`). */
  budgetMs?: number;
  seed?: number;
}

/** Stability per segment id (null when no resample could score it) and what was spent. */
export interface StabilityResult {
  bySegment: Map<number, number | null>;
  resamples: number;
  failedResamples: number;
  sampleSize: number;
  budgetMs: number;
  elapsedMs: number;
}

/** Refits on a resampled matrix; returns one label per row (-1 = noise, never matched). */
export type Refit = (X: Matrix, resample: number) => Int32Array;

/** One resample of a RefitAll: its labels, a refit the algorithm refused, or one the deadline kept from starting. */
export type RefitOutcome = Int32Array | 'failed' | 'not_started';

/**
 * Refits every resample at once (draws[b]: the rows of resample b, as Refit's X would
 * hold them), on other threads say; none but the first may start after `deadline`
 * (Date.now()). Outcomes in resample order.
 */
export type RefitAll = (draws: Int32Array[], deadline: number) => RefitOutcome[];

/** Defaults of StabilityOptions. */
export const defaultStabilityOptions = { resamples: 20, sampleSize: 5000, budgetMs: Number.POSITIVE_INFINITY, seed: 0 } as const;

/** Bootstrap stability of every segment of `labels` (>= 0; noise -1 is not scored). */
export function bootstrapStability(X: Matrix, labels: Int32Array, refit: Refit, options: StabilityOptions = {}, refitAll?: RefitAll): StabilityResult {
  const o = { ...defaultStabilityOptions, ...options };
  const start = performance.now();
  const n = X.rows;
  const m = Math.min(n, o.sampleSize);
  // Segment ids are small non-negative integers: a presence table, not a Set of a million labels.
  let maxLabel = -1;
  for (let i = 0; i < n; i++) if (labels[i]! > maxLabel) maxLabel = labels[i]!;
  let ids: number[] = [];
  if (maxLabel <= 2 * n + 1024) {
    const present = new Uint8Array(maxLabel + 1);
    for (let i = 0; i < n; i++) if (labels[i]! >= 0) present[labels[i]!] = 1;
    for (let id = 0; id <= maxLabel; id++) if (present[id]) ids.push(id);
  } else ids = [...new Set(labels)].filter((l) => l >= 0).sort((a, b) => a - b);
  // Segment id -> its slot; a Map lookup per drawn customer was 13 ms of a 1M-customer run.
  const slotTable = maxLabel <= 2 * n + 1024 ? new Int32Array(maxLabel + 1) : null;
  const slot = new Map(ids.map((id, s) => [id, s]));
  if (slotTable) ids.forEach((id, s) => (slotTable[id] = s));
  const slotOf = slotTable ? (label: number) => slotTable[label]! : (label: number) => slot.get(label)!;
  const sums = new Float64Array(ids.length);
  const counts = new Int32Array(ids.length);
  const rng = new Random(o.seed ^ 0x5eed);
  let resamples = 0;
  let failed = 0;
  const firstCopy = new Int32Array(n).fill(-1);
  if (refitAll !== undefined) {
    // The same draws in the same order as the loop below, then the scores in resample
    // order: the same result, whoever refitted what.
    const draws: Int32Array[] = [];
    for (let b = 0; b < o.resamples; b++) {
      const d = new Int32Array(m);
      for (let i = 0; i < m; i++) d[i] = rng.int(n);
      draws.push(d);
    }
    const outcomes = refitAll(draws, Date.now() + (o.budgetMs - (performance.now() - start)));
    for (let b = 0; b < outcomes.length; b++) {
      const outcome = outcomes[b]!;
      if (outcome === 'not_started') break;
      if (outcome === 'failed') failed++;
      else {
        resamples++;
        addBestJaccards(draws[b]!, outcome, labels, slotOf, ids.length, firstCopy, sums, counts);
      }
    }
  }
  const drawn = new Int32Array(m);
  for (let b = 0; refitAll === undefined && b < o.resamples; b++) {
    if (b > 0 && performance.now() - start >= o.budgetMs) break;
    for (let i = 0; i < m; i++) drawn[i] = rng.int(n);
    // A helper called per resample, not a loop inside this long one-shot function: V8
    // optimised the copy only there (16 ms -> ~2 ms of 20 resamples at 100k customers).
    const sub = rowsOf(X, drawn);
    let fresh: Int32Array;
    try {
      fresh = refit(sub, b);
    } catch {
      // A resample an algorithm refuses (e.g. a singular covariance from duplicated rows) is skipped, and counted.
      failed++;
      continue;
    }
    resamples++;
    addBestJaccards(drawn, fresh, labels, slotOf, ids.length, firstCopy, sums, counts);
  }
  const bySegment = new Map<number, number | null>(ids.map((id, s) => [id, counts[s] > 0 ? sums[s] / counts[s] : null]));
  return { bySegment, resamples, failedResamples: failed, sampleSize: m, budgetMs: o.budgetMs, elapsedMs: performance.now() - start };
}

/**
 * One resample's contribution: for every original segment among the distinct customers
 * drawn, the Jaccard similarity of its best-matching refitted cluster (each customer with
 * the refitted label of its first copy), added to sums and counted. firstCopy is all -1
 * on entry and is left so.
 */
function addBestJaccards(
  drawn: Int32Array,
  fresh: Int32Array,
  labels: Int32Array,
  slotOf: (label: number) => number,
  segments: number,
  firstCopy: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
): void {
  const m = drawn.length;
  const distinct = new Int32Array(m);
  let nDistinct = 0;
  let maxNew = -1;
  for (let i = 0; i < m; i++) {
    const r = drawn[i]!;
    if (firstCopy[r] === -1) {
      firstCopy[r] = i;
      distinct[nDistinct++] = r;
      if (fresh[i]! > maxNew) maxNew = fresh[i]!;
    }
  }
  const width = maxNew + 1;
  const newSize = new Int32Array(width);
  const oldSize = new Int32Array(segments);
  const table = new Int32Array(segments * width);
  for (let t = 0; t < nDistinct; t++) {
    const r = distinct[t]!;
    const label = labels[r]!;
    const dNew = fresh[firstCopy[r]!]!;
    if (dNew >= 0) newSize[dNew]++;
    if (label < 0) continue;
    const c = slotOf(label);
    oldSize[c]++;
    if (dNew >= 0) table[c * width + dNew]++;
  }
  for (let c = 0; c < segments; c++) {
    if (oldSize[c] === 0) continue;
    let best = 0;
    for (let dNew = 0; dNew < width; dNew++) {
      const both = table[c * width + dNew]!;
      if (both === 0) continue;
      best = Math.max(best, both / (oldSize[c]! + newSize[dNew]! - both));
    }
    sums[c] += best;
    counts[c]++;
  }
  for (let t = 0; t < nDistinct; t++) firstCopy[distinct[t]!] = -1;
}
