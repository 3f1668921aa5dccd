import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidParameterError } from '../src/errors';
import { LOCALES, type Locale } from '../src/i18n/index';
import { readSegments, scoreLabels, type SegmentReadingInput } from '../src/profile/labels';
import { profileSegments } from '../src/profile/profile';
import { inferRole, inferRoles, type FeatureRole } from '../src/profile/roles';
import { Random } from '../src/random';
import { SAMPLE_FEATURES } from '../src/sample';

const N = NaN;

/** Walks a value and fails on any NaN or infinite number. */
function expectNoNaN(value: unknown, path = '$'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), path).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, i) => expectNoNaN(v, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) expectNoNaN(v, `${path}.${k}`);
}

describe('profileSegments statistics (hand-computed)', () => {
  // Segment 0: a = 1, 2, 6 (odd count); segment 1: a = 10, -, 20, 30, 40 (even count, one
  // missing); noise: a = 100, -. b is constant; c is missing throughout segment 0.
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1, -1, -1]);
  const columns = {
    a: Float64Array.from([1, 2, 6, 10, N, 20, 30, 40, 100, N]),
    b: Float64Array.from([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]),
    c: Float64Array.from([N, N, N, 1, 2, 3, 4, 5, 6, 7]),
  };
  const features = ['a', 'b', 'c'];
  const out = profileSegments(columns, features, labels, { a: undefined, b: undefined, c: undefined }, 'en');
  // Overall a: 1,2,6,10,20,30,40,100 -> mean 209/8 = 26.125, squared deviations sum 7580.875.
  const baseMeanA = 26.125;
  const baseStdA = Math.sqrt(7580.875 / 7);

  it('orders segments by id with noise last, with sizes and shares', () => {
    expect(out.map((s) => s.segmentId)).toEqual([0, 1, -1]);
    expect(out.map((s) => s.size)).toEqual([3, 5, 2]);
    expect(out.map((s) => s.share)).toEqual([0.3, 0.5, 0.2]);
  });

  it('computes mean, median, ddof=1 std, min, max and z per segment', () => {
    const a0 = out[0].profile.a;
    expect(a0.mean).toBeCloseTo(3, 12);
    expect(a0.median).toBe(2);
    expect(a0.std).toBeCloseTo(Math.sqrt(14 / 2), 12); // deviations -2, -1, 3
    expect([a0.min, a0.max, a0.observed, a0.missing]).toEqual([1, 6, 3, 0]);
    expect(a0.z).toBeCloseTo((3 - baseMeanA) / baseStdA, 12);

    const a1 = out[1].profile.a;
    expect(a1.mean).toBeCloseTo(25, 12);
    expect(a1.median).toBe(25); // (20 + 30) / 2
    expect(a1.std).toBeCloseTo(Math.sqrt(500 / 3), 12); // deviations -15, -5, 5, 15
    expect([a1.min, a1.max, a1.observed, a1.missing]).toEqual([10, 40, 4, 1]);
    expect(a1.z).toBeCloseTo((25 - baseMeanA) / baseStdA, 12);

    const aNoise = out[2].profile.a;
    expect([aNoise.mean, aNoise.median, aNoise.std, aNoise.min, aNoise.max]).toEqual([100, 100, 0, 100, 100]);
    expect([aNoise.observed, aNoise.missing]).toEqual([1, 1]);
    expect(aNoise.z).toBeCloseTo((100 - baseMeanA) / baseStdA, 12);
  });

  it('gives z = 0 for a constant feature and nulls for a segment with nothing observed', () => {
    for (const s of out) {
      expect(s.profile.b.z).toBe(0);
      expect(s.profile.b.std).toBe(0);
      expect(s.characteristics.avg_b).toBe(5);
    }
    const c0 = out[0].profile.c;
    expect(c0).toEqual({ mean: null, median: null, std: null, min: null, max: null, z: 0, observed: 0, missing: 3 });
    expect('avg_c' in out[0].characteristics).toBe(true);
    expect(out[0].characteristics.avg_c).toBeNull();
    // c overall: 1..7 -> mean 4, std sqrt(28/6); segment 1 has 1..5 -> mean 3, median 3.
    expect(out[1].profile.c.mean).toBe(3);
    expect(out[1].profile.c.median).toBe(3);
    expect(out[1].profile.c.z).toBeCloseTo((3 - 4) / Math.sqrt(28 / 6), 12);
  });

  it('reports characteristics as avg_<feature> means in original units', () => {
    expect(out[0].characteristics).toEqual({ avg_a: 3, avg_b: 5, avg_c: null });
    expect(out[1].characteristics.avg_a).toBe(25);
    expect(out[2].characteristics).toEqual({ avg_a: 100, avg_b: 5, avg_c: 6.5 });
  });

  it('labels noise Outliers and role-less segments generically, without NaN anywhere', () => {
    expect(out[2].labelKey).toBe('outliers');
    expect(out[2].label).toBe('Outliers');
    expect(out[0].labelKey).toBe('generic');
    // Issue 13: named by its strongest difference, not "Segment 0".
    expect(out[0].label).toBe('Low a');
    expect(out[0].description).toBe('Customers with lower a than average.');
    // On the object itself (a JSON round trip would hide NaN as null); nulls are the documented "no value".
    expectNoNaN(out);
  });

  it('matches a sorting reference on random data with duplicates and missing values', () => {
    const rng = new Random(7);
    const n = 2001;
    const x = new Float64Array(n);
    const lab = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = rng.next() < 0.05 ? NaN : Math.floor(rng.next() * 20);
      lab[i] = rng.int(4) - 1;
    }
    const got = profileSegments({ x }, ['x'], lab, {}, 'en');
    expect(got.map((s) => s.segmentId)).toEqual([0, 1, 2, -1]);
    for (const s of got) {
      const vals = [...x].filter((v, i) => lab[i] === s.segmentId && !Number.isNaN(v)).sort((p, q) => p - q);
      const m = vals.length;
      const mean = vals.reduce((p, q) => p + q, 0) / m;
      const median = m % 2 ? vals[(m - 1) / 2] : (vals[m / 2 - 1] + vals[m / 2]) / 2;
      const std = Math.sqrt(vals.reduce((p, q) => p + (q - mean) ** 2, 0) / (m - 1));
      const p = s.profile.x;
      expect(p.median).toBe(median);
      expect(p.mean).toBeCloseTo(mean, 10);
      expect(p.std).toBeCloseTo(std, 10);
      expect([p.min, p.max, p.observed]).toEqual([vals[0], vals[m - 1], m]);
      expect(p.observed + p.missing).toBe(s.size);
    }
  });

  it('profiles labels of any size a caller gives (1e6, -7) as it profiles small ones', () => {
    const x = Float64Array.from([1, 2, 3, 10, 20, 30, 5]);
    const big = Int32Array.from([1_000_000, 1_000_000, 1_000_000, -7, -7, -7, 4]);
    const small = Int32Array.from([2, 2, 2, 0, 0, 0, 1]);
    const a = profileSegments({ x }, ['x'], big, {}, 'en');
    const b = profileSegments({ x }, ['x'], small, {}, 'en');
    expect(a.map((s) => s.segmentId)).toEqual([-7, 4, 1_000_000]);
    expect(a.map((s) => [s.size, s.profile.x.mean, s.profile.x.median])).toEqual(b.map((s) => [s.size, s.profile.x.mean, s.profile.x.median]));
    expect(a[2].profile.x).toMatchObject({ mean: 2, median: 2, min: 1, max: 3 });
  });

  it('rejects columns that do not match the labels', () => {
    const lab = Int32Array.from([0, 1]);
    expect(() => profileSegments({ a: Float64Array.from([1]) }, ['a'], lab, {}, 'en')).toThrow(InvalidParameterError);
    expect(() => profileSegments({}, ['a'], lab, {}, 'en')).toThrow(/'a'/);
    expect(profileSegments({ a: new Float64Array(0) }, ['a'], new Int32Array(0), {}, 'en')).toEqual([]);
  });
});

