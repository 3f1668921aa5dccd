// Mixed numeric and categorical customers through segment(): the categorical parameter,
// k-prototypes and Gower linkage, Gower distance against a hand-computed case and the
// plain-TS reference, the categorical profiles recounted from the records, labels and
// rules on categories, and the refusals of what is not defined on mixed data.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMarkdown, formatTable } from '../src/cli/output';
import { renderReport } from '../src/cli/report';
import { gowerAgglomerative } from '../src/cluster/agglomerativeGower';
import { SegmentationError } from '../src/errors';
import { init } from '../src/index';
import { gowerPair, gowerSilhouette, gowerSpace } from '../src/metrics/gower';
import { prepareRecords } from '../src/prep/records';
import { Random } from '../src/random';
import { adjustedRandIndex } from '../src/select/ari';
import { assignSegments, segment, type SegmentationResponse } from '../src/segment';
import { mixedCustomers } from './helpers/mixedCustomers';
import { gowerRef, linkageFromDistanceRef, rangesRef, silhouetteRef } from './reference/gower';

beforeAll(async () => {
  await init();
});

type Row = Record<string, unknown>;

/** Four groups: spend low/high crossed with channel x/y; only the channel separates the pairs. */
function crossedGroups(n: number, seed: number): { data: Row[]; truth: number[] } {
  const rng = new Random(seed);
  const data: Row[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 4;
    const high = g >= 2;
    const channel = g % 2 === 0 ? 'x' : 'y';
    data.push({ customer_id: i, spend: (high ? 100 : 10) + rng.normal(), visits: (high ? 50 : 5) + rng.normal() * 0.5, channel });
    truth.push(g);
  }
  return { data, truth };
}

/** Two groups with the same numeric distribution, different only in their channel. */
function channelOnly(n: number, seed: number): { data: Row[]; truth: number[] } {
  const rng = new Random(seed);
  const data: Row[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 2;
    data.push({ customer_id: `c${i}`, spend: 50 + 10 * rng.normal(), visits: 10 + 2 * rng.normal(), channel: g === 0 ? 'mobile' : 'store' });
    truth.push(g);
  }
  return { data, truth };
}

function labelsOf(r: SegmentationResponse, data: Row[], idField = 'customer_id'): number[] {
  const of = new Map<unknown, number>();
  for (const s of r.segments) for (const c of s.customers) of.set(c, s.segment_id);
  return data.map((c) => of.get(c[idField])!);
}

/** Every customer exactly once, and distinct labels. */
function checkPartition(r: SegmentationResponse, data: Row[]): void {
  const out = r.segments.flatMap((s) => s.customers);
  expect(out.length).toBe(data.length);
  expect(new Set(out)).toEqual(new Set(data.map((c) => c.customer_id)));
  expect(new Set(r.segments.map((s) => s.label)).size).toBe(r.segments.length);
}

async function expectError(request: unknown, status: number, parameter: string, message?: RegExp): Promise<SegmentationError> {
  try {
    await segment(request);
  } catch (e) {
    expect(e).toBeInstanceOf(SegmentationError);
    const err = e as SegmentationError;
    expect(err.status).toBe(status);
    expect(err.details.parameter).toBe(parameter);
    if (message) expect(err.message).toMatch(message);
    return err;
  }
  throw new Error(`expected an error naming ${parameter}`);
}

