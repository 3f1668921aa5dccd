// The four-columns-per-pass statistics of prep against plain one-column-at-a-time loops:
// the same bits, whatever the number of columns, missing values and binary columns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeatureTransform } from '../src/prep/records';
import { fitScaling } from '../src/prep/scale';
import { observedStatsOf } from '../src/prep/values';

/** The reference: each column on its own, skipping NaN, as the statistics are defined. */
function plainStats(col: Float64Array) {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let binary = true;
  for (const v of col) {
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    // By <, as prep keeps it: -0 and +0 compare equal, so the first one seen stays (the
    // minimum only decides whether a column is non-negative, where they agree).
    if (v < min) min = v;
    if (v !== 0 && v !== 1) binary = false;
  }
  const mean = count > 0 ? sum / count : NaN;
  let m2 = 0;
  let m3 = 0;
  for (const v of col) {
    if (Number.isNaN(v)) continue;
    m2 += (v - mean) * (v - mean);
    m3 += (v - mean) * (v - mean) * (v - mean);
  }
  const skewness = count >= 3 && m2 > 0 ? (Math.sqrt(count * (count - 1)) / (count - 2)) * (m3 / count / (m2 / count) ** 1.5) : 0;
  return { count, mean, min, binary, skewness };
}

const column = (n: number) =>
  fc.oneof(
    fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), { minLength: n, maxLength: n }),
    fc.array(fc.constantFrom(0, 1, Number.NaN), { minLength: n, maxLength: n }),
  );
const table = fc.integer({ min: 1, max: 40 }).chain((n) => fc.array(column(n), { minLength: 1, maxLength: 9 }));

describe('prep statistics, four columns per pass', () => {
  it('observedStatsOf equals each column computed alone, to the bit', () => {
    fc.assert(
      fc.property(table, (cols) => {
        const arrays = cols.map((c) => Float64Array.from(c));
        expect(observedStatsOf(arrays)).toEqual(arrays.map(plainStats));
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('a hand-computed column: [1, NaN, 2, 6]', () => {
    const [s] = observedStatsOf([Float64Array.of(1, Number.NaN, 2, 6)]);
    // mean 3; deviations -2, -1, 3: m2 = 14/3, m3 = 18/3; skew = sqrt(6)/1 * 6 / (14/3)^1.5
    expect(s).toEqual({ count: 3, mean: 3, min: 1, binary: false, skewness: Math.sqrt(6) * (6 / (14 / 3) ** 1.5) });
    expect(observedStatsOf([Float64Array.of(0, 1, Number.NaN)])[0]!.binary).toBe(true);
  });

  it('fitScaling (z-score) gives each column the mean and population deviation computed alone', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 30 })
          .chain((n) => fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 9 })),
        (cols) => {
          const arrays = cols.map((c) => Float64Array.from(c));
          const n = arrays[0]!.length;
          const transforms: FeatureTransform[] = arrays.map((_, j) => ({
            name: `f${j}`,
            source: `f${j}`,
            kind: 'numeric',
            log: false,
            impute: 0,
            center: 0,
            scale: 1,
          }));
          const dropped: string[] = [];
          const kept = fitScaling(arrays, transforms, 'zscore', n, dropped);
          arrays.forEach((col, j) => {
            let sum = 0;
            for (const v of col) sum += v;
            const mean = sum / n;
            let ss = 0;
            for (const v of col) ss += (v - mean) ** 2;
            const constant = Math.min(...col) === Math.max(...col);
            expect(kept.includes(j)).toBe(!constant && Math.sqrt(ss / n) > 0);
            if (kept.includes(j)) {
              expect(transforms[j]!.center).toBe(mean);
              expect(transforms[j]!.scale).toBe(Math.sqrt(ss / n));
            } else expect(dropped).toContain(`f${j}`);
          });
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
