/**
 * HDBSCAN's tree work after the minimum spanning tree, in TS (linear in n, not hot):
 * single-linkage tree, condensed tree, stability, excess-of-mass / leaf selection,
 * labels, probabilities and GLOSH outlier scores. It follows scikit-learn 1.6
 * (sklearn/cluster/_hdbscan/_tree.pyx) step for step, including its breadth-first
 * visiting and cluster numbering, so the labels and probabilities equal scikit-learn's.
 *
 * Formats (documented in the public API):
 * - MST: Float64Array of (n-1) rows [a, b, distance], sorted by distance.
 * - single-linkage tree: Float64Array of (n-1) rows [left, right, distance, size],
 *   SciPy's format: points are 0..n-1, merge i creates node n+i.
 * - condensed tree: parallel arrays parent, child, lambda (1 / distance), size; cluster
 *   ids start at n (the root), points are 0..n-1 and have size 1.
 */

/** The condensed tree: one row per point falling out of a cluster or per cluster split. */
export interface CondensedTree {
  parent: Int32Array;
  child: Int32Array;
  /** 1 / distance at which the child leaves the parent (Infinity at distance 0). */
  lambda: Float64Array;
  /** Points in the child (1 for a point). */
  size: Int32Array;
}

/** Sorts MST edges by distance (stable) and builds SciPy's single-linkage matrix. */
export function singleLinkageFromMst(mst: Float64Array, n: number): { sortedMst: Float64Array; linkage: Float64Array } {
  const m = n - 1;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => mst[3 * a + 2] - mst[3 * b + 2] || a - b);
  const sortedMst = new Float64Array(3 * m);
  order.forEach((e, i) => sortedMst.set(mst.subarray(3 * e, 3 * e + 3), 3 * i));
  // Union-find over 2n-1 nodes: each merge makes a new node, so the root of a point is its current cluster.
  const parent = new Int32Array(2 * n - 1).fill(-1);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] >= 0) r = parent[r];
    while (parent[x] >= 0) {
      const next = parent[x];
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const linkage = new Float64Array(4 * m);
  for (let i = 0; i < m; i++) {
    const a = find(sortedMst[3 * i]);
    const b = find(sortedMst[3 * i + 1]);
    const node = n + i;
    linkage[4 * i] = a;
    linkage[4 * i + 1] = b;
    linkage[4 * i + 2] = sortedMst[3 * i + 2];
    size[node] = size[a] + size[b];
    linkage[4 * i + 3] = size[node];
    parent[a] = node;
    parent[b] = node;
  }
  return { sortedMst, linkage };
}

/** Nodes of the subtree at `start` in breadth-first order, left before right (scikit-learn's bfs_from_hierarchy). */
function bfsFromHierarchy(linkage: Float64Array, n: number, start: number, out: number[]): void {
  let queue = [start];
  while (queue.length > 0) {
    for (const x of queue) out.push(x);
    const next: number[] = [];
    for (const x of queue) {
      if (x < n) continue;
      next.push(linkage[4 * (x - n)], linkage[4 * (x - n) + 1]);
    }
    queue = next;
  }
}

