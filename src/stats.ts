/** Order statistics shared by prep (median imputation) and profiles (segment medians). */

/** Moves the k-th smallest of values[0..count) to index k, smaller ones before it (Hoare quickselect). */
export function selectKth(values: Float64Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const tmp = values[i];
        values[i] = values[j];
        values[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k];
}

/** Median of values[0..count) (count > 0); reorders the values. */
export function median(values: Float64Array, count: number): number {
  const upper = count >>> 1;
  const hi = selectKth(values, count, upper);
  if (count % 2 === 1) return hi;
  // After selection everything before `upper` is <= hi: the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < upper; i++) if (values[i] > lo) lo = values[i];
  return (lo + hi) / 2;
}
