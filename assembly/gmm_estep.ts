// Gaussian mixture E-step kernels: log densities through the triangular precision
// Cholesky (or the diagonal), log-sum-exp and responsibilities. The M-step sums are in
// gmm_mstep.ts, over the same layout.
//
// Layout: X is feature-major (feature j of point i at X[j*nPad + i]) and responsibilities
// are component-major (R[c*nPad + i]); nPad is n rounded up to a multiple of 4, the host
// pads with copies of the last point. One v128 then holds the same feature of two consecutive
// points, so every lane is one point's own computation: the scalar build runs each point
// through exactly the lane's operations and the two builds agree bit for bit. Reductions
// over points keep even and odd points apart (the two lanes) and add them at the end, in
// both builds.

import { f64Addr } from './memory';

// exp(x) for x <= 0, shared by both builds: Cody-Waite reduction x = k ln2 + r with
// |r| <= ln2/2, a degree-12 Taylor polynomial (truncation below 2e-16 relative, Estrin), then
// scaling by 2^k built from the exponent bits. Only +, *, rounding and bit moves, so the
// f64x2 and the scalar version give the same bits; about 2 ulp from the correctly
// rounded value. Below -708 the result is flushed to 0 (the true value is < 3.4e-308).
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const SHIFTER: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer held in the low bits
const EXP_MIN: f64 = -708.0;
const C2: f64 = 1.0 / 2.0;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
const C6: f64 = 1.0 / 720.0;
const C7: f64 = 1.0 / 5040.0;
const C8: f64 = 1.0 / 40320.0;
const C9: f64 = 1.0 / 362880.0;
const C10: f64 = 1.0 / 3628800.0;
const C11: f64 = 1.0 / 39916800.0;
const C12: f64 = 1.0 / 479001600.0;

/** exp(x) for x <= 0 (scalar twin of expNonPositive2). */
// @ts-ignore: decorator
@inline
function expNonPositive(x: f64): f64 {
  const xc = max(x, EXP_MIN);
  const t = xc * LOG2E + SHIFTER;
  const kf = t - SHIFTER;
  const r = xc - kf * LN2_HI - kf * LN2_LO;
  // Estrin's scheme: the same terms as Horner with a dependency chain a third as long.
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const s0 = (1.0 + r) + r2 * (C2 + C3 * r);
  const s1 = (C4 + C5 * r) + r2 * (C6 + C7 * r);
  const s2 = (C8 + C9 * r) + r2 * (C10 + C11 * r);
  const p = (s0 + r4 * s1) + r8 * (s2 + r4 * C12);
  const scale = reinterpret<f64>((reinterpret<i64>(t) + 1023) << 52);
  return x < EXP_MIN ? 0.0 : p * scale;
}

/** a + b*r in both lanes. */
// @ts-ignore: decorator
@inline
function linear(a: f64, b: f64, r: v128): v128 {
  return f64x2.add(f64x2.splat(a), f64x2.mul(f64x2.splat(b), r));
}

/** exp of both lanes, x <= 0: the same operations as expNonPositive. */
// @ts-ignore: decorator
@inline
function expNonPositive2(x: v128): v128 {
  const xc = f64x2.max(x, f64x2.splat(EXP_MIN));
  const shifter = f64x2.splat(SHIFTER);
  const t = f64x2.add(f64x2.mul(xc, f64x2.splat(LOG2E)), shifter);
  const kf = f64x2.sub(t, shifter);
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kf, f64x2.splat(LN2_HI))), f64x2.mul(kf, f64x2.splat(LN2_LO)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const s0 = f64x2.add(f64x2.add(f64x2.splat(1.0), r), f64x2.mul(r2, linear(C2, C3, r)));
  const s1 = f64x2.add(linear(C4, C5, r), f64x2.mul(r2, linear(C6, C7, r)));
  const s2 = f64x2.add(linear(C8, C9, r), f64x2.mul(r2, linear(C10, C11, r)));
  const p = f64x2.add(
    f64x2.add(s0, f64x2.mul(r4, s1)),
    f64x2.mul(r8, f64x2.add(s2, f64x2.mul(r4, f64x2.splat(C12)))),
  );
  const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
  return v128.andnot(f64x2.mul(p, scale), f64x2.lt(x, f64x2.splat(EXP_MIN)));
}

/**
 * Writes resp for one point from its k weighted log-probabilities (read `stride` bytes
 * apart: one lane of v128 rows, overwritten with the exponentials); returns log-sum-exp.
 */