/**
 * Synthetic RFM customers: four groups whose business reading is obvious by construction,
 * plus an ordinary group. Values are the group's centre times a small deterministic jitter.
 */
const RFM_FEATURES = ['total_spent', 'frequency', 'days_since_last_purchase', 'open_rate', 'discount_rate'];
const GROUPS: Record<string, number[]> = {
  // spend, orders, days since last purchase, open rate, discount rate
  ordinary: [100, 5, 30, 0.3, 0.1],
  highValue: [500, 15, 10, 0.5, 0.05], // 5x spend, 3x frequency
  growth: [100, 6, 8, 0.6, 0.1], // recent and engaged, ordinary spend
  priceSensitive: [40, 5, 40, 0.3, 0.6], // heavy discounts, low spend
  atRisk: [100, 3, 200, 0.05, 0.1], // 200 days gone, barely opens email
};

function rfmData(groupNames: string[], perGroup: number, jitter: number) {
  const n = groupNames.length * perGroup;
  const columns: Record<string, Float64Array> = Object.fromEntries(RFM_FEATURES.map((f) => [f, new Float64Array(n)]));
  const labels = new Int32Array(n);
  const rng = new Random(11);
  groupNames.forEach((g, s) => {
    for (let k = 0; k < perGroup; k++) {
      const i = s * perGroup + k;
      labels[i] = s;
      RFM_FEATURES.forEach((f, j) => (columns[f][i] = GROUPS[g][j] * (1 + jitter * (rng.next() - 0.5))));
    }
  });
  return { columns, labels };
}

