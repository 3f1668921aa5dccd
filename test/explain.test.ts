/**
 * Issue 13, explanations: rules' coverage and precision recounted here from the returned
 * thresholds, drivers' Cohen's d recomputed from the definition, and bootstrap stability
 * on data built with one segment that has no real boundary.
 */
import { describe, expect, it } from 'vitest';
import { kmeans } from '../src/cluster/kmeans';
import { bootstrapStability, type RefitOutcome } from '../src/profile/stability';
import { init, kernels } from '../src/wasm/index';
import { segmentRules } from '../src/profile/rules';
import { type Matrix, rowsOf } from '../src/matrix';
import { Random } from '../src/random';
import { sampleCustomers } from '../src/sample';
import { segment } from '../src/segment';
import type { SegmentationResponse } from '../src/service/response';

const data = sampleCustomers(1500, 21);

/** customer_id -> segment id, from the response. */
function segmentOf(r: SegmentationResponse): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (const s of r.segments) for (const c of s.customers) m.set(c, s.segment_id);
  return m;
}

describe('rules', () => {
  it('report coverage and precision that a recount from their thresholds reproduces', async () => {
    const r = await segment({ data, n_clusters: 4, seed: 3 });
    const of = segmentOf(r);
    for (const s of r.segments) {
      const rule = s.rules!;
      expect(rule.conditions.length).toBeGreaterThan(0);
      expect(rule.conditions.length).toBeLessThanOrEqual(3);
      // Recount: a customer is described when every condition holds on its raw value
      // (a missing value satisfies nothing).
      let members = 0;
      let described = 0;
      let both = 0;
      for (const c of data) {
        const ok = rule.conditions.every((cond) => {
          const v = (c as unknown as Record<string, unknown>)[cond.feature];
          if (typeof v !== 'number' || !Number.isFinite(v) || !('threshold' in cond)) return false;
          return cond.op === '>=' ? v >= cond.threshold : v < cond.threshold;
        });
        const member = of.get(c.customer_id) === s.segment_id;
        if (member) members++;
        if (ok) described++;
        if (ok && member) both++;
      }
      expect(rule.coverage).toBeCloseTo(both / members, 12);
      expect(rule.precision).toBeCloseTo(both / described, 12);
      // A rule worth reading on four well-separated groups.
      expect(rule.precision).toBeGreaterThan(0.6);
      expect(rule.coverage).toBeGreaterThan(0.5);
      for (const cond of rule.conditions) expect(rule.text).toContain(`${cond.feature} ${cond.op} `);
    }
  });

  it('count a missing or infinite value as satisfying no condition, on any number of conditions', () => {
    // Three features, four segments with their own corners; every 11th value of a column
    // missing or infinite, and segment sizes uneven, so trees of depth 1 to 3 come out.
    const n = 6000;
    const rng = new Random(5);
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : i % 10 < 9 ? 2 : 3));
    const columns: Record<string, Float64Array> = {};
    ['a', 'b', 'c'].forEach((f, j) => {
      const col = Float64Array.from(labels, (l) => ((l >> j) & 1) * 3 + (l === 3 && j === 2 ? 2 : 0) + rng.next() * 2);
      for (let i = j; i < n; i += 11) col[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][(i + j) % 3]!;
      columns[f] = col;
    });
    const rules = segmentRules(columns, ['a', 'b', 'c'], labels, [0, 1, 2, 3], 'en', { sampleSize: 2000 });
    const lengths = new Set<number>();
    for (const [id, rule] of rules) {
      lengths.add(rule.conditions.length);
      let members = 0;
      let described = 0;
      let both = 0;
      for (let i = 0; i < n; i++) {
        const ok = rule.conditions.every((cond) => {
          const v = columns[cond.feature]![i]!;
          if (!Number.isFinite(v) || !('threshold' in cond)) return false;
          return cond.op === '>=' ? v >= cond.threshold : v < cond.threshold;
        });
        const member = labels[i] === id;
        if (member) members++;
        if (ok) described++;
        if (ok && member) both++;
      }
      expect(rule.coverage).toBe(both / members);
      expect(rule.precision).toBe(described > 0 ? both / described : 0);
    }
    expect(lengths.size).toBeGreaterThan(1);
  });

  it('writes thresholds in the locale and at three significant digits', () => {
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => (i < 100 ? 10_000 + i * 23.45 : 13_000 + 10 * i));
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 100 ? 0 : 1));
    const en = segmentRules({ x }, ['x'], labels, [0, 1], 'en');
    const es = segmentRules({ x }, ['x'], labels, [0, 1], 'es');
    // Largest of group 0: 10000 + 99 * 23.45 = 12321.55; smallest of group 1: 14000.
    // Midpoint 13160.775 -> three significant digits: 13,200.
    expect(en.get(1)!.conditions).toEqual([{ feature: 'x', op: '>=', threshold: 13_200 }]);
    expect(en.get(1)!.text).toBe('x >= 13,200');
    expect(es.get(1)!.text).toBe('x >= 13.200');
    expect(en.get(0)!.text).toBe('x < 13,200');
    expect([en.get(0)!.coverage, en.get(0)!.precision]).toEqual([1, 1]);
    const frac = segmentRules({ y: Float64Array.from(x, (v) => v / 10000) }, ['y'], labels, [1], 'pt');
    expect(frac.get(1)!.text).toBe('y >= 1,32');
  });
});

