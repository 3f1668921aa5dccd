// Gaussian mixture kernels: the E-step (log densities through the triangular precision
// Cholesky, log-sum-exp, responsibilities) and the M-step accumulations (weighted sums,
// weighted scatter matrices about the component means).
//
// Layout: X is feature-major (feature j of point i at X[j*nPad + i]) and responsibilities
// are component-major (R[c*nPad + i]); nPad is n rounded up to even, the host pads with
// copies of the last point. One v128 then holds the same feature of two consecutive
// points, so every lane is one point's own computation: the scalar build runs each point
// through exactly the lane's operations and the two builds agree bit for bit. Reductions
// over points keep even and odd points apart (the two lanes) and add them at the end, in
// both builds.

// @ts-ignore: decorator
@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/**
 * Writes resp for one point from its k weighted log-probabilities (read 16 bytes apart:
 * one lane of a v128 row, overwritten with the exponentials); returns the log-sum-exp.
 */
// @ts-ignore: decorator
@inline
function normalizeOne(logProb: usize, k: i32, resp: usize, nPad: i32, i: i32): f64 {
  let top = load<f64>(logProb);
  for (let c = 1; c < k; c++) top = max(top, load<f64>(logProb + (<usize>c << 4)));
  let total: f64 = 0;
  for (let c = 0; c < k; c++) {
    const p = logProb + (<usize>c << 4);
    const e = Math.exp(load<f64>(p) - top);
    store<f64>(p, e);
    total += e;
  }
  const inv = 1.0 / total;
  for (let c = 0; c < k; c++) store<f64>(at(resp, c * nPad + i), load<f64>(logProb + (<usize>c << 4)) * inv);
  return top + Math.log(total);
}

/** Same as normalizeOne for the two points (lanes) of a v128 log-probability row. */
// @ts-ignore: decorator
@inline
function normalizePair(logProb: usize, k: i32, resp: usize, nPad: i32, i: i32, logNorm: usize): void {
  let top = v128.load(logProb);
  for (let c = 1; c < k; c++) top = f64x2.max(top, v128.load(logProb + (<usize>c << 4)));
  const top0 = f64x2.extract_lane(top, 0);
  const top1 = f64x2.extract_lane(top, 1);
  let total = f64x2.splat(0);
  for (let c = 0; c < k; c++) {
    const p = logProb + (<usize>c << 4);
    // exp is scalar in both builds: the same libm call on the same value.
    const e = f64x2.replace_lane(
      f64x2.splat(Math.exp(load<f64>(p) - top0)), 1, Math.exp(load<f64>(p, 8) - top1),
    );
    v128.store(p, e);
    total = f64x2.add(total, e);
  }
  const inv = f64x2.div(f64x2.splat(1.0), total);
  for (let c = 0; c < k; c++) {
    v128.store(at(resp, c * nPad + i), f64x2.mul(v128.load(logProb + (<usize>c << 4)), inv));
  }
  store<f64>(at(logNorm, i), top0 + Math.log(f64x2.extract_lane(total, 0)));
  store<f64>(at(logNorm, i + 1), top1 + Math.log(f64x2.extract_lane(total, 1)));
}

/** Zeroes the padding points' responsibilities and returns the sum of logNorm over the n real points. */
// @ts-ignore: decorator
@inline
function finishEStep(n: i32, nPad: i32, k: i32, resp: usize, logNorm: usize): f64 {
  for (let i = n; i < nPad; i++) {
    for (let c = 0; c < k; c++) store<f64>(at(resp, c * nPad + i), 0);
  }
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += load<f64>(at(logNorm, i));
  return total;
}

