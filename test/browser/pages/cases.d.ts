// Types for cases.js, which stays plain JS because the page loads it as it is.
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Cases {
  kmeans(arg: { n: number; seed: number; k: number; nInit?: number; init?: string; algorithm?: string }): {
    labels: number[];
    centroids: number[][];
    inertia: number;
    iterations: number;
    converged: boolean;
  };
  metrics(arg: { n: number; seed: number; k: number }): {
    silhouette: number;
    silhouetteSampled: number;
    samples: number[];
    daviesBouldin: number;
    calinskiHarabasz: number;
  };
  segment(arg: { n: number; seed: number; request: Json; locale?: string }): Promise<Json>;
  segmentError(arg: { request: Json; locale?: string }): Promise<Json>;
  withoutTimings(response: Json): Json;
}
export function makeCases(segmint: Json): Cases;
