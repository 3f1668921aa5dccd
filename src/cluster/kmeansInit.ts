/** K-Means initial centroids: greedy k-means++ and weighted random rows, as scikit-learn draws them. */
import type { Random } from '../random';
import { type Kernels, kernels, type Region } from '../wasm/index';
import { seedingBlockRange } from '../wasm/threads';
import { type FitContext, lloydBlocks } from './kmeansLloyd';

/**
 * From this many rows k-means++'s candidate distances split over init({ threads }) (whole
 * blocks of rows per thread, as Lloyd's pass); below, a step is too short to hand off.
 */
export const MIN_THREADED_SEEDING_ROWS = 20_000;

/** Row i of the centred X in linear memory (a view: copy before the workspace changes). */
function rowOf(ctx: FitContext, i: number): Float64Array {
  return ctx.ws.viewF64(ctx.r.X).subarray(i * ctx.d, (i + 1) * ctx.d);
}

/**
 * For each target, the first row whose running sum of weights[i] * dist[i] (weights 1
 * when absent) reaches it, or the last row when none does: scikit-learn's
 * searchsorted(stable_cumsum(...), target) clipped to the rows, for dist (and weights) at
 * those addresses of linear memory; `scratch` holds 2 * targets.length f64. One pass in
 * the cumulativeHits kernel, targets met in ascending order, no sums stored: they are
 * added in the same order as a stored cumsum (the same bits) and never decrease (every
 * term is >= 0), so the first to reach a target is the one a binary search over them
 * finds. Writing a million sums and searching them was ~4 ms a k-means++ step at a
 * million rows, the same pass in TypeScript ~2.5 (AMD EPYC).
 */
export function cumulativeHitsAt(kern: Kernels, distPtr: number, weightsPtr: number, n: number, targets: number[], scratch: Region): number[] {
  // A NaN target (0 * an infinite potential) compares false with every sum, so the binary
  // search ends at row 0; the sums themselves never are NaN (finite terms >= 0), but they
  // can overflow to Infinity, which reaches an infinite target.
  const hits = targets.map((target) => (Number.isNaN(target) ? 0 : n - 1));
  const order = targets
    .map((_, t) => t)
    .filter((t) => !Number.isNaN(targets[t]))
    .sort((a, b) => targets[a]! - targets[b]! || a - b);
  if (order.length === 0) return hits;
  const buffer = kern.exports.memory.buffer;
  new Float64Array(buffer, scratch.ptr, order.length).set(order.map((t) => targets[t]!));
  const hitsPtr = scratch.ptr + order.length * 8;
  kern.exports.cumulativeHits(distPtr, weightsPtr, n, scratch.ptr, order.length, hitsPtr);
  const found = new Int32Array(kern.exports.memory.buffer, hitsPtr, order.length);
  order.forEach((t, q) => {
    hits[t] = found[q]!;
  });
  return hits;
}

/** cumulativeHitsAt over arrays: lays them out in a workspace of their own. */
export function cumulativeHits(dist: Float64Array, weights: Float64Array | undefined, n: number, targets: number[]): number[] {
  const kern = kernels();
  const ws = kern.workspace();
  const rDist = ws.f64(n);
  const rWeights = weights ? ws.f64(n) : null;
  const scratch = ws.f64(2 * targets.length);
  ws.commit();
  ws.write(rDist, dist.subarray(0, n));
  if (rWeights && weights) ws.write(rWeights, weights.subarray(0, n));
  return cumulativeHitsAt(kern, rDist.ptr, rWeights ? rWeights.ptr : 0, n, targets, scratch);
}