// @ts-ignore: decorator
@inline
function normalizeOne(logProb: usize, stride: usize, k: i32, resp: usize, nPad: i32, i: i32): f64 {
  let top = load<f64>(logProb);
  for (let c = 1; c < k; c++) top = max(top, load<f64>(logProb + <usize>c * stride));
  let total: f64 = 0;
  for (let c = 0; c < k; c++) {
    const p = logProb + <usize>c * stride;
    const e = expNonPositive(load<f64>(p) - top);
    store<f64>(p, e);
    total += e;
  }
  const inv = 1.0 / total;
  for (let c = 0; c < k; c++) store<f64>(f64Addr(resp, c * nPad + i), load<f64>(logProb + <usize>c * stride) * inv);
  return top + Math.log(total);
}

/**
 * normalizeOne for four points in two v128 lanes pairs: rows of two v128 (points
 * i..i+1, then i+2..i+3), 32 bytes apart. The two halves are interleaved so their exp
 * chains overlap. log is once per point: the same libm call in both builds.
 */
// @ts-ignore: decorator
@inline
function normalizeQuad(logProb: usize, k: i32, resp: usize, nPad: i32, i: i32, logNorm: usize): void {
  let topA = v128.load(logProb);
  let topB = v128.load(logProb, 16);
  for (let c = 1; c < k; c++) {
    const p = logProb + (<usize>c << 5);
    topA = f64x2.max(topA, v128.load(p));
    topB = f64x2.max(topB, v128.load(p, 16));
  }
  let totalA = f64x2.splat(0);
  let totalB = f64x2.splat(0);
  for (let c = 0; c < k; c++) {
    const p = logProb + (<usize>c << 5);
    const eA = expNonPositive2(f64x2.sub(v128.load(p), topA));
    const eB = expNonPositive2(f64x2.sub(v128.load(p, 16), topB));
    v128.store(p, eA);
    v128.store(p, eB, 16);
    totalA = f64x2.add(totalA, eA);
    totalB = f64x2.add(totalB, eB);
  }
  const invA = f64x2.div(f64x2.splat(1.0), totalA);
  const invB = f64x2.div(f64x2.splat(1.0), totalB);
  for (let c = 0; c < k; c++) {
    const p = logProb + (<usize>c << 5);
    const o = f64Addr(resp, c * nPad + i);
    v128.store(o, f64x2.mul(v128.load(p), invA));
    v128.store(o, f64x2.mul(v128.load(p, 16), invB), 16);
  }
  store<f64>(f64Addr(logNorm, i), f64x2.extract_lane(topA, 0) + Math.log(f64x2.extract_lane(totalA, 0)));
  store<f64>(f64Addr(logNorm, i + 1), f64x2.extract_lane(topA, 1) + Math.log(f64x2.extract_lane(totalA, 1)));
  store<f64>(f64Addr(logNorm, i + 2), f64x2.extract_lane(topB, 0) + Math.log(f64x2.extract_lane(totalB, 0)));
  store<f64>(f64Addr(logNorm, i + 3), f64x2.extract_lane(topB, 1) + Math.log(f64x2.extract_lane(totalB, 1)));
}

/** Zeroes the padding points' responsibilities and returns the sum of logNorm over the n real points. */
// @ts-ignore: decorator
@inline
function finishEStep(n: i32, nPad: i32, k: i32, resp: usize, logNorm: usize): f64 {
  for (let i = n; i < nPad; i++) {
    for (let c = 0; c < k; c++) store<f64>(f64Addr(resp, c * nPad + i), 0);
  }
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += load<f64>(f64Addr(logNorm, i));
  return total;
}

/** Log-sum-exp and responsibilities of the four points of a block (both builds, the same results). */
// @ts-ignore: decorator
@inline
function normalizeBlock(logProb: usize, k: i32, resp: usize, nPad: i32, i: i32, logNorm: usize): void {
  if (ASC_FEATURE_SIMD) {
    normalizeQuad(logProb, k, resp, nPad, i, logNorm);
  } else {
    for (let t = 0; t < 4; t++) {
      store<f64>(f64Addr(logNorm, i + t), normalizeOne(f64Addr(logProb, t), 32, k, resp, nPad, i + t));
    }
  }
}

/** Writes the weighted log-probabilities logConst[c] - 0.5 * maha of four points (two lanes each of mahaA, mahaB) into their logProb row. */
// @ts-ignore: decorator
@inline
function storeLogProbs(lpRow: usize, logConst: usize, c: i32, mahaA: v128, mahaB: v128): void {
  const lc = v128.load64_splat(f64Addr(logConst, c));
  const half = f64x2.splat(0.5);
  v128.store(lpRow, f64x2.sub(lc, f64x2.mul(half, mahaA)));
  v128.store(lpRow, f64x2.sub(lc, f64x2.mul(half, mahaB)), 16);
}

