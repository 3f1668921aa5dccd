// Hierarchical clustering kernels, reproducing scipy.cluster.hierarchy.linkage
// (scipy/cluster/_hierarchy.pyx): the nearest-neighbour chain for ward, complete and
// average, and Prim's minimum spanning tree for single linkage.
//
// Clusters are scanned in the order of their SciPy slot (a merged cluster takes the
// larger slot of its two parts) and the first minimum wins, as in SciPy, so ties break
// the same way. Every kernel writes unsorted rows [slotA, slotB, height, size]; the host
// sorts them by height (stable) and relabels them with a union-find, as SciPy does.
//
// Ward and single linkage never store the n^2/2 distance matrix: ward works on centroids
// and sizes (the ward distance between two clusters is sqrt(2 na nb / (na + nb)) times
// the distance between their centroids), Prim keeps one distance per point. Their
// arrays hold live clusters in slot order and are compacted (order kept) whenever the
// dead entries outnumber the live ones, so a scan costs O(live) at amortised O(n) extra.

import { sqdistRows } from './distance';
import { LINKAGE_AVERAGE, LINKAGE_COMPLETE } from './layout';
import { f64At, i32At, setF64, setI32 } from './memory';

// @ts-ignore: decorator
@inline
function writeRow(Z: usize, k: i32, a: f64, b: f64, height: f64, size: f64): void {
  const row = Z + (<usize>k << 5);
  store<f64>(row, a);
  store<f64>(row, b, 8);
  store<f64>(row, height, 16);
  store<f64>(row, size, 24);
}

/** Position of the pair (i, j), i < j, in SciPy's condensed matrix. */
// @ts-ignore: decorator
@inline
function condensedIndex(n: i32, i: i32, j: i32): usize {
  return <usize>n * <usize>i - ((<usize>i * <usize>(i + 1)) >> 1) + <usize>(j - i - 1);
}

// @ts-ignore: decorator
@inline
function pairAt(D: usize, n: i32, i: i32, j: i32): usize {
  return D + ((i < j ? condensedIndex(n, i, j) : condensedIndex(n, j, i)) << 3);
}

/** Starts an empty NN-chain at the first live cluster (size > 0) of positions [0, count), SciPy's choice. */
// @ts-ignore: decorator
@inline
function startChain(chain: usize, sizes: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    if (f64At(sizes, i) > 0) {
      setI32(chain, 0, i);
      break;
    }
  }
}

/** Writes the condensed Euclidean distance matrix in SciPy's pdist order (0,1), (0,2), ..., (n-2,n-1). */
export function condensedDistances(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  D: usize, // OUT f64[n*(n-1)/2]
): void {
  const rowBytes = <usize>d << 3;
  let out = D;
  for (let i = 0; i < n; i++) {
    const xi = X + <usize>i * rowBytes;
    for (let j = i + 1; j < n; j++) {
      store<f64>(out, Math.sqrt(sqdistRows(xi, X + <usize>j * rowBytes, d)));
      out += 8;
    }
  }
}

/**
 * NN-chain over a condensed distance matrix with the Lance-Williams update of `method`
 * (LINKAGE_* in layout.ts), as SciPy's nn_chain. sizes are the leaves' weights.
 */
