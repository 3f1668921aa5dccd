// Silhouette: for every point, the sum of its distances to the points of each cluster,
// in one pass over the pairs i < j. The host sorts the points by cluster, so each
// cluster is a contiguous range of j and point i's sum for that cluster stays in a
// register; the symmetric term (j's distance to i's cluster) is added to sums[ci][j],
// which is contiguous in j because sums is stored cluster-major (k x n).
//
// The points are stored feature-major (d x n) so that two consecutive points j, j+1
// are one v128 load per feature: their two distances finish together and share one
// f64x2.sqrt, the instruction that bounds this kernel (n^2/2 square roots). This is a
// different distance loop from sqdistRows on purpose: that one vectorises over the
// features of one pair, which leaves the square roots scalar.
//
// Bit-identical builds: each lane sums its features in order 0..d-1, exactly as the
// scalar path does for one point, and point i's register sums keep the SIMD lanes
// (even and odd steps from the range start) apart until the range ends.

/** Squared distance from point i to point j, features summed in order (scalar twin of one SIMD lane). */
// @ts-ignore: decorator
@inline
function sqdistColumns(XT: usize, n: i32, d: i32, i: i32, j: i32): f64 {
  const stride = <usize>n << 3;
  const pi = XT + (<usize>i << 3);
  const pj = XT + (<usize>j << 3);
  let s: f64 = 0;
  for (let f = 0; f < d; f++) {
    const off = <usize>f * stride;
    const diff = load<f64>(pi + off) - load<f64>(pj + off);
    s += diff * diff;
  }
  return s;
}

/**
 * Sums of distances from every point to every cluster: sums[c*n + i] = sum over the
 * points j of cluster c of ||x_i - x_j||. Points must be sorted by cluster, cluster c
 * holding points clusterStart[c] .. clusterStart[c+1]-1.
 */
export function silhouetteClusterSums(
  XT: usize, // IN f64[d*n], feature-major: XT[f*n + i]
  n: i32,
  d: i32,
  clusterStart: usize, // IN i32[k+1], clusterStart[k] == n
  k: i32,
  sums: usize, // OUT f64[k*n]
): void {
  memory.fill(sums, 0, (<usize>k * <usize>n) << 3);
  const stride = <usize>n << 3;
  const featureBytes = <usize>d * stride;
  for (let ci = 0; ci < k; ci++) {
    const ownEnd = load<i32>(clusterStart + (<usize>(ci + 1) << 2));
    const ownStart = load<i32>(clusterStart + (<usize>ci << 2));
    // sums[ci][j]: where j's distances to cluster ci collect.
    const toOwnCluster = sums + ((<usize>ci * <usize>n) << 3);
    for (let i = ownStart; i < ownEnd; i++) {
      // Clusters before ci were paired with i when their own points were the i.
      for (let c = ci; c < k; c++) {
        const first = c == ci ? i + 1 : load<i32>(clusterStart + (<usize>c << 2));
        const end = load<i32>(clusterStart + (<usize>(c + 1) << 2));
        let j = first;
        let total: f64 = 0;
        if (ASC_FEATURE_SIMD) {
          const pi = XT + (<usize>i << 3);
          let acc = f64x2.splat(0);
          let acc2 = f64x2.splat(0);
          // Four points j per step: one splat of x_i feeds two v128 lanes pairs.
          for (; j + 3 < end; j += 4) {
            const pj = XT + (<usize>j << 3);
            let dd = f64x2.splat(0);
            let dd2 = f64x2.splat(0);
            for (let off: usize = 0; off < featureBytes; off += stride) {
              const xi = v128.load64_splat(pi + off);
              const diff = f64x2.sub(xi, v128.load(pj + off));
              const diff2 = f64x2.sub(xi, v128.load(pj + off, 16));
              dd = f64x2.add(dd, f64x2.mul(diff, diff));
              dd2 = f64x2.add(dd2, f64x2.mul(diff2, diff2));
            }
            const dist = f64x2.sqrt(dd);
            const dist2 = f64x2.sqrt(dd2);
            acc = f64x2.add(acc, dist);
            acc2 = f64x2.add(acc2, dist2);
            const back = toOwnCluster + (<usize>j << 3);
            v128.store(back, f64x2.add(v128.load(back), dist));
            v128.store(back, f64x2.add(v128.load(back, 16), dist2), 16);
          }
          if (j + 1 < end) {
            const pj = XT + (<usize>j << 3);
            let dd = f64x2.splat(0);
            for (let off: usize = 0; off < featureBytes; off += stride) {
              const diff = f64x2.sub(v128.load64_splat(pi + off), v128.load(pj + off));
              dd = f64x2.add(dd, f64x2.mul(diff, diff));
            }
            const dist = f64x2.sqrt(dd);
            acc = f64x2.add(acc, dist);
            const back = toOwnCluster + (<usize>j << 3);
            v128.store(back, f64x2.add(v128.load(back), dist));
            j += 2;
          }
          total = (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)) + (f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1));
        } else {
          let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
          for (; j + 3 < end; j += 4) {
            const d0 = Math.sqrt(sqdistColumns(XT, n, d, i, j));
            const d1 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 1));
            const d2 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 2));
            const d3 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 3));
            a0 += d0; a1 += d1; a2 += d2; a3 += d3;
            const back = toOwnCluster + (<usize>j << 3);
            store<f64>(back, load<f64>(back) + d0);
            store<f64>(back, load<f64>(back, 8) + d1, 8);
            store<f64>(back, load<f64>(back, 16) + d2, 16);
            store<f64>(back, load<f64>(back, 24) + d3, 24);
          }
          if (j + 1 < end) {
            const d0 = Math.sqrt(sqdistColumns(XT, n, d, i, j));
            const d1 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 1));
            a0 += d0; a1 += d1;
            const back = toOwnCluster + (<usize>j << 3);
            store<f64>(back, load<f64>(back) + d0);
            store<f64>(back, load<f64>(back, 8) + d1, 8);
            j += 2;
          }
          total = (a0 + a1) + (a2 + a3);
        }
        if (j < end) {
          const dist = Math.sqrt(sqdistColumns(XT, n, d, i, j));
          total += dist;
          const back = toOwnCluster + (<usize>j << 3);
          store<f64>(back, load<f64>(back) + dist);
        }
        const mine = sums + ((<usize>c * <usize>n + <usize>i) << 3);
        store<f64>(mine, load<f64>(mine) + total);
      }
    }
  }
}

