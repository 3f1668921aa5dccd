/**
 * Plain-TypeScript batch k-prototypes from given prototypes, written from Huang (1997)
 * without segmint's kernels: assign every row to the prototype with the least squared
 * numeric distance + gamma * categorical mismatches (ties to the lower cluster; a
 * missing code -1 always mismatches), then means and modes (ties to the lowest code),
 * until no row moves. An empty cluster restarts at the worst-fitting row, as segmint does.
 */
export function kprototypesRef(
  num: ArrayLike<number>,
  codes: ArrayLike<number>,
  n: number,
  p: number,
  m: number,
  centroidsIn: number[][],
  modesIn: number[][],
  gamma: number,
  maxIter = 100,
): { labels: number[]; centroids: number[][]; modes: number[][]; cost: number; costHistory: number[] } {
  const k = centroidsIn.length;
  const centroids = centroidsIn.map((c) => [...c]);
  const modes = modesIn.map((c) => [...c]);
  const labels = new Array<number>(n).fill(-1);
  const costs = new Array<number>(n).fill(0);
  const costHistory: number[] = [];
  const dissim = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < p; t++) s += (num[i * p + t] - centroids[j][t]) ** 2;
    let mis = 0;
    for (let t = 0; t < m; t++) if (codes[i * m + t] < 0 || codes[i * m + t] !== modes[j][t]) mis++;
    return s + gamma * mis;
  };
  const assign = () => {
    let changed = 0;
    let cost = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = dissim(i, 0);
      for (let j = 1; j < k; j++) {
        const dj = dissim(i, j);
        if (dj < bestD) {
          bestD = dj;
          best = j;
        }
      }
      if (labels[i] !== best) changed++;
      labels[i] = best;
      costs[i] = bestD;
      cost += bestD;
    }
    costHistory.push(cost);
    return changed;
  };
  assign();
  for (let it = 0; it < maxIter; it++) {
    const used = new Set<number>();
    for (let j = 0; j < k; j++) {
      const members = labels.map((l, i) => (l === j ? i : -1)).filter((i) => i >= 0);
      if (members.length === 0) {
        let worst = -1;
        for (let i = 0; i < n; i++) if (!used.has(i) && (worst < 0 || costs[i] > costs[worst])) worst = i;
        used.add(worst);
        centroids[j] = Array.from({ length: p }, (_, t) => num[worst * p + t]);
        modes[j] = Array.from({ length: m }, (_, t) => codes[worst * m + t]);
        costs[worst] = 0;
        continue;
      }
      centroids[j] = Array.from({ length: p }, (_, t) => members.reduce((a, i) => a + num[i * p + t], 0) / members.length);
      for (let t = 0; t < m; t++) {
        const count = new Map<number, number>();
        for (const i of members) if (codes[i * m + t] >= 0) count.set(codes[i * m + t], (count.get(codes[i * m + t]) ?? 0) + 1);
        if (count.size === 0) continue;
        const top = Math.max(...count.values());
        modes[j][t] = Math.min(...[...count].filter(([, c]) => c === top).map(([v]) => v));
      }
    }
    if (assign() === 0) break;
  }
  return { labels, centroids, modes, cost: costHistory[costHistory.length - 1], costHistory };
}
