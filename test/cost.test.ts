/**
 * Request cost bounds (src/service/cost.ts): the hostile requests of issue 12 are refused
 * by measurement alone, before any work, and what a real tenant sends is not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleCustomers } from '../src/sample';
import { DEFAULT_REQUEST_LIMITS, findLimitViolation } from '../src/service/cost';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('findLimitViolation', () => {
  it('measures a 20,000-deep array in any field without recursing, and names the field', () => {
    for (const field of ['n_clusters', 'features', 'roles', 'k_range', 'seed', 'data']) {
      const v = findLimitViolation({ data: sampleCustomers(10, 1), [field]: nested(20_000) });
      expect(v).toMatchObject({ parameter: field, limit: DEFAULT_REQUEST_LIMITS.maxDepth });
    }
    // A cycle (possible from a library caller) terminates too.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findLimitViolation({ data: [], roles: cyclic })?.parameter).toBe('roles');
  });

  it('finds the depth and the distinct fields of any records as a plain walk over every record does', () => {
    // The reference: the deepest nesting of objects and arrays (the request's data array is
    // level 1) and every own key of every object record.
    const depthOf = (v: unknown): number =>
      v === null || typeof v !== 'object' ? 0 : 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf));
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer(), fc.constant(null), tie('object'), tie('array')),
      object: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      array: fc.array(tie('tree'), { maxLength: 3 }),
    }));
    // Records that mostly share their keys and order, as real data does, with some that do not.
    const shared = fc.dictionary(key, fc.integer(), { minKeys: 1, maxKeys: 5 });
    const record = fc.oneof(shared, fc.dictionary(key, tree, { maxKeys: 5 }), tree);
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), (data, maxDepth, maxFeatures) => {
        const limits = { ...DEFAULT_REQUEST_LIMITS, maxDepth, maxFeatures, maxColumns: 1000 };
        const fields = new Set(data.flatMap((r) => (r !== null && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : [])));
        const got = findLimitViolation({ data }, limits);
        if (depthOf(data) > maxDepth) expect(got).toMatchObject({ parameter: 'data', limit: maxDepth, reason: `nested more than ${maxDepth} levels deep` });
        else if (fields.size > maxFeatures) expect(got).toMatchObject({ parameter: 'data', limit: maxFeatures, value: maxFeatures + 1 });
        else expect(got).toBeUndefined();
      }),
      { seed: 51, numRuns: 500 },
    );
  });

  it('with an operator limit deeper than any walk recursion, a 20,000-deep record is still measured, not overflowed', () => {
    const deep = [{ customer_id: 1, nested: nested(20_000) }];
    expect(findLimitViolation({ data: deep }, { ...DEFAULT_REQUEST_LIMITS, maxDepth: 1_000_000 })).toBeUndefined();
    expect(findLimitViolation({ data: deep }, { ...DEFAULT_REQUEST_LIMITS, maxDepth: 10_000 })).toMatchObject({ parameter: 'data', limit: 10_000 });
  });

  it('refuses each of the expensive requests of the attack report, naming the parameter', () => {
    const many = sampleCustomers(1500, 6).map((c, i) => ({ ...c, city: `city-${i}` }));
    expect(findLimitViolation({ data: many, features: ['total_purchases', 'city'], max_categories: 100000 })).toMatchObject({
      parameter: 'max_categories',
      limit: 200,
    });
    expect(findLimitViolation({ data: sampleCustomers(100, 1), features: Array.from({ length: 80_000 }, (_, i) => `f${i}`) })).toMatchObject({
      parameter: 'features',
      limit: 1000,
      value: 80_000,
    });
    expect(findLimitViolation({ data: [], algorithm: 'dbscan', min_samples: 10000 })).toMatchObject({ parameter: 'min_samples', limit: 1000 });
    expect(findLimitViolation({ data: [], n_clusters: 10000 })).toMatchObject({ parameter: 'n_clusters', limit: 500 });
    expect(findLimitViolation({ data: [], k_range: [2, 5000] })).toMatchObject({ parameter: 'k_range', limit: 500 });
  });

  it('counts one-hot columns from the data: 1,500 distinct cities at max_categories 200 is 200 columns', () => {
    const many = sampleCustomers(1500, 6).map((c, i) => ({ ...c, city: `city-${i}`, region: `r${i % 400}` }));
    expect(findLimitViolation({ data: many, features: ['total_purchases', 'city'], max_categories: 200 })).toBeUndefined();
    // Three such features: 1 + 200 + 200 + 200 > 500.
    expect(findLimitViolation({ data: many, features: ['total_purchases', 'city', 'region', 'customer_id'], max_categories: 200 })).toMatchObject({
      parameter: 'features',
      limit: 500,
    });
  });

  it('100,000 customers x 50 features with k chosen by every algorithm is within the budget; 10x the customers is not', () => {
    const columns = (n: number) => {
      const data: Record<string, ArrayLike<number> | string[]> = { customer_id: Array.from({ length: n }, (_, i) => `c${i}`) };
      for (let j = 0; j < 50; j++) data[`f${j}`] = new Float64Array(n);
      return data;
    };
    expect(findLimitViolation({ data: columns(100_000), algorithm: 'auto', n_clusters: 'auto' })).toBeUndefined();
    expect(findLimitViolation({ data: columns(1_000_000), algorithm: 'auto', n_clusters: 'auto' })).toMatchObject({ parameter: 'data', limit: 2e9 });
  });

  it('never throws, whatever the request (fast-check)', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6 }), fc.anything({ maxDepth: 6 }), (data, other) => {
        const v = findLimitViolation({ data, n_clusters: other, features: other, k_range: other, min_samples: other, max_categories: other });
        if (v !== undefined) expect(typeof v.parameter).toBe('string');
      }),
      { seed: 52, numRuns: 300 },
    );
  });
});