/** Condenses the single-linkage tree: splits into two parts of >= minClusterSize points are kept, smaller parts fall out point by point. */
export function condenseTree(linkage: Float64Array, n: number, minClusterSize: number): CondensedTree {
  const root = 2 * (n - 1);
  const nodes: number[] = [];
  bfsFromHierarchy(linkage, n, root, nodes);
  const relabel = new Int32Array(root + 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const ignore = new Uint8Array(root + 1);
  const parent: number[] = [];
  const child: number[] = [];
  const lambda: number[] = [];
  const size: number[] = [];
  const push = (p: number, c: number, l: number, s: number) => {
    parent.push(p);
    child.push(c);
    lambda.push(l);
    size.push(s);
  };
  const countOf = (x: number) => (x >= n ? linkage[4 * (x - n) + 3] : 1);
  const sub: number[] = [];
  const fallOut = (p: number, from: number, l: number) => {
    sub.length = 0;
    bfsFromHierarchy(linkage, n, from, sub);
    for (const s of sub) {
      if (s < n) push(p, s, l, 1);
      ignore[s] = 1;
    }
  };
  for (const node of nodes) {
    if (node < n || ignore[node]) continue;
    const row = 4 * (node - n);
    const left = linkage[row];
    const right = linkage[row + 1];
    const distance = linkage[row + 2];
    const l = distance > 0 ? 1 / distance : Infinity;
    const leftCount = countOf(left);
    const rightCount = countOf(right);
    const p = relabel[node];
    if (leftCount >= minClusterSize && rightCount >= minClusterSize) {
      relabel[left] = nextLabel++;
      push(p, relabel[left], l, leftCount);
      relabel[right] = nextLabel++;
      push(p, relabel[right], l, rightCount);
    } else if (leftCount < minClusterSize && rightCount < minClusterSize) {
      fallOut(p, left, l);
      fallOut(p, right, l);
    } else if (leftCount < minClusterSize) {
      relabel[right] = p;
      fallOut(p, left, l);
    } else {
      relabel[left] = p;
      fallOut(p, right, l);
    }
  }
  return { parent: Int32Array.from(parent), child: Int32Array.from(child), lambda: Float64Array.from(lambda), size: Int32Array.from(size) };
}

/** Cluster ids run n..nClusterIds+n-1; per cluster its parent, birth lambda, stability, max child lambda, children. */
interface ClusterInfo {
  n: number;
  count: number;
  parentOf: Int32Array;
  birth: Float64Array;
  stability: Float64Array;
  /** Largest lambda among the cluster's rows (scikit-learn's max_lambdas / deaths). */
  death: Float64Array;
  children: number[][];
  /** Lambda at which each point leaves the tree, and the cluster it leaves. */
  pointLambda: Float64Array;
  pointParent: Int32Array;
}

function clusterInfo(t: CondensedTree, n: number): ClusterInfo {
  let maxParent = n;
  for (const p of t.parent) if (p > maxParent) maxParent = p;
  const count = maxParent - n + 1;
  const parentOf = new Int32Array(count).fill(-1);
  const birth = new Float64Array(count);
  const stability = new Float64Array(count);
  const death = new Float64Array(count);
  const children: number[][] = Array.from({ length: count }, () => []);
  const pointLambda = new Float64Array(n);
  const pointParent = new Int32Array(n).fill(-1);
  const rows = t.parent.length;
  for (let i = 0; i < rows; i++) {
    const c = t.child[i];
    if (c >= n) {
      parentOf[c - n] = t.parent[i];
      birth[c - n] = t.lambda[i];
      children[t.parent[i] - n].push(c);
    } else {
      pointLambda[c] = t.lambda[i];
      pointParent[c] = t.parent[i];
    }
  }
  birth[0] = 0;
  for (let i = 0; i < rows; i++) {
    const p = t.parent[i] - n;
    stability[p] += (t.lambda[i] - birth[p]) * t.size[i];
    if (t.lambda[i] > death[p]) death[p] = t.lambda[i];
  }
  return { n, count, parentOf, birth, stability, death, children, pointLambda, pointParent };
}

/** Options of the flat selection (validated by the caller). */
export interface SelectionOptions {
  method: 'eom' | 'leaf';
  allowSingleCluster: boolean;
  epsilon: number;
}

/** Cluster ids of the subtree at c (c included), breadth first. */
function descendants(info: ClusterInfo, c: number): number[] {
  const out = [c];
  for (let i = 0; i < out.length; i++) for (const k of info.children[out[i] - info.n]) out.push(k);
  return out;
}

/** scikit-learn's traverse_upwards: the ancestor of leaf at which the tree is coarser than epsilon. */
function traverseUpwards(info: ClusterInfo, epsilon: number, leaf: number, allowSingle: boolean): number {
  const root = info.n;
  const parent = info.parentOf[leaf - root];
  if (parent === root) return allowSingle ? parent : leaf;
  const parentEps = 1 / info.birth[parent - root];
  return parentEps > epsilon ? parent : traverseUpwards(info, epsilon, parent, allowSingle);
}

function epsilonSearch(info: ClusterInfo, leaves: number[], epsilon: number, allowSingle: boolean): Set<number> {
  const selected = new Set<number>();
  const processed = new Set<number>();
  for (const leaf of [...leaves].sort((a, b) => a - b)) {
    const eps = 1 / info.birth[leaf - info.n];
    if (eps < epsilon) {
      if (!processed.has(leaf)) {
        const up = traverseUpwards(info, epsilon, leaf, allowSingle);
        selected.add(up);
        for (const s of descendants(info, up)) if (s !== up) processed.add(s);
      }
    } else selected.add(leaf);
  }
  return selected;
}

/** Selected cluster ids, ascending (their rank is the label). */
function selectClusters(info: ClusterInfo, o: SelectionOptions): number[] {
  const { n, count } = info;
  const root = n;
  const hasClusterTree = info.children[0].length > 0;
  const isCluster = new Map<number, boolean>();
  for (let c = n + count - 1; c >= (o.allowSingleCluster ? n : n + 1); c--) isCluster.set(c, true);
  const stability = Float64Array.from(info.stability);
  if (o.method === 'eom') {
    for (const node of isCluster.keys()) {
      let subtree = 0;
      for (const k of info.children[node - n]) subtree += stability[k - n];
      if (subtree > stability[node - n]) {
        isCluster.set(node, false);
        stability[node - n] = subtree;
      } else {
        for (const s of descendants(info, node)) if (s !== node) isCluster.set(s, false);
      }
    }
    if (o.epsilon !== 0 && hasClusterTree) {
      const eom = [...isCluster.keys()].filter((c) => isCluster.get(c));
      let selected = new Set<number>();
      if (eom.length === 1 && eom[0] === root) {
        if (o.allowSingleCluster) selected = new Set(eom);
      } else selected = epsilonSearch(info, eom, o.epsilon, o.allowSingleCluster);
      for (const c of isCluster.keys()) isCluster.set(c, selected.has(c));
    }
  } else {
    const leaves: number[] = [];
    if (hasClusterTree) for (const c of descendants(info, root)) if (info.children[c - n].length === 0) leaves.push(c);
    const selected = o.epsilon !== 0 ? epsilonSearch(info, leaves, o.epsilon, o.allowSingleCluster) : new Set(leaves);
    for (const c of isCluster.keys()) isCluster.set(c, selected.has(c));
  }
  return [...isCluster.keys()].filter((c) => isCluster.get(c)).sort((a, b) => a - b);
}

/** Everything the flat clustering yields. */
export interface FlatClustering {
  labels: Int32Array;
  probabilities: Float64Array;
  outlierScores: Float64Array;
  /** Selected cluster ids (condensed-tree ids), label order. */
  selected: Int32Array;
  /** Per selected cluster, the largest lambda among its rows (predict's probability scale). */
  maxLambdas: Float64Array;
  /** Per selected cluster, its stability (excess of mass). */
  persistence: Float64Array;
}

/** Labels (-1 noise), probabilities and GLOSH outlier scores of the condensed tree, with scikit-learn's rules. */
export function flatClustering(t: CondensedTree, n: number, o: SelectionOptions): FlatClustering {
  const info = clusterInfo(t, n);
  const selected = selectClusters(info, o);
  const labelOf = new Int32Array(info.count).fill(-1);
  selected.forEach((c, i) => (labelOf[c - n] = i));
  // Each cluster's representative: itself when selected, else its parent's (the root stops the climb).
  const rep = new Int32Array(info.count);
  for (let c = 0; c < info.count; c++) rep[c] = labelOf[c] >= 0 || c === 0 ? c : rep[info.parentOf[c] - n];
  const rootMaxLambda = info.death[0];
  const labels = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const r = rep[info.pointParent[p] - n];
    if (r !== 0) labels[p] = labelOf[r];
    else if (selected.length === 1 && o.allowSingleCluster && labelOf[0] >= 0) {
      const threshold = o.epsilon !== 0 ? 1 / o.epsilon : rootMaxLambda;
      labels[p] = info.pointLambda[p] >= threshold ? labelOf[0] : -1;
    } else labels[p] = -1;
  }
  const probabilities = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    if (labels[p] < 0) continue;
    const maxLambda = info.death[selected[labels[p]] - n];
    const l = info.pointLambda[p];
    probabilities[p] = maxLambda === 0 || l === Infinity ? 1 : Math.min(l, maxLambda) / maxLambda;
  }
  // GLOSH (Campello et al. 2015, as the hdbscan library): 1 - lambda(point) / the largest lambda below its cluster.
  const deepest = Float64Array.from(info.death);
  for (let c = info.count - 1; c > 0; c--) {
    const p = info.parentOf[c] - n;
    if (deepest[c] > deepest[p]) deepest[p] = deepest[c];
  }
  const outlierScores = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const lmax = deepest[info.pointParent[p] - n];
    const l = info.pointLambda[p];
    // A cluster holding duplicates has lmax = Infinity: every finite lambda below it is the far limit, 1.
    outlierScores[p] = lmax === 0 || l === Infinity ? 0 : lmax === Infinity ? 1 : (lmax - l) / lmax;
  }
  return {
    labels,
    probabilities,
    outlierScores,
    selected: Int32Array.from(selected),
    maxLambdas: Float64Array.from(selected, (c) => info.death[c - n]),
    persistence: Float64Array.from(selected, (c) => info.stability[c - n]),
  };
}