/**
 * Silhouette of every point from its cluster sums (scikit-learn's definition: a
 * singleton scores 0, and 0/0 when a == b == 0 scores 0). Returns the sum of the values.
 */
export function silhouetteFromSums(
  sums: usize, // IN f64[k*n] from silhouetteClusterSums
  n: i32,
  clusterStart: usize, // IN i32[k+1]
  k: i32,
  out: usize, // OUT f64[n], in sorted order
): f64 {
  let total: f64 = 0;
  for (let ci = 0; ci < k; ci++) {
    const start = load<i32>(clusterStart + (<usize>ci << 2));
    const end = load<i32>(clusterStart + (<usize>(ci + 1) << 2));
    const size = end - start;
    for (let i = start; i < end; i++) {
      let s: f64 = 0;
      if (size > 1) {
        const a = load<f64>(sums + ((<usize>ci * <usize>n + <usize>i) << 3)) / <f64>(size - 1);
        let b = Infinity;
        for (let c = 0; c < k; c++) {
          if (c == ci) continue;
          const cs = load<i32>(clusterStart + (<usize>c << 2));
          const ce = load<i32>(clusterStart + (<usize>(c + 1) << 2));
          const mean = load<f64>(sums + ((<usize>c * <usize>n + <usize>i) << 3)) / <f64>(ce - cs);
          if (mean < b) b = mean;
        }
        const m = max(a, b);
        s = m > 0 ? (b - a) / m : 0;
      }
      store<f64>(out + (<usize>i << 3), s);
      total += s;
    }
  }
  return total;
}

/**
 * One tile of silhouetteClusterSums split into tiles for threads: the pairs i < j with i in
 * [i0, i1) and j in [j0, j1) of the sorted points. Bit-identical to the one-call kernel
 * when every tile runs after the tile to its left (same rows, earlier columns) and the
 * one above it (earlier rows, same columns), whatever thread runs it, because both of the
 * kernel's sums are chains in a fixed order:
 * - row i's total over cluster c is four lane sums (the pair j at offset o = j - first
 *   from the range start goes to lane o % 4, an odd range's last pair after the lanes
 *   are combined); `lanes` (f64[4*n]) carries row i's four lanes from tile to tile and
 *   `tot[c*n + i]` receives the total when the range ends;
 * - sums[ci][j] is a plain chain over the rows i of cluster ci in increasing order; it
 *   collects in `back[ci*n + j]`.
 * The caller zeroes lanes, tot and back, runs every tile, then adds: sums = back + tot
 * (the one-call kernel's sums[c][i] is its back-adds plus the total, both from zero).
 */
