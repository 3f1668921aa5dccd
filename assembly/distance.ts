// Squared Euclidean distances over row-major f64 matrices. Pointers are byte offsets
// into linear memory; the host validates shapes, kernels trust them.
//
// The SIMD and scalar builds must give bit-identical results (a seed must give the same
// labels with and without SIMD), so the scalar path mirrors the SIMD lanes: even and
// odd features are summed separately and combined in the same order.

/** Squared distance between two rows of length d, in difference form (exact, no cancellation). */
// @ts-ignore: decorator
@inline
export function sqdistRows(
  a: usize, // IN f64[d]
  b: usize, // IN f64[d]
  d: i32,
): f64 {
  let j = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    for (; j + 1 < d; j += 2) {
      const off = <usize>j << 3;
      const diff = f64x2.sub(v128.load(a + off), v128.load(b + off));
      acc = f64x2.add(acc, f64x2.mul(diff, diff));
    }
    s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let even: f64 = 0;
    let odd: f64 = 0;
    for (; j + 1 < d; j += 2) {
      const off = <usize>j << 3;
      const d0 = load<f64>(a + off) - load<f64>(b + off);
      const d1 = load<f64>(a + off, 8) - load<f64>(b + off, 8);
      even += d0 * d0;
      odd += d1 * d1;
    }
    s = even + odd;
  }
  if (j < d) {
    const off = <usize>j << 3;
    const diff = load<f64>(a + off) - load<f64>(b + off);
    s += diff * diff;
  }
  return s;
}

/** Writes the n x k matrix of squared distances between the rows of X and the rows of C. */
export function squaredDistances(
  X: usize, // IN f64[n*d]
  n: i32,
  d: i32,
  C: usize, // IN f64[k*d]
  k: i32,
  out: usize, // OUT f64[n*k]
): void {
  const rowBytes = <usize>d << 3;
  for (let i = 0; i < n; i++) {
    const x = X + <usize>i * rowBytes;
    const o = out + ((<usize>i * <usize>k) << 3);
    for (let c = 0; c < k; c++) {
      store<f64>(o + (<usize>c << 3), sqdistRows(x, C + <usize>c * rowBytes, d));
    }
  }
}
