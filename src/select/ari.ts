/**
 * Adjusted Rand index (Hubert & Arabie 1985), scikit-learn's adjusted_rand_score: the
 * pair-counting agreement of two labellings, 1 for identical partitions (up to renaming),
 * about 0 for independent ones. Noise (-1) is a label like any other, as in scikit-learn.
 * Used to measure k selection against known segments and by prediction strength's tests.
 */
import { InvalidParameterError } from '../errors';

const pairs = (n: number): number => (n * (n - 1)) / 2;

/** ARI of two labellings of the same rows (any integer labels). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new InvalidParameterError('labels', `have lengths ${n} and ${b.length}; they must label the same rows`);
  const codeA = new Map<number, number>();
  const codeB = new Map<number, number>();
  const ca = new Int32Array(n);
  const cb = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw new InvalidParameterError('labels', `must be integers, got ${x} and ${y} at row ${i}`);
    if (!codeA.has(x)) codeA.set(x, codeA.size);
    if (!codeB.has(y)) codeB.set(y, codeB.size);
    ca[i] = codeA.get(x)!;
    cb[i] = codeB.get(y)!;
  }
  const ka = codeA.size;
  const kb = codeB.size;
  const table = new Float64Array(ka * kb);
  const rowSum = new Float64Array(ka);
  const colSum = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    table[ca[i] * kb + cb[i]]++;
    rowSum[ca[i]]++;
    colSum[cb[i]]++;
  }
  let index = 0;
  for (const v of table) index += pairs(v);
  let sumA = 0;
  for (const v of rowSum) sumA += pairs(v);
  let sumB = 0;
  for (const v of colSum) sumB += pairs(v);
  const total = pairs(n);
  // scikit-learn's special cases: one cluster each, or every row its own, agree perfectly.
  if (total === 0 || (ka === kb && (ka === 1 || ka === n))) return 1;
  const expected = (sumA * sumB) / total;
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