describe('drivers', () => {
  it("rank features by Cohen's d against the rest, recomputed from the definition", async () => {
    const r = await segment({ data, n_clusters: 4, seed: 3, explain: false });
    expect(r.segments[0].rules).toBeUndefined();
    expect(r.segments[0].stability).toBeUndefined();
    expect(r.meta.explain).toBeUndefined();
    const of = segmentOf(r);
    for (const s of r.segments) {
      const expected = r.meta.features
        .map((f) => {
          const a: number[] = [];
          const b: number[] = [];
          for (const c of data) {
            const v = (c as unknown as Record<string, unknown>)[f];
            if (typeof v !== 'number' || !Number.isFinite(v)) continue;
            (of.get(c.customer_id) === s.segment_id ? a : b).push(v);
          }
          const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
          const ma = mean(a);
          const mb = mean(b);
          const ss = a.reduce((p, q) => p + (q - ma) ** 2, 0) + b.reduce((p, q) => p + (q - mb) ** 2, 0);
          return { feature: f, d: (ma - mb) / Math.sqrt(ss / (a.length + b.length - 2)), ma, mb };
        })
        .filter((x) => Math.abs(x.d) >= 0.2)
        .sort((p, q) => Math.abs(q.d) - Math.abs(p.d))
        .slice(0, 5);
      expect(s.drivers.map((d) => d.feature)).toEqual(expected.map((e) => e.feature));
      s.drivers.forEach((d, i) => {
        expect(d.d).toBeCloseTo(expected[i].d, 3);
        expect(d.direction).toBe(expected[i].d > 0 ? 'higher' : 'lower');
        expect(d.segment_mean).toBeCloseTo(expected[i].ma, 9);
        expect(d.rest_mean).toBeCloseTo(expected[i].mb, 9);
        const a = Math.abs(expected[i].d);
        expect(d.effect).toBe(a < 0.5 ? 'small' : a < 0.8 ? 'medium' : 'large');
      });
    }
  });
});

