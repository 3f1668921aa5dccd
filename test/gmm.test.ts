// Gaussian mixtures: against scikit-learn's fixtures, the plain-TS EM reference, a
// hand-computed single Gaussian, in both WASM builds; determinism, JSON, bad input.
import { afterAll, describe, expect, it } from 'vitest';
import { withEachThreadCount, zScoredCustomers } from './shared';
import { gmm, gmmBicCurve, GaussianMixtureModel, type CovarianceType, type GmmJSON } from '../src/cluster/gmm';
import { kmeans } from '../src/cluster/kmeans';
import { InvalidParameterError } from '../src/errors';
import { Random } from '../src/random';
import { init } from '../src/wasm/index';
import { fixtureMatrix, fixtureNames, loadFixture, relDiff } from './helpers/fixtures';
import { eStepRef, gmmRef, nParametersRef, type RefParams } from './reference/gmm';

const TYPES: CovarianceType[] = ['full', 'diag', 'tied', 'spherical'];

afterAll(async () => {
  await init();
});

function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    // Probabilities that underflow are compared absolutely.
    if (Math.abs(a - b) <= 1e-300) continue;
    if (!(relDiff(a, b) <= rel)) throw new Error(`${what}[${i}]: ${a} vs reference ${b}`);
  }
}

const zScored = zScoredCustomers;

/** Random parameters of a k-component mixture in d dimensions, in the JSON shapes. */
function randomModelJSON(rng: Random, type: CovarianceType, k: number, d: number): GmmJSON {
  const raw = Array.from({ length: k }, () => 0.2 + rng.next());
  const total = raw.reduce((a, b) => a + b, 0);
  const spd = (): number[][] => {
    // A A^T + 0.1 I is symmetric positive definite.
    const A = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
    return A.map((row, i) => A.map((other, j) => row.reduce((s, v, t) => s + v * other[t], 0) + (i === j ? 0.1 : 0)));
  };
  const variances = (): number[] => Array.from({ length: d }, () => 0.1 + 2 * rng.next());
  const covariances =
    type === 'full'
      ? Array.from({ length: k }, spd)
      : type === 'tied'
        ? spd()
        : type === 'diag'
          ? Array.from({ length: k }, variances)
          : Array.from({ length: k }, () => 0.1 + 2 * rng.next());
  return {
    type: 'segmint.gmm',
    version: 1,
    k,
    nFeatures: d,
    covarianceType: type,
    weights: raw.map((w) => w / total),
    means: Array.from({ length: k }, () => Array.from({ length: d }, () => 2 * rng.normal())),
    covariances,
    meanLogLikelihood: 0,
    lowerBound: 0,
    bic: 0,
    aic: 0,
    converged: true,
    iterations: 1,
    nSamples: 1,
  };
}

function refParamsOf(j: GmmJSON): RefParams {
  return {
    weights: Float64Array.from(j.weights),
    means: Float64Array.from(j.means.flat()),
    cov: Float64Array.from((j.covariances as unknown[]).flat(2) as number[]),
  };
}

describe('gmm against scikit-learn fixtures', () => {
  for (const name of fixtureNames()) {
    const f = loadFixture(name);
    if (!f.gmm) continue;
    for (const type of TYPES) {
      const ref = f.gmm[type];
      it(`${name} ${type}: mean log-likelihood and bic/aic`, () => {
        const model = gmm(fixtureMatrix(f), { k: ref.k, covarianceType: type, nInit: 5, seed: 1 });
        expect(model.meanLogLikelihood).toBeGreaterThanOrEqual(ref.mean_log_likelihood - 0.01);
        // The fixture's own bic and aic give scikit-learn's parameter count back.
        const n = f.n;
        const pFromAic = (ref.aic + 2 * ref.mean_log_likelihood * n) / 2;
        const pFromBic = (ref.bic + 2 * ref.mean_log_likelihood * n) / Math.log(n);
        const p = nParametersRef(type, ref.k, f.d);
        expect(Math.abs(pFromAic - p)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.aic)));
        expect(Math.abs(pFromBic - p)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.bic)));
        const ll = model.meanLogLikelihood;
        expect(relDiff(model.bic, -2 * ll * n + p * Math.log(n))).toBeLessThan(1e-12);
        expect(relDiff(model.aic, -2 * ll * n + 2 * p)).toBeLessThan(1e-12);
        // bic/aic follow the likelihood: at least as good as scikit-learn's, up to the 0.01 slack.
        expect(model.bic).toBeLessThanOrEqual(ref.bic + 0.02 * n);
        // Probabilities are a distribution per row, labels their argmax.
        const { probabilities: P, labels, k } = model;
        expect(P.length).toBe(n * k);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += P[i * k + c];
          expect(Math.abs(s - 1)).toBeLessThan(1e-12);
          for (let c = 0; c < k; c++) expect(P[i * k + c]).toBeLessThanOrEqual(P[i * k + labels[i]]);
        }
      });
    }
  }
});

