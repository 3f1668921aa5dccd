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
  if (count >= RADIX_MIN) {
    if (count % 2 === 1) return radixSelect(values, count, upper);
    const lower = radixSelectFrom(values, count, upper - 1, true);
    return (lower + pairNext) / 2;
  }
  const hi = selectKth(values, count, upper);
  if (count % 2 === 1) return hi;
  // After selection everything before `upper` is <= hi: the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < upper; i++) if (values[i] > lo) lo = values[i];
  return (lo + hi) / 2;
}

/** From this many values median() selects by radix; below, quickselect is as fast. */
const RADIX_MIN = 4096;

/**
 * The radix bucket of a double from its high 32 bits (as int32): the top 16 bits of its
 * bit pattern made to order as the doubles do (negatives flipped, positives' sign bit
 * set). Int32 arithmetic only: on Uint32 words V8 falls back to doubles, 2.5x slower.
 */
function bucketOf(h: number): number {
  return (h ^ ((h >> 31) | 0x80000000)) >>> 16;
}

const radixCounts = new Int32Array(1 << 16);

/**
 * The k-th smallest of values[0..count) (finite or infinite, no NaN) by a histogram of the
 * top 16 bits of each double's ordered bit pattern: one pass counts, a second gathers
 * the one bucket holding the k-th value, and quickselect finishes inside it. Customer
 * columns are full of ties (counts, prices) that make Hoare's quickselect swap every
 * equal value; here a bucket of one repeated value is answered without selecting.
 * -0 orders before +0, which every comparison calls equal. `values` is left as it was.
 */
export function radixSelect(values: Float64Array, count: number, k: number): number {
  return radixSelectFrom(values, count, k, false);
}

/** The (k+1)-th smallest value of the last radixSelectFrom(..., true) (a module slot, not an allocated pair). */
let pairNext = 0;

/**
 * The k-th smallest of values[0..count) and, with `andNext` (k + 1 < count), the (k+1)-th
 * into pairNext, from one histogram and one gather: an even count's median needs both, and
 * two selections read the column four times. The two may sit in different buckets, with
 * only empty buckets between them, so the buckets from the k-th's to the (k+1)-th's are
 * gathered.
 */
function radixSelectFrom(values: Float64Array, count: number, k: number, andNext: boolean): number {
  const words = new Int32Array(values.buffer, values.byteOffset, count * 2);
  const counts = radixCounts;
  counts.fill(0);
  // Little-endian: the high word of values[i] is words[2i + 1].
  for (let i = 0; i < count; i++) counts[bucketOf(words[2 * i + 1]!)]!++;
  let first = 0;
  let before = 0;
  while (before + counts[first]! <= k) before += counts[first++]!;
  let last = first;
  let through = before + counts[first]!;
  const lastRank = andNext ? k + 1 : k;
  while (through <= lastRank) through += counts[++last]!;
  const span = last - first;
  const inBuckets = new Float64Array(through - before);
  let m = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    if ((bucketOf(words[2 * i + 1]!) - first) >>> 0 <= span) {
      const v = values[i]!;
      inBuckets[m++] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === hi) {
    pairNext = lo;
    return lo;
  }
  const at = k - before;
  const kth = selectNth(inBuckets, null, 0, m, at);
  if (andNext) {
    // After selection nothing after `at` is smaller: the next order statistic is their minimum.
    let next = Infinity;
    for (let i = at + 1; i < m; i++) if (inBuckets[i]! < next) next = inBuckets[i]!;
    pairNext = next;
  }
  return kth;
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
