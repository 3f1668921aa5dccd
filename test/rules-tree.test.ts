// The rules' tree, grown level by level, against a plain CART that grows one node at a
// time (each node's rows found by a pass over the sample, each feature's boundaries
// searched for that node alone), and the value order against a stable comparator sort.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// niceThreshold is the documented rounding rule, not the tree under test.
import { fitRuleTree, MAX_DEPTH, niceThreshold, orderByValue } from '../src/profile/rules';

const MIN_LEAF = 5;

/** CART one node at a time: balanced weights, Gini, MIN_LEAF rows a side, thresholds as rules.ts documents them. */
function plainTree(values: Float64Array[], y: Uint8Array) {
  const m = y.length;
  const positives = y.reduce((a, b) => a + b, 0);
  const wPos = m / (2 * positives);
  const wNeg = m / (2 * (m - positives));
  const gini = (p: number, q: number) => {
    const t = p + q;
    return t > 0 ? t * (1 - (p / t) ** 2 - (q / t) ** 2) : 0;
  };
  const leaves: { conditions: { feature: number; op: '<' | '>='; threshold: number }[]; pos: number; size: number }[] = [];
  const grow = (rows: number[], depth: number, conditions: (typeof leaves)[number]['conditions']) => {
    const pos = rows.filter((i) => y[i] === 1).length;
    const size = rows.length;
    let best: { feature: number; threshold: number; gain: number } | undefined;
    if (depth < MAX_DEPTH && pos > 0 && pos < size) {
      const parent = gini(pos * wPos, (size - pos) * wNeg);
      values.forEach((v, f) => {
        const sorted = [...rows].sort((a, b) => v[a] - v[b] || a - b);
        let lp = 0;
        let ln = 0;
        let top: { gain: number; lo: number; hi: number } | undefined;
        sorted.forEach((i, count) => {
          if (count >= MIN_LEAF && size - count >= MIN_LEAF && v[i] > v[sorted[count - 1]]) {
            const gain = parent - gini(lp, ln) - gini(pos * wPos - lp, (size - pos) * wNeg - ln);
            if (gain > 1e-12 && (top === undefined || gain > top.gain)) top = { gain, lo: v[sorted[count - 1]], hi: v[i] };
          }
          if (y[i] === 1) lp += wPos;
          else ln += wNeg;
        });
        if (top === undefined || (best !== undefined && top.gain <= best.gain)) return;
        const readable = Number(((top.lo + top.hi) / 2).toPrecision(3));
        const threshold = readable > v[sorted[0]] && readable <= v[sorted[size - 1]] ? readable : niceThreshold(top.lo, top.hi);
        best = { feature: f, threshold, gain: top.gain };
      });
    }
    if (best === undefined) {
      leaves.push({ conditions, pos, size });
      return;
    }
    const { feature, threshold } = best;
    grow(
      rows.filter((i) => values[feature][i] < threshold),
      depth + 1,
      [...conditions, { feature, op: '<', threshold }],
    );
    grow(
      rows.filter((i) => values[feature][i] >= threshold),
      depth + 1,
      [...conditions, { feature, op: '>=', threshold }],
    );
  };
  grow(
    Array.from({ length: m }, (_, i) => i),
    0,
    [],
  );
  return leaves;
}

// Columns with many ties (small integers, 0/1 indicators) and without, and classes that
// follow the columns more or less, so that trees grow to every depth.
const sample = fc.integer({ min: 12, max: 400 }).chain((m) =>
  fc.record({
    cols: fc.array(
      fc.oneof(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m }),
        fc.array(fc.constantFrom(0, 1), { minLength: m, maxLength: m }),
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: m, maxLength: m }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    noise: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m }),
    cut: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  }),
);

describe('the rules tree', () => {
  it('orderByValue is a stable sort of the rows by value, -0 and 0 equal', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(-0), fc.double({ noNaN: true })), { maxLength: 300, size: 'max' }), (xs) => {
        const v = Float64Array.from(xs);
        const expected = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b] || a - b);
        expect(Array.from(orderByValue(v))).toEqual(expected);
      }),
      { seed: 55, numRuns: 300 },
    );
  });

  it('grown level by level, has the leaves of a tree grown node by node', () => {
    fc.assert(
      fc.property(sample, ({ cols, noise, cut }) => {
        const values = cols.map((c) => Float64Array.from(c));
        // The class leans on the first column's rank, with noise.
        const first = values[0];
        const sorted = [...first].sort((a, b) => a - b);
        const threshold = sorted[Math.floor(cut * sorted.length)];
        const y = Uint8Array.from(first, (x, i) => (x >= threshold !== noise[i] < 0.2 ? 1 : 0));
        const positives = y.reduce((a, b) => a + b, 0);
        if (positives === 0 || positives === y.length) return;
        expect(fitRuleTree(values, values.map(orderByValue), y)).toEqual(plainTree(values, y));
      }),
      { seed: 56, numRuns: 300 },
    );
  });
});