describe('E-step kernel against the plain-TS reference', () => {
  const shapes = [
    { n: 1, d: 1, k: 1 },
    { n: 7, d: 3, k: 2 },
    { n: 100, d: 6, k: 5 },
    { n: 31, d: 1, k: 4 },
    { n: 64, d: 9, k: 3 },
  ];
  for (const variant of ['simd', 'scalar'] as const) {
    for (const type of TYPES) {
      it.each(shapes)(`${variant} ${type}: n=$n d=$d k=$k`, async ({ n, d, k }) => {
        await init({ variant });
        const rng = new Random(n * 100 + d * 10 + k);
        const json = randomModelJSON(rng, type, k, d);
        const X = Float64Array.from({ length: n * d }, () => 3 * rng.normal());
        const model = GaussianMixtureModel.fromJSON(json);
        const ref = eStepRef(X, n, d, k, type, refParamsOf(json));
        expectRelClose(model.predictProba({ data: X, rows: n, cols: d }), ref.resp, 1e-9, 'resp');
        expect(relDiff(model.score({ data: X, rows: n, cols: d }), ref.meanLogLikelihood)).toBeLessThan(1e-9);
      });
    }
  }
});

describe('EM against the plain-TS reference from the same K-Means start', () => {
  const X = zScored(600, 3);
  for (const type of TYPES) {
    it(`${type}`, () => {
      const k = 4;
      const seed = 11;
      const start = kmeans(X, { k, nInit: 1, seed }).labels;
      const ref = gmmRef(X.data, X.rows, X.cols, k, type, start, { maxIter: 100, tol: 1e-3, regCovar: 1e-6 });
      const model = gmm(X, { k, covarianceType: type, seed });
      expect(model.iterations).toBe(ref.iterations);
      expect(model.converged).toBe(ref.converged);
      expect(relDiff(model.meanLogLikelihood, ref.meanLogLikelihood)).toBeLessThan(1e-9);
      expect(relDiff(model.lowerBound, ref.lowerBound)).toBeLessThan(1e-9);
      expectRelClose(model.weights, ref.weights, 1e-8, 'weights');
      expectRelClose(model.means.flat(), ref.means, 1e-7, 'means');
      expectRelClose((model.covariances as unknown[]).flat(2) as number[], ref.cov, 1e-7, 'covariances');
    });
  }
});

