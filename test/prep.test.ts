// Records -> matrix: hand-computed cases for every preprocessing step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, SegmentationError } from '../src/errors';
import { prepareRecords, transformRecords, type PrepOptions } from '../src/prep/records';
import { firstDuplicate } from '../src/prep/table';
import { renderError } from '../src/service/errors';

const base: PrepOptions = { idField: 'customer_id', scaling: 'zscore', logTransform: false, missing: 'median', maxCategories: 20 };

// Prep knows nothing of HTTP: it throws a DataError (code, parameter, values), and the
// status is what the service's table makes of it at the boundary.
function expectCode(fn: () => unknown, code: string, status: number, parameter?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    expect(e).not.toHaveProperty('status');
    const err = renderError(e as DataError, 'en');
    expect(err).toBeInstanceOf(SegmentationError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    if (parameter) expect(err.details.parameter).toBe(parameter);
    return;
  }
  throw new Error(`expected a ${code} error`);
}

describe('prepareRecords', () => {
  const data = [
    { customer_id: 'a', total_purchases: 100, frequency: '2', plan: 'gold' },
    { customer_id: 'b', total_purchases: 300, frequency: 4, plan: 'basic' },
    { customer_id: 'c', total_purchases: null, frequency: 6, plan: 'basic' },
    { customer_id: 7, total_purchases: 500, frequency: '', plan: 'gold' },
  ];

  it('takes every numeric field but the id, parses numeric strings, imputes the median, z-scores', () => {
    const p = prepareRecords(data, base);
    expect(p.ids).toEqual(['a', 'b', 'c', 7]);
    expect(p.features).toEqual(['total_purchases', 'frequency']);
    expect(p.preprocessing.ignoredFields).toEqual(['plan']);
    expect(p.preprocessing.imputed).toEqual({ total_purchases: 1, frequency: 1 });
    // total_purchases: 100, 300, [median 300], 500 -> mean 300, population std sqrt(20000)
    const sd = Math.sqrt((200 ** 2 + 0 + 0 + 200 ** 2) / 4);
    const col0 = [0, 1, 2, 3].map((i) => p.matrix.data[i * 2]);
    expect(col0.map((v) => v * sd)).toEqual([-200, 0, 0, 200].map((v) => expect.closeTo(v, 9)));
    // frequency: 2, 4, 6, [median 4] -> mean 4, std sqrt(2)
    const col1 = [0, 1, 2, 3].map((i) => p.matrix.data[i * 2 + 1]);
    expect(col1.map((v) => v * Math.sqrt(2))).toEqual([-2, 0, 2, 0].map((v) => expect.closeTo(v, 9)));
    // Original units with NaN for missing, for the profiles.
    expect(Array.from(p.columns.total_purchases)).toEqual([100, 300, NaN, 500]);
    expect(p.warnings.map((w) => w.key)).toEqual(['imputed', 'imputed', 'ignored_fields']);
  });

  it('median imputation equals the sorted median (odd and even counts, ties)', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 40; trial++) {
      const m = 1 + Math.floor(rnd() * 30);
      const observed = Array.from({ length: m }, () => Math.floor(rnd() * 8));
      const recs = [...observed.map((x, i) => ({ customer_id: i, x })), { customer_id: 'missing', x: null }];
      const sorted = [...observed].sort((a, b) => a - b);
      const want = m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
      const distinct = new Set(observed).size;
      if (distinct < 2 && !(want !== observed[0])) continue; // constant column: dropped, nothing to check
      const p = prepareRecords(recs, { ...base, scaling: 'none' });
      expect(p.transforms[0].impute).toBe(want);
    }
  });

  it('mean imputation, minmax and robust scaling', () => {
    const mean = prepareRecords(data, { ...base, features: ['total_purchases'], missing: 'mean', scaling: 'minmax' });
    // 100, 300, [mean 300], 500 -> (x - 100) / 400
    expect(Array.from(mean.matrix.data)).toEqual([0, 0.5, 0.5, 1]);
    const robust = prepareRecords(data, { ...base, features: ['frequency'], scaling: 'robust' });
    // 2, 4, 6, 4 -> median 4, q1 3.5, q3 4.5 (numpy linear) -> IQR 1
    expect(Array.from(robust.matrix.data)).toEqual([-2, 0, 2, 0]);
    const none = prepareRecords(data, { ...base, features: ['frequency'], scaling: 'none' });
    expect(Array.from(none.matrix.data)).toEqual([2, 4, 6, 4]);
  });

  it('one-hot encodes a string feature named in features', () => {
    const p = prepareRecords(data, { ...base, features: ['plan'], scaling: 'none' });
    expect(p.transforms.map((t) => t.name)).toEqual(['plan=basic', 'plan=gold']);
    expect(Array.from(p.matrix.data)).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
    expect(p.preprocessing.oneHot).toEqual({ plan: ['basic', 'gold'] });
  });

  it('refuses too many categories, with the count', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ customer_id: i, city: `c${i}`, x: i }));
    expectCode(() => prepareRecords(many, { ...base, features: ['city'] }), 'TOO_MANY_CATEGORIES', 422, 'features');
  });

  it("log-transforms skewed non-negative features with 'auto', not symmetric ones", () => {
    const recs = Array.from({ length: 200 }, (_, i) => ({ customer_id: i, spend: Math.exp(i / 20), sym: i % 10, neg: i - 100 }));
    const p = prepareRecords(recs, { ...base, logTransform: 'auto', scaling: 'none' });
    expect(p.preprocessing.logTransformed).toEqual(['spend']);
    expect(p.matrix.data[5 * 3]).toBeCloseTo(Math.log1p(Math.exp(5 / 20)), 12);
    const all = prepareRecords(recs, { ...base, logTransform: true, scaling: 'none' });
    // true: every non-negative, non-binary feature; negative ones cannot be.
    expect(all.preprocessing.logTransformed).toEqual(['spend', 'sym']);
  });

  it('drops constant features with a warning, and refuses when nothing is left', () => {
    const recs = [
      { customer_id: 1, a: 5, b: 1 },
      { customer_id: 2, a: 5, b: 2 },
    ];
    const p = prepareRecords(recs, base);
    expect(p.preprocessing.constantDropped).toEqual(['a']);
    expect(p.matrix.cols).toBe(1);
    expect(p.profileFeatures).toEqual(['a', 'b']);
    expectCode(
      () =>
        prepareRecords(
          [
            { customer_id: 1, a: 5 },
            { customer_id: 2, a: 5 },
          ],
          base,
        ),
      'NO_NUMERIC_FEATURES',
      422,
    );
    expectCode(() => prepareRecords([{ customer_id: 1, name: 'x' }], base), 'NO_NUMERIC_FEATURES', 422);
  });

  it('errors: duplicate ids, missing ids, unknown features, non-objects, missing values with missing=error', () => {
    expectCode(
      () =>
        prepareRecords(
          [
            { customer_id: 1, x: 1 },
            { customer_id: 1, x: 2 },
          ],
          base,
        ),
      'DUPLICATE_ID',
      422,
      'customer_id',
    );
    expectCode(() => prepareRecords([{ x: 1 }], base), 'MISSING_ID', 422, 'data[0].customer_id');
    expectCode(() => prepareRecords([{ customer_id: 1, x: 1 }], { ...base, features: ['y'] }), 'UNKNOWN_FEATURE', 422, 'features');
    expectCode(() => prepareRecords([5], base), 'INVALID_PARAMETER', 400, 'data[0]');
    expectCode(() => prepareRecords([{ customer_id: { a: 1 }, x: 1 }], base), 'INVALID_PARAMETER', 400, 'data[0].customer_id');
    expectCode(() => prepareRecords(data, { ...base, missing: 'error' }), 'MISSING_VALUES', 422, 'data[2].total_purchases');
    // "1" and 1 are different ids (different types), so not duplicates.
    expect(
      prepareRecords(
        [
          { customer_id: 1, x: 1 },
          { customer_id: '1', x: 2 },
        ],
        base,
      ).ids,
    ).toEqual([1, '1']);
  });

  it('duplicate ids are found exactly where a Set finds them (strings, numbers, -0, colliding prefixes)', () => {
    // The id pool is small so duplicates are common; numbers and their strings are mixed in.
    const idArb = fc.oneof(
      fc.string({ maxLength: 3 }).filter((s) => s !== ''),
      fc.integer({ min: -5, max: 5 }),
      fc.constant(-0),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(idArb, { minLength: 2, maxLength: 60 }), (idList) => {
        const rows = idList.map((customer_id, i) => ({ customer_id, x: i }));
        const seen = new Map<unknown, number>();
        let expected: { first: number; index: number } | undefined;
        for (let i = 0; i < idList.length && !expected; i++) {
          const first = seen.get(idList[i]);
          if (first !== undefined) expected = { first, index: i };
          else seen.set(idList[i], i);
        }
        let out: ReturnType<typeof prepareRecords> | undefined;
        let error: SegmentationError | undefined;
        try {
          out = prepareRecords(rows, base);
        } catch (err) {
          error = err as SegmentationError;
        }
        if (expected) {
          expect(error?.code).toBe('DUPLICATE_ID');
          expect((error as unknown as DataError).params).toMatchObject(expected);
        } else {
          expect(error).toBeUndefined();
          expect(out!.ids).toEqual(idList);
        }
      }),
      { seed: 7, numRuns: 400 },
    );
    // Missing ids ('') among them: whichever a pass in row order meets first is the error.
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 1, 2), fc.constant('')), { minLength: 1, maxLength: 30 }), (idList) => {
        const rows = idList.map((customer_id, i) => ({ customer_id, x: i }));
        const seen = new Set<unknown>();
        let expected = 'none';
        for (const id of idList) {
          if (id === '') {
            expected = 'MISSING_ID';
            break;
          }
          if (seen.has(id)) {
            expected = 'DUPLICATE_ID';
            break;
          }
          seen.add(id);
        }
        let code = 'none';
        try {
          prepareRecords(rows, base);
        } catch (err) {
          // Other refusals (one customer, constant features) are not about ids.
          code = ['MISSING_ID', 'DUPLICATE_ID'].includes((err as DataError).code) ? (err as DataError).code : 'none';
        }
        expect(code).toBe(expected);
      }),
      { seed: 11, numRuns: 300 },
    );
    // A large set: the table grows past its first sizes and still finds the last row's twin.
    const many = Array.from({ length: 50_000 }, (_, i) => ({ customer_id: `C${String(i).padStart(6, '0')}`, x: i }));
    expect(prepareRecords(many, base).ids).toHaveLength(50_000);
    expectCode(() => prepareRecords([...many, { customer_id: 'C012345', x: 0 }], base), 'DUPLICATE_ID', 422, 'customer_id');
  });

  it('Infinity is an error naming the value; a named field with no values is dropped as constant', () => {
    expectCode(
      () =>
        prepareRecords(
          [
            { customer_id: 1, x: 1 },
            { customer_id: 2, x: Infinity },
          ],
          base,
        ),
      'INVALID_PARAMETER',
      400,
      'data[1].x',
    );
    const p = prepareRecords(
      [
        { customer_id: 1, x: 1, empty: null },
        { customer_id: 2, x: 3, empty: '' },
      ],
      { ...base, features: ['x', 'empty'] },
    );
    expect(p.preprocessing.constantDropped).toEqual(['empty']);
    expect(p.transforms.map((t) => t.name)).toEqual(['x']);
    // Still profiled, so the response reports avg_empty: null.
    expect(p.profileFeatures).toEqual(['x', 'empty']);
    // A spread that scales to 0 in doubles is as good as constant: dropped, not Infinity.
    const tiny = prepareRecords(
      [
        { customer_id: 1, x: 1, t: 1e-200 },
        { customer_id: 2, x: 3, t: 2e-200 },
      ],
      base,
    );
    expect(tiny.preprocessing.constantDropped).toEqual(['t']);
    expect(Array.from(tiny.matrix.data).every(Number.isFinite)).toBe(true);
  });

  it('rejects column objects that are not arrays (a made-up length)', () => {
    expectCode(() => prepareRecords({ x: { length: 2_000_000, 0: 1 } } as never, base), 'INVALID_PARAMETER', 400, 'data.x');
    expectCode(() => prepareRecords({ x: { length: -1 } } as never, base), 'INVALID_PARAMETER', 400, 'data.x');
  });

  it('a column with a non-numeric string is not numeric; named explicitly it is one-hot', () => {
    const recs = [
      { customer_id: 1, x: '12', y: 1 },
      { customer_id: 2, x: 'twelve', y: 2 },
    ];
    expect(prepareRecords(recs, base).features).toEqual(['y']);
    expect(prepareRecords(recs, { ...base, features: ['x'] }).transforms.map((t) => t.name)).toEqual(['x=12', 'x=twelve']);
  });

  it('transformRecords applies the fitted steps to new customers', () => {
    const p = prepareRecords(data, { ...base, features: ['total_purchases', 'plan'], logTransform: true });
    const again = transformRecords(data, p.transforms);
    expect(Array.from(again.data)).toEqual(Array.from(p.matrix.data));
    const fresh = transformRecords([{ total_purchases: null, plan: 'platinum' }], p.transforms);
    // Missing -> fitted median, unseen category -> all zeros.
    const t = p.transforms[0];
    expect(fresh.data[0]).toBeCloseTo((Math.log1p(300) - t.center) / t.scale, 12);
    expect(Array.from(fresh.data.subarray(1))).toEqual([
      (0 - p.transforms[1].center) / p.transforms[1].scale,
      (0 - p.transforms[2].center) / p.transforms[2].scale,
    ]);
  });
});

