// The service boundary: algorithm refusals in the request's terms with the real numbers,
// and the one table from failure codes to statuses.
import { describe, expect, it } from 'vitest';
import { DataError, InvalidParameterError, SegmentationError } from '../src/errors';
import { LOCALES } from '../src/i18n/index';
import { sampleCustomers } from '../src/sample';
import { segment, type SegmentOptions } from '../src/segment';
import { fitAlgorithm, type FitOptions, fromAlgorithmError, RESTARTS_SAMPLE_ABOVE, SEGMENT_ALGORITHMS } from '../src/service/algorithms';
import { kmeans, sampleCustomerMatrix } from '../src/index';
import { groupMeans } from '../src/matrix';
import { ERROR_TABLE, renderError } from '../src/service/errors';

async function refusal(request: unknown, locale = 'en', limits?: SegmentOptions['limits']): Promise<SegmentationError> {
  try {
    await segment(request, { locale, limits });
  } catch (e) {
    expect(e).toBeInstanceOf(SegmentationError);
    return e as SegmentationError;
  }
  throw new Error('expected a SegmentationError');
}

describe('algorithm refusals report the real parameter and values', () => {
  it('hierarchical n_clusters above the micro-clusters: the limit hit, not "received 0"', async () => {
    const data = sampleCustomers(25_000, 1);
    // The default cost bounds refuse n_clusters 3000 before any work (LIMIT_EXCEEDED);
    // a service that allows it meets hierarchical clustering's own limit.
    const limited = await refusal({ data, algorithm: 'hierarchical', n_clusters: 3000 });
    expect(limited.toJSON()).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { parameter: 'n_clusters', limit: 500 } });
    const limits = { maxClusters: 5000, maxCost: 1e12 };
    const err = await refusal({ data, algorithm: 'hierarchical', n_clusters: 3000 }, 'en', limits);
    expect(err.status).toBe(422);
    expect(err.code).toBe('INSUFFICIENT_DATA');
    expect(err.details.parameter).toBe('n_clusters');
    expect(err.message).not.toMatch(/received 0/);
    expect(err.message).toBe(
      "n_clusters is 3000, but hierarchical clustering of more than 20000 customers (linkage 'ward'; here 25000) links 2048 micro-clusters, so it can make at most 2048 segments.",
    );
    expect(err.params).toMatchObject({ parameter: 'n_clusters', n_clusters: 3000, max: 2048, n: 25_000, max_exact_rows: 20_000 });
    const es = await refusal({ data, algorithm: 'hierarchical', n_clusters: 3000 }, 'es', limits);
    for (const number of ['3000', '2048', '25000']) expect(es.message).toContain(number);
    // Just at the limit it is served.
    const r = await segment({ data: data.slice(0, 21_000), algorithm: 'hierarchical', n_clusters: 2048 }, { limits });
    expect(r.meta.n_clusters).toBeLessThanOrEqual(2048);
  }, 60_000);

  it("DBSCAN min_samples above the customers with eps 'auto'", async () => {
    const err = await refusal({ data: sampleCustomers(40, 2), algorithm: 'dbscan', min_samples: 50 });
    expect([err.status, err.code, err.details.parameter]).toEqual([422, 'INVALID_PARAMETER', 'min_samples']);
    expect(err.message).toBe("min_samples is 50, but there are only 40 customers; with eps 'auto' it can be at most 40.");
  });

  it('n_clusters above the distinct customers is still served, with n_clusters_reduced', async () => {
    const data = Array.from({ length: 30 }, (_, i) => ({ customer_id: i, x: i % 3 }));
    const r = await segment({ data, n_clusters: 5 });
    expect(r.meta.n_clusters).toBe(3);
    expect(r.meta.warnings.map((w) => w.code)).toContain('n_clusters_reduced');
  });

  it('maps any core refusal to the request parameter, its value and the customers, with every placeholder filled', () => {
    const options = { k: 7, seed: 0, linkage: 'ward' as const, covarianceType: 'tied' as const, eps: 0.4, minSamples: 9 };
    const cases: [string, string, string, string | number | undefined][] = [
      ['k', 'n_clusters', 'INSUFFICIENT_DATA', 7],
      ['regCovar', 'covariance_type', 'INVALID_PARAMETER', 'tied'],
      ['eps', 'eps', 'INVALID_PARAMETER', 0.4],
      ['minSamples', 'min_samples', 'INVALID_PARAMETER', 9],
      ['algorithm', 'data', 'INVALID_PARAMETER', undefined],
    ];
    for (const algorithm of SEGMENT_ALGORITHMS) {
      for (const [core, parameter, code, value] of cases) {
        const mapped = fromAlgorithmError(new InvalidParameterError(core, 'is refused'), { algorithm, stage: 'fit', customers: 123, options });
        expect(mapped).toBeInstanceOf(DataError);
        const err = mapped as DataError;
        expect(err.parameter).toBe(parameter);
        expect(err.params.n).toBe(123);
        if (value !== undefined) expect(err.params.value).toBe(value);
        for (const locale of LOCALES) {
          const rendered = renderError(err, locale);
          expect(rendered.code).toBe(code);
          expect(rendered.status).toBe(422);
          expect(rendered.message, `${algorithm} ${core} ${locale}`).not.toMatch(/[{}]|received 0/);
          expect(rendered.details.reason).toBe(`${algorithm}: ${core}: is refused`);
        }
      }
    }
    const k = fromAlgorithmError(new InvalidParameterError('kMax', 'is 9'), { algorithm: 'kmeans', stage: 'k_selection', customers: 50, options: {} });
    expect((k as DataError).parameter).toBe('k_range');
    // Not a refusal: returned as it is, to surface as a bug.
    const bug = new TypeError('x is undefined');
    expect(fromAlgorithmError(bug, { algorithm: 'gmm', stage: 'fit', customers: 5, options })).toBe(bug);
  });
});