describe('gmm, hand-computed', () => {
  it('k = 1 full is the sample Gaussian: column means, population covariance, closed-form likelihood', () => {
    const rows = [
      [0, 0],
      [2, 0],
      [0, 2],
      [2, 2],
      [2, 5],
    ];
    const n = rows.length;
    const model = gmm(rows, { k: 1, regCovar: 0 });
    expect(model.means[0][0]).toBeCloseTo(1.2, 12);
    expect(model.means[0][1]).toBeCloseTo(1.8, 12);
    // Population covariance: var x = 0.96, var y = 3.36, cov xy = 0.64.
    const cov = model.covariances as number[][][];
    expect(cov[0][0][0]).toBeCloseTo(0.96, 12);
    expect(cov[0][1][1]).toBeCloseTo(3.36, 12);
    expect(cov[0][0][1]).toBeCloseTo(0.64, 12);
    expect(cov[0][1][0]).toBeCloseTo(0.64, 12);
    // Mean log-likelihood of the ML Gaussian: -(d/2) log(2 pi) - (1/2) log det - d/2.
    const det = 0.96 * 3.36 - 0.64 * 0.64;
    expect(model.meanLogLikelihood).toBeCloseTo(-Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 1, 12);
    // p = 3 covariance + 2 mean parameters.
    expect(model.bic).toBeCloseTo(-2 * n * model.meanLogLikelihood + 5 * Math.log(n), 10);
    expect(Array.from(model.labels)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('gmm determinism and builds', () => {
  const X = zScored(1001, 5);
  for (const type of TYPES) {
    it(`${type}: same seed gives the same result; SIMD and scalar builds agree bit for bit`, async () => {
      await init({ variant: 'simd' });
      const a = gmm(X, { k: 5, covarianceType: type, seed: 7, nInit: 2 });
      const b = gmm(X, { k: 5, covarianceType: type, seed: 7, nInit: 2 });
      expect(b.probabilities).toEqual(a.probabilities);
      expect(b.labels).toEqual(a.labels);
      await init({ variant: 'scalar' });
      const s = gmm(X, { k: 5, covarianceType: type, seed: 7, nInit: 2 });
      expect(s.probabilities).toEqual(a.probabilities);
      expect(s.means).toEqual(a.means);
      expect(s.covariances).toEqual(a.covariances);
      expect(s.meanLogLikelihood).toBe(a.meanLogLikelihood);
      expect(s.iterations).toBe(a.iterations);
      await init();
    });
  }
});

describe('predict, predictProba and JSON', () => {
  const X = zScored(501, 9);
  for (const type of TYPES) {
    it(`${type}: predictions on the training rows match the fit; fromJSON predicts identically`, () => {
      const model = gmm(X, { k: 3, covarianceType: type, seed: 2 });
      expect(model.predictProba(X)).toEqual(model.probabilities);
      expect(model.predict(X)).toEqual(model.labels);
      expect(model.score(X)).toBe(model.meanLogLikelihood);
      const copy = GaussianMixtureModel.fromJSON(JSON.stringify(model));
      const fresh = zScored(77, 10);
      expect(copy.predictProba(fresh)).toEqual(model.predictProba(fresh));
      expect(copy.predict(fresh)).toEqual(model.predict(fresh));
      expect(copy.bic).toBe(model.bic);
      expect(copy.aic).toBe(model.aic);
      expect(copy.covariances).toEqual(model.covariances);
      expect(copy.labels).toEqual(model.labels);
    });
  }
});

describe('gmmBicCurve', () => {
  it('gives each k the bic of gmm(X, { k })', () => {
    const X = zScored(800, 4);
    const curve = gmmBicCurve(X, { kMin: 2, kMax: 4, covarianceType: 'diag', seed: 3 });
    expect(curve.map((p) => p.k)).toEqual([2, 3, 4]);
    for (const p of curve) expect(p.bic).toBe(gmm(X, { k: p.k, covarianceType: 'diag', seed: 3 }).bic);
  });
});

describe('gmm bad input', () => {
  const X = [
    [0, 1],
    [1, 0],
    [2, 2],
    [3, 1],
    [0, 3],
  ];
  const bad = (fn: () => unknown, parameter: string, pattern?: RegExp): void => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParameterError);
    expect((err as InvalidParameterError).parameter).toBe(parameter);
    if (pattern) expect((err as Error).message).toMatch(pattern);
  };
  it('rejects bad X and options, naming the parameter', () => {
    bad(() => gmm([[1, NaN]], { k: 1 }), 'X');
    bad(() => gmm([[1, 2], [3]], { k: 1 }), 'X');
    bad(() => gmm([], { k: 1 }), 'X');
    bad(() => gmm(X, undefined as never), 'options');
    bad(() => gmm(X, {} as never), 'k');
    bad(() => gmm(X, { k: 0 }), 'k');
    bad(() => gmm(X, { k: 6 }), 'k');
    bad(() => gmm(X, { k: 2.5 }), 'k');
    bad(
      () =>
        gmm(
          [
            [1, 1],
            [1, 1],
            [1, 1],
          ],
          { k: 2 },
        ),
      'k',
      /distinct/,
    );
    bad(() => gmm(X, { k: 2, covarianceType: 'banana' as never }), 'covarianceType');
    bad(() => gmm(X, { k: 2, regCovar: -1e-6 }), 'regCovar');
    bad(() => gmm(X, { k: 2, regCovar: NaN }), 'regCovar');
    bad(() => gmm(X, { k: 2, tol: -1 }), 'tol');
    bad(() => gmm(X, { k: 2, maxIter: 0 }), 'maxIter');
    bad(() => gmm(X, { k: 2, nInit: 0 }), 'nInit');
    bad(() => gmm(X, { k: 2, seed: 1.5 }), 'seed');
    bad(() => gmm(X, { k: 2, covariance_type: 'full' } as never), 'covariance_type');
  });
  it('a covariance singular even after regCovar is an error naming regCovar, not NaN', () => {
    // Two clusters of exact duplicates: every component collapses onto one point.
    const dup = [
      [0, 0],
      [0, 0],
      [0, 0],
      [5, 5],
      [5, 5],
      [5, 5],
    ];
    for (const type of TYPES) bad(() => gmm(dup, { k: 2, covarianceType: type, regCovar: 0 }), 'regCovar', /regCovar/);
    // Collinear features: singular for full and tied, fine for diag.
    const line = Array.from({ length: 40 }, (_, i) => [i % 7, 2 * (i % 7)]);
    bad(() => gmm(line, { k: 2, covarianceType: 'full', regCovar: 0 }), 'regCovar');
    bad(() => gmm(line, { k: 2, covarianceType: 'tied', regCovar: 0 }), 'regCovar');
    // The default regCovar keeps both finite.
    expect(Number.isFinite(gmm(dup, { k: 2 }).meanLogLikelihood)).toBe(true);
    expect(Number.isFinite(gmm(line, { k: 2 }).bic)).toBe(true);
  });
  it('rejects bad JSON and mismatched predict input', () => {
    const model = gmm(X, { k: 2 });
    bad(() => model.predict([[1, 2, 3]]), 'X');
    bad(() => model.predictProba([[NaN, 2]]), 'X');
    bad(() => GaussianMixtureModel.fromJSON({ type: 'segmint.kmeans' } as never), 'json');
    const j = model.toJSON();
    bad(() => GaussianMixtureModel.fromJSON({ ...j, means: [[1, 2]] }), 'json.means');
    bad(() => GaussianMixtureModel.fromJSON({ ...j, covarianceType: 'round' as never }), 'json.covarianceType');
    bad(
      () =>
        GaussianMixtureModel.fromJSON({
          ...j,
          covariances: [
            [
              [1, 0],
              [0, 1],
            ],
            [
              [0, 0],
              [0, 0],
            ],
          ],
        }),
      'regCovar',
    );
  });
});

describe('GMM E-step on init({ threads })', () => {
  it('split over 2 and 3 threads: the same weights, means, covariances, labels and log-likelihood as one thread', async () => {
    // Above MIN_THREADED_EM_ROWS, with n not a multiple of 4 (padding rows) and of the block size.
    const X = zScoredCustomers(24_003, 5);
    const types: CovarianceType[] = ['full', 'diag', 'tied', 'spherical'];
    await init({ threads: 1 });
    const single = types.map((covarianceType) => gmm(X, { k: 4, covarianceType, seed: 2, maxIter: 30 }));
    await withEachThreadCount([2, 3], () => {
      types.forEach((covarianceType, t) => {
        const split = gmm(X, { k: 4, covarianceType, seed: 2, maxIter: 30 });
        const one = single[t];
        expect(split.labels).toEqual(one.labels);
        expect(split.weights).toEqual(one.weights);
        expect(split.means).toEqual(one.means);
        expect(split.covariances).toEqual(one.covariances);
        expect(split.lowerBound).toBe(one.lowerBound);
        expect(split.iterations).toBe(one.iterations);
      });
    });
  });
});