describe('Gower distance', () => {
  it('matches a hand-computed case', () => {
    // spend 10, 30, 50 (range 40); channel codes 0, 1, 0; plan codes 0, 0, 1.
    const s = gowerSpace({ data: Float64Array.from([10, 0, 0, 30, 1, 0, 50, 0, 1]), rows: 3, cols: 3 }, [1, 2]);
    expect(gowerPair(s, 0, 1)).toBeCloseTo((20 / 40 + 1 + 0) / 3, 15);
    expect(gowerPair(s, 0, 2)).toBeCloseTo((40 / 40 + 0 + 1) / 3, 15);
    expect(gowerPair(s, 1, 2)).toBeCloseTo((20 / 40 + 1 + 1) / 3, 15);
    expect(gowerPair(s, 2, 2)).toBe(0);
  });

  it('on prep matrix equals the plain-TS reference on the raw records (scaling does not change it)', () => {
    const data = mixedCustomers(60, 3) as unknown as Row[];
    const numeric = ['total_spend', 'orders', 'open_rate'];
    const categorical = ['channel', 'plan', 'region'];
    const prep = prepareRecords(data, {
      idField: 'customer_id',
      features: [...numeric, ...categorical],
      scaling: 'zscore',
      logTransform: false,
      missing: 'median',
      maxCategories: 20,
      categorical: 'auto',
    });
    expect(prep.categoricalFeatures).toEqual(categorical);
    const s = gowerSpace(prep.matrix, prep.categoricalColumns);
    const ranges = rangesRef(data, numeric);
    for (let i = 0; i < 60; i += 7) {
      for (let j = 0; j < 60; j += 5) expect(gowerPair(s, i, j)).toBeCloseTo(gowerRef(data[i], data[j], ranges, categorical), 12);
    }
  });

  it('silhouette and linkage equal the references', () => {
    const rng = new Random(5);
    const n = 24;
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({ a: rng.normal() * 3, b: rng.next() * 10, c: ['p', 'q', 'r'][rng.int(3)], g: i % 3 }));
    const data = Float64Array.from(rows.flatMap((r) => [r.a as number, r.b as number, ['p', 'q', 'r'].indexOf(r.c as string)]));
    const X = { data, rows: n, cols: 3 };
    const s = gowerSpace(X, [2]);
    const ranges = rangesRef(rows, ['a', 'b']);
    const dist = (i: number, j: number) => gowerRef(rows[i], rows[j], ranges, ['c']);
    const labels = Int32Array.from(rows, (r) => r.g as number);
    expect(gowerSilhouette(s, labels).score).toBeCloseTo(silhouetteRef(n, labels, dist), 12);
    for (const linkage of ['average', 'complete', 'single'] as const) {
      const ours = gowerAgglomerative(X, { k: 3, linkage, categoricalColumns: [2] });
      const ref = linkageFromDistanceRef(n, dist, linkage, 3);
      const heights = Array.from({ length: n - 1 }, (_, i) => ours.linkage[4 * i + 2]);
      heights.forEach((h, i) => expect(h).toBeCloseTo(ref.heights[i], 12));
      expect(adjustedRandIndex(ours.labels, ref.labelsK)).toBe(1);
    }
  });
});