export function matrixNNChain(
  D: usize, // INOUT f64[n*(n-1)/2]: destroyed
  n: i32,
  method: i32,
  sizes: usize, // INOUT f64[n]: leaf sizes in, 0 or the root size out
  chain: usize, // SCRATCH i32[n]
  Z: usize, // OUT f64[(n-1)*4]: unsorted [slotA, slotB, height, size]
): void {
  let chainLength = 0;
  for (let k = 0; k < n - 1; k++) {
    if (chainLength == 0) {
      startChain(chain, sizes, n);
      chainLength = 1;
    }
    let x = 0;
    let y = 0;
    let currentMin: f64 = Infinity;
    while (true) {
      x = i32At(chain, chainLength - 1);
      // Prefer the previous chain element on a tie, so the chain cannot cycle.
      if (chainLength > 1) {
        y = i32At(chain, chainLength - 2);
        currentMin = load<f64>(pairAt(D, n, x, y));
      } else {
        currentMin = Infinity;
      }
      for (let i = 0; i < n; i++) {
        if (i == x || f64At(sizes, i) == 0) continue;
        const dist = load<f64>(pairAt(D, n, x, i));
        if (dist < currentMin) {
          currentMin = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y == i32At(chain, chainLength - 2)) break;
      setI32(chain, chainLength, y);
      chainLength++;
    }
    chainLength -= 2;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    const nx = f64At(sizes, x);
    const ny = f64At(sizes, y);
    writeRow(Z, k, <f64>x, <f64>y, currentMin, nx + ny);
    setF64(sizes, x, 0);
    setF64(sizes, y, nx + ny);
    for (let i = 0; i < n; i++) {
      if (i == y || f64At(sizes, i) == 0) continue;
      const pxi = pairAt(D, n, x, i);
      const pyi = pairAt(D, n, y, i);
      const dxi = load<f64>(pxi);
      const dyi = load<f64>(pyi);
      let v: f64;
      if (method == LINKAGE_COMPLETE) v = max(dxi, dyi);
      else if (method == LINKAGE_AVERAGE) v = (nx * dxi + ny * dyi) / (nx + ny);
      else v = min(dxi, dyi); // LINKAGE_SINGLE
      store<f64>(pyi, v);
    }
  }
}

// @ts-ignore: decorator
@inline
function columnAt(CT: usize, cap: i32, j: i32, pos: i32): usize {
  return CT + ((<usize>j * <usize>cap + <usize>pos) << 3);
}

/** Squared distance between position p of the feature-major centroids and the row at xbuf, summed feature by feature. */
// @ts-ignore: decorator
@inline
function sqdistColumn(CT: usize, cap: i32, d: i32, p: i32, xbuf: usize): f64 {
  let s: f64 = 0;
  for (let j = 0; j < d; j++) {
    const diff = load<f64>(columnAt(CT, cap, j, p)) - load<f64>(xbuf + (<usize>j << 3));
    s += diff * diff;
  }
  return s;
}

/**
 * Ward NN-chain on centroids and sizes, no distance matrix: heights are SciPy's ward
 * distances sqrt(2 na nb / (na + nb)) * |ca - cb|.
 *
 * Centroids are kept feature-major (CT[j*cap + pos]) so two 128-bit lane pairs score four
 * candidates at once; each lane sums its features in order, which the scalar build
 * repeats exactly. A dead position has size 0 and feature 0 = +Inf, so its score
 * Inf * 0 is NaN and never wins; the chain's tail is hidden the same way while it scans.
 */
export function wardNNChain(
  X: usize, // IN f64[n*d]: leaf centroids (points or weighted micro-clusters), row-major
  sizes: usize, // INOUT f64[cap]: leaf sizes (> 0) in; cap = n rounded up to a multiple of 4
  slots: usize, // INOUT i32[n]: SciPy slot of each position, 0..n-1 in
  n: i32,
  d: i32,
  CT: usize, // SCRATCH f64[d*cap]
  xbuf: usize, // SCRATCH f64[d]
  chain: usize, // SCRATCH i32[n]
  newPos: usize, // SCRATCH i32[n]
  Z: usize, // OUT f64[(n-1)*4]: unsorted [slotA, slotB, height, size]
): void {
  const cap = (n + 3) & ~3;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) store<f64>(columnAt(CT, cap, j, i), load<f64>(X + ((<usize>i * <usize>d + <usize>j) << 3)));
  }
  for (let i = n; i < cap; i++) {
    setF64(sizes, i, 0);
    for (let j = 0; j < d; j++) store<f64>(columnAt(CT, cap, j, i), j == 0 ? Infinity : 0);
  }
  let length = n;
  let live = n;
  let chainLength = 0;
  for (let k = 0; k < n - 1; k++) {
    if (length - live > live) {
      // Compact in order, then mark the freed tail dead.
      let w = 0;
      for (let r = 0; r < length; r++) {
        const sr = f64At(sizes, r);
        if (sr == 0) continue;
        setI32(newPos, r, w);
        if (w != r) {
          for (let j = 0; j < d; j++) store<f64>(columnAt(CT, cap, j, w), load<f64>(columnAt(CT, cap, j, r)));
          setF64(sizes, w, sr);
          setI32(slots, w, i32At(slots, r));
        }
        w++;
      }
      for (let r = w; r < length; r++) {
        setF64(sizes, r, 0);
        store<f64>(columnAt(CT, cap, 0, r), Infinity);
      }
      for (let c = 0; c < chainLength; c++) setI32(chain, c, i32At(newPos, i32At(chain, c)));
      length = w;
    }
    if (chainLength == 0) {
      startChain(chain, sizes, length);
      chainLength = 1;
    }
    const scanEnd = (length + 3) & ~3;
    let x = 0;
    let y = 0;
    // Ranked by |cx - ci|^2 * ni / (nx + ni): the ward distance squared over 2 nx.
    let best: f64 = Infinity;
    while (true) {
      x = i32At(chain, chainLength - 1);
      const nx = f64At(sizes, x);
      for (let j = 0; j < d; j++) store<f64>(xbuf + (<usize>j << 3), load<f64>(columnAt(CT, cap, j, x)));
      if (chainLength > 1) {
        y = i32At(chain, chainLength - 2);
        const ny = f64At(sizes, y);
        best = sqdistColumn(CT, cap, d, y, xbuf) * (ny / (nx + ny));
      } else {
        best = Infinity;
      }
      const hidden = columnAt(CT, cap, 0, x);
      store<f64>(hidden, Infinity);
      for (let i = 0; i < scanEnd; i += 4) {
        // Strict <, in position order: the first minimum wins, as in SciPy. The
        // comparison sq * ni < best * (nx + ni) avoids a division per candidate.
        if (ASC_FEATURE_SIMD) {
          let accA = f64x2.splat(0);
          let accB = f64x2.splat(0);
          for (let j = 0; j < d; j++) {
            const xj = v128.load64_splat(xbuf + (<usize>j << 3));
            const col = columnAt(CT, cap, j, i);
            const diffA = f64x2.sub(v128.load(col), xj);
            const diffB = f64x2.sub(v128.load(col, 16), xj);
            accA = f64x2.add(accA, f64x2.mul(diffA, diffA));
            accB = f64x2.add(accB, f64x2.mul(diffB, diffB));
          }
          const nA = v128.load(sizes + (<usize>i << 3));
          const nB = v128.load(sizes + (<usize>i << 3), 16);
          const bestV = f64x2.splat(best);
          const nxV = f64x2.splat(nx);
          const better = v128.or(
            f64x2.lt(f64x2.mul(accA, nA), f64x2.mul(bestV, f64x2.add(nxV, nA))),
            f64x2.lt(f64x2.mul(accB, nB), f64x2.mul(bestV, f64x2.add(nxV, nB))),
          );
          if (v128.any_true(better)) {
            const sq0 = f64x2.extract_lane(accA, 0), n0 = f64x2.extract_lane(nA, 0);
            if (sq0 * n0 < best * (nx + n0)) { best = sq0 * (n0 / (nx + n0)); y = i; }
            const sq1 = f64x2.extract_lane(accA, 1), n1 = f64x2.extract_lane(nA, 1);
            if (sq1 * n1 < best * (nx + n1)) { best = sq1 * (n1 / (nx + n1)); y = i + 1; }
            const sq2 = f64x2.extract_lane(accB, 0), n2 = f64x2.extract_lane(nB, 0);
            if (sq2 * n2 < best * (nx + n2)) { best = sq2 * (n2 / (nx + n2)); y = i + 2; }
            const sq3 = f64x2.extract_lane(accB, 1), n3 = f64x2.extract_lane(nB, 1);
            if (sq3 * n3 < best * (nx + n3)) { best = sq3 * (n3 / (nx + n3)); y = i + 3; }
          }
        } else {
          for (let p = i; p < i + 4; p++) {
            const sq = sqdistColumn(CT, cap, d, p, xbuf);
            const np = f64At(sizes, p);
            if (sq * np < best * (nx + np)) {
              best = sq * (np / (nx + np));
              y = p;
            }
          }
        }
      }
      store<f64>(hidden, load<f64>(xbuf));
      if (chainLength > 1 && y == i32At(chain, chainLength - 2)) break;
      setI32(chain, chainLength, y);
      chainLength++;
    }
    chainLength -= 2;
    const height = Math.sqrt(2 * f64At(sizes, x) * best);
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    const nx = f64At(sizes, x);
    const ny = f64At(sizes, y);
    const total = nx + ny;
    writeRow(Z, k, <f64>i32At(slots, x), <f64>i32At(slots, y), height, total);
    // Update form: equal centroids (duplicate rows) stay bit-identical, so their ward
    // distance stays exactly 0 and zero-height ties break as in SciPy.
    const shareX = nx / total;
    for (let j = 0; j < d; j++) {
      const py = columnAt(CT, cap, j, y);
      const cy = load<f64>(py);
      store<f64>(py, cy + (load<f64>(columnAt(CT, cap, j, x)) - cy) * shareX);
    }
    setF64(sizes, x, 0);
    store<f64>(columnAt(CT, cap, 0, x), Infinity);
    setF64(sizes, y, total);
    live--;
  }
}

