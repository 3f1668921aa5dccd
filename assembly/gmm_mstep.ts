// Gaussian mixture M-step kernels: per-component weighted sums and weighted scatter
// matrices about the component means, from the responsibilities of the E-step
// (gmm_estep.ts, whose header describes the shared layout: X feature-major, responsibilities
// component-major, nPad points). Reductions over points keep the two v128 lanes (even and
// odd points) apart and add them at the end, in both builds, so the builds agree bit for bit.

import { f64Addr } from './memory';

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
    const xi = f64Addr(X, i);
    for (let c = 0; c < k; c++) {
      const a = acc + ((<usize>c * <usize>stride) << 4);
      const r = f64Addr(resp, c * nPad + i);
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
    store<f64>(f64Addr(nk, c), load<f64>(a) + load<f64>(a, 8));
    for (let j = 0; j < d; j++) {
      const aj = a + (<usize>(j + 1) << 4);
      store<f64>(f64Addr(sums, c * d + j), load<f64>(aj) + load<f64>(aj, 8));
    }
  }
}

/**
 * M-step, second pass (full and tied): scatter[c] = sum_i R[c,i] (x_i - mu_c)(x_i - mu_c)^T,
 * the full symmetric d x d matrix per component (not yet divided by nk). Four points per
 * step: lane 0 sums points 4m and 4m+2, lane 1 points 4m+1 and 4m+3. nPad % 4 == 0.
 */
export function gmmWeightedScatter(
  X: usize, // IN f64[d*nPad], feature-major
  nPad: i32,
  d: i32,
  resp: usize, // IN f64[k*nPad], component-major
  means: usize, // IN f64[k*d]
  k: i32,
  diff: usize, // SCRATCH f64[8*d]
  acc: usize, // SCRATCH f64[2*k*d*d]
  scatter: usize, // OUT f64[k*d*d]
): void {
  const colBytes = <usize>nPad << 3;
  const dd = <usize>d * <usize>d;
  memory.fill(acc, 0, (<usize>k * dd) << 4);
  const weighted = diff + (<usize>d << 5);
  for (let i = 0; i < nPad; i += 4) {
    const xi = f64Addr(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const a = acc + ((<usize>c * dd) << 4);
      const r = f64Addr(resp, c * nPad + i);
      if (ASC_FEATURE_SIMD) {
        const rA = v128.load(r);
        const rB = v128.load(r, 16);
        let xj = xi;
        for (let j = 0; j < d; j++) {
          const m = v128.load64_splat(f64Addr(mu, j));
          const dA = f64x2.sub(v128.load(xj), m);
          const dB = f64x2.sub(v128.load(xj, 16), m);
          const q = diff + (<usize>j << 5);
          v128.store(q, dA);
          v128.store(q, dB, 16);
          const w = weighted + (<usize>j << 5);
          v128.store(w, f64x2.mul(rA, dA));
          v128.store(w, f64x2.mul(rB, dB), 16);
          xj += colBytes;
        }
        let aRow = a;
        for (let j = 0; j < d; j++) {
          const w = weighted + (<usize>j << 5);
          const wA = v128.load(w);
          const wB = v128.load(w, 16);
          for (let l = 0; l <= j; l++) {
            const p = aRow + (<usize>l << 4);
            const q = diff + (<usize>l << 5);
            v128.store(p, f64x2.add(v128.load(p), f64x2.add(f64x2.mul(wA, v128.load(q)), f64x2.mul(wB, v128.load(q, 16)))));
          }
          aRow += <usize>d << 4;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(f64Addr(mu, j));
          const q = diff + (<usize>j << 5);
          const w = weighted + (<usize>j << 5);
          for (let t = 0; t < 4; t++) {
            const dt = load<f64>(f64Addr(xj, t)) - m;
            store<f64>(f64Addr(q, t), dt);
            store<f64>(f64Addr(w, t), load<f64>(f64Addr(r, t)) * dt);
          }
        }
        for (let j = 0; j < d; j++) {
          const w = weighted + (<usize>j << 5);
          const aRow = a + ((<usize>j * <usize>d) << 4);
          for (let l = 0; l <= j; l++) {
            const p = aRow + (<usize>l << 4);
            const q = diff + (<usize>l << 5);
            for (let lane = 0; lane < 2; lane++) {
              const term = load<f64>(f64Addr(w, lane)) * load<f64>(f64Addr(q, lane)) + load<f64>(f64Addr(w, lane + 2)) * load<f64>(f64Addr(q, lane + 2));
              store<f64>(f64Addr(p, lane), load<f64>(f64Addr(p, lane)) + term);
            }
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
        store<f64>(f64Addr(s, j * d + l), v);
        store<f64>(f64Addr(s, l * d + j), v);
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
    const xi = f64Addr(X, i);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>c * <usize>d) << 3);
      const a = acc + ((<usize>c * <usize>d) << 4);
      const r = f64Addr(resp, c * nPad + i);
      if (ASC_FEATURE_SIMD) {
        const rv = v128.load(r);
        for (let j = 0; j < d; j++) {
          const dv = f64x2.sub(v128.load(xi + <usize>j * colBytes), v128.load64_splat(f64Addr(mu, j)));
          const p = a + (<usize>j << 4);
          v128.store(p, f64x2.add(v128.load(p), f64x2.mul(f64x2.mul(rv, dv), dv)));
        }
      } else {
        const r0 = load<f64>(r), r1 = load<f64>(r, 8);
        for (let j = 0; j < d; j++) {
          const xj = xi + <usize>j * colBytes;
          const m = load<f64>(f64Addr(mu, j));
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
    store<f64>(f64Addr(scatter, c), load<f64>(p) + load<f64>(p, 8));
  }
}
