/**
 * K-Means iterations over X laid out in linear memory: the assignment kernels (Lloyd's
 * blocked pass, or Hamerly's bounds), centroid updates, scikit-learn's empty-cluster
 * relocation and its stopping rules.
 */
import type { Kernels, Region, Workspace } from '../wasm/index';
import { assignBlockRange } from '../wasm/threads';

/** Workspace regions of the assignment kernels. */
export interface LloydRegions {
  X: Region;
  Xp: Region;
  W: Region | null;
  C: Region;
  halfNorm: Region;
  labels: Region;
  sums: Region;
  counts: Region;
  /** Per block of rows (lloydBlocks), its sums and counts; empty with one block. */
  blockSums: Region;
  blockCounts: Region;
}

/** Fewest rows per block of Lloyd's sums; at most LLOYD_MAX_BLOCKS blocks. */
export const LLOYD_BLOCK_ROWS = 2048;
const LLOYD_MAX_BLOCKS = 256;

/**
 * How Lloyd's pass adds the per-cluster sums: each block of `rows` rows (whole groups of
 * four, the kernel's unit) from zero, then the blocks' sums from zero in block order.
 * Set by n alone, so threads that each take whole blocks add exactly what one thread
 * adds, and they add in parallel: a serial pass over X for the sums (the row order of one
 * long chain) cost more than the split saved once X outgrew the cache. One block (n up to
 * LLOYD_BLOCK_ROWS) is a single chain over the rows, as before blocks.
 */
export function lloydBlocks(n: number): { count: number; rows: number } {
  const wanted = Math.max(1, Math.min(LLOYD_MAX_BLOCKS, Math.ceil(n / LLOYD_BLOCK_ROWS)));
  const rows = Math.ceil(n / wanted / 4) * 4;
  return { count: Math.max(1, Math.ceil(n / rows)), rows };
}

/** Rows per call of packPairs (even: a call starts on a pair). */
const PACK_ROWS = 16_384;

/**
 * packPointPairs over n rows in calls of PACK_ROWS: one call over a million rows runs on
 * V8's baseline WebAssembly code from start to end (tier-up applies from the next call;
 * 37 ms of a fresh 1M fit against ~10 in calls). Each pair is packed on its own, so the
 * layout is the one a single call writes.
 */
export function packPairs(kern: Kernels, X: number, n: number, d: number, Xp: number, threads = 1): void {
  const blocks = Math.ceil(n / PACK_ROWS);
  // With init({ threads }) the blocks are split over the pool (a fifth of what a threaded
  // 1M fit still did on one thread); each block is the same call either way.
  if (threads > 1 && kern.pool && blocks > 1) {
    kern.pool.packBlocks(threads, [X, n, d, Xp, PACK_ROWS], blocks);
    return;
  }
  for (let r0 = 0; r0 < n; r0 += PACK_ROWS) {
    kern.exports.packPointPairs(X + r0 * d * 8, Math.min(PACK_ROWS, n - r0), d, Xp + (r0 >> 1) * d * 16);
  }
}

/**
 * Hamerly's first pass in calls of PACK_ROWS rows (the kernel goes on with the running
 * sums in row order: the one call's result), for the reason packPairs gives.
 */
export function hamerlyInit(
  kern: Kernels,
  r: LloydRegions,
  n: number,
  d: number,
  k: number,
  weightsPtr: number,
  ctx: Pick<FitContext, 'cumulative' | 'upper' | 'lower' | 'members'>,
): void {
  const e = kern.exports;
  for (let r0 = 0; r0 === 0 || r0 < n; r0 += PACK_ROWS) {
    e.hamerlyInitPairs(
      r.Xp.ptr + (r0 >> 1) * d * 16,
      r.X.ptr + r0 * d * 8,
      Math.min(PACK_ROWS, n - r0),
      d,
      r.C.ptr,
      k,
      weightsPtr === 0 ? 0 : weightsPtr + r0 * 8,
      ctx.cumulative.ptr,
      r.labels.ptr + r0 * 4,
      ctx.upper!.ptr + r0 * 8,
      ctx.lower!.ptr + r0 * 8,
      r.sums.ptr,
      r.counts.ptr,
      ctx.members.ptr,
      r0 === 0 ? 1 : 0,
    );
  }
}

