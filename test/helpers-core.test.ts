// The small shared helpers of the core (src/stats.ts, src/random.ts, src/matrix.ts) that
// several algorithms now lean on: each against a plain definition.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupMeans } from '../src/matrix';
import { Random, sampleIndices } from '../src/random';
import { kneedleIndex, median, radixSelect, selectNth } from '../src/stats';

describe('selectNth', () => {
  it('puts the value a sort would put at nth, smaller before and larger after, and moves perm along', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }), fc.nat(), (values, pick) => {
        const keys = Float64Array.from(values);
        const perm = Int32Array.from(values, (_, i) => i);
        const nth = pick % values.length;
        const got = selectNth(keys, perm, 0, keys.length, nth);
        const sorted = [...values].sort((a, b) => a - b);
        expect(got).toBe(sorted[nth]);
        for (let i = 0; i < nth; i++) expect(keys[i]).toBeLessThanOrEqual(got);
        for (let i = nth + 1; i < keys.length; i++) expect(keys[i]).toBeGreaterThanOrEqual(got);
        for (let i = 0; i < keys.length; i++) expect(keys[i]).toBe(values[perm[i]]);
      }),
      { seed: 2 },
    );
  });

  it('median of even and odd counts', () => {
    expect(median(Float64Array.from([5, 1, 4, 2]), 4)).toBe(3);
    expect(median(Float64Array.from([5, 1, 4]), 3)).toBe(4);
  });
});

describe('radixSelect and median at radix sizes', () => {
  // Values from a few shapes customer columns take: heavy ties, negatives and zeros of
  // both signs, wide magnitudes, and values a few ulps apart (the same top 16 bits).
  const valueArb = fc.oneof(
    fc.integer({ min: -3, max: 12 }),
    fc.constantFrom(0, -0, 1e-300, -1e300, 1e300, Infinity, -Infinity),
    fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    fc.integer({ min: 0, max: 50 }).map((u) => 1 + u * Number.EPSILON),
  );
  it('returns the value a sort puts at k and leaves the values as they were', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 300 }), fc.nat(), (list, pick) => {
        const values = Float64Array.from(list);
        const k = pick % list.length;
        const sorted = [...list].sort((a, b) => a - b);
        // === ignores the sign of zero, as every comparison of the selection does.
        expect(radixSelect(values, values.length, k) === sorted[k]).toBe(true);
        expect(Array.from(values)).toEqual(list);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
  it('median() above the radix threshold equals the sort-based median', () => {
    fc.assert(
      fc.property(fc.array(valueArb.filter(Number.isFinite), { minLength: 4096, maxLength: 6000 }), (list) => {
        const sorted = [...list].sort((a, b) => a - b);
        const n = list.length;
        const expected = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        expect(median(Float64Array.from(list), n) === expected).toBe(true);
      }),
      { seed: 5, numRuns: 30 },
    );
    // One repeated value, and all but one: the single-value bucket shortcut.
    expect(median(new Float64Array(10_000).fill(7), 10_000)).toBe(7);
    const almost = new Float64Array(10_001).fill(2);
    almost[5] = 1e9;
    expect(median(almost, 10_001)).toBe(2);
    // An even count whose two middle values sit in buckets far apart (empty ones between).
    const split = new Float64Array(10_000);
    for (let i = 0; i < 10_000; i++) split[i] = i % 2 ? 1 : 1000;
    expect(median(split, 10_000)).toBe(500.5);
    const edge = Float64Array.from({ length: 8192 }, (_, i) => (i < 4096 ? -3 - i : 5 + i));
    // The largest negative is -3, the smallest positive 5 + 4096.
    expect(median(edge, 8192)).toBe((-3 + 4101) / 2);
  });
});

describe('kneedleIndex', () => {
  it('finds the elbow of a decreasing curve and the knee of an increasing one', () => {
    expect(kneedleIndex([100, 40, 20, 15, 12, 10])).toBe(2);
    expect(kneedleIndex([1, 1.2, 1.4, 1.6, 5, 20], 'increasing')).toBe(4);
  });

  it('falls back to the first k (decreasing) or the last index (increasing) on a straight or flat curve', () => {
    expect(kneedleIndex([4, 3, 2, 1])).toBe(0);
    expect(kneedleIndex([1, 2, 3, 4], 'increasing')).toBe(3);
    expect(kneedleIndex([2, 2, 2], 'increasing')).toBe(2);
    expect(kneedleIndex([7])).toBe(0);
  });
});

describe('sampleIndices', () => {
  it('draws distinct indices in a seeded order', () => {
    const a = sampleIndices(50, 20, new Random(3));
    expect(new Set(a).size).toBe(20);
    expect(Array.from(a).every((i) => i >= 0 && i < 50)).toBe(true);
    expect(Array.from(sampleIndices(50, 20, new Random(3)))).toEqual(Array.from(a));
    expect(Array.from(a)).not.toEqual([...a].sort((x, y) => x - y));
  });
});

describe('groupMeans', () => {
  it('averages each label, skips noise, leaves empty groups at 0', () => {
    const m = { data: Float64Array.from([0, 0, 2, 4, 9, 9, 4, 8]), rows: 4, cols: 2 };
    const { means, counts } = groupMeans(m, [0, 0, -1, 2], 3);
    expect(Array.from(means)).toEqual([1, 2, 0, 0, 4, 8]);
    expect(Array.from(counts)).toEqual([2, 0, 1]);
  });
});