describe('segment() on mixed numeric and text features', () => {
  const features = ['spend', 'visits', 'channel'];

  it('segments on both without one-hot encoding: groups only the channel separates are recovered', async () => {
    const { data, truth } = crossedGroups(400, 1);
    for (const algorithm of ['kmeans', 'hierarchical'] as const) {
      const r = await segment({ data, features, n_clusters: 4, algorithm });
      checkPartition(r, data);
      expect(r.meta.algorithm).toBe(algorithm);
      expect(r.meta.distance).toBe('gower');
      expect(r.meta.categorical_features).toEqual(['channel']);
      expect(r.meta.model_features).toContain('channel');
      expect(r.meta.model_features.some((f) => f.startsWith('channel='))).toBe(false);
      expect(r.meta.preprocessing.oneHot).toEqual({});
      // A numeric-only model cannot tell x from y inside a spend level: ARI 1 needs the channel.
      expect(adjustedRandIndex(truth, labelsOf(r, data))).toBe(1);
      expect(r.metrics.silhouette_score).not.toBeNull();
      expect(r.metrics.davies_bouldin_score).toBeNull();
      expect(r.metrics.calinski_harabasz_score).toBeNull();
      expect(r.meta.warnings.map((w) => w.code)).toContain('mixed_metrics_unavailable');
      expect(r.segments.some((s) => s.rules?.conditions.some((c) => c.feature === 'channel' && c.op === '='))).toBe(true);
    }
  });

  it("the silhouette is the Gower silhouette of the response's segments", async () => {
    const { data } = crossedGroups(200, 2);
    const r = await segment({ data, features, n_clusters: 4 });
    const ranges = rangesRef(data, ['spend', 'visits']);
    const labels = labelsOf(r, data);
    expect(r.metrics.silhouette_score!).toBeCloseTo(
      silhouetteRef(data.length, labels, (i, j) => gowerRef(data[i], data[j], ranges, ['channel'])),
      10,
    );
  });

  it("categorical 'onehot' keeps one-hot columns; on numeric-only data 'auto' changes nothing", async () => {
    const { data } = crossedGroups(200, 3);
    const r = await segment({ data, features, n_clusters: 4, categorical: 'onehot' });
    expect(r.meta.model_features).toEqual(['spend', 'visits', 'channel=x', 'channel=y']);
    expect(r.meta.distance).toBeUndefined();
    expect(r.metrics.davies_bouldin_score).not.toBeNull();
    const strip = (x: SegmentationResponse) => ({ ...x, meta: { ...x.meta, timings_ms: {} } });
    const numeric = { data, features: ['spend', 'visits'], n_clusters: 3 };
    expect(strip(await segment({ ...numeric, categorical: 'auto' }))).toEqual(strip(await segment({ ...numeric, categorical: 'onehot' })));
  });

  it('profiles each text feature per segment: shares recounted from the records', async () => {
    const base = mixedCustomers(600, 4) as unknown as Row[];
    // Some channels missing, and a region with 7 values (two left for "other").
    const data = base.map((c, i) => (i % 17 === 0 ? { ...c, channel: null } : c));
    const r = await segment({
      data,
      features: ['total_spend', 'orders', 'days_since_last_order', 'open_rate', 'channel', 'plan', 'region'],
      n_clusters: 4,
    });
    checkPartition(r, data);
    expect(r.meta.warnings.map((w) => w.code)).toContain('categorical_missing');
    const byId = new Map(data.map((c) => [c.customer_id, c]));
    for (const s of r.segments) {
      for (const feature of ['channel', 'plan', 'region']) {
        const counts = new Map<string, number>();
        let missing = 0;
        for (const id of s.customers) {
          const v = byId.get(id)![feature];
          if (v === null || v === undefined) missing++;
          else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
        }
        const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const profile = s.categories![feature];
        expect(profile.top).toEqual(ranked.slice(0, 5).map(([value, count]) => ({ value, count, share: count / s.size })));
        expect(profile.other_share).toBeCloseTo(ranked.slice(5).reduce((a, [, c]) => a + c, 0) / s.size, 12);
        expect(profile.missing).toBe(missing);
        expect(profile.top.reduce((a, v) => a + v.share, 0) + profile.other_share + profile.missing_share).toBeCloseTo(1, 12);
      }
    }
  });

  it('a segment whose strongest difference is categorical is named by it, in every language', async () => {
    const { data, truth } = channelOnly(300, 6);
    const names: Record<string, RegExp> = {
      en: /^Mostly channel = (mobile|store)$/,
      es: /^Mayoría channel = (mobile|store)$/,
      pt: /^Maioria channel = (mobile|store)$/,
    };
    for (const locale of ['en', 'es', 'pt']) {
      const r = await segment({ data, features: ['spend', 'visits', 'channel'], n_clusters: 2, algorithm: 'hierarchical' }, { locale });
      checkPartition(r, data);
      expect(adjustedRandIndex(truth, labelsOf(r, data))).toBe(1);
      for (const s of r.segments) {
        expect(s.label).toMatch(names[locale]);
        expect(s.rules!.text).toMatch(/^channel = (mobile|store)$/);
        expect(s.rules!.coverage).toBe(1);
        expect(s.rules!.precision).toBe(1);
      }
    }
  });

  it("'auto' compares k-prototypes and Gower linkage, chooses k, and every customer lands once", async () => {
    const { data } = crossedGroups(300, 7);
    const r = await segment({ data, features, algorithm: 'auto' });
    checkPartition(r, data);
    expect(r.meta.algorithm_comparison!.map((c) => c.algorithm)).toEqual(['kmeans', 'hierarchical']);
    expect(r.k_selection!.algorithm).toBe('kprototypes');
    const sil = await segment({ data, features, k_selection: 'silhouette' });
    const curveAtK = sil.k_selection!.curve.find((p) => p.k === sil.k_selection!.k)!.score;
    expect(sil.metrics.silhouette_score!).toBeCloseTo(curveAtK, 10);
    const elbow = await segment({ data, features, k_selection: 'elbow' });
    expect(elbow.k_selection!.method).toBe('elbow');
  });

  it("the CLI table and the HTML report show each segment's categories", async () => {
    const { data } = channelOnly(200, 11);
    const r = await segment({ data, features: ['spend', 'visits', 'channel'], n_clusters: 2, algorithm: 'hierarchical' });
    const row = formatTable(r)
      .split('\n')
      .find((line) => line.startsWith('channel'));
    // Each segment is all mobile or all store (the partition test above recovers them).
    expect(row).toMatch(/^channel\s+(mobile|store) 100%\s+(mobile|store) 100%$/);
    const html = renderReport(r);
    expect(html).toContain('<section id="categories">');
    expect(html).toContain('mobile 100');
    const md = formatMarkdown(r).split('\n');
    expect(md).toContain('## Categorical features');
    expect(md.find((line) => line.startsWith('| channel'))).toMatch(/^\| channel \| (mobile|store) 100% \| (mobile|store) 100% \|$/);
  });

  it('return_model places new customers with the same categories', async () => {
    const { data } = crossedGroups(200, 8);
    const r = await segment({ data, features, n_clusters: 4, return_model: true });
    const assigned = assignSegments(r.model!, data);
    expect(assigned.map((a) => a.segment_id)).toEqual(labelsOf(r, data));
    const unseen = assignSegments(r.model!, [{ customer_id: 'new', spend: 100, visits: 50, channel: 'fax' }]);
    expect(r.segments.map((s) => s.segment_id)).toContain(unseen[0].segment_id);
  });
});

