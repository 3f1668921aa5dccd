/**
 * Root of x in a union-find forest held as parent links, with full path compression
 * so later finds on the same path are one step. The forest is changed in place.
 */
export function findRoot(parent: Int32Array, x: number): number {
  let root = x;
  while (parent[root] !== root) root = parent[root];
  while (parent[x] !== root) {
    const next = parent[x];
    parent[x] = root;
    x = next;
  }
  return root;
}