/** Reserves the assignment regions (call before ws.commit()); `pairs` adds the Lloyd kernel's pair layout. */
export function lloydRegions(ws: Workspace, n: number, d: number, k: number, weighted: boolean, pairs = true): LloydRegions {
  const blocks = pairs ? lloydBlocks(n).count : 1;
  return {
    X: ws.f64(n * d),
    // Hamerly reads rows only; the pair layout is for the Lloyd kernel.
    Xp: ws.f64(pairs ? ((n + 1) >> 1) * 2 * d : 0),
    W: weighted ? ws.f64(n) : null,
    C: ws.f64(k * d),
    halfNorm: ws.f64(k),
    labels: ws.i32(n),
    sums: ws.f64(k * d),
    counts: ws.f64(k),
    blockSums: ws.f64(blocks > 1 ? blocks * k * d : 0),
    blockCounts: ws.f64(blocks > 1 ? blocks * k : 0),
  };
}

/** One Lloyd assignment pass; with `accumulate`, also the per-cluster sums and counts. Returns labels changed. */
export function assignLloyd(kern: Kernels, r: LloydRegions, n: number, d: number, k: number, weightsPtr: number, accumulate: boolean, threads = 1): number {
  const e = kern.exports;
  e.halfSquaredNorms(r.C.ptr, k, d, r.halfNorm.ptr);
  const blocks = lloydBlocks(n);
  if (blocks.count === 1) {
    return e.assignNearest(
      r.Xp.ptr,
      r.X.ptr,
      n,
      d,
      r.C.ptr,
      r.halfNorm.ptr,
      k,
      weightsPtr,
      r.labels.ptr,
      accumulate ? r.sums.ptr : 0,
      accumulate ? r.counts.ptr : 0,
    );
  }
  const { count, rows } = blocks;
  // Block sums of 0: labels only (assignBlockRange passes no sums to the kernel).
  const params = [r.Xp.ptr, r.X.ptr, d, r.C.ptr, r.halfNorm.ptr, k, r.labels.ptr, weightsPtr, accumulate ? r.blockSums.ptr : 0, r.blockCounts.ptr, rows, n];
  // In calls of one block either way: V8 runs a long WebAssembly call on its baseline code
  // to the end. The labels-only pass splits over threads as the full one does.
  const changed = threads > 1 && kern.pool ? kern.pool.assignBlocks(threads, params, count) : assignBlockRange(e, params, 0, count);
  if (accumulate) addBlocks(kern, r, count, k * d, k);
  return changed;
}

/** sums (counts): the blocks' sums from zero in block order, whatever thread wrote each. */
function addBlocks(kern: Kernels, r: LloydRegions, count: number, sumLength: number, k: number): void {
  const buffer = kern.exports.memory.buffer;
  const sums = new Float64Array(buffer, r.sums.ptr, sumLength).fill(0);
  const counts = new Float64Array(buffer, r.counts.ptr, k).fill(0);
  const blockSums = new Float64Array(buffer, r.blockSums.ptr, count * sumLength);
  const blockCounts = new Float64Array(buffer, r.blockCounts.ptr, count * k);
  for (let b = 0; b < count; b++) {
    for (let x = 0; x < sumLength; x++) sums[x] += blockSums[b * sumLength + x];
    for (let c = 0; c < k; c++) counts[c] += blockCounts[b * k + c];
  }
}