describe('stability', () => {
  /** Two tight blobs far apart, and a third, round and wider blob that k = 4 cuts in two (any direction will do). */
  function threeBlobs(perBlob: number, seed: number) {
    const rng = new Random(seed);
    const centres = [
      [0, 0],
      [20, 0],
      [10, 20],
    ];
    const rows: { customer_id: number; x: number; y: number }[] = [];
    centres.forEach(([cx, cy], b) => {
      const size = b === 2 ? 2 * perBlob : perBlob;
      const sd = b === 2 ? 3 : 1;
      for (let i = 0; i < size; i++) rows.push({ customer_id: rows.length, x: cx + sd * rng.normal(), y: cy + sd * rng.normal() });
    });
    return rows;
  }

  it('scores the halves of a split blob clearly lower than the real blobs (bootstrap Jaccard)', () => {
    const rows = threeBlobs(150, 4);
    const X = { data: Float64Array.from(rows.flatMap((r) => [r.x, r.y])), rows: rows.length, cols: 2 };
    const labels = kmeans(X, { k: 4, seed: 1 }).labels;
    const refit = (M: Matrix, b: number) => kmeans(M, { k: 4, seed: 100 + b }).labels;
    const result = bootstrapStability(X, labels, refit, { resamples: 20, budgetMs: 60_000, seed: 2 });
    expect(result.resamples).toBe(20);
    expect(result.sampleSize).toBe(rows.length);
    // Which original clusters are the real blobs: those whose members all lie near x = 0 or x = 20, y = 0.
    const blobOf = (id: number) => {
      const ys = rows.filter((_, i) => labels[i] === id).map((r) => r.y);
      return ys.reduce((a, b) => a + b, 0) / ys.length < 10 ? 'solid' : 'split';
    };
    const solid = [0, 1, 2, 3].filter((id) => blobOf(id) === 'solid').map((id) => result.bySegment.get(id)!);
    const split = [0, 1, 2, 3].filter((id) => blobOf(id) === 'split').map((id) => result.bySegment.get(id)!);
    expect(solid.length).toBe(2);
    expect(split.length).toBe(2);
    for (const s of solid) expect(s).toBeGreaterThan(0.95);
    for (const s of split) expect(s).toBeLessThan(Math.min(...solid) - 0.1);
  });

  it('matches a brute-force Jaccard on one resample', () => {
    // One resample, refit = a fixed relabelling: Jaccard by sets, computed here.
    const X = { data: Float64Array.from({ length: 40 }, (_, i) => i), rows: 40, cols: 1 };
    const labels = Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
    let drawnRows: number[] = [];
    const refit = (M: Matrix) => {
      drawnRows = Array.from(M.data);
      return Int32Array.from(M.data, (v) => (v < 25 ? 0 : 1));
    };
    const r = bootstrapStability(X, labels, refit, { resamples: 1, seed: 9 });
    const distinct = [...new Set(drawnRows)];
    const jac = (a: number[], b: number[]) => a.filter((v) => b.includes(v)).length / new Set([...a, ...b]).size;
    const old0 = distinct.filter((v) => v < 20);
    const old1 = distinct.filter((v) => v >= 20);
    const new0 = distinct.filter((v) => v < 25);
    const new1 = distinct.filter((v) => v >= 25);
    expect(r.bySegment.get(0)).toBeCloseTo(Math.max(jac(old0, new0), jac(old0, new1)), 12);
    expect(r.bySegment.get(1)).toBeCloseTo(Math.max(jac(old1, new0), jac(old1, new1)), 12);
  });

  it('comes back from segment() per segment, with the resamples used, the same on every run', async () => {
    const rows = threeBlobs(150, 4);
    const r = await segment({ data: rows, n_clusters: 4, seed: 1 });
    const st = r.meta.explain!.stability;
    expect(st.method).toBe('bootstrap_jaccard');
    // Fixed, not timed: the same request gives the same response.
    expect(st.planned_resamples).toBe(20);
    expect(st.resamples + st.failed_resamples).toBeLessThanOrEqual(20);
    expect(st.resamples).toBeGreaterThanOrEqual(1);
    expect(st.sample_size).toBe(600);
    for (const s of r.segments) {
      expect(s.stability).toBeGreaterThan(0);
      expect(s.stability).toBeLessThanOrEqual(1);
    }
    // The two halves of the round blob (the segments centred near y = 20) score lowest.
    const bySplit = r.segments.map((s) => ({ stab: s.stability!, split: (s.characteristics.avg_y ?? 0) > 10 }));
    const worstTwo = [...bySplit].sort((a, b) => a.stab - b.stab).slice(0, 2);
    expect(worstTwo.every((x) => x.split)).toBe(true);
    const again = await segment({ data: rows, n_clusters: 4, seed: 1 });
    expect(again.segments.map((s) => s.stability)).toEqual(r.segments.map((s) => s.stability));
    expect(again.meta.explain).toEqual(r.meta.explain);
  });

  it('takes refitAll outcomes in resample order: a refused refit counted, a resample not started ends them', () => {
    const rows = threeBlobs(100, 6);
    const X = { data: Float64Array.from(rows.flatMap((r) => [r.x, r.y])), rows: rows.length, cols: 2 };
    const labels = kmeans(X, { k: 4, seed: 1 }).labels;
    const refitOne = (M: Matrix, b: number) => kmeans(M, { k: 4, seed: 100 + b }).labels;
    // The serial loop with resample 2 refused, and stopped before resample 5 (as the time guard would).
    const serial = bootstrapStability(
      X,
      labels,
      (M, b) => {
        if (b === 2) throw new Error('refused');
        return refitOne(M, b);
      },
      { resamples: 5, seed: 3 },
    );
    let seen: Int32Array[] = [];
    const batched = bootstrapStability(
      X,
      labels,
      () => {
        throw new Error('refitAll is given: the one-by-one refit must not run');
      },
      { resamples: 7, seed: 3 },
      (draws) => {
        seen = draws;
        return draws.map((d, b): RefitOutcome => {
          if (b === 2) return 'failed';
          if (b === 5) return 'not_started';
          return refitOne(rowsOf(X, d), b);
        });
      },
    );
    expect(seen.length).toBe(7);
    expect([batched.resamples, batched.failedResamples]).toEqual([4, 1]);
    expect([serial.resamples, serial.failedResamples]).toEqual([4, 1]);
    expect(batched.bySegment).toEqual(serial.bySegment);
  });

  it('refits on init({ threads }) workers give the one-thread scores bit for bit (K-Means, GMM, DBSCAN)', async () => {
    const data3 = sampleCustomers(3000, 5);
    const requests = [
      { data: data3, n_clusters: 4, seed: 2 },
      { data: data3, n_clusters: 3, algorithm: 'gmm' as const, seed: 2 },
      { data: data3, algorithm: 'dbscan' as const, seed: 2 },
    ];
    await init({ threads: 1 });
    const serial = await Promise.all(requests.map((q) => segment(q)));
    try {
      await init({ threads: 3 });
      // Count the refit jobs the pool is given, so the test knows the workers took part.
      const pool = kernels().fitPool!;
      const run = pool.run.bind(pool);
      const kinds: string[] = [];
      pool.run = (job, ...rest) => {
        kinds.push(job.kind);
        return run(job, ...rest);
      };
      for (const [q, request] of requests.entries()) {
        const r = await segment(request);
        expect(r.segments.map((s) => s.stability)).toEqual(serial[q]!.segments.map((s) => s.stability));
        // The rules, found on the calling thread while the workers refit, are the same too.
        expect(r.segments.map((s) => s.rules)).toEqual(serial[q]!.segments.map((s) => s.rules));
        expect(r.meta.explain).toEqual(serial[q]!.meta.explain);
      }
      expect(kinds.filter((k) => k === 'stability.refits').length).toBe(requests.length);
    } finally {
      await init({ threads: 1 });
    }
  });
});