/** Picks an index with probability proportional to weight (uniform without weights). */
function weightedIndex(weights: Float64Array | undefined, n: number, rng: Random): number {
  if (!weights) return rng.int(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  let target = rng.next() * total;
  for (let i = 0; i < n; i++) {
    target -= weights[i];
    if (target < 0 && weights[i] > 0) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return n - 1;
}

/**
 * Random draws (rng.next() calls) one kmeansPlusPlus() takes: one for the first centre,
 * nLocalTrials for each other. Fixed, so the start of restart r can be drawn from the
 * stream skipped ahead by r times this (whole-task workers do).
 */
export function kmeansPlusPlusDraws(k: number, nLocalTrials: number): number {
  return 1 + (k - 1) * nLocalTrials;
}

/** Greedy k-means++ as in scikit-learn's _kmeans_plusplus (2 + ln k candidates per step). */
export function kmeansPlusPlus(ctx: FitContext, rng: Random): Float64Array {
  const { kern, ws, n, d, k, weights, nLocalTrials } = ctx;
  const e = kern.exports;
  const nEven = n + (n & 1);
  const centers = new Float64Array(k * d);
  // No centre yet: every point is infinitely far; the padding slot stays 0 so it adds nothing.
  const closestView = ws.viewF64(ctx.closest);
  closestView.fill(Infinity);
  if (nEven !== n) closestView[n] = 0;
  // Scores every candidate in one pass and makes the best one's distances the new "closest".
  const { count, rows } = lloydBlocks(n);
  const pairsPerBlock = rows / 2;
  const nPairs = (n + 1) >> 1;
  const pots = new Float64Array(nLocalTrials);
  const threads = ctx.passThreads?.() ?? ctx.threads;
  const pool = threads > 1 && count > 1 && n >= MIN_THREADED_SEEDING_ROWS ? kern.pool : null;
  const tryCandidates = (ids: number[]): number => {
    const cand = ws.viewF64(ctx.candidates);
    ids.forEach((id, t) => cand.set(rowOf(ctx, id), t * d));
    const m = ids.length;
    const params = [ctx.r.Xp.ptr, n, d, ctx.candidates.ptr, m, ctx.closest.ptr, ctx.pairWeightsPtr, ctx.trials.ptr, ctx.potentials.ptr, pairsPerBlock, nPairs];
    if (pool) pool.seedingBlocks(threads, params, count);
    else seedingBlockRange(e, params, 0, count);
    // Each candidate's potential: its blocks' from zero in block order, whoever computed them.
    const blockPots = ws.viewF64(ctx.potentials);
    pots.fill(0, 0, m);
    for (let b = 0; b < count; b++) for (let t = 0; t < m; t++) pots[t] += blockPots[b * m + t];
    let best = 0;
    for (let t = 1; t < m; t++) if (pots[t] < pots[best]) best = t;
    ws.viewF64(ctx.closest).set(ws.viewF64(ctx.trials).subarray(best * nEven, (best + 1) * nEven));
    return best;
  };
  const first = weightedIndex(weights, n, rng);
  centers.set(rowOf(ctx, first), 0);
  tryCandidates([first]);
  let potential = pots[0];
  for (let c = 1; c < k; c++) {
    const targets: number[] = [];
    for (let t = 0; t < nLocalTrials; t++) targets.push(rng.next() * potential);
    const ids = cumulativeHitsAt(kern, ctx.closest.ptr, ctx.weightsPtr, n, targets, ctx.hitScratch);
    const best = tryCandidates(ids);
    potential = pots[best];
    centers.set(rowOf(ctx, ids[best]), c * d);
  }
  return centers;
}

/** k distinct rows drawn at random (weighted by sampleWeight), as scikit-learn's init='random'. */
export function randomInit(ctx: FitContext, rng: Random): Float64Array {
  const { n, d, k, weights } = ctx;
  const centers = new Float64Array(k * d);
  const taken = new Set<number>();
  const w = weights ? Float64Array.from(weights) : undefined;
  for (let c = 0; c < k; c++) {
    let idx: number;
    if (w?.some((v) => v > 0)) {
      idx = weightedIndex(w, n, rng);
      w[idx] = 0;
    } else {
      // Unweighted, or fewer positive-weight rows than k: uniform over the rows not taken.
      do idx = rng.int(n);
      while (taken.has(idx));
    }
    taken.add(idx);
    centers.set(rowOf(ctx, idx), c * d);
  }
  return centers;
}