/**
 * E-step for full (and tied) covariances. For each point and component:
 * logConst[c] - 0.5 * ||Linv_c (x - mu_c)||^2, then log-sum-exp over components and the
 * responsibilities. Returns the sum over the n real points of log sum_c exp(...).
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
  diff: usize, // SCRATCH f64[2*d]
  logProb: usize, // SCRATCH f64[2*k]
  resp: usize, // OUT f64[k*nPad], component-major
  logNorm: usize, // OUT f64[nPad]
): f64 {
  const colBytes = <usize>nPad << 3;
  for (let i = 0; i < nPad; i += 2) {
    const xi = at(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const P = precChol + ((<usize>c * <usize>d * <usize>d) << 3);
      if (ASC_FEATURE_SIMD) {
        for (let j = 0; j < d; j++) {
          v128.store(diff + (<usize>j << 4), f64x2.sub(v128.load(xi + <usize>j * colBytes), v128.load64_splat(at(mu, j))));
        }
        let maha = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const row = P + ((<usize>j * <usize>d) << 3);
          let y = f64x2.splat(0);
          for (let l = 0; l <= j; l++) {
            y = f64x2.add(y, f64x2.mul(v128.load(diff + (<usize>l << 4)), v128.load64_splat(at(row, l))));
          }
          maha = f64x2.add(maha, f64x2.mul(y, y));
        }
        const lp = f64x2.sub(v128.load64_splat(at(logConst, c)), f64x2.mul(f64x2.splat(0.5), maha));
        v128.store(logProb + (<usize>c << 4), lp);
      } else {
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(at(mu, j));
          store<f64>(diff + (<usize>j << 4), load<f64>(xj) - m);
          store<f64>(diff + (<usize>j << 4), load<f64>(xj, 8) - m, 8);
        }
        let maha0: f64 = 0, maha1: f64 = 0;
        for (let j = 0; j < d; j++) {
          const row = P + ((<usize>j * <usize>d) << 3);
          let y0: f64 = 0, y1: f64 = 0;
          for (let l = 0; l <= j; l++) {
            const p = load<f64>(at(row, l));
            y0 += load<f64>(diff + (<usize>l << 4)) * p;
            y1 += load<f64>(diff + (<usize>l << 4), 8) * p;
          }
          maha0 += y0 * y0;
          maha1 += y1 * y1;
        }
        const lc = load<f64>(at(logConst, c));
        store<f64>(logProb + (<usize>c << 4), lc - 0.5 * maha0);
        store<f64>(logProb + (<usize>c << 4), lc - 0.5 * maha1, 8);
      }
    }
    if (ASC_FEATURE_SIMD) {
      normalizePair(logProb, k, resp, nPad, i, logNorm);
    } else {
      // The two points one after the other, through the same operations as the lanes.
      for (let lane = 0; lane < 2; lane++) {
        store<f64>(at(logNorm, i + lane), normalizeOne(logProb + (<usize>lane << 3), k, resp, nPad, i + lane));
      }
    }
  }
  return finishEStep(n, nPad, k, resp, logNorm);
}

/**
 * E-step for diagonal (and spherical) covariances: the precision Cholesky is a diagonal
 * of 1/sigma per component and feature. Returns the sum of log-sum-exp like gmmEStepFull.
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
  logProb: usize, // SCRATCH f64[2*k]
  resp: usize, // OUT f64[k*nPad], component-major
  logNorm: usize, // OUT f64[nPad]
): f64 {
  const colBytes = <usize>nPad << 3;
  for (let i = 0; i < nPad; i += 2) {
    const xi = at(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const P = precDiag + ((<usize>c * <usize>d) << 3);
      if (ASC_FEATURE_SIMD) {
        let maha = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const y = f64x2.mul(
            f64x2.sub(v128.load(xi + <usize>j * colBytes), v128.load64_splat(at(mu, j))),
            v128.load64_splat(at(P, j)),
          );
          maha = f64x2.add(maha, f64x2.mul(y, y));
        }
        v128.store(logProb + (<usize>c << 4), f64x2.sub(v128.load64_splat(at(logConst, c)), f64x2.mul(f64x2.splat(0.5), maha)));
      } else {
        let maha0: f64 = 0, maha1: f64 = 0;
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(at(mu, j));
          const p = load<f64>(at(P, j));
          const y0 = (load<f64>(xj) - m) * p;
          const y1 = (load<f64>(xj, 8) - m) * p;
          maha0 += y0 * y0;
          maha1 += y1 * y1;
        }
        const lc = load<f64>(at(logConst, c));
        store<f64>(logProb + (<usize>c << 4), lc - 0.5 * maha0);
        store<f64>(logProb + (<usize>c << 4), lc - 0.5 * maha1, 8);
      }
    }
    if (ASC_FEATURE_SIMD) {
      normalizePair(logProb, k, resp, nPad, i, logNorm);
    } else {
      for (let lane = 0; lane < 2; lane++) {
        store<f64>(at(logNorm, i + lane), normalizeOne(logProb + (<usize>lane << 3), k, resp, nPad, i + lane));
      }
    }
  }
  return finishEStep(n, nPad, k, resp, logNorm);
}

/**
 * M-step, first pass: nk[c] = sum_i R[c,i] and sums[c,j] = sum_i R[c,i] * x_ij.
 * Padding points must carry zero responsibility.
 */