const EXPECTED_LABELS: Record<string, [string, string, string, string]> = {
  highValue: ['high_value', 'High-Value', 'Alto Valor', 'Alto Valor'],
  growth: ['growth', 'Growth', 'Crecimiento', 'Crescimento'],
  priceSensitive: ['price_sensitive', 'Price-Sensitive', 'Sensible al Precio', 'Sensível a Preço'],
  atRisk: ['at_risk', 'At-Risk', 'En Riesgo', 'Em Risco'],
};

describe('business labels on synthetic RFM segments', () => {
  const order = ['atRisk', 'ordinary', 'priceSensitive', 'highValue', 'growth'];
  const { columns, labels } = rfmData(order, 40, 0.2);
  const roles = inferRoles(RFM_FEATURES);

  for (const locale of LOCALES) {
    it(`reads the obvious label of each group (${locale})`, () => {
      const out = profileSegments(columns, RFM_FEATURES, labels, roles, locale);
      order.forEach((g, s) => {
        if (g === 'ordinary') return;
        const [key, en, es, pt] = EXPECTED_LABELS[g];
        expect(out[s].labelKey, g).toBe(key);
        expect(out[s].label, g).toBe({ en, es, pt }[locale]);
        expect(out[s].description.length).toBeGreaterThan(20);
        expect(out[s].description.endsWith('.')).toBe(true);
      });
      // The ordinary group stands out in no business direction.
      expect(out[1].labelKey).toBe('generic');
      expectNoNaN(out);
    });
  }

  it('reads the four groups without an ordinary baseline too', () => {
    const four = ['highValue', 'growth', 'priceSensitive', 'atRisk'];
    const data = rfmData(four, 30, 0.1);
    const out = profileSegments(data.columns, RFM_FEATURES, data.labels, roles, 'en');
    expect(out.map((s) => s.labelKey)).toEqual(['high_value', 'growth', 'price_sensitive', 'at_risk']);
  });

  it('describes a segment with concrete ratios and day counts in each language', () => {
    // No jitter: overall mean spend = (100 + 500 + 100 + 40 + 100) / 5 = 168, so High-Value
    // spends 500 / 168 = 2.98 -> "3x"; frequency 15 / 6.8 = 2.2x.
    const data = rfmData(['ordinary', 'highValue', 'growth', 'priceSensitive', 'atRisk'], 10, 0);
    const text = (locale: Locale) => profileSegments(data.columns, RFM_FEATURES, data.labels, roles, locale);
    const [en, es, pt] = [text('en'), text('es'), text('pt')];
    expect(en[1].description).toBe('Your best customers: spend 3x the average, purchase frequency 2.2x the average, and last purchase 10 days ago on average.');
    expect(es[1].description).toBe(
      'Sus mejores clientes: gasto de 3 veces el promedio, frecuencia de compra de 2,2 veces el promedio y última compra hace 10 días en promedio.',
    );
    expect(pt[1].description).toBe('Seus melhores clientes: gasto de 3x a média, frequência de compra de 2,2x a média e última compra há 10 dias em média.');
    expect(en[4].labelKey).toBe('at_risk');
    expect(en[4].description).toContain('last purchase 200 days ago on average');
    expect(es[4].description).toContain('última compra hace 200 días');
    // Price-Sensitive: discount 0.6 vs overall 0.19 -> 3.2x; spend 40 / 168 = 0.24x.
    expect(en[3].description).toBe(
      'Customers driven by price: discount usage 3.2x the average, spend 0.24x the average, and purchase frequency 0.74x the average.',
    );
  });

  it('gives DBSCAN noise the Outliers label in every language', () => {
    const { columns: c, labels: l } = rfmData(['highValue', 'atRisk'], 10, 0.1);
    l[3] = -1;
    l[15] = -1;
    const labelsByLocale = LOCALES.map((locale) => {
      const out = profileSegments(c, RFM_FEATURES, l, roles, locale);
      expect(out.map((s) => s.segmentId)).toEqual([0, 1, -1]);
      expect(out[2].labelKey).toBe('outliers');
      expect(out[2].size).toBe(2);
      return out[2].label;
    });
    expect(labelsByLocale).toEqual(['Outliers', 'Atípicos', 'Atípicos']);
  });
});

