/**
 * Rules: for each segment, a short threshold description in the customer's own units
 * ("total_purchases >= 2,140 and frequency >= 18"), read off a shallow decision tree.
 *
 * The tree is CART with Gini impurity, one segment against the rest, depth <= MAX_DEPTH,
 * with balanced class weights (as scikit-learn's class_weight='balanced') so that a small
 * segment still pulls the splits towards itself. It is fitted on a seeded sample of at most
 * RULES_SAMPLE customers (the tree's thresholds need far fewer rows than the data has);
 * missing values are filled with the sample's median for the fit only. The rule is the
 * path to the leaf with the best F1 for the segment, with conditions on one feature and
 * direction merged (the tighter one stays). Thresholds are the split midpoint rounded to
 * three significant digits (readable: "2,140"), or to the fewest digits that still separate
 * the two values the split fell between when three would empty a side.
 *
 * coverage (share of the segment the rule describes) and precision (share of the customers
 * the rule describes that are in the segment) are then counted on every customer with the
 * rounded thresholds. A missing value satisfies no condition.
 */
import { formatList, type Locale } from '../i18n/index';
import { Random, sampleIndices } from '../random';

/** Deepest tree a rule is read from: at most three conditions stay readable. */
export const MAX_DEPTH = 3;
/** Customers the trees are fitted on, at most. */
export const RULES_SAMPLE = 5000;
/** A split leaves at least this many sample customers on each side. */
const MIN_LEAF = 5;
/** Significant digits of a threshold when that keeps the split (else as many as needed). */
const THRESHOLD_DIGITS = 3;

/** One condition of a rule. */
export interface RuleCondition {
  feature: string;
  op: '>=' | '<';
  threshold: number;
}

/** A segment's rule and how well it describes the segment. */
export interface SegmentRule {
  /** The conditions joined in the locale ("a >= 2,140 and b < 18"); '' when no split helps. */
  text: string;
  conditions: RuleCondition[];
  /** Members the rule describes / members. */
  coverage: number;
  /** Members the rule describes / customers the rule describes (0 when it describes nobody). */
  precision: number;
}

/** True when the observed value v satisfies c (missing values satisfy nothing). */
export function satisfies(v: number, c: RuleCondition): boolean {
  if (!Number.isFinite(v)) return false;
  return c.op === '>=' ? v >= c.threshold : v < c.threshold;
}

/** The fewest significant digits of mid that stay in (lo, hi]. */
function niceThreshold(lo: number, hi: number): number {
  const mid = (lo + hi) / 2;
  for (let digits = 1; digits <= 15; digits++) {
    const r = Number(mid.toPrecision(digits));
    if (r > lo && r <= hi) return r;
  }
  return hi;
}

interface Split {
  feature: number;
  threshold: number;
  gain: number;
}

interface Leaf {
  conditions: { feature: number; op: '>=' | '<'; threshold: number }[];
  pos: number;
  size: number;
}

/**
 * Rules for every segment id in `segmentIds`. columns[f] holds the customers' values in
 * their own units (NaN = missing), labels[i] each customer's segment.
 */
export function segmentRules(
  columns: Record<string, Float64Array>,
  features: string[],
  labels: Int32Array,
  segmentIds: number[],
  locale: Locale,
  options: { seed?: number; sampleSize?: number } = {},
): Map<number, SegmentRule> {
  const n = labels.length;
  const d = features.length;
  const out = new Map<number, SegmentRule>();
  if (n === 0 || d === 0) return out;
  const m = Math.min(n, options.sampleSize ?? RULES_SAMPLE);
  const rows = m < n ? sampleIndices(n, m, new Random(options.seed ?? 0)).sort() : Int32Array.from({ length: n }, (_, i) => i);

  // Sample values (missing -> the sample median) and each feature's sample order by value.
  const values = features.map((f) => {
    const col = columns[f];
    const v = Float64Array.from(rows, (r) => col[r]);
    const observed = v.filter((x) => Number.isFinite(x)).sort();
    const fill = observed.length > 0 ? observed[observed.length >> 1] : 0;
    for (let i = 0; i < m; i++) if (!Number.isFinite(v[i])) v[i] = fill;
    return v;
  });
  const orders = values.map((v) => Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => v[a] - v[b]));
  const sampleLabels = Int32Array.from(rows, (r) => labels[r]);

  for (const id of segmentIds) {
    const y = Uint8Array.from(sampleLabels, (l) => (l === id ? 1 : 0));
    let positives = 0;
    for (let i = 0; i < m; i++) positives += y[i];
    if (positives === 0 || positives === m) {
      out.set(id, evaluate(columns, labels, id, [], locale));
      continue;
    }
    const wPos = m / (2 * positives);
    const wNeg = m / (2 * (m - positives));
    const node = new Int32Array(m); // node id of each sample row; 0 = root
    const leaves: Leaf[] = [];

    const grow = (nodeId: number, depth: number, conditions: Leaf['conditions']) => {
      let pos = 0;
      let size = 0;
      for (let i = 0; i < m; i++) {
        if (node[i] !== nodeId) continue;
        size++;
        pos += y[i];
      }
      const split = depth < MAX_DEPTH && pos > 0 && pos < size ? bestSplit(values, orders, y, node, nodeId, wPos, wNeg, pos, size) : undefined;
      if (split === undefined) {
        leaves.push({ conditions, pos, size });
        return;
      }
      const left = nodeId * 2 + 1;
      const right = nodeId * 2 + 2;
      const v = values[split.feature];
      for (let i = 0; i < m; i++) if (node[i] === nodeId) node[i] = v[i] < split.threshold ? left : right;
      grow(left, depth + 1, [...conditions, { feature: split.feature, op: '<', threshold: split.threshold }]);
      grow(right, depth + 1, [...conditions, { feature: split.feature, op: '>=', threshold: split.threshold }]);
    };
    grow(0, 0, []);

    // The leaf that best describes the segment: highest F1 on the sample.
    let best: Leaf | undefined;
    let bestF1 = -1;
    for (const leaf of leaves) {
      if (leaf.pos === 0) continue;
      const f1 = (2 * leaf.pos) / (leaf.size + positives);
      if (f1 > bestF1) {
        bestF1 = f1;
        best = leaf;
      }
    }
    out.set(id, evaluate(columns, labels, id, mergeConditions(best?.conditions ?? [], features), locale));
  }
  return out;
}