/**
 * Single linkage by Prim's algorithm on the rows themselves (O(n) memory), as SciPy's
 * mst_single_linkage: starts at point 0, each step adds the nearest outside point.
 * X is overwritten (compacted); heights are Euclidean distances.
 */
export function singlePrim(
  X: usize, // INOUT f64[n*d]
  slots: usize, // INOUT i32[n]: 0..n-1 in
  n: i32,
  d: i32,
  nearest: usize, // SCRATCH f64[n]: squared distance to the tree, -1 once in it
  Z: usize, // OUT f64[(n-1)*4]: unsorted [slotA, slotB, height, 0]
): void {
  const rowBytes = <usize>d << 3;
  for (let i = 0; i < n; i++) setF64(nearest, i, Infinity);
  let length = n;
  let live = n;
  let x = 0;
  for (let k = 0; k < n - 1; k++) {
    if (length - live > live) {
      // Compact in order while x is still live, so its row survives at its new position.
      let w = 0;
      let newX = 0;
      for (let r = 0; r < length; r++) {
        const m = f64At(nearest, r);
        if (m < 0) continue;
        if (r == x) newX = w;
        if (w != r) {
          memory.copy(X + <usize>w * rowBytes, X + <usize>r * rowBytes, rowBytes);
          setF64(nearest, w, m);
          setI32(slots, w, i32At(slots, r));
        }
        w++;
      }
      length = w;
      x = newX;
    }
    setF64(nearest, x, -1);
    live--;
    const cx = X + <usize>x * rowBytes;
    let best: f64 = Infinity;
    let y = 0;
    for (let i = 0; i < length; i++) {
      let m = f64At(nearest, i);
      if (m < 0) continue;
      const dist = sqdistRows(cx, X + <usize>i * rowBytes, d);
      if (m > dist) {
        m = dist;
        setF64(nearest, i, m);
      }
      if (m < best) {
        best = m;
        y = i;
      }
    }
    writeRow(Z, k, <f64>i32At(slots, x), <f64>i32At(slots, y), Math.sqrt(best), 0);
    x = y;
  }
}