describe('label scoring and assignment rules', () => {
  const mf: Record<string, FeatureRole | undefined> = { m: 'monetary', f: 'frequency' };
  const seg = (segmentId: number, m: number, f: number): SegmentReadingInput => ({
    segmentId,
    features: { m: { mean: null, z: m }, f: { mean: null, z: f } },
  });
  const read = (segs: SegmentReadingInput[]) => readSegments(segs, ['m', 'f'], mf, {}, 'en').map((r) => r.labelKey);

  it('scores labels from role z-scores as documented', () => {
    // Issue 13: without recency or engagement there is no At-Risk, without discount no Price-Sensitive.
    expect(scoreLabels({ monetary: 2, frequency: 1 })).toEqual({ high_value: 1.5, growth: 0 });
    expect(scoreLabels({ monetary: -1, frequency: -0.5 })).toEqual({ high_value: -0.75, growth: -1 });
    expect(scoreLabels({ recency: 2, engagement: -1 })).toEqual({ at_risk: 1.5, growth: -1.5 });
    expect(scoreLabels({ discount: 2, monetary: 1 })).toEqual({ high_value: 1, price_sensitive: 1.5 });
    expect(scoreLabels({})).toEqual({});
  });

  it('prefers distinct labels when the evidence is close', () => {
    // A: High-Value 1.0. B: High-Value 0.75 = Growth 0.75; High-Value is taken, Growth is free.
    expect(read([seg(0, 1, 1), seg(1, 0.5, 1)])).toEqual(['high_value', 'growth']);
    expect(read([seg(0, 0.5, 1), seg(1, 1, 1)])).toEqual(['growth', 'high_value']);
  });

  it('shares a label when one reading clearly dominates', () => {
    // B: High-Value 1.9 vs Growth 1.8 - 1.0 = 0.8: more than CLOSE_MARGIN apart.
    expect(read([seg(0, 2.2, 2), seg(1, 2, 1.8)])).toEqual(['high_value', 'high_value']);
  });

  it('breaks exact ties by segment id and is independent of nothing else', () => {
    expect(read([seg(0, 1, 1), seg(1, 1, 1)])).toEqual(['high_value', 'growth']);
    expect(read([seg(4, 1, 1), seg(7, 1, 1)])).toEqual(['high_value', 'growth']);
  });

  it('never reads Price-Sensitive without a discount feature (issue 13)', () => {
    expect(read([seg(0, -1, 0)])).toEqual(['generic']);
  });

  it("never reads At-Risk without recency or engagement, as in the reference's example (issue 13)", () => {
    // The reference's three customers in two segments: the low pair z = -0.51 on both.
    expect(read([seg(0, -0.51, -0.51), seg(1, 1.02, 1.03)])).toEqual(['generic', 'high_value']);
    const names = readSegments([seg(0, -0.51, -0.51), seg(1, 1.02, 1.03)], ['m', 'f'], mf, {}, 'en').map((r) => r.label);
    expect(names).toEqual(['Low spend, infrequent', 'High-Value']);
  });

  it('leaves weak or role-less segments generic and names the standout features', () => {
    expect(read([seg(0, 0.1, -0.05)])).toEqual(['generic']);
    const r = readSegments(
      [{ segmentId: 2, features: { foo: { mean: 1, z: 1.5 }, bar: { mean: 1, z: -2 }, baz: { mean: 1, z: 0.3 } } }],
      ['foo', 'bar', 'baz'],
      {},
      {},
      'es',
    )[0];
    // Issue 13: named by its two strongest differences (|z| 2 then 1.5) instead of "Segmento 2".
    expect([r.labelKey, r.label]).toEqual(['generic', 'Bar bajo, foo alto']);
    expect(r.description).toBe('Clientes con foo más alto y bar más bajo que el promedio.');
    const quiet = readSegments([{ segmentId: 0, features: { foo: { mean: 1, z: 0.01 } } }], ['foo'], {}, {}, 'pt')[0];
    expect(quiet.description).toBe('Clientes próximos da média em todas as variáveis.');
  });
});

