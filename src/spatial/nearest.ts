/** Nearest-centre queries: which of a few centres each row is closest to. */
import type { Matrix } from '../matrix';
import { kernels } from '../wasm/index';

/** Rows per block times centres: bounds the distance matrix held at once (32 MB of f64). */
const BLOCK_DISTANCES = 4_000_000;

/**
 * Index of the nearest of `count` centres (row-major count x m.cols) for every row of m,
 * by squared Euclidean distance; the lower index wins a tie. m is read, not copied.
 */
export function nearestCentres(m: Matrix, centres: Float64Array, count: number): Int32Array {
  const e = kernels().exports;
  const { rows: n, cols: d } = m;
  const out = new Int32Array(n);
  const block = Math.max(1, Math.min(n, Math.floor(BLOCK_DISTANCES / count)));
  const ws = kernels().workspace();
  const X = ws.f64(block * d);
  const C = ws.f64(count * d);
  const D = ws.f64(block * count);
  ws.commit();
  ws.write(C, centres);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    ws.viewF64(X).set(m.data.subarray(start * d, (start + rows) * d));
    e.squaredDistances(X.ptr, rows, d, C.ptr, count, D.ptr);
    const dist = ws.viewF64(D);
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let c = 1; c < count; c++) if (dist[i * count + c] < dist[i * count + best]) best = c;
      out[start + i] = best;
    }
  }
  return out;
}
