/**
 * The point-pair layout the K-Means kernels read (two rows per SIMD pair, feature by
 * feature; an odd last row pairs with 0), built the plain way, and the layout packPairs
 * writes for the same rows, read back from WebAssembly memory.
 */
import { packPairs } from '../../src/cluster/kmeansLloyd';
import { kernels } from '../../src/wasm/index';

export function expectedPairs(X: Float64Array, n: number, d: number): number[] {
  const out = new Float64Array(((n + 1) >> 1) * 2 * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[(i >> 1) * 2 * d + 2 * j + (i & 1)] = X[i * d + j]!;
  return Array.from(out);
}

/** packPairs over X in a fresh workspace (pairs pre-filled with NaN, so no slot is left unwritten unseen). */
export function packedPairs(X: Float64Array, n: number, d: number, threads = 1): number[] {
  const ws = kernels().workspace();
  const rX = ws.f64(n * d);
  const rXp = ws.f64(((n + 1) >> 1) * 2 * d);
  ws.commit();
  ws.write(rX, X);
  ws.viewF64(rXp).fill(Number.NaN);
  packPairs(kernels(), rX.ptr, n, d, rXp.ptr, threads);
  return Array.from(ws.viewF64(rXp));
}