/**
 * The hdbscan library's approximate_predict for one new row, given its nearest training
 * rows: the neighbour with the smallest mutual reachability, the lambda of the new row,
 * the cluster it would join (climbing while the cluster is born above that lambda), and
 * that cluster's selected ancestor (the rule fit labels points by).
 */
export function approximateLabel(
  t: { pointParent: Int32Array; pointLambda: Float64Array; clusterParent: Int32Array; clusterBirth: Float64Array },
  n: number,
  labelOfCluster: Int32Array,
  maxLambdas: Float64Array,
  neighbour: number,
  lambdaNew: number,
): { label: number; probability: number } {
  let lambda = lambdaNew;
  let cluster = t.pointParent[neighbour];
  if (t.pointLambda[neighbour] <= lambda) lambda = t.pointLambda[neighbour];
  else while (cluster > n && t.clusterBirth[cluster - n] >= lambda) cluster = t.clusterParent[cluster - n];
  while (cluster >= n && labelOfCluster[cluster - n] < 0) cluster = cluster > n ? t.clusterParent[cluster - n] : -1;
  if (cluster < 0) return { label: -1, probability: 0 };
  const label = labelOfCluster[cluster - n];
  const maxLambda = maxLambdas[label];
  return { label, probability: maxLambda > 0 ? Math.min(maxLambda, lambda) / maxLambda : 1 };
}