/** Everything one K-Means fit shares across its inits and iterations. */
export interface FitContext {
  kern: Kernels;
  ws: Workspace;
  r: LloydRegions;
  n: number;
  d: number;
  k: number;
  weights: Float64Array | undefined;
  weightsPtr: number;
  /** Weights padded to an even length for the pair-wise k-means++ kernel (0 when unweighted). */
  pairWeightsPtr: number;
  closest: Region;
  candidates: Region;
  trials: Region;
  potentials: Region;
  /** k-means++'s sorted targets and their rows (cumulativeHitsAt), 2 * nLocalTrials f64. */
  hitScratch: Region;
  nLocalTrials: number;
  members: Region;
  upper: Region | null;
  lower: Region | null;
  shift: Region;
  halfSep: Region;
  /** Hamerly: total shift per centroid, then the total of the largest shifts (see the kernel). */
  cumulative: Region;
  maxIter: number;
  tolAbs: number;
  hamerly: boolean;
  /** Threads Lloyd's assignment splits rows over (1: this thread only). */
  threads: number;
  /** When set, asked before each pass and k-means++ run instead of `threads` (restarts on whole-task workers). */
  passThreads?: () => number;
  /**
   * 'auto' only: judge Hamerly's bounds on this run's first HAMERLY_PROBE_PASSES bounded
   * passes and give up on the run (lloyd() returns null) when they computed more than
   * this fraction of Lloyd's n*k distances. 0: no probe.
   */
  probeMaxWork: number;
  /** Set by a probing run: the fraction of n*k distances its bounded passes computed. */
  probedWork?: number;
}

/**
 * Bounded Hamerly passes (after the first, which scans every point) that 'auto' watches
 * before it commits to Hamerly. Two: the bounds are loosest in the first passes, when the
 * centroids move most, so the fraction measured here overstates the run's average a
 * little, and each probing pass costs a full Hamerly pass if Lloyd wins after all.
 */
export const HAMERLY_PROBE_PASSES = 2;

/** The outcome of one init followed by Lloyd (or Hamerly) iterations. */
export interface SingleRun {
  labels: Int32Array;
  centroids: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

/** Moves each empty cluster onto one of the points farthest from their centres (scikit-learn's rule). */
function relocateEmptyClusters(ctx: FitContext, sums: Float64Array, counts: Float64Array): number {
  const { kern, ws, r, n, d, k, weights, weightsPtr } = ctx;
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return 0;
  let moved = 0;
  kern.exports.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, weightsPtr, ctx.trials.ptr);
  const dist = ws.viewF64(ctx.trials).subarray(0, n);
  const labels = ws.viewI32(r.labels);
  const X = ws.viewF64(r.X);
  const used = new Set<number>();
  for (const target of empty) {
    // Only a point that weighs something can give a cluster weight (and a centroid).
    let far = -1;
    for (let i = 0; i < n; i++) {
      if (used.has(i) || (weights && weights[i] === 0)) continue;
      if (far < 0 || dist[i] > dist[far]) far = i;
    }
    if (far < 0) break;
    used.add(far);
    moved++;
    const w = weights ? weights[far] : 1;
    const old = labels[far];
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= X[far * d + j] * w;
      sums[target * d + j] = X[far * d + j] * w;
    }
    counts[target] = w;
    counts[old] -= w;
    if (ctx.hamerly) {
      // Hamerly keeps its sums incrementally, so the moved point must also carry its new
      // label. Its bounds become 0 (distance to its own new centroid, and a lower bound
      // that forces a full check), stored relative to the running totals as the kernel does.
      const members = ws.viewI32(ctx.members);
      members[target] = 1;
      members[old] -= 1;
      labels[far] = target;
      const cumulative = ws.viewF64(ctx.cumulative);
      ws.viewF64(ctx.upper!)[far] = 0 - cumulative[target];
      ws.viewF64(ctx.lower!)[far] = 0 + cumulative[k];
    }
  }
  return moved;
}

