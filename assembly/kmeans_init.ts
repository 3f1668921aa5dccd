// k-means++ seeding (scikit-learn's _kmeans_plusplus): the distance update that scores
// candidate centres. The host draws the candidates and keeps the best.

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
  if (ASC_FEATURE_SIMD) {
    // Up to four candidates per pass over the pairs: each pair's features and its closest
    // distance are loaded once for all of them, and their sums are independent chains
    // (one candidate per pass was a chain of d dependent adds per pair: 3 candidates at
    // 100k x 6 took 0.87 ms, now 0.51, AMD EPYC).
    let t = 0;
    for (; t + 3 < m; t += 4) seedingBlock(4, Xp, d, candidates, t, closest, weights, trials, rowBytes, potentials, pairFrom, pairTo);
    if (m - t == 3) seedingBlock(3, Xp, d, candidates, t, closest, weights, trials, rowBytes, potentials, pairFrom, pairTo);
    else if (m - t == 2) seedingBlock(2, Xp, d, candidates, t, closest, weights, trials, rowBytes, potentials, pairFrom, pairTo);
    else if (m - t == 1) seedingBlock(1, Xp, d, candidates, t, closest, weights, trials, rowBytes, potentials, pairFrom, pairTo);
    return;
  }
  for (let t = 0; t < m; t++) {
    const cand = candidates + ((<usize>t * <usize>d) << 3);
    const out = trials + <usize>t * rowBytes;
    // Scalar build: lane by lane, the same operations in the same order as the SIMD path.
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

/**
 * W (1 to 4, a constant after inlining) candidates t0.. of closestSquaredDistances in one
 * pass over pairs [pairFrom, pairTo): the same operations per candidate, in the same
 * order, as a pass of its own.
 */
// @ts-ignore: decorator
@inline
function seedingBlock(
  W: i32, Xp: usize, d: i32, candidates: usize, t0: i32, closest: usize, weights: usize,
  trials: usize, rowBytes: usize, potentials: usize, pairFrom: i32, pairTo: i32,
): void {
  const pairBytes = <usize>d << 4;
  const c0 = candidates + ((<usize>t0 * <usize>d) << 3);
  const c1 = c0 + (<usize>d << 3);
  const c2 = c1 + (<usize>d << 3);
  const c3 = c2 + (<usize>d << 3);
  const o0 = trials + <usize>t0 * rowBytes;
  const o1 = o0 + rowBytes;
  const o2 = o1 + rowBytes;
  const o3 = o2 + rowBytes;
  let pot0 = f64x2.splat(0), pot1 = f64x2.splat(0), pot2 = f64x2.splat(0), pot3 = f64x2.splat(0);
  for (let p = pairFrom; p < pairTo; p++) {
    const xp = Xp + <usize>p * pairBytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (let j = 0; j < d; j++) {
      const x = v128.load(xp + (<usize>j << 4));
      const off = <usize>j << 3;
      let diff = f64x2.sub(x, v128.load64_splat(c0 + off));
      a0 = f64x2.add(a0, f64x2.mul(diff, diff));
      if (W > 1) {
        diff = f64x2.sub(x, v128.load64_splat(c1 + off));
        a1 = f64x2.add(a1, f64x2.mul(diff, diff));
      }
      if (W > 2) {
        diff = f64x2.sub(x, v128.load64_splat(c2 + off));
        a2 = f64x2.add(a2, f64x2.mul(diff, diff));
      }
      if (W > 3) {
        diff = f64x2.sub(x, v128.load64_splat(c3 + off));
        a3 = f64x2.add(a3, f64x2.mul(diff, diff));
      }
    }
    const off = <usize>p << 4;
    const near = v128.load(closest + off);
    const w = weights == 0 ? f64x2.splat(1) : v128.load(weights + off);
    a0 = f64x2.pmin(a0, near);
    v128.store(o0 + off, a0);
    pot0 = f64x2.add(pot0, weights == 0 ? a0 : f64x2.mul(w, a0));
    if (W > 1) {
      a1 = f64x2.pmin(a1, near);
      v128.store(o1 + off, a1);
      pot1 = f64x2.add(pot1, weights == 0 ? a1 : f64x2.mul(w, a1));
    }
    if (W > 2) {
      a2 = f64x2.pmin(a2, near);
      v128.store(o2 + off, a2);
      pot2 = f64x2.add(pot2, weights == 0 ? a2 : f64x2.mul(w, a2));
    }
    if (W > 3) {
      a3 = f64x2.pmin(a3, near);
      v128.store(o3 + off, a3);
      pot3 = f64x2.add(pot3, weights == 0 ? a3 : f64x2.mul(w, a3));
    }
  }
  const pp = potentials + (<usize>t0 << 3);
  store<f64>(pp, f64x2.extract_lane(pot0, 0) + f64x2.extract_lane(pot0, 1));
  if (W > 1) store<f64>(pp, f64x2.extract_lane(pot1, 0) + f64x2.extract_lane(pot1, 1), 8);
  if (W > 2) store<f64>(pp, f64x2.extract_lane(pot2, 0) + f64x2.extract_lane(pot2, 1), 16);
  if (W > 3) store<f64>(pp, f64x2.extract_lane(pot3, 0) + f64x2.extract_lane(pot3, 1), 24);
}

/**
 * For m targets in ascending order, the first row i whose running sum of
 * weights[i] * dist[i] (dist[i] when weights == 0) reaches each: scikit-learn's
 * searchsorted(stable_cumsum(...), target), found in one pass without storing the sums.
 * Targets no sum reaches get n - 1. The sums are added in row order, as a stored cumsum.
 */
export function cumulativeHits(
  dist: usize, // IN f64[n]
  weights: usize, // IN f64[n] or 0
  n: i32,
  targets: usize, // IN f64[m], ascending, no NaN
  m: i32,
  hits: usize, // OUT i32[m]
): void {
  let q = 0;
  let next: f64 = m > 0 ? load<f64>(targets) : Infinity;
  let acc: f64 = 0;
  for (let i = 0; i < n && q < m; i++) {
    const v = load<f64>(dist + (<usize>i << 3));
    acc += weights == 0 ? v : load<f64>(weights + (<usize>i << 3)) * v;
    while (q < m && acc >= next) {
      store<i32>(hits + (<usize>q << 2), i);
      q++;
      next = q < m ? load<f64>(targets + (<usize>q << 3)) : Infinity;
    }
  }
  for (; q < m; q++) store<i32>(hits + (<usize>q << 2), n - 1);
}
