// Memory is managed from TypeScript (stub runtime, nothing is ever allocated here):
// the host lays its buffers out from the first byte past the static data.

/** First free byte of linear memory; the host's workspace starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build was compiled with 128-bit SIMD, 0 for the scalar fallback. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