/**
 * Lloyd (or Hamerly) iterations from the given centred centroids. With ctx.probeMaxWork
 * (Hamerly only), null when the probe says Lloyd would be faster: the caller reruns the
 * same start with Lloyd, so a result is always wholly one algorithm's, bit for bit.
 */
export function lloyd(ctx: FitContext, start: Float64Array): SingleRun;
export function lloyd(ctx: FitContext, start: Float64Array, probe: true): SingleRun | null;
export function lloyd(ctx: FitContext, start: Float64Array, probe = false): SingleRun | null {
  const { kern, ws, r, n, d, k, weightsPtr, hamerly } = ctx;
  const e = kern.exports;
  ws.write(r.C, start);
  ws.viewI32(r.labels).fill(-1);
  const old = new Float64Array(k * d);
  let strict = false;
  let converged = false;
  let iter = 0;
  let probedDistances = 0;
  const probing = probe && hamerly && ctx.probeMaxWork > 0;
  // The last pass (labels for the final centroids) needs no sums, as in scikit-learn's
  // lloyd_iter(update_centers=False); Hamerly keeps its sums incrementally either way.
  const pass = (first: boolean, last = false): number => {
    if (!hamerly) return assignLloyd(kern, r, n, d, k, weightsPtr, !last, ctx.passThreads?.() ?? ctx.threads);
    // The running totals, labels, bounds and sums both Hamerly kernels read and update.
    const state = [ctx.cumulative.ptr, r.labels.ptr, ctx.upper!.ptr, ctx.lower!.ptr, r.sums.ptr, r.counts.ptr, ctx.members.ptr] as const;
    if (first) {
      // Every label changes from -1 on the first pass.
      hamerlyInit(kern, r, n, d, k, weightsPtr, ctx);
      return n;
    }
    return e.hamerlyAssign(r.X.ptr, n, d, r.C.ptr, k, weightsPtr, ctx.shift.ptr, ctx.halfSep.ptr, ...state, 0);
  };
  for (; iter < ctx.maxIter; iter++) {
    const C = ws.viewF64(r.C);
    old.set(C);
    let changed = pass(iter === 0);
    if (probing && iter >= 1 && iter <= HAMERLY_PROBE_PASSES) {
      probedDistances += e.hamerlyLastPassDistances();
      if (iter === HAMERLY_PROBE_PASSES) {
        ctx.probedWork = probedDistances / (HAMERLY_PROBE_PASSES * n * k);
        if (ctx.probedWork > ctx.probeMaxWork) return null;
      }
    }
    const sums = ws.viewF64(r.sums);
    const counts = ws.viewF64(r.counts);
    // A relocation moves a centroid: not converged yet, whatever the labels did.
    changed += relocateEmptyClusters(ctx, sums, counts);
    const shift = ws.viewF64(ctx.shift);
    let shiftTotal = 0;
    for (let c = 0; c < k; c++) {
      let s2 = 0;
      const cnt = counts[c];
      for (let j = 0; j < d; j++) {
        const v = cnt > 0 ? sums[c * d + j] / cnt : old[c * d + j];
        const delta = v - old[c * d + j];
        s2 += delta * delta;
        C[c * d + j] = v;
      }
      shift[c] = Math.sqrt(s2);
      shiftTotal += s2;
    }
    if (changed === 0) {
      strict = true;
      converged = true;
      break;
    }
    if (shiftTotal <= ctx.tolAbs) {
      converged = true;
      break;
    }
  }
  const iterations = Math.min(iter + 1, ctx.maxIter);
  // Labels must belong to the final centroids: one more assignment unless nothing moved.
  if (!strict) pass(false, true);
  const inertia = e.assignedSquaredDistances(r.X.ptr, n, d, r.C.ptr, r.labels.ptr, weightsPtr, 0);
  return {
    labels: ws.viewI32(r.labels).slice(),
    centroids: ws.viewF64(r.C).slice(),
    inertia,
    iterations,
    converged,
  };
}