describe('the status table', () => {
  it('gives every failure a public code, 400 for malformed and 422 for unservable requests', () => {
    expect(ERROR_TABLE.INVALID_PARAMETER).toEqual({ code: 'INVALID_PARAMETER', status: 400, title: 'invalid_parameters' });
    expect(ERROR_TABLE.REJECTED_PARAMETER).toEqual({ code: 'INVALID_PARAMETER', status: 422, title: 'validation_failed' });
    expect(ERROR_TABLE.MISSING_PARAMETER.status).toBe(400);
    for (const code of [
      'INSUFFICIENT_DATA',
      'UNKNOWN_FEATURE',
      'DUPLICATE_ID',
      'MISSING_ID',
      'NO_NUMERIC_FEATURES',
      'TOO_MANY_CATEGORIES',
      'MISSING_VALUES',
    ] as const) {
      expect(ERROR_TABLE[code]).toEqual({ code, status: 422, title: 'validation_failed' });
    }
  });

  it('renders prep values without HTTP in prep: the roles error keeps its reason, no regex', async () => {
    const err = await refusal({ data: sampleCustomers(30, 1), roles: { total_purchases: 'loyalty' } });
    expect(err.toJSON()).toEqual({
      error: 'Invalid parameters',
      message: "Invalid value for parameter 'roles'",
      code: 'INVALID_PARAMETER',
      details: {
        parameter: 'roles',
        location: 'body',
        reason: `roles.total_purchases is "loyalty"; expected one of 'monetary', 'frequency', 'recency', 'engagement', 'discount' or 'none'`,
      },
    });
  });
});

describe('the final K-Means fit of a large request', () => {
  it('runs its restarts on a sample and refines on every row, as good as full restarts', () => {
    const n = RESTARTS_SAMPLE_ABOVE + 50_000;
    const X = sampleCustomerMatrix(n, 17);
    const fitted = fitAlgorithm('kmeans', X, { k: 5, seed: 3, kmeansRestarts: 5 } as FitOptions);
    // The reference: five restarts over every row, as below the threshold.
    const full = kmeans(X, { k: 5, seed: 3, nInit: 5 });
    expect(fitted.labels.length).toBe(n);
    const inertia = (labels: Int32Array) => {
      const { means } = groupMeans(X, labels, 5);
      let s = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < X.cols; j++) s += (X.data[i * X.cols + j] - means[labels[i] * X.cols + j]) ** 2;
      return s;
    };
    expect(inertia(fitted.labels)).toBeLessThanOrEqual(full.inertia * 1.001);
    expect(new Set(fitted.labels).size).toBe(5);
  });
});