/** Best Gini split of node nodeId over every feature, or undefined when none reduces impurity. */
function bestSplit(
  values: Float64Array[],
  orders: Int32Array[],
  y: Uint8Array,
  node: Int32Array,
  nodeId: number,
  wPos: number,
  wNeg: number,
  pos: number,
  size: number,
): Split | undefined {
  const totalPos = pos * wPos;
  const totalNeg = (size - pos) * wNeg;
  const gini = (p: number, q: number) => {
    const t = p + q;
    return t > 0 ? t * (1 - (p / t) ** 2 - (q / t) ** 2) : 0;
  };
  const parent = gini(totalPos, totalNeg);
  let best: Split | undefined;
  for (let f = 0; f < values.length; f++) {
    const v = values[f];
    const order = orders[f];
    let leftPos = 0;
    let leftNeg = 0;
    let leftCount = 0;
    let prev = Number.NaN;
    let first = Number.NaN;
    let featureBest: { gain: number; lo: number; hi: number } | undefined;
    for (let o = 0; o < order.length; o++) {
      const i = order[o];
      if (node[i] !== nodeId) continue;
      const x = v[i];
      if (leftCount === 0) first = x;
      // A boundary between two distinct values, with enough rows on each side.
      if (leftCount >= MIN_LEAF && size - leftCount >= MIN_LEAF && x > prev) {
        const gain = parent - gini(leftPos, leftNeg) - gini(totalPos - leftPos, totalNeg - leftNeg);
        if (gain > 1e-12 && (featureBest === undefined || gain > featureBest.gain)) featureBest = { gain, lo: prev, hi: x };
      }
      if (y[i] === 1) leftPos += wPos;
      else leftNeg += wNeg;
      leftCount++;
      prev = x;
    }
    if (featureBest === undefined || (best !== undefined && featureBest.gain <= best.gain)) continue;
    // Three significant digits read well ("2,140"); the split moves a little, which the
    // reported coverage and precision then include. Kept only if both sides stay non-empty.
    const { lo, hi } = featureBest;
    const readable = Number(((lo + hi) / 2).toPrecision(THRESHOLD_DIGITS));
    const threshold = readable > first && readable <= prev ? readable : niceThreshold(lo, hi);
    best = { feature: f, threshold, gain: featureBest.gain };
  }
  return best;
}

/** One condition per feature and direction, the tighter kept, in the order first met. */
function mergeConditions(conditions: Leaf['conditions'], features: string[]): RuleCondition[] {
  const merged: RuleCondition[] = [];
  for (const c of conditions) {
    const same = merged.find((x) => x.feature === features[c.feature] && x.op === c.op);
    if (same === undefined) merged.push({ feature: features[c.feature], op: c.op, threshold: c.threshold });
    else same.threshold = c.op === '>=' ? Math.max(same.threshold, c.threshold) : Math.min(same.threshold, c.threshold);
  }
  return merged;
}

function evaluate(columns: Record<string, Float64Array>, labels: Int32Array, id: number, conditions: RuleCondition[], locale: Locale): SegmentRule {
  let members = 0;
  let described = 0;
  let both = 0;
  const cols = conditions.map((c) => columns[c.feature]);
  for (let i = 0; i < labels.length; i++) {
    let ok = true;
    for (let c = 0; c < conditions.length && ok; c++) ok = satisfies(cols[c][i], conditions[c]);
    const member = labels[i] === id;
    if (member) members++;
    if (ok) {
      described++;
      if (member) both++;
    }
  }
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 15, useGrouping: true });
  const text = formatList(
    locale,
    conditions.map((c) => `${c.feature} ${c.op} ${number.format(c.threshold)}`),
  );
  return { text, conditions, coverage: members > 0 ? both / members : 0, precision: described > 0 ? both / described : 0 };
}