describe('segment() refuses what mixed data does not define', () => {
  const { data } = crossedGroups(120, 9);
  const features = ['spend', 'visits', 'channel'];

  it('bad categorical values and nothing to mix', async () => {
    await expectError({ data, features, categorical: 'ordinal' }, 400, 'categorical', /categorical/);
    await expectError({ data, features: ['spend', 'visits'], categorical: 'kprototypes' }, 422, 'categorical', /text feature/);
  });

  it("with categorical: 'kprototypes', gmm, dbscan and hdbscan name algorithm and the way out", async () => {
    for (const algorithm of ['gmm', 'dbscan', 'hdbscan']) {
      const err = await expectError({ data, features, algorithm, n_clusters: 3, categorical: 'kprototypes' }, 422, 'algorithm', /onehot/);
      expect(err.code).toBe('INVALID_PARAMETER');
    }
    // The same request one-hot encoded is served as before.
    const r = await segment({ data, features, algorithm: 'gmm', n_clusters: 3, categorical: 'onehot' });
    checkPartition(r, data);
  });

  it("with categorical: 'kprototypes', Ward linkage, davies_bouldin validation and the vector-space k criteria name their parameter", async () => {
    const categorical = 'kprototypes';
    await expectError({ data, features, algorithm: 'hierarchical', linkage: 'ward', n_clusters: 3, categorical }, 422, 'linkage', /Ward/);
    await expectError({ data, features, validation: 'davies_bouldin', n_clusters: 3, categorical }, 422, 'validation');
    for (const k_selection of ['gap', 'bic', 'davies_bouldin', 'calinski_harabasz'])
      await expectError({ data, features, k_selection, categorical }, 422, 'k_selection');
  });

  it("with categorical: 'kprototypes', hierarchical above its exact limit names algorithm", async () => {
    const big = crossedGroups(5001, 10).data;
    await expectError({ data: big, features, algorithm: 'hierarchical', n_clusters: 3, categorical: 'kprototypes' }, 422, 'algorithm', /5000/);
  });

  it("'auto' one-hot encodes the text features for methods not defined on categories, and says why", async () => {
    const requests: [Record<string, unknown>, RegExp][] = [
      [{ algorithm: 'gmm', n_clusters: 3 }, /algorithm 'gmm'/],
      [{ algorithm: 'dbscan' }, /algorithm 'dbscan'/],
      [{ algorithm: 'hierarchical', linkage: 'ward', n_clusters: 3 }, /linkage 'ward'/],
      [{ validation: 'davies_bouldin', n_clusters: 3 }, /validation 'davies_bouldin'/],
      [{ k_selection: 'calinski_harabasz' }, /k_selection 'calinski_harabasz'/],
    ];
    for (const [extra, reason] of requests) {
      const r = await segment({ data, features, ...extra });
      checkPartition(r, data);
      expect(Object.keys(r.meta.preprocessing.oneHot)).toEqual(['channel']);
      const w = r.meta.warnings.find((x) => x.code === 'categorical_onehot');
      expect(w?.message).toMatch(reason);
      expect(w?.message).toMatch(/channel/);
    }
    // Methods defined on categories keep them as categories, with no such warning.
    const mixed = await segment({ data, features, n_clusters: 3 });
    expect(mixed.meta.preprocessing.oneHot).toEqual({});
    expect(mixed.meta.warnings.map((x) => x.code)).not.toContain('categorical_onehot');
  });
});
