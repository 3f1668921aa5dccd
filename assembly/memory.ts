// Memory is managed from TypeScript (stub runtime, nothing is ever allocated here):
// the host lays its buffers out from the first byte past the static data.
//
// The accessors below are the one place that turns "element i of the array at p" into a
// byte address, so the kernels never repeat the shifts. All are @inline: each use
// compiles to the same single load or store as the written-out expression.

/** First free byte of linear memory; the host's workspace starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build was compiled with 128-bit SIMD, 0 for the scalar fallback. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** Byte address of element i of the f64 array at base. */
// @ts-ignore: decorator
@inline
export function f64Addr(base: usize, i: i32): usize {
  return base + (<usize>i << 3);
}

/** Element i of the f64 array at base. */
// @ts-ignore: decorator
@inline
export function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

/** Writes v to element i of the f64 array at base. */
// @ts-ignore: decorator
@inline
export function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

/** Element i of the i32 array at base. */
// @ts-ignore: decorator
@inline
export function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

/** Writes v to element i of the i32 array at base. */
// @ts-ignore: decorator
@inline
export function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
