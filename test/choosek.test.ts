import { describe, expect, it } from 'vitest';
import { expectParameterError } from './shared';
import { gmm } from '../src/cluster/gmm';
import { calinskiHarabaszScore, chooseK, CHOOSE_K_SILHOUETTE_SAMPLE, daviesBouldinScore, kmeans, kneedleIndex, silhouetteScore } from '../src/index';
import { Random } from '../src/random';
import { fixtureMatrix, loadFixture, relDiff } from './helpers/fixtures';
import { calinskiHarabaszRef, daviesBouldinRef, silhouetteScoreRef } from './reference/metrics';

/** Well-separated Gaussian blobs in 2-D: the right k is unambiguous. */
function blobs(k: number, perCluster: number, seed: number): { data: Float64Array; rows: number; cols: number } {
  const rng = new Random(seed);
  const n = k * perCluster;
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    data[i * 2] = 20 * Math.cos((2 * Math.PI * c) / k) + rng.normal();
    data[i * 2 + 1] = 20 * Math.sin((2 * Math.PI * c) / k) + rng.normal();
  }
  return { data, rows: n, cols: 2 };
}

const expectError = expectParameterError;

describe('chooseK finds the number of well-separated blobs', () => {
  const X = blobs(4, 60, 1);
  for (const method of ['silhouette', 'elbow', 'davies-bouldin', 'calinski-harabasz'] as const) {
    it(method, () => {
      const r = chooseK(X, { method, kMin: 2, kMax: 8, seed: 3 });
      expect(r.k).toBe(4);
      expect(r.method).toBe(method);
      expect(r.algorithm).toBe('kmeans');
      expect(r.curve.map((p) => p.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(r.labels.length).toBe(240);
      expect(new Set(r.labels).size).toBe(4);
    });
  }
});

describe('fitSampleSize: the curve fitted on a sample of rows', () => {
  it('finds the same k, reports the sample, and labels every row with the chosen model', () => {
    const X = blobs(4, 500, 1);
    const r = chooseK(X, { kMin: 2, kMax: 6, fitSampleSize: 400, seed: 5 });
    expect(r.k).toBe(4);
    expect(r.fitSampleSize).toBe(400);
    expect(r.labels.length).toBe(2000);
    expect(new Set(r.labels).size).toBe(4);
    // Labels of the chosen fit's model for every row: each blob (rows i with i % 4 = b) is whole.
    for (let b = 0; b < 4; b++) expect(new Set(r.labels.filter((_, i) => i % 4 === b)).size).toBe(1);
    // No sample when it would hold every row.
    expect(chooseK(X, { kMin: 2, kMax: 6, fitSampleSize: 5000 }).fitSampleSize).toBeUndefined();
    expectError(() => chooseK(X, { kMax: 6, fitSampleSize: 6 }), 'fitSampleSize', /between 7/);
  });
});

describe('bic with Gaussian mixtures', () => {
  it('finds the 4 blobs, and each point of the curve is gmm(X, { k, seed }).bic', () => {
    const X = blobs(4, 60, 1);
    const r = chooseK(X, { method: 'bic', kMin: 1, kMax: 7, seed: 3 });
    expect(r.algorithm).toBe('gmm');
    expect(r.k).toBe(4);
    for (const p of r.curve) expect(p.score).toBe(gmm(X, { k: p.k, seed: 3 }).bic);
    // The chosen k has the smallest BIC of the curve.
    expect(Math.min(...r.curve.map((p) => p.score))).toBe(r.curve.find((p) => p.k === 4)!.score);
  });
});

describe('the curve holds the scores of the fits', () => {
  const f = loadFixture('iris-standardized-k3');
  const X = fixtureMatrix(f);
  it('each k scores as the public metric does on kmeans(X, { k, seed })', () => {
    const seed = 5;
    const curves = {
      silhouette: chooseK(X, { method: 'silhouette', kMax: 6, seed }).curve,
      db: chooseK(X, { method: 'davies-bouldin', kMax: 6, seed }).curve,
      ch: chooseK(X, { method: 'calinski-harabasz', kMax: 6, seed }).curve,
      elbow: chooseK(X, { method: 'elbow', kMax: 6, seed }).curve,
    };
    for (let k = 2; k <= 6; k++) {
      const model = kmeans(X, { k, seed });
      const i = k - 2;
      // Independent answer for the silhouette: the plain-TS double loop.
      expect(curves.silhouette[i].score).toBeCloseTo(silhouetteScoreRef(X.data, f.n, f.d, model.labels), 12);
      // DB and CH: the public metrics (the same numbers) and the independent plain-TS references.
      expect(curves.db[i].score).toBe(daviesBouldinScore(X, model.labels));
      expect(curves.ch[i].score).toBe(calinskiHarabaszScore(X, model.labels));
      expect(curves.db[i].score).toBeCloseTo(daviesBouldinRef(X.data, f.n, f.d, model.labels), 10);
      expect(relDiff(curves.ch[i].score, calinskiHarabaszRef(X.data, f.n, f.d, model.labels))).toBeLessThan(1e-9);
      expect(curves.elbow[i].score).toBe(model.inertia);
      expect(curves.silhouette[i].inertia).toBe(model.inertia);
    }
  });
  it('picks the max silhouette, min DB, max CH', () => {
    for (const [method, pick] of [
      ['silhouette', Math.max],
      ['davies-bouldin', Math.min],
      ['calinski-harabasz', Math.max],
    ] as const) {
      const r = chooseK(X, { method, kMax: 7 });
      const best = pick(...r.curve.map((p) => p.score));
      expect(r.curve.find((p) => p.k === r.k)!.score).toBe(best);
    }
  });
});

describe('kneedle', () => {
  it('finds the elbow of a hand-made curve', () => {
    // Steep drop to index 2, then nearly flat: the knee is index 2.
    expect(kneedleIndex([100, 50, 12, 10, 8, 7, 6])).toBe(2);
    expect(kneedleIndex([10, 4, 3, 2.5, 2])).toBe(1);
  });
  it('returns the first point when there is no elbow (straight or concave curve)', () => {
    expect(kneedleIndex([5, 4, 3, 2, 1])).toBe(0);
    expect(kneedleIndex([10, 9.9, 9.5, 8, 1])).toBe(0);
    expect(kneedleIndex([3, 3, 3])).toBe(0);
  });
});

describe('sampling and determinism', () => {
  it('one shared silhouette sample above CHOOSE_K_SILHOUETTE_SAMPLE rows, equal to silhouetteScore on it', () => {
    const X = blobs(3, Math.ceil((CHOOSE_K_SILHOUETTE_SAMPLE + 30) / 3), 7);
    const r = chooseK(X, { kMin: 2, kMax: 4, seed: 2 });
    expect(r.sampled).toBe(true);
    expect(r.sampleSize).toBe(CHOOSE_K_SILHOUETTE_SAMPLE);
    expect(r.k).toBe(3);
    for (const p of r.curve) {
      const labels = kmeans(X, { k: p.k, seed: 2 }).labels;
      expect(p.score).toBe(silhouetteScore(X, labels, { sampleSize: CHOOSE_K_SILHOUETTE_SAMPLE, seed: 2 }));
    }
  });
  it('is deterministic for a seed', () => {
    const X = blobs(5, 40, 9);
    const a = chooseK(X, { method: 'silhouette', seed: 11, sampleSize: 120 });
    const b = chooseK(X, { method: 'silhouette', seed: 11, sampleSize: 120 });
    expect(b.curve).toEqual(a.curve);
    expect(b.k).toBe(a.k);
    expect(a.sampled).toBe(true);
  });
});

describe('bad options', () => {
  const X = blobs(3, 10, 1);
  it("bic needs gmm's likelihood: refused with kmeans", () => {
    expectError(() => chooseK(X, { method: 'bic', algorithm: 'kmeans' }), 'algorithm', /'bic' needs algorithm 'gmm'/);
  });
  it('k range, method, algorithm, unknown options', () => {
    expectError(() => chooseK(X, { kMin: 1 }), 'kMin', /between 2/);
    expectError(() => chooseK(X, { kMin: 5, kMax: 4 }), 'kMax', /between 5/);
    expectError(() => chooseK(X, { kMax: 30 }), 'kMax', /n-1 = 29/);
    expectError(() => chooseK(X, { method: 'elbow', kMin: 2, kMax: 3 }), 'kMax', /at least 3 values of k/);
    expectError(
      () =>
        chooseK(
          [
            [0, 0],
            [0, 0],
            [1, 1],
            [1, 1],
            [1, 1],
          ],
          { kMax: 3 },
        ),
      'kMax',
      /only 2 distinct rows/,
    );
    expectError(() => chooseK(X, { method: 'gap' as never }), 'method', /must be one of/);
    expectError(() => chooseK(X, { algorithm: 'dbscan' as never }), 'algorithm', /must be one of/);
    expectError(() => chooseK(X, { kmin: 2 } as never), 'kmin', /not an option of chooseK/);
    expectError(() => chooseK(X, { method: 'elbow', sampleSize: 10 }), 'sampleSize', /only applies to method 'silhouette'/);
    expectError(() => chooseK(X, { seed: 1.5 }), 'seed', /integer/);
    expectError(() => chooseK([[0, NaN]]), 'X', /NaN/);
  });
  it('elbow accepts kMin = 1', () => {
    const r = chooseK(blobs(3, 30, 4), { method: 'elbow', kMin: 1, kMax: 6 });
    expect(r.curve[0].k).toBe(1);
    expect(r.k).toBe(3);
  });
});

describe('silhouette samples that miss clusters', () => {
  // One blob of 200 rows and three of 2 rows: a 3-row sample rarely holds 2 of them apart.
  const tiny = (): { data: Float64Array; rows: number; cols: number } => {
    const big = blobs(1, 200, 3);
    const data = new Float64Array((200 + 6) * 2);
    data.set(big.data);
    [
      [60, 60],
      [-60, 60],
      [60, -60],
    ].forEach(([x, y], c) => {
      for (let r = 0; r < 2; r++) data.set([x + r * 0.1, y], (200 + 2 * c + r) * 2);
    });
    return { data, rows: 206, cols: 2 };
  };

  it('leaves out the k the sample cannot score and says why', () => {
    const r = chooseK(tiny(), { method: 'silhouette', kMin: 2, kMax: 6, seed: 1, sampleSize: 3 });
    expect(r.skipped!.length).toBeGreaterThan(0);
    const scored = r.curve.map((p) => p.k);
    for (const s of r.skipped!) {
      expect(s.reason).toMatch(/^sampleSize: chooseK needs between 2 and n-1 distinct labels in the silhouette sample of 3 rows/);
      expect(scored).not.toContain(s.k);
    }
    expect([...scored, ...r.skipped!.map((s) => s.k)].sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('fails with a SampleMissesClustersError when no k can be scored', async () => {
    const { SampleMissesClustersError } = await import('../src/metrics/silhouette');
    let caught: unknown;
    try {
      chooseK(tiny(), { method: 'silhouette', kMin: 2, kMax: 3, seed: 1, sampleSize: 2 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SampleMissesClustersError);
    const e = caught as InstanceType<typeof SampleMissesClustersError>;
    expect(e.parameter).toBe('sampleSize');
    expect(e.code).toBe('SAMPLE_MISSES_CLUSTERS');
    expect(e.values).toEqual({ sampleSize: 2, kMin: 2, kMax: 3 });
    expect(e.message).toMatch(/no k in 2\.\.3 could be scored on the silhouette sample/);
  });
});
