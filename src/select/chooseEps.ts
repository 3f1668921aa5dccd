/**
 * eps for DBSCAN when the request leaves it to us. The k-distance knee alone (dbscan()'s
 * eps: 'auto') sits where the sparsest points start, which on customer data joins every
 * dense region into one cluster and leaves the rest as noise. Here candidate radii are a
 * grid of multiples of that knee (half to three times); each is fitted and scored by the silhouette of its
 * clustered points, times the share of points clustered (so "a few tight cores, the rest
 * noise" does not win). Clusters smaller than a minimum size count as noise in the score
 * (a radius that shatters the data into crumbs does not win either). Two clusters at
 * least are needed to score; when no candidate reaches two, the knee is kept.
 */
import { fitDbscan } from '../cluster/dbscan';
import type { Matrix } from '../matrix';
import { SampleMissesClustersError, silhouetteOfMatrix } from '../metrics/silhouette';

/** Multiples of the k-distance knee tried as eps. */
export const EPS_CANDIDATE_FACTORS = [0.5, 0.7, 0.85, 1, 1.25, 1.5, 2, 2.5, 3];
/** Rows of the silhouette sample each candidate is scored on. */
export const EPS_SCORE_SAMPLE = 2_000;

/** One candidate radius and its score (null: fewer than two clusters worth scoring). */
export interface EpsCandidate {
  eps: number;
  clusters: number;
  noiseShare: number;
  score: number | null;
}

/** Chooses eps (see the module comment); returns it with every candidate's score. */
export function chooseEps(m: Matrix, minSamples: number, seed: number): { eps: number; candidates: EpsCandidate[] } {
  const knee = fitDbscan(m, { eps: 'auto', minSamples }).eps;
  const minSize = Math.max(minSamples, Math.ceil(0.01 * m.rows));
  const candidates: EpsCandidate[] = [];
  let best: EpsCandidate | undefined;
  for (const f of EPS_CANDIDATE_FACTORS) {
    const eps = knee * f;
    const labels = fitDbscan(m, { eps, minSamples }).labels;
    const sizes = new Map<number, number>();
    for (const l of labels) if (l >= 0) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    const kept = new Int32Array(labels.length);
    let clustered = 0;
    let clusters = 0;
    const code = new Map<number, number>();
    for (const [l, size] of sizes) if (size >= minSize) code.set(l, clusters++);
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i] >= 0 ? code.get(labels[i]) : undefined;
      kept[i] = c === undefined ? -1 : c;
      if (c !== undefined) clustered++;
    }
    const noiseShare = 1 - clustered / m.rows;
    let score: number | null = null;
    if (clusters >= 2 && clustered > clusters) {
      try {
        const sil = silhouetteOfMatrix(m, kept, { seed, sampleSize: Math.min(EPS_SCORE_SAMPLE, clustered) });
        score = sil.score * (1 - noiseShare);
      } catch (err) {
        if (!(err instanceof SampleMissesClustersError)) throw err;
      }
    }
    const candidate = { eps, clusters, noiseShare, score };
    candidates.push(candidate);
    if (score !== null && (best?.score == null || score > best.score)) best = candidate;
  }
  return { eps: best ? best.eps : knee, candidates };
}
