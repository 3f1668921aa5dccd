/**
 * Plain-TypeScript Gower distance, silhouette and agglomerative clustering by the
 * definitions, on customers as records (numbers and strings), sharing no code with
 * segmint's: ranges from the raw values, mismatches by string comparison, the
 * silhouette from every pair, linkage by recomputing every pair of clusters each step.
 */

/** Gower distance of records a and b over numeric fields (with their ranges) and categorical fields. */
export function gowerRef(a: Record<string, unknown>, b: Record<string, unknown>, numeric: { field: string; range: number }[], categorical: string[]): number {
  let sum = 0;
  for (const { field, range } of numeric) {
    if (range > 0) sum += Math.abs((a[field] as number) - (b[field] as number)) / range;
  }
  for (const field of categorical) if (String(a[field] ?? '') !== String(b[field] ?? '')) sum += 1;
  return sum / (numeric.length + categorical.length);
}

/** The ranges (max - min) of numeric fields over records. */
export function rangesRef(records: Record<string, unknown>[], fields: string[]): { field: string; range: number }[] {
  return fields.map((field) => {
    const values = records.map((r) => r[field] as number);
    return { field, range: Math.max(...values) - Math.min(...values) };
  });
}

/** Mean silhouette (scikit-learn's definition, singleton = 0) from a distance function. */
export function silhouetteRef(n: number, labels: ArrayLike<number>, dist: (i: number, j: number) => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Map<number, { sum: number; count: number }>();
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const e = sums.get(labels[j]) ?? { sum: 0, count: 0 };
      e.sum += dist(i, j);
      e.count++;
      sums.set(labels[j], e);
    }
    const own = sums.get(labels[i]);
    if (!own) continue;
    const a = own.sum / own.count;
    let b = Infinity;
    for (const [label, e] of sums) if (label !== labels[i]) b = Math.min(b, e.sum / e.count);
    total += Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  return total / n;
}

/** Merge heights in order and the flat labels at k clusters, linkage on a distance function. */
export function linkageFromDistanceRef(
  n: number,
  dist: (i: number, j: number) => number,
  method: 'average' | 'complete' | 'single',
  k: number,
): { heights: number[]; labelsK: Int32Array } {
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const heights: number[] = [];
  let labelsK = new Int32Array(n);
  const labelsOf = () => {
    const out = new Int32Array(n);
    clusters.forEach((members, c) => members.forEach((i) => (out[i] = c)));
    return out;
  };
  for (let step = 0; step < n - 1; step++) {
    if (clusters.length === k) labelsK = labelsOf();
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const ds = clusters[i].flatMap((a) => clusters[j].map((b) => dist(a, b)));
        const v = method === 'single' ? Math.min(...ds) : method === 'complete' ? Math.max(...ds) : ds.reduce((x, y) => x + y, 0) / ds.length;
        if (v < best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = [...clusters[bi], ...clusters[bj]];
    clusters = clusters.filter((_, idx) => idx !== bi && idx !== bj);
    clusters.push(merged);
    heights.push(best);
  }
  if (clusters.length === k) labelsK = labelsOf();
  return { heights, labelsK };
}