/** Full covariance: log-probabilities of component c for the four points at xi, through its triangular Linv at P. */
// @ts-ignore: decorator
@inline
function logProbsFull(xi: usize, colBytes: usize, d: i32, mu: usize, P: usize, logConst: usize, c: i32, diff: usize, lpRow: usize): void {
  if (ASC_FEATURE_SIMD) {
    let xj = xi;
    for (let j = 0; j < d; j++) {
      const m = v128.load64_splat(f64Addr(mu, j));
      const q = diff + (<usize>j << 5);
      v128.store(q, f64x2.sub(v128.load(xj), m));
      v128.store(q, f64x2.sub(v128.load(xj, 16), m), 16);
      xj += colBytes;
    }
    let mahaA = f64x2.splat(0);
    let mahaB = f64x2.splat(0);
    let row = P;
    for (let j = 0; j < d; j++) {
      let yA = f64x2.splat(0);
      let yB = f64x2.splat(0);
      for (let l = 0; l <= j; l++) {
        const p = v128.load64_splat(f64Addr(row, l));
        const q = diff + (<usize>l << 5);
        yA = f64x2.add(yA, f64x2.mul(v128.load(q), p));
        yB = f64x2.add(yB, f64x2.mul(v128.load(q, 16), p));
      }
      mahaA = f64x2.add(mahaA, f64x2.mul(yA, yA));
      mahaB = f64x2.add(mahaB, f64x2.mul(yB, yB));
      row += <usize>d << 3;
    }
    storeLogProbs(lpRow, logConst, c, mahaA, mahaB);
  } else {
    // Each of the four points through its lane's operations.
    for (let j = 0; j < d; j++) {
      const xj = xi + <usize>j * colBytes;
      const m = load<f64>(f64Addr(mu, j));
      const q = diff + (<usize>j << 5);
      for (let t = 0; t < 4; t++) store<f64>(f64Addr(q, t), load<f64>(f64Addr(xj, t)) - m);
    }
    const lc = load<f64>(f64Addr(logConst, c));
    for (let t = 0; t < 4; t++) {
      let maha: f64 = 0;
      for (let j = 0; j < d; j++) {
        const row = P + ((<usize>j * <usize>d) << 3);
        let y: f64 = 0;
        for (let l = 0; l <= j; l++) y += load<f64>(f64Addr(diff + (<usize>l << 5), t)) * load<f64>(f64Addr(row, l));
        maha += y * y;
      }
      store<f64>(f64Addr(lpRow, t), lc - 0.5 * maha);
    }
  }
}

/** Diagonal covariance: log-probabilities of component c for the four points at xi, through its 1/sigma per feature at P. */
// @ts-ignore: decorator
@inline
function logProbsDiag(xi: usize, colBytes: usize, d: i32, mu: usize, P: usize, logConst: usize, c: i32, lpRow: usize): void {
  if (ASC_FEATURE_SIMD) {
    let mahaA = f64x2.splat(0);
    let mahaB = f64x2.splat(0);
    let xj = xi;
    for (let j = 0; j < d; j++) {
      const m = v128.load64_splat(f64Addr(mu, j));
      const p = v128.load64_splat(f64Addr(P, j));
      const yA = f64x2.mul(f64x2.sub(v128.load(xj), m), p);
      const yB = f64x2.mul(f64x2.sub(v128.load(xj, 16), m), p);
      mahaA = f64x2.add(mahaA, f64x2.mul(yA, yA));
      mahaB = f64x2.add(mahaB, f64x2.mul(yB, yB));
      xj += colBytes;
    }
    storeLogProbs(lpRow, logConst, c, mahaA, mahaB);
  } else {
    const lc = load<f64>(f64Addr(logConst, c));
    for (let t = 0; t < 4; t++) {
      let maha: f64 = 0;
      for (let j = 0; j < d; j++) {
        const y = (load<f64>(f64Addr(xi + <usize>j * colBytes, t)) - load<f64>(f64Addr(mu, j))) * load<f64>(f64Addr(P, j));
        maha += y * y;
      }
      store<f64>(f64Addr(lpRow, t), lc - 0.5 * maha);
    }
  }
}

/**
 * The E-step loop of both covariance families over the 4-point blocks starting at rows
 * from, from + 4, ... below to: each component's log-probabilities (logProbsFull or
 * logProbsDiag, picked by the constant `full`, so each export keeps one), then
 * log-sum-exp and responsibilities. Rows are independent, so init({ threads }) runs row
 * ranges on several threads, each with its own diff and logProb scratch.
 */