export function gmmWeightedSums(
  X: usize, // IN f64[d*nPad], feature-major
  nPad: i32,
  d: i32,
  resp: usize, // IN f64[k*nPad], component-major
  k: i32,
  acc: usize, // SCRATCH f64[2*k*(d+1)]
  nk: usize, // OUT f64[k]
  sums: usize, // OUT f64[k*d]
): void {
  const colBytes = <usize>nPad << 3;
  const stride = d + 1; // per component: the weight total, then d weighted sums (v128 each)
  memory.fill(acc, 0, (<usize>k * <usize>stride) << 4);
  for (let i = 0; i < nPad; i += 2) {
    const xi = at(X, i);
    for (let c = 0; c < k; c++) {
      const a = acc + ((<usize>c * <usize>stride) << 4);
      const r = at(resp, c * nPad + i);
      if (ASC_FEATURE_SIMD) {
        const rv = v128.load(r);
        v128.store(a, f64x2.add(v128.load(a), rv));
        for (let j = 0; j < d; j++) {
          const aj = a + (<usize>(j + 1) << 4);
          v128.store(aj, f64x2.add(v128.load(aj), f64x2.mul(rv, v128.load(xi + <usize>j * colBytes))));
        }
      } else {
        const r0 = load<f64>(r), r1 = load<f64>(r, 8);
        store<f64>(a, load<f64>(a) + r0);
        store<f64>(a, load<f64>(a, 8) + r1, 8);
        for (let j = 0; j < d; j++) {
          const aj = a + (<usize>(j + 1) << 4);
          const xj = xi + <usize>j * colBytes;
          store<f64>(aj, load<f64>(aj) + r0 * load<f64>(xj));
          store<f64>(aj, load<f64>(aj, 8) + r1 * load<f64>(xj, 8), 8);
        }
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const a = acc + ((<usize>c * <usize>stride) << 4);
    store<f64>(at(nk, c), load<f64>(a) + load<f64>(a, 8));
    for (let j = 0; j < d; j++) {
      const aj = a + (<usize>(j + 1) << 4);
      store<f64>(at(sums, c * d + j), load<f64>(aj) + load<f64>(aj, 8));
    }
  }
}

/**
 * M-step, second pass (full and tied): scatter[c] = sum_i R[c,i] (x_i - mu_c)(x_i - mu_c)^T,
 * the full symmetric d x d matrix per component (not yet divided by nk).
 */
export function gmmWeightedScatter(
  X: usize, // IN f64[d*nPad], feature-major
  nPad: i32,
  d: i32,
  resp: usize, // IN f64[k*nPad], component-major
  means: usize, // IN f64[k*d]
  k: i32,
  diff: usize, // SCRATCH f64[4*d]
  acc: usize, // SCRATCH f64[2*k*d*d]
  scatter: usize, // OUT f64[k*d*d]
): void {
  const colBytes = <usize>nPad << 3;
  const dd = <usize>d * <usize>d;
  memory.fill(acc, 0, (<usize>k * dd) << 4);
  const weighted = diff + (<usize>d << 4);
  for (let i = 0; i < nPad; i += 2) {
    const xi = at(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const a = acc + ((<usize>c * dd) << 4);
      const r = at(resp, c * nPad + i);
      if (ASC_FEATURE_SIMD) {
        const rv = v128.load(r);
        for (let j = 0; j < d; j++) {
          const dv = f64x2.sub(v128.load(xi + <usize>j * colBytes), v128.load64_splat(at(mu, j)));
          v128.store(diff + (<usize>j << 4), dv);
          v128.store(weighted + (<usize>j << 4), f64x2.mul(rv, dv));
        }
        for (let j = 0; j < d; j++) {
          const wj = v128.load(weighted + (<usize>j << 4));
          const aRow = a + ((<usize>j * <usize>d) << 4);
          for (let l = 0; l <= j; l++) {
            const p = aRow + (<usize>l << 4);
            v128.store(p, f64x2.add(v128.load(p), f64x2.mul(wj, v128.load(diff + (<usize>l << 4)))));
          }
        }
      } else {
        const r0 = load<f64>(r), r1 = load<f64>(r, 8);
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(at(mu, j));
          const d0 = load<f64>(xj) - m, d1 = load<f64>(xj, 8) - m;
          const q = diff + (<usize>j << 4);
          store<f64>(q, d0);
          store<f64>(q, d1, 8);
          const w = weighted + (<usize>j << 4);
          store<f64>(w, r0 * d0);
          store<f64>(w, r1 * d1, 8);
        }
        for (let j = 0; j < d; j++) {
          const w = weighted + (<usize>j << 4);
          const w0 = load<f64>(w), w1 = load<f64>(w, 8);
          const aRow = a + ((<usize>j * <usize>d) << 4);
          for (let l = 0; l <= j; l++) {
            const p = aRow + (<usize>l << 4);
            const q = diff + (<usize>l << 4);
            store<f64>(p, load<f64>(p) + w0 * load<f64>(q));
            store<f64>(p, load<f64>(p, 8) + w1 * load<f64>(q, 8), 8);
          }
        }
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const a = acc + ((<usize>c * dd) << 4);
    const s = scatter + ((<usize>c * dd) << 3);
    for (let j = 0; j < d; j++) {
      for (let l = 0; l <= j; l++) {
        const p = a + ((<usize>j * <usize>d + <usize>l) << 4);
        const v = load<f64>(p) + load<f64>(p, 8);
        store<f64>(at(s, j * d + l), v);
        store<f64>(at(s, l * d + j), v);
      }
    }
  }
}

/**
 * M-step, second pass (diag and spherical): scatter[c,j] = sum_i R[c,i] (x_ij - mu_cj)^2
 * (not yet divided by nk).
 */
export function gmmWeightedScatterDiag(
  X: usize, // IN f64[d*nPad], feature-major
  nPad: i32,
  d: i32,
  resp: usize, // IN f64[k*nPad], component-major
  means: usize, // IN f64[k*d]
  k: i32,
  acc: usize, // SCRATCH f64[2*k*d]
  scatter: usize, // OUT f64[k*d]
): void {
  const colBytes = <usize>nPad << 3;
  memory.fill(acc, 0, (<usize>k * <usize>d) << 4);
  for (let i = 0; i < nPad; i += 2) {
    const xi = at(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const a = acc + ((<usize>c * <usize>d) << 4);
      const r = at(resp, c * nPad + i);
      if (ASC_FEATURE_SIMD) {
        const rv = v128.load(r);
        for (let j = 0; j < d; j++) {
          const dv = f64x2.sub(v128.load(xi + <usize>j * colBytes), v128.load64_splat(at(mu, j)));
          const p = a + (<usize>j << 4);
          v128.store(p, f64x2.add(v128.load(p), f64x2.mul(f64x2.mul(rv, dv), dv)));
        }
      } else {
        const r0 = load<f64>(r), r1 = load<f64>(r, 8);
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(at(mu, j));
          const d0 = load<f64>(xj) - m, d1 = load<f64>(xj, 8) - m;
          const p = a + (<usize>j << 4);
          store<f64>(p, load<f64>(p) + r0 * d0 * d0);
          store<f64>(p, load<f64>(p, 8) + r1 * d1 * d1, 8);
        }
      }
    }
  }
  for (let c = 0; c < k * d; c++) {
    const p = acc + (<usize>c << 4);
    store<f64>(at(scatter, c), load<f64>(p) + load<f64>(p, 8));
  }
}
