/**
 * Loads the scikit-learn / SciPy reference results that the repository carries in
 * test/fixtures (see its README), or from SEGMINT_FIXTURES. A missing fixture fails the
 * test: it is the independent reference, never optional.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = process.env.SEGMINT_FIXTURES ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface Fixture {
  name: string;
  n: number;
  d: number;
  data: number[];
  kmeans: { k: number; sklearn_best_inertia_n_init_10: number; sklearn_labels: number[]; sklearn_centroids: number[][] };
  metrics: {
    labels: number[];
    silhouette_score: number;
    silhouette_samples: number[];
    davies_bouldin_score: number;
    calinski_harabasz_score: number;
  };
  linkage?: Record<'ward' | 'complete' | 'average' | 'single', { heights: number[]; sizes: number[]; labels_k: number[]; k?: number }>;
  dbscan: { eps: number; min_samples: number; labels: number[]; core_sample_indices: number[] };
  gmm: Record<
    'full' | 'diag' | 'tied' | 'spherical',
    { k: number; mean_log_likelihood: number; bic: number; aic: number; mean_log_likelihood_seed_range: [number, number] }
  >;
  [key: string]: unknown;
}

export function fixtureNames(): string[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8'));
}

/** The fixture's data as { data, rows, cols }. */
export function fixtureMatrix(f: Fixture): { data: Float64Array; rows: number; cols: number } {
  return { data: Float64Array.from(f.data), rows: f.n, cols: f.d };
}

/** Relative difference, safe around zero. */
export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}
