/**
 * Order statistics and curve shapes shared across layers: quickselect (prep's median
 * imputation, profiles' segment medians, the k-d tree's median splits) and the kneedle
 * knee (chooseK's elbow, DBSCAN's eps: 'auto').
 */

/**
 * Hoare quickselect on keys[lo, hi): afterwards keys[nth] is the value a sort would put
 * there, with no larger key before it and no smaller one after. `perm`, when given, is
 * permuted alongside the keys (the k-d tree selects row indices by one coordinate).
 * Median-of-three pivots keep sorted and reversed input linear.
 */
export function selectNth(keys: Float64Array, perm: Int32Array | null, lo: number, hi: number, nth: number): number {
  let l = lo;
  let r = hi - 1;
  while (r > l) {
    const a = keys[l];
    const b = keys[(l + r) >>> 1];
    const c = keys[r];
    const pivot = a < b ? (b < c ? b : Math.max(a, c)) : a < c ? a : Math.max(b, c);
    let i = l;
    let j = r;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
        if (perm) {
          const p = perm[i];
          perm[i] = perm[j];
          perm[j] = p;
        }
        i++;
        j--;
      }
    }
    if (nth <= j) r = j;
    else if (nth >= i) l = i;
    else break;
  }
  return keys[nth];
}

/** Moves the k-th smallest of values[0..count) to index k, smaller ones before it, and returns it. */
export function selectKth(values: Float64Array, count: number, k: number): number {
  return selectNth(values, null, 0, count, k);
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

/**
 * Kneedle (Satopaa et al. 2011): scale both axes to [0, 1] and take the point farthest
 * from the chord between the first and last points, on the convex side. 'decreasing'
 * (an elbow, as inertia over k) looks above the chord and returns 0 when no point is
 * above it; 'increasing' (a knee, as sorted k-distances) looks below it and returns the
 * last index when none is. The first of equally far points wins.
 */
export function kneedleIndex(ys: ArrayLike<number>, shape: 'decreasing' | 'increasing' = 'decreasing'): number {
  const last = ys.length - 1;
  const none = shape === 'decreasing' ? 0 : Math.max(0, last);
  if (last < 1) return none;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i <= last; i++) {
    yMin = Math.min(yMin, ys[i]);
    yMax = Math.max(yMax, ys[i]);
  }
  const span = yMax - yMin;
  if (!(span > 0)) return none;
  let best = none;
  let bestGap = 0;
  for (let i = 0; i <= last; i++) {
    const gap = shape === 'decreasing' ? (yMax - ys[i]) / span - i / last : i / last - (ys[i] - yMin) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}
