// k-means++ seeding (scikit-learn's _kmeans_plusplus): the distance update that scores
// candidate centres. The host draws the candidates and keeps the best.

import { pairSqdist } from './kmeans_common';

/**
 * k-means++ step for m candidate centres over the point pairs [pairFrom, pairTo):
 * trials[t*nEven + i] = min(closest[i], ||x_i - cand_t||^2) and
 * potentials[t] = sum_i w_i * trials[t*nEven + i] over those points, nEven = n rounded
 * up to even. The host calls it per block of rows (its potentials then added in block
 * order), so threads can take whole blocks and still add what one thread adds.
 * Points are read in pairs (packPointPairs) and closest, trials and weights are padded to
 * nEven, so the whole step is vertical v128 arithmetic: distances of two points, their
 * minimum with closest, their store and their weighted sum, with no lane extraction. The
 * host sets the padding to closest = 0 (and weight 0), so it adds nothing; before the
 * first centre, closest is +Infinity.
 */
export function closestSquaredDistances(
  Xp: usize, // IN from packPointPairs
  n: i32,
  d: i32,
  candidates: usize, // IN f64[m*d]
  m: i32,
  closest: usize, // IN f64[nEven]
  weights: usize, // IN f64[nEven] or 0
  trials: usize, // OUT f64[m*nEven]
  potentials: usize, // OUT f64[m]
  pairFrom: i32,
  pairTo: i32,
): void {
  const pairBytes = <usize>d << 4;
  const nPairs = (n + 1) >> 1;
  const rowBytes = <usize>(2 * nPairs) << 3;
  for (let t = 0; t < m; t++) {
    const cand = candidates + ((<usize>t * <usize>d) << 3);
    const out = trials + <usize>t * rowBytes;
    if (ASC_FEATURE_SIMD) {
      let pot = f64x2.splat(0);
      for (let p = pairFrom; p < pairTo; p++) {
        const xp = Xp + <usize>p * pairBytes;
        const dist = pairSqdist(xp, cand, d);
        const off = <usize>p << 4;
        const acc = f64x2.pmin(dist, v128.load(closest + off));
        v128.store(out + off, acc);
        pot = f64x2.add(pot, weights == 0 ? acc : f64x2.mul(v128.load(weights + off), acc));
      }
      store<f64>(potentials + (<usize>t << 3), f64x2.extract_lane(pot, 0) + f64x2.extract_lane(pot, 1));
    } else {
      // Lane by lane, the same operations in the same order as the SIMD path.
      let potEven: f64 = 0, potOdd: f64 = 0;
      for (let p = pairFrom; p < pairTo; p++) {
        const xp = Xp + <usize>p * pairBytes;
        let e0: f64 = 0, e1: f64 = 0;
        for (let j = 0; j < d; j++) {
          const cj = load<f64>(cand + (<usize>j << 3));
          const d0 = load<f64>(xp + (<usize>j << 4)) - cj;
          const d1 = load<f64>(xp + (<usize>j << 4), 8) - cj;
          e0 += d0 * d0;
          e1 += d1 * d1;
        }
        const off = <usize>p << 4;
        const c0 = load<f64>(closest + off);
        const c1 = load<f64>(closest + off, 8);
        // pmin(a, b) is b < a ? b : a.
        e0 = c0 < e0 ? c0 : e0;
        e1 = c1 < e1 ? c1 : e1;
        store<f64>(out + off, e0);
        store<f64>(out + off, e1, 8);
        potEven += weights == 0 ? e0 : load<f64>(weights + off) * e0;
        potOdd += weights == 0 ? e1 : load<f64>(weights + off, 8) * e1;
      }
      store<f64>(potentials + (<usize>t << 3), potEven + potOdd);
    }
  }
}