describe('firstDuplicate', () => {
  /** A pass in row order with a Map: [first row, the row that repeats it], or null. */
  function firstDuplicateRef(idList: number[]): [number, number] | null {
    const seen = new Map<number, number>();
    for (let i = 0; i < idList.length; i++) {
      const first = seen.get(idList[i]!);
      if (first !== undefined) return [first, i];
      seen.set(idList[i]!, i);
    }
    return null;
  }

  // Hashes chosen by the test: every id in one run (the Map path past 32 rows) or in a few
  // runs, against a pass in row order with a Map.
  it('finds the duplicate a row-order pass meets first, whatever the hashes collide on', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 120, size: 'max' }),
        fc.integer({ min: 1, max: 4 }),
        (idList, buckets) => {
          const expected = firstDuplicateRef(idList);
          const hashes = Uint32Array.from(idList, (id) => (id % buckets) * 0x9e3779b1);
          expect(firstDuplicate(idList, hashes, idList.length)).toEqual(expected);
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });

  // Longer lists, mostly unique: hashes from a table of random words, so ids share a
  // hash (id % size), hashes share their top bits but not the rest, and most rows share
  // neither and are left out of the sort.
  it('finds the same duplicate among thousands of mostly unique ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 4000 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 3000 }),
        (idList, table) => {
          const expected = firstDuplicateRef(idList);
          const hashes = Uint32Array.from(idList, (id) => table[id % table.length]!);
          expect(firstDuplicate(idList, hashes, idList.length)).toEqual(expected);
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });
});