export function silhouetteTile(
  XT: usize, // IN f64[d*n], feature-major
  n: i32,
  d: i32,
  clusterStart: usize, // IN i32[k+1]
  k: i32,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  lanes: usize, // INOUT f64[4*n]
  tot: usize, // INOUT f64[k*n]
  back: usize, // INOUT f64[k*n]
): void {
  const stride = <usize>n << 3;
  const featureBytes = <usize>d * stride;
  // The cluster of row i0, then advanced as i grows (rows are sorted by cluster).
  let ci = 0;
  while (load<i32>(clusterStart + (<usize>(ci + 1) << 2)) <= i0) ci++;
  for (let i = i0; i < i1; i++) {
    while (load<i32>(clusterStart + (<usize>(ci + 1) << 2)) <= i) ci++;
    let j = max(j0, i + 1);
    if (j >= j1) continue;
    const toOwnCluster = back + ((<usize>ci * <usize>n) << 3);
    const lane = lanes + (<usize>i << 5);
    let c = ci;
    while (load<i32>(clusterStart + (<usize>(c + 1) << 2)) <= j) c++;
    while (j < j1) {
      const cEnd = load<i32>(clusterStart + (<usize>(c + 1) << 2));
      const first = c == ci ? i + 1 : load<i32>(clusterStart + (<usize>c << 2));
      const len = cEnd - first;
      // Offsets below `grouped` go to lane o % 4; an odd range's last pair is added after.
      const grouped = first + (len & ~1);
      const segEnd = min(cEnd, j1);
      let l0 = load<f64>(lane);
      let l1 = load<f64>(lane, 8);
      let l2 = load<f64>(lane, 16);
      let l3 = load<f64>(lane, 24);
      let last: f64 = 0;
      const pi = XT + (<usize>i << 3);
      // Scalar up to a group boundary (offset % 4 == 0), groups of four, scalar after.
      const groupsFrom = min(first + (((j - first) + 3) & ~3), segEnd);
      const groupsTo = max(groupsFrom, first + (((min(segEnd, grouped) - first)) & ~3));
      for (; j < groupsFrom; j++) {
        const dist = Math.sqrt(sqdistColumns(XT, n, d, i, j));
        const dst = toOwnCluster + (<usize>j << 3);
        store<f64>(dst, load<f64>(dst) + dist);
        const o = (j - first) & 3;
        if (j >= grouped) last = dist;
        else if (o == 0) l0 += dist;
        else if (o == 1) l1 += dist;
        else if (o == 2) l2 += dist;
        else l3 += dist;
      }
      if (ASC_FEATURE_SIMD) {
        let acc = f64x2.replace_lane(f64x2.splat(l0), 1, l1);
        let acc2 = f64x2.replace_lane(f64x2.splat(l2), 1, l3);
        for (; j < groupsTo; j += 4) {
          const pj = XT + (<usize>j << 3);
          let dd = f64x2.splat(0);
          let dd2 = f64x2.splat(0);
          for (let off: usize = 0; off < featureBytes; off += stride) {
            const xi = v128.load64_splat(pi + off);
            const diff = f64x2.sub(xi, v128.load(pj + off));
            const diff2 = f64x2.sub(xi, v128.load(pj + off, 16));
            dd = f64x2.add(dd, f64x2.mul(diff, diff));
            dd2 = f64x2.add(dd2, f64x2.mul(diff2, diff2));
          }
          const dist = f64x2.sqrt(dd);
          const dist2 = f64x2.sqrt(dd2);
          acc = f64x2.add(acc, dist);
          acc2 = f64x2.add(acc2, dist2);
          const dst = toOwnCluster + (<usize>j << 3);
          v128.store(dst, f64x2.add(v128.load(dst), dist));
          v128.store(dst, f64x2.add(v128.load(dst, 16), dist2), 16);
        }
        l0 = f64x2.extract_lane(acc, 0);
        l1 = f64x2.extract_lane(acc, 1);
        l2 = f64x2.extract_lane(acc2, 0);
        l3 = f64x2.extract_lane(acc2, 1);
      } else {
        for (; j < groupsTo; j += 4) {
          const d0 = Math.sqrt(sqdistColumns(XT, n, d, i, j));
          const d1 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 1));
          const d2 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 2));
          const d3 = Math.sqrt(sqdistColumns(XT, n, d, i, j + 3));
          l0 += d0; l1 += d1; l2 += d2; l3 += d3;
          const dst = toOwnCluster + (<usize>j << 3);
          store<f64>(dst, load<f64>(dst) + d0);
          store<f64>(dst, load<f64>(dst, 8) + d1, 8);
          store<f64>(dst, load<f64>(dst, 16) + d2, 16);
          store<f64>(dst, load<f64>(dst, 24) + d3, 24);
        }
      }
      for (; j < segEnd; j++) {
        const dist = Math.sqrt(sqdistColumns(XT, n, d, i, j));
        const dst = toOwnCluster + (<usize>j << 3);
        store<f64>(dst, load<f64>(dst) + dist);
        const o = (j - first) & 3;
        if (j >= grouped) last = dist;
        else if (o == 0) l0 += dist;
        else if (o == 1) l1 += dist;
        else if (o == 2) l2 += dist;
        else l3 += dist;
      }
      if (segEnd == cEnd) {
        // The range is complete: combine as the one-call kernel does, then the odd last pair.
        let total = (l0 + l1) + (l2 + l3);
        if (len & 1) total += last;
        store<f64>(tot + ((<usize>c * <usize>n + <usize>i) << 3), total);
        l0 = 0; l1 = 0; l2 = 0; l3 = 0;
        c++;
      }
      store<f64>(lane, l0);
      store<f64>(lane, l1, 8);
      store<f64>(lane, l2, 16);
      store<f64>(lane, l3, 24);
    }
  }
}
