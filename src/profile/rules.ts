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

/** One threshold condition of a rule, on a numeric feature. */
export interface NumericRuleCondition {
  feature: string;
  op: '>=' | '<';
  threshold: number;
}

/** One condition on a categorical feature (mixed data): its value is, or is not, `value`. */
export interface CategoryRuleCondition {
  feature: string;
  op: '=' | '!=';
  value: string;
}

/** One condition of a rule. */
export type RuleCondition = NumericRuleCondition | CategoryRuleCondition;

/** A categorical feature's values as codes into its categories (-1 = missing), as prep makes them. */
export interface RuleCategoricalColumn {
  categories: string[];
  codes: Int32Array;
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
  /** categorical: features (mixed data) the tree may split on as "feature = value" / "feature != value". */
  options: { seed?: number; sampleSize?: number; categorical?: Record<string, RuleCategoricalColumn> } = {},
): Map<number, SegmentRule> {
  const n = labels.length;
  const categorical = options.categorical ?? {};
  // A categorical feature enters the tree as one 0/1 indicator per value (CART's
  // one-value-against-the-rest split); a split on an indicator reads as = or !=.
  const indicators: Indicator[] = [];
  for (const [feature, col] of Object.entries(categorical)) col.categories.forEach((value, code) => indicators.push({ feature, value, code }));
  const d = features.length + indicators.length;
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
  for (const ind of indicators) {
    const codes = categorical[ind.feature].codes;
    values.push(Float64Array.from(rows, (r) => (codes[r] === ind.code ? 1 : 0)));
  }
  const orders = values.map((v) => Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => v[a] - v[b]));
  const sampleLabels = Int32Array.from(rows, (r) => labels[r]);

  for (const id of segmentIds) {
    const y = Uint8Array.from(sampleLabels, (l) => (l === id ? 1 : 0));
    let positives = 0;
    for (let i = 0; i < m; i++) positives += y[i];
    if (positives === 0 || positives === m) {
      out.set(id, evaluate(columns, categorical, labels, id, [], locale));
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
    out.set(
      id,
      evaluate(
        columns,
        categorical,
        labels,
        id,
        mergeConditions(best?.conditions ?? [], features, indicators, Object.fromEntries(Object.entries(categorical).map(([f, col]) => [f, col.categories]))),
        locale,
      ),
    );
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

/** A value of a categorical feature as a 0/1 column of the tree. */
interface Indicator {
  feature: string;
  value: string;
  code: number;
}

/**
 * One condition per feature and direction, the tighter kept, in the order first met. A
 * split on a value indicator is "= value" (>=) or "!= value" (<); an "=" on a feature makes
 * its "!=" conditions redundant, so they are dropped.
 */
function mergeConditions(
  conditions: Leaf['conditions'],
  features: string[],
  indicators: Indicator[] = [],
  categories: Record<string, readonly string[]> = {},
): RuleCondition[] {
  const merged: RuleCondition[] = [];
  const d = features.length;
  for (const c of conditions) {
    if (c.feature >= d) {
      const ind = indicators[c.feature - d];
      const op = c.op === '>=' ? '=' : '!=';
      if (!merged.some((x) => x.feature === ind.feature && x.op === op && 'value' in x && x.value === ind.value))
        merged.push({ feature: ind.feature, op, value: ind.value });
      continue;
    }
    const same = merged.find((x): x is NumericRuleCondition => x.feature === features[c.feature] && x.op === c.op);
    if (same === undefined) merged.push({ feature: features[c.feature], op: c.op, threshold: c.threshold });
    else same.threshold = c.op === '>=' ? Math.max(same.threshold, c.threshold) : Math.min(same.threshold, c.threshold);
  }
  const equals = new Set(merged.filter((c) => c.op === '=').map((c) => c.feature));
  const kept = merged.filter((c) => c.op !== '!=' || !equals.has(c.feature));
  // "!= every value but one" reads better as "= that one" (missing values satisfy neither).
  const out: RuleCondition[] = [];
  for (const c of kept) {
    if (c.op !== '!=') {
      out.push(c);
      continue;
    }
    const excluded = new Set(kept.filter((x) => x.feature === c.feature && x.op === '!=').map((x) => (x as CategoryRuleCondition).value));
    const left = (categories[c.feature] ?? []).filter((v) => !excluded.has(v));
    if (left.length !== 1) out.push(c);
    else if (!out.some((x) => x.feature === c.feature)) out.push({ feature: c.feature, op: '=', value: left[0] });
  }
  return out;
}

/**
 * Writes to out the rows (of `rows[0..count)`, or 0..count when rows is null) that satisfy c
 * and returns how many; out may be rows itself. A missing value satisfies nothing: NaN
 * fails every comparison (and infinities are left out), and category codes outside the
 * list (missing) match neither = nor !=.
 */
function keepRows(
  c: RuleCondition,
  columns: Record<string, Float64Array>,
  categorical: Record<string, RuleCategoricalColumn>,
  rows: Int32Array | null,
  count: number,
  out: Int32Array,
): number {
  let kept = 0;
  if (c.op === '=' || c.op === '!=') {
    const col = categorical[c.feature]!;
    const pass = Uint8Array.from(col.categories, (v) => ((c.op === '=' ? v === c.value : v !== c.value) ? 1 : 0));
    const codes = col.codes;
    const k = pass.length;
    for (let j = 0; j < count; j++) {
      const i = rows === null ? j : rows[j]!;
      const code = codes[i]!;
      out[kept] = i;
      kept += +(code >= 0 && code < k && pass[code] === 1);
    }
    return kept;
  }
  const col = columns[c.feature]!;
  const t = (c as NumericRuleCondition).threshold;
  if (rows === null) {
    if (c.op === '>=') {
      for (let i = 0; i < count; i++) {
        out[kept] = i;
        kept += +(col[i]! >= t) & +(col[i]! < Infinity);
      }
    } else {
      for (let i = 0; i < count; i++) {
        out[kept] = i;
        kept += +(col[i]! < t) & +(col[i]! > -Infinity);
      }
    }
    return kept;
  }
  for (let j = 0; j < count; j++) {
    const i = rows[j]!;
    const v = col[i]!;
    out[kept] = i;
    kept += c.op === '>=' ? +(v >= t) & +(v < Infinity) : +(v < t) & +(v > -Infinity);
  }
  return kept;
}

function evaluate(
  columns: Record<string, Float64Array>,
  categorical: Record<string, RuleCategoricalColumn>,
  labels: Int32Array,
  id: number,
  conditions: RuleCondition[],
  locale: Locale,
): SegmentRule {
  // The rows that satisfy every condition, narrowed condition by condition: the first
  // pass looks at every row, later ones only at the rows still in (at a million customers
  // and five segments a closure per row and condition cost 80 ms). Compaction is
  // branch-free (store, then advance by the test): on unsorted values a branch
  // mispredicts half the time.
  const n = labels.length;
  let rows = new Int32Array(n);
  let count = 0;
  if (conditions.length === 0) {
    for (let i = 0; i < n; i++) rows[i] = i;
    count = n;
  }
  conditions.forEach((c, k) => {
    count = k === 0 ? keepRows(c, columns, categorical, null, n, rows) : keepRows(c, columns, categorical, rows, count, rows);
  });
  rows = rows.subarray(0, count);
  let both = 0;
  for (let i = 0; i < count; i++) both += +(labels[rows[i]!] === id);
  let members = 0;
  for (let i = 0; i < n; i++) members += +(labels[i] === id);
  const described = count;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 15, useGrouping: true });
  const text = formatList(
    locale,
    conditions.map((c) => ('value' in c ? `${c.feature} ${c.op === '=' ? '=' : '\u2260'} ${c.value}` : `${c.feature} ${c.op} ${number.format(c.threshold)}`)),
  );
  return { text, conditions, coverage: members > 0 ? both / members : 0, precision: described > 0 ? both / described : 0 };
}