describe('inferRoles', () => {
  it('recognises name variants regardless of case and separators', () => {
    const want: Record<string, FeatureRole | undefined> = {
      TotalSpend: 'monetary',
      totalSpent: 'monetary',
      'total-spent': 'monetary',
      total_purchases: 'monetary',
      avgOrderValue: 'monetary',
      LTV: 'monetary',
      days_since_last_order: 'recency',
      daysSinceLastOrder: 'recency',
      DAYS_SINCE_LAST_PURCHASE: 'recency',
      Recency: 'recency',
      OrderCount: 'frequency',
      num_purchases: 'frequency',
      purchases_count: 'frequency',
      numberOfOrders: 'frequency',
      EmailOpens: 'engagement',
      clickRate: 'engagement',
      couponUsage: 'discount',
      promo_usage: 'discount',
      age: undefined,
      zip_code: undefined,
      tenure_months: undefined,
    };
    for (const [name, role] of Object.entries(want)) expect(inferRole(name), name).toBe(role);
    expect(inferRoles(Object.keys(want))).toEqual(want);
  });

  it('gives the sample generator columns their obvious roles', () => {
    expect(inferRoles([...SAMPLE_FEATURES])).toEqual({
      total_purchases: 'monetary',
      frequency: 'frequency',
      days_since_last_purchase: 'recency',
      avg_order_value: 'monetary',
      open_rate: 'engagement',
      discount_rate: 'discount',
    });
  });

  it('lets given roles win, including removing one, and ignores roles of absent features', () => {
    const roles = inferRoles(['frequency', 'open_rate', 'score'], {
      frequency: 'monetary',
      open_rate: 'none',
      score: 'engagement',
      dropped_feature: 'recency',
    });
    expect(roles).toEqual({ frequency: 'monetary', open_rate: undefined, score: 'engagement' });
  });

  it('rejects an unknown role naming the roles parameter and the entry', () => {
    let caught: unknown;
    try {
      inferRoles(['frequency'], { frequency: 'loyalty' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidParameterError);
    expect((caught as InvalidParameterError).parameter).toBe('roles');
    expect((caught as Error).message).toContain('roles.frequency');
    expect((caught as Error).message).toContain('loyalty');
    expect(() => inferRoles(['a'], ['monetary'] as unknown as Record<string, string>)).toThrow(InvalidParameterError);
    expect(() => inferRoles(['a'], { a: 3 } as unknown as Record<string, string>)).toThrow(/roles\.a/);
  });
});

// The statistics against a plain one-feature, one-segment loop over the finite values in
// row order, as the conventions at the top of profile.ts define them: the same bits,
// whatever the number of features, segments, missing and infinite values.
describe('profileSegments statistics against a plain reference', () => {
  function plain(values: number[]) {
    const m = values.length;
    if (m === 0) return { mean: null, median: null, std: null, min: null, max: null, observed: 0 };
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / m;
    let ss = 0;
    for (const v of values) ss += (v - mean) * (v - mean);
    const sorted = [...values].sort((p, q) => p - q);
    const median = m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    return { mean, median, std: m > 1 ? Math.sqrt(ss / (m - 1)) : 0, min: sorted[0], max: sorted[m - 1], observed: m };
  }
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  );
  const data = fc.integer({ min: 1, max: 60 }).chain((n) =>
    fc.record({
      labels: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: n, maxLength: n }),
      cols: fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 9 }),
    }),
  );

  it('equals each feature and segment computed alone, to the bit', () => {
    fc.assert(
      fc.property(data, ({ labels, cols }) => {
        const features = cols.map((_, j) => `f${j}`);
        const columns = Object.fromEntries(cols.map((c, j) => [`f${j}`, Float64Array.from(c)]));
        const out = profileSegments(columns, features, Int32Array.from(labels), {}, 'en');
        expect(out.map((s) => s.segmentId)).toEqual([...new Set(labels)].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b)));
        for (const s of out) {
          features.forEach((f, j) => {
            const values = cols[j].filter((v, i) => labels[i] === s.segmentId && Number.isFinite(v));
            // -0 and 0 are one value (JSON writes both as 0); which one a minimum keeps is not defined.
            const same = (o: Record<string, number | null>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === 0 ? 0 : v]));
            const { mean, median, std, min, max, observed } = s.profile[f];
            expect(same({ mean, median, std, min, max, observed })).toEqual(same(plain(values)));
          });
        }
      }),
      { seed: 54, numRuns: 300 },
    );
  });
});
