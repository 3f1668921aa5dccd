// src/spatial: the k-d tree and grid DBSCAN (and HDBSCAN next) query, and nearest centres.
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../src/random';
import { buildGrid, gridDims } from '../src/spatial/grid';
import { buildKdTree } from '../src/spatial/kdtree';
import { nearestCentres } from '../src/spatial/nearest';
import { init } from '../src/wasm/index';

beforeAll(async () => {
  await init();
});

function randomMatrix(n: number, d: number, seed: number) {
  const rng = new Random(seed);
  const data = new Float64Array(n * d);
  // Coarse values so there are ties on the split coordinates.
  for (let i = 0; i < data.length; i++) data[i] = Math.round(rng.normal() * 4) / 2;
  return { data, rows: n, cols: d };
}

describe('buildKdTree', () => {
  it('children split their parent at the median, and every box holds its rows', () => {
    const m = randomMatrix(1000, 3, 1);
    const t = buildKdTree(m);
    expect(Array.from(t.perm).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let node = 0; node < t.nNodes; node++) {
      const [start, end] = [t.ranges[2 * node], t.ranges[2 * node + 1]];
      for (let r = start; r < end; r++) {
        for (let k = 0; k < 3; k++) {
          const v = m.data[t.perm[r] * 3 + k];
          expect(v).toBeGreaterThanOrEqual(t.bounds[node * 6 + k]);
          expect(v).toBeLessThanOrEqual(t.bounds[node * 6 + 3 + k]);
        }
      }
      if (node >= t.firstLeaf) {
        // scikit-learn's leaf_size rule: between leafSize and 2 * leafSize rows.
        expect(end - start).toBeLessThanOrEqual(32);
        expect(end - start).toBeGreaterThanOrEqual(16);
        continue;
      }
      const left = 2 * node + 1;
      const mid = t.ranges[2 * left + 1];
      expect(t.ranges[2 * left]).toBe(start);
      expect(mid).toBe(start + ((end - start) >> 1));
      // Widest dimension of the parent; every left row <= every right row on it.
      let dim = 0;
      for (let k = 1; k < 3; k++) if (t.bounds[node * 6 + 3 + k] - t.bounds[node * 6 + k] > t.bounds[node * 6 + 3 + dim] - t.bounds[node * 6 + dim]) dim = k;
      let leftMax = -Infinity;
      let rightMin = Infinity;
      for (let r = start; r < mid; r++) leftMax = Math.max(leftMax, m.data[t.perm[r] * 3 + dim]);
      for (let r = mid; r < end; r++) rightMin = Math.min(rightMin, m.data[t.perm[r] * 3 + dim]);
      expect(leftMax).toBeLessThanOrEqual(rightMin);
    }
  });
});

describe('buildGrid', () => {
  it('puts each row in the cell its coordinates fall in, cells contiguous', () => {
    const m = randomMatrix(500, 2, 2);
    const layout = gridDims(m, 0.75, 1 << 20)!;
    const g = buildGrid(m, layout);
    for (let r = 0; r < 500; r++) {
      const i = g.perm[r];
      const cx = Math.min(layout.dims[0] - 1, Math.floor((m.data[2 * i] - layout.mins[0]) / layout.side));
      const cy = Math.min(layout.dims[1] - 1, Math.floor((m.data[2 * i + 1] - layout.mins[1]) / layout.side));
      expect(g.cellOf[r]).toBe(cx * layout.dims[1] + cy);
      expect(r).toBeGreaterThanOrEqual(g.cellStart[g.cellOf[r]]);
      expect(r).toBeLessThan(g.cellStart[g.cellOf[r] + 1]);
    }
    expect(gridDims(m, 1e-6, 1000)).toBeNull();
  });
});

describe('nearestCentres', () => {
  it('matches a brute-force search, the lower index winning ties', () => {
    const m = randomMatrix(300, 4, 3);
    const centres = Float64Array.from([...m.data.subarray(0, 20), ...m.data.subarray(0, 4)]);
    const got = nearestCentres(m, centres, 6);
    for (let i = 0; i < 300; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < 6; c++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += (m.data[i * 4 + j] - centres[c * 4 + j]) ** 2;
        if (s < bestD) {
          bestD = s;
          best = c;
        }
      }
      expect(got[i]).toBe(best);
    }
    expect(got[0]).toBe(0);
  });
});