// @ts-ignore: decorator
@inline
function eStepRows(
  full: bool, X: usize, nPad: i32, d: i32, means: usize, prec: usize, logConst: usize, k: i32,
  diff: usize, logProb: usize, resp: usize, logNorm: usize, from: i32, to: i32,
): void {
  const colBytes = <usize>nPad << 3;
  for (let i = from; i < to; i += 4) {
    const xi = f64Addr(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      // Full: a d x d Linv per component; diagonal: d values.
      const P = prec + ((<usize>c * <usize>d * (full ? <usize>d : 1)) << 3);
      const lpRow = logProb + (<usize>c << 5);
      if (full) logProbsFull(xi, colBytes, d, mu, P, logConst, c, diff, lpRow);
      else logProbsDiag(xi, colBytes, d, mu, P, logConst, c, lpRow);
    }
    normalizeBlock(logProb, k, resp, nPad, i, logNorm);
  }
}

/** gmmEStepFull's loop over rows [from, to) (both multiples of 4), without the final sum. */
export function gmmEStepFullRows(
  X: usize, nPad: i32, d: i32, means: usize, precChol: usize, logConst: usize, k: i32,
  diff: usize, logProb: usize, resp: usize, logNorm: usize, from: i32, to: i32,
): void {
  eStepRows(true, X, nPad, d, means, precChol, logConst, k, diff, logProb, resp, logNorm, from, to);
}

/** gmmEStepDiag's loop over rows [from, to) (both multiples of 4), without the final sum. */
export function gmmEStepDiagRows(
  X: usize, nPad: i32, d: i32, means: usize, precDiag: usize, logConst: usize, k: i32,
  logProb: usize, resp: usize, logNorm: usize, from: i32, to: i32,
): void {
  eStepRows(false, X, nPad, d, means, precDiag, logConst, k, 0, logProb, resp, logNorm, from, to);
}

/**
 * After the row loops: zeroes the padding rows' responsibilities and returns the sum of
 * logNorm over the n real points, in row order whatever thread wrote which rows.
 */
export function gmmEStepFinish(n: i32, nPad: i32, k: i32, resp: usize, logNorm: usize): f64 {
  return finishEStep(n, nPad, k, resp, logNorm);
}

/**
 * E-step for full (and tied) covariances. For each point and component:
 * logConst[c] - 0.5 * ||Linv_c (x - mu_c)||^2, then log-sum-exp over components and the
 * responsibilities. Four points per step (two v128) share each load of mu and Linv.
 * Returns the sum over the n real points of log sum_c exp(...). nPad % 4 == 0.
 */
export function gmmEStepFull(
  X: usize, // IN f64[d*nPad], feature-major
  n: i32,
  nPad: i32,
  d: i32,
  means: usize, // IN f64[k*d]
  precChol: usize, // IN f64[k*d*d]: per component Linv, lower-triangular row-major (scikit-learn's precisions_cholesky_ transposed)
  logConst: usize, // IN f64[k]: log weight + log det(precision Cholesky) - d/2 log(2 pi)
  k: i32,
  diff: usize, // SCRATCH f64[4*d]
  logProb: usize, // SCRATCH f64[4*k]
  resp: usize, // OUT f64[k*nPad], component-major
  logNorm: usize, // OUT f64[nPad]
): f64 {
  eStepRows(true, X, nPad, d, means, precChol, logConst, k, diff, logProb, resp, logNorm, 0, nPad);
  return finishEStep(n, nPad, k, resp, logNorm);
}

/**
 * E-step for diagonal (and spherical) covariances: the precision Cholesky is a diagonal
 * of 1/sigma per component and feature. Four points per step, like gmmEStepFull.
 * Returns the sum of log-sum-exp like gmmEStepFull. nPad % 4 == 0.
 */
export function gmmEStepDiag(
  X: usize, // IN f64[d*nPad], feature-major
  n: i32,
  nPad: i32,
  d: i32,
  means: usize, // IN f64[k*d]
  precDiag: usize, // IN f64[k*d]: 1 / standard deviation
  logConst: usize, // IN f64[k]
  k: i32,
  logProb: usize, // SCRATCH f64[4*k]
  resp: usize, // OUT f64[k*nPad], component-major
  logNorm: usize, // OUT f64[nPad]
): f64 {
  eStepRows(false, X, nPad, d, means, precDiag, logConst, k, 0, logProb, resp, logNorm, 0, nPad);
  return finishEStep(n, nPad, k, resp, logNorm);
}
