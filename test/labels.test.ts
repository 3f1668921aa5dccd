/**
 * Issue 13, labels: true (role support and a real effect), unique, named by what separates
 * a segment, and RFM names in three languages. Expected values are hand-derived from the
 * data's construction or from an independent transcription of the published RFM map.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../src/i18n/index';
import { profileSegments } from '../src/profile/profile';
import { RFM_GRID, rfmCell, quintileScores } from '../src/profile/rfm';
import type { FeatureRole } from '../src/profile/roles';
import { Random } from '../src/random';
import { segment } from '../src/segment';

type Roles = Record<string, FeatureRole | undefined>;

/** Columns from per-segment centres (in units of `spread`) with seeded normal noise. */
function blobs(centres: Record<string, number>[], sizes: number[], seed: number, spread = 1) {
  const features = Object.keys(centres[0]);
  const n = sizes.reduce((a, b) => a + b, 0);
  const columns: Record<string, Float64Array> = Object.fromEntries(features.map((f) => [f, new Float64Array(n)]));
  const labels = new Int32Array(n);
  const rng = new Random(seed);
  let i = 0;
  sizes.forEach((size, s) => {
    for (let c = 0; c < size; c++, i++) {
      labels[i] = s;
      for (const f of features) columns[f][i] = 100 + 10 * centres[s][f] + spread * 10 * rng.normal();
    }
  });
  return { columns, labels, features };
}

/** Cohen's d of group g against the rest, straight from the definition (pooled ddof=1 SD). */
function cohenD(col: Float64Array, labels: Int32Array, g: number): number {
  const a: number[] = [];
  const b: number[] = [];
  col.forEach((v, i) => (labels[i] === g ? a : b).push(v));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ss = (xs: number[]) => xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0);
  return (mean(a) - mean(b)) / Math.sqrt((ss(a) + ss(b)) / (a.length + b.length - 2));
}

describe('labels are supported by the roles present', () => {
  it('never reads Price-Sensitive without a discount role, nor At-Risk without recency or engagement', () => {
    // Spend and frequency only: a low-spend segment and a rare-buying one are neither.
    const { columns, labels, features } = blobs(
      [
        { spend: 0, orders: 0 },
        { spend: -2, orders: 0 },
        { spend: -2, orders: -2 },
        { spend: 3, orders: 3 },
      ],
      [60, 60, 60, 60],
      3,
      0.3,
    );
    const roles: Roles = { spend: 'monetary', orders: 'frequency' };
    for (const locale of LOCALES) {
      const keys = profileSegments(columns, features, labels, roles, locale).map((p) => p.labelKey);
      expect(keys).not.toContain('price_sensitive');
      expect(keys).not.toContain('at_risk');
      expect(keys[3]).toBe('high_value');
    }
    // The same data with a discount feature that the second group uses heavily: now it is.
    const withDiscount = { ...columns, discount_rate: Float64Array.from(labels, (l, i) => (l === 1 ? 0.6 : 0.1) + 0.01 * (i % 5)) };
    const out = profileSegments(withDiscount, [...features, 'discount_rate'], labels, { ...roles, discount_rate: 'discount' }, 'en');
    expect(out[1].labelKey).toBe('price_sensitive');
  });

  it('needs a medium effect against the rest, not just an above-average mean', () => {
    // A fifth of the customers spend and buy 0.4 SD more than the rest: z >= 0.25 (the old
    // threshold, enough for High-Value before issue 13) but Cohen's d < 0.5.
    const { columns, labels, features } = blobs(
      [
        { spend: 0, orders: 0 },
        { spend: 0.4, orders: 0.4 },
      ],
      [800, 200],
      7,
    );
    const dSpend = cohenD(columns.spend, labels, 1);
    expect(dSpend).toBeGreaterThan(0.25);
    expect(dSpend).toBeLessThan(0.5);
    const out = profileSegments(columns, features, labels, { spend: 'monetary', orders: 'frequency' }, 'en');
    expect(out[1].profile.spend.z).toBeGreaterThan(0.25);
    expect(out[1].labelKey).toBe('generic');
    // Named by its real (small) differences, the larger |d| first, not "Segment 1".
    const dOrders = cohenD(columns.orders, labels, 1);
    expect(out[1].label).toBe(Math.abs(dSpend) > Math.abs(dOrders) ? 'High spend, frequent' : 'Frequent, high spend');
  });
});

describe('High-Value is a minority', () => {
  it('is not given to a segment of more than a third of the customers, however far above the rest', () => {
    const roles: Roles = { spend: 'monetary', orders: 'frequency' };
    const centres = [
      { spend: 0, orders: 0 },
      { spend: 3, orders: 3 },
    ];
    // 40% of the customers (the playground's k = 2 case): above average, not High-Value.
    const big = blobs(centres, [150, 100], 2, 0.3);
    const out = profileSegments(big.columns, big.features, big.labels, roles, 'en');
    expect(out[1].labelKey).not.toBe('high_value');
    expect(out[1].label).not.toContain('High-Value');
    // The same group as a fifth of the customers is.
    const small = blobs(centres, [200, 50], 2, 0.3);
    expect(profileSegments(small.columns, small.features, small.labels, roles, 'en')[1].labelKey).toBe('high_value');
  });
});

describe('labels are unique', () => {
  it('qualifies segments that share a label by what separates them, truthfully', () => {
    // Two lapsed groups (both At-Risk): long-standing customers who went quiet, and ones
    // who stopped opening emails altogether. Group 1's engagement is below the rest's (so
    // "high engagement", though it separates it from group 2, is not true of it); its tenure
    // is above. Group 2 is separated most by its engagement (-14 vs -5), which is low.
    const { columns, labels, features } = blobs(
      [
        { tenure: 0, days_since_last_purchase: 0, open_rate: 0 },
        { tenure: 0.5, days_since_last_purchase: 4, open_rate: -5 },
        { tenure: 0, days_since_last_purchase: 4, open_rate: -14 },
      ],
      [200, 100, 100],
      5,
      0.3,
    );
    const roles: Roles = { tenure: undefined, days_since_last_purchase: 'recency', open_rate: 'engagement' };
    const expected: Record<Locale, [string, string]> = {
      en: ['At-Risk: high tenure', 'At-Risk: low engagement'],
      es: ['En Riesgo: tenure alto', 'En Riesgo: baja interacción'],
      pt: ['Em Risco: tenure alto', 'Em Risco: baixo engajamento'],
    };
    // Group 2's strongest separation from group 1, in overall SDs, computed here: the
    // expected qualifier follows it (both tenure and engagement are lower in group 2).
    const z = (f: string, g: number) => {
      const col = columns[f];
      const all = [...col];
      const mean = all.reduce((x, y) => x + y, 0) / all.length;
      const sd = Math.sqrt(all.reduce((x, y) => x + (y - mean) ** 2, 0) / (all.length - 1));
      const seg = all.filter((_, i) => labels[i] === g);
      return (seg.reduce((x, y) => x + y, 0) / seg.length - mean) / sd;
    };
    const byEngagement = Math.abs(z('open_rate', 2) - z('open_rate', 1)) > Math.abs(z('tenure', 2) - z('tenure', 1));
    expect(byEngagement).toBe(true);
    for (const locale of LOCALES) {
      const out = profileSegments(columns, features, labels, roles, locale);
      expect(out[1].labelKey).toBe('at_risk');
      expect(out[2].labelKey).toBe('at_risk');
      expect([out[1].label, out[2].label]).toEqual(expected[locale]);
      expect(out[1].baseLabel).toBe(out[2].baseLabel);
      expect(new Set(out.map((p) => p.label)).size).toBe(out.length);
    }
  });

  it('holds for any data: no two segments share a label, and labels respect the roles (property)', () => {
    const ROLE_CHOICES: (FeatureRole | undefined)[] = ['monetary', 'frequency', 'recency', 'engagement', 'discount', undefined];
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }),
        fc.array(fc.constantFrom(...ROLE_CHOICES), { minLength: 1, maxLength: 5 }),
        // Centres from a few values, so segments often look alike and compete for a label.
        fc.array(fc.constantFrom(-2, -1, 0, 0, 1, 2, 3), { minLength: 35, maxLength: 35 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom<Locale>('en', 'es', 'pt'),
        fc.boolean(),
        (k, roleList, centreValues, seed, locale, noise) => {
          const features = roleList.map((_, j) => `f${j}`);
          const roles: Roles = Object.fromEntries(features.map((f, j) => [f, roleList[j]]));
          const centres = Array.from({ length: k }, (_, s) => Object.fromEntries(features.map((f, j) => [f, centreValues[s * 5 + j]])));
          const { columns, labels } = blobs(
            centres,
            Array.from({ length: k }, (_, s) => 8 + ((seed + s) % 7)),
            seed,
            0.5,
          );
          if (noise) labels[0] = -1;
          const out = profileSegments(columns, features, labels, roles, locale);
          const names = out.map((p) => p.label);
          expect(new Set(names).size).toBe(names.length);
          const present = new Set(roleList);
          for (const p of out) {
            if (p.labelKey === 'price_sensitive') expect(present.has('discount')).toBe(true);
            if (p.labelKey === 'at_risk' && p.labelScheme === 'business') expect(present.has('recency') || present.has('engagement')).toBe(true);
            if (p.labelKey !== 'outliers') expect(p.action.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 150, seed: 13 },
    );
  });
});

describe('RFM names', () => {
  it('follows the published R x F map (regex transcription) with Lost at R 1, FM 1', () => {
    // The map as the Python RFM tutorials write it, first match wins.
    const segMap: [RegExp, string][] = [
      [/^[1-2][1-2]$/, 'hibernating'],
      [/^[1-2][3-4]$/, 'at_risk'],
      [/^[1-2]5$/, 'cant_lose_them'],
      [/^3[1-2]$/, 'about_to_sleep'],
      [/^33$/, 'need_attention'],
      [/^[3-4][4-5]$/, 'loyal_customers'],
      [/^41$/, 'promising'],
      [/^51$/, 'new_customers'],
      [/^[4-5][2-3]$/, 'potential_loyalists'],
      [/^5[4-5]$/, 'champions'],
    ];
    for (let r = 1; r <= 5; r++) {
      for (let fm = 1; fm <= 5; fm++) {
        const want = r === 1 && fm === 1 ? 'lost' : segMap.find(([re]) => re.test(`${r}${fm}`))![1];
        expect(rfmCell(r, fm), `${r}${fm}`).toBe(want);
        expect(RFM_GRID[r - 1][fm - 1]).toBe(want);
      }
    }
    expect(new Set(RFM_GRID.flat()).size).toBe(11);
  });

  it('scores quintiles by mid-rank, ties alike, missing left out', () => {
    // 10 values: positions 0..9, mid-rank p = (i + 0.5) / 10 -> quintile floor(5p) + 1.
    expect([...quintileScores(Float64Array.from([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]))]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    // Four equal values among five: mid-rank of the run (0 + 4/2) / 5 = 0.4 -> 3; the largest 0.9 -> 5.
    const tied = quintileScores(Float64Array.from([1, 1, 1, 1, 2, Number.NaN]));
    expect([...tied.subarray(0, 5)]).toEqual([3, 3, 3, 3, 5]);
    expect(Number.isNaN(tied[5])).toBe(true);
  });

  /**
   * 100 customers in 5 segments of 20. Each segment holds exactly one quintile of each of
   * recency, frequency and monetary (values 1..100, 20 per quintile), so its scores are
   * known: recency quintile q gives R = 6 - q.
   *   segment  R  F  M  -> FM  cell
   *   0        5  5  5     5   champions
   *   1        1  4  4     4   at_risk
   *   2        4  1  1     1   promising
   *   3        3  3  3     3   need_attention
   *   4        2  2  2     2   hibernating
   */
  const RFM = [
    [5, 5, 5],
    [1, 4, 4],
    [4, 1, 1],
    [3, 3, 3],
    [2, 2, 2],
  ];
  const rfmData = () => {
    const n = 100;
    const recency = new Float64Array(n);
    const frequency = new Float64Array(n);
    const monetary = new Float64Array(n);
    const labels = new Int32Array(n);
    RFM.forEach(([r, f, m], s) => {
      for (let j = 0; j < 20; j++) {
        const i = s * 20 + j;
        labels[i] = s;
        recency[i] = (6 - r - 1) * 20 + j + 1;
        frequency[i] = (f - 1) * 20 + j + 1;
        monetary[i] = ((m - 1) * 20 + j + 1) * 10;
      }
    });
    return { columns: { recency, frequency, total_spent: monetary }, labels };
  };
  const EXPECTED: Record<Locale, string[]> = {
    en: ['Champions', 'At Risk', 'Promising', 'Need Attention', 'Hibernating'],
    es: ['Campeones', 'En Riesgo', 'Prometedores', 'Necesitan Atención', 'Hibernando'],
    pt: ['Campeões', 'Em Risco', 'Promissores', 'Precisam de Atenção', 'Hibernando'],
  };

  it('names a hand-built RFM data set in en, es and pt, with an action each', () => {
    const { columns, labels } = rfmData();
    const features = ['recency', 'frequency', 'total_spent'];
    const roles: Roles = { recency: 'recency', frequency: 'frequency', total_spent: 'monetary' };
    const actions: string[][] = [];
    for (const locale of LOCALES) {
      const out = profileSegments(columns, features, labels, roles, locale);
      expect(out.map((p) => p.labelScheme)).toEqual(Array(5).fill('rfm'));
      expect(out.map((p) => p.labelKey)).toEqual(['champions', 'at_risk', 'promising', 'need_attention', 'hibernating']);
      expect(out.map((p) => p.label)).toEqual(EXPECTED[locale]);
      out.forEach((p, s) => expect(p.rfm).toEqual({ recency: RFM[s][0], frequency: RFM[s][1], monetary: RFM[s][2] }));
      actions.push(out.map((p) => p.action));
    }
    // Every action is written, and really translated.
    for (let s = 0; s < 5; s++) {
      expect(new Set(actions.map((a) => a[s])).size).toBe(3);
      for (const a of actions) expect(a[s].length).toBeGreaterThan(20);
    }
    // Business labels on request instead.
    const business = profileSegments(columns, features, labels, roles, 'en', features, { labels: 'business' });
    expect(business.every((p) => p.labelScheme === 'business')).toBe(true);
    expect(business[0].labelKey).toBe('high_value');
  });

  it("segment() defaults to RFM names on RFM-only data and refuses labels: 'rfm' without the roles", async () => {
    const { columns, labels } = rfmData();
    const data = Array.from(labels, (_, i) => ({
      customer_id: i,
      days_since_last_purchase: columns.recency[i],
      frequency: columns.frequency[i],
      total_spent: columns.total_spent[i],
    }));
    const r = await segment({ data, n_clusters: 5, log_transform: false, explain: false });
    expect(r.meta.labels).toBe('rfm');
    expect(new Set(r.segments.map((s) => s.label)).size).toBe(5);
    for (const s of r.segments) expect(s.label_scheme).toBe('rfm');
    const b = await segment({ data, n_clusters: 5, labels: 'business', explain: false });
    expect(b.meta.labels).toBe('business');
    // Data with only spend: RFM names are impossible, and the error says which parameter.
    const spendOnly = data.map((c) => ({ customer_id: c.customer_id, total_spent: c.total_spent }));
    await expect(segment({ data: spendOnly, n_clusters: 2, labels: 'rfm' })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      details: { parameter: 'labels' },
    });
    await expect(segment({ data, labels: 'fancy' as 'rfm' })).rejects.toMatchObject({ details: { parameter: 'labels' } });
    await expect(segment({ data, explain: 'yes' as unknown as boolean })).rejects.toMatchObject({ details: { parameter: 'explain' } });
  });
});
