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
export function niceThreshold(lo: number, hi: number): number {
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

export interface Leaf {
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
  const values = features.map((f) => sampleColumn(columns[f]!, rows));
  for (const ind of indicators) {
    const codes = categorical[ind.feature]!.codes;
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = codes[rows[i]!] === ind.code ? 1 : 0;
    values.push(v);
  }
  const orders = values.map(orderByValue);
  const sampleLabels = new Int32Array(m);
  for (let i = 0; i < m; i++) sampleLabels[i] = labels[rows[i]!]!;
  const members = memberCounts(labels, segmentIds);
  const categories = Object.fromEntries(Object.entries(categorical).map(([f, col]) => [f, col.categories]));

  for (const id of segmentIds) {
    const y = new Uint8Array(m);
    let positives = 0;
    for (let i = 0; i < m; i++) {
      y[i] = sampleLabels[i] === id ? 1 : 0;
      positives += y[i]!;
    }
    if (positives === 0 || positives === m) {
      out.set(id, evaluate(columns, categorical, labels, id, [], locale, members.get(id)!));
      continue;
    }
    const leaves = fitRuleTree(values, orders, y);
    // The leaf that best describes the segment: highest F1 on the sample (the first such in depth-first order).
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
      evaluate(columns, categorical, labels, id, mergeConditions(best?.conditions ?? [], features, indicators, categories), locale, members.get(id)!),
    );
  }
  return out;
}

/** col at the sample rows, a missing value filled with the sample's median of the observed ones. */
function sampleColumn(col: Float64Array, rows: Int32Array): Float64Array {
  const m = rows.length;
  const v = new Float64Array(m);
  const observed = new Float64Array(m);
  let count = 0;
  for (let i = 0; i < m; i++) {
    const x = col[rows[i]!]!;
    v[i] = x;
    if (Number.isFinite(x)) observed[count++] = x;
  }
  const sorted = observed.subarray(0, count).sort();
  const fill = count > 0 ? sorted[count >> 1]! : 0;
  for (let i = 0; i < m; i++) if (!Number.isFinite(v[i]!)) v[i] = fill;
  return v;
}

/**
 * The rows of v in increasing order of value, equal values by row (what a stable sort by
 * value gives), from a sorted copy and a binary search per row: a comparator sort of
 * 5,000 indices per feature cost more than growing the trees. v holds no NaN.
 */
export function orderByValue(v: Float64Array): Int32Array {
  const m = v.length;
  const sorted = v.slice().sort();
  const taken = new Int32Array(m);
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const x = v[i]!;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    order[lo + taken[lo]!++] = i;
  }
  return order;
}

/** Customers per segment id, from one pass over the labels. */
function memberCounts(labels: Int32Array, segmentIds: number[]): Map<number, number> {
  const counts = new Map(segmentIds.map((id) => [id, 0]));
  let lo = 0;
  let hi = -1;
  for (const id of segmentIds) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  if (hi - lo < 1 << 16) {
    const table = new Int32Array(hi - lo + 1);
    for (let i = 0; i < labels.length; i++) {
      const at = labels[i]! - lo;
      if (at >= 0 && at < table.length) table[at]!++;
    }
    for (const id of segmentIds) counts.set(id, table[id - lo]!);
  } else {
    for (let i = 0; i < labels.length; i++) if (counts.has(labels[i]!)) counts.set(labels[i]!, counts.get(labels[i]!)! + 1);
  }
  return counts;
}

/** Node ids of a tree of depth MAX_DEPTH: the children of node j are 2j + 1 (<) and 2j + 2 (>=). */
const TREE_NODES = 2 ** (MAX_DEPTH + 1) - 1;

/**
 * CART on the sample: values[f] and orders[f] per feature (no NaN), y the 0/1 class of
 * each row. Balanced class weights; a node is split while depth < MAX_DEPTH and it holds
 * both classes, at the feature and boundary of the largest Gini gain (the first feature
 * on ties). Grown level by level: one pass over each feature's order finds the best
 * split of every node of the level at once (a pass per node and feature was most of the
 * rules' time). Returns the leaves in depth-first order, the "<" side first.
 */
export function fitRuleTree(values: Float64Array[], orders: Int32Array[], y: Uint8Array): Leaf[] {
  const m = y.length;
  let positives = 0;
  for (let i = 0; i < m; i++) positives += y[i]!;
  const wPos = m / (2 * positives);
  const wNeg = m / (2 * (m - positives));
  const node = new Int32Array(m); // node id of each sample row; 0 = root
  const pos = new Int32Array(TREE_NODES);
  const size = new Int32Array(TREE_NODES);
  const splits: (Split | undefined)[] = new Array(TREE_NODES).fill(undefined);
  const exists = new Uint8Array(TREE_NODES);
  exists[0] = 1;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const first = 2 ** depth - 1;
    const last = 2 ** (depth + 1) - 1;
    pos.fill(0, first, last);
    size.fill(0, first, last);
    for (let i = 0; i < m; i++) {
      const j = node[i]!;
      if (j < first) continue; // in a leaf of an earlier level
      size[j]!++;
      pos[j]! += y[i]!;
    }
    if (depth === MAX_DEPTH) break;
    const open = new Uint8Array(last - first);
    let any = false;
    for (let j = first; j < last; j++) {
      if (exists[j] && pos[j]! > 0 && pos[j]! < size[j]!) {
        open[j - first] = 1;
        any = true;
      }
    }
    if (!any) break;
    const level = bestSplitsOfLevel(values, orders, y, node, first, open, wPos, wNeg, pos, size);
    let split = false;
    for (let k = 0; k < open.length; k++) {
      const s = level[k];
      if (s === undefined) continue;
      splits[first + k] = s;
      exists[2 * (first + k) + 1] = 1;
      exists[2 * (first + k) + 2] = 1;
      split = true;
    }
    if (!split) break;
    for (let i = 0; i < m; i++) {
      const j = node[i]!;
      const s = splits[j];
      if (s !== undefined) node[i] = values[s.feature]![i]! < s.threshold ? 2 * j + 1 : 2 * j + 2;
    }
  }
  const leaves: Leaf[] = [];
  const walk = (j: number, conditions: Leaf['conditions']) => {
    const s = splits[j];
    if (s === undefined) {
      leaves.push({ conditions, pos: pos[j]!, size: size[j]! });
      return;
    }
    walk(2 * j + 1, [...conditions, { feature: s.feature, op: '<', threshold: s.threshold }]);
    walk(2 * j + 2, [...conditions, { feature: s.feature, op: '>=', threshold: s.threshold }]);
  };
  walk(0, []);
  return leaves;
}

/** Weighted Gini impurity of a node with weights p and q of the two classes, times its weight. */
function gini(p: number, q: number): number {
  const t = p + q;
  return t > 0 ? t * (1 - (p / t) ** 2 - (q / t) ** 2) : 0;
}

/**
 * Best Gini split of each open node first + k (open[k] = 1) over every feature, or
 * undefined where none reduces impurity; each node sees its own rows in each feature's
 * order, as a search of that node alone would.
 */
function bestSplitsOfLevel(
  values: Float64Array[],
  orders: Int32Array[],
  y: Uint8Array,
  node: Int32Array,
  first: number,
  open: Uint8Array,
  wPos: number,
  wNeg: number,
  pos: Int32Array,
  size: Int32Array,
): (Split | undefined)[] {
  const w = open.length;
  const totalPos = new Float64Array(w);
  const totalNeg = new Float64Array(w);
  const parent = new Float64Array(w);
  for (let k = 0; k < w; k++) {
    totalPos[k] = pos[first + k]! * wPos;
    totalNeg[k] = (size[first + k]! - pos[first + k]!) * wNeg;
    parent[k] = gini(totalPos[k]!, totalNeg[k]!);
  }
  const best: (Split | undefined)[] = new Array(w).fill(undefined);
  const level: LevelScan = {
    first,
    open,
    wPos,
    wNeg,
    size,
    totalPos,
    totalNeg,
    parent,
    leftPos: new Float64Array(w),
    leftNeg: new Float64Array(w),
    leftCount: new Int32Array(w),
    prev: new Float64Array(w),
    lowest: new Float64Array(w),
    found: new Uint8Array(w),
    foundGain: new Float64Array(w),
    foundLo: new Float64Array(w),
    foundHi: new Float64Array(w),
  };
  const { prev, lowest, found, foundGain, foundLo, foundHi } = level;
  for (let f = 0; f < values.length; f++) {
    level.leftPos.fill(0);
    level.leftNeg.fill(0);
    level.leftCount.fill(0);
    prev.fill(Number.NaN);
    found.fill(0);
    scanFeature(values[f]!, orders[f]!, y, node, level);
    for (let k = 0; k < w; k++) {
      if (!found[k]) continue;
      const current = best[k];
      if (current !== undefined && foundGain[k]! <= current.gain) continue;
      // Three significant digits read well ("2,140"); the split moves a little, which the
      // reported coverage and precision then include. Kept only if both sides stay non-empty.
      const lo = foundLo[k]!;
      const hi = foundHi[k]!;
      const readable = Number(((lo + hi) / 2).toPrecision(THRESHOLD_DIGITS));
      const threshold = readable > lowest[k]! && readable <= prev[k]! ? readable : niceThreshold(lo, hi);
      best[k] = { feature: f, threshold, gain: foundGain[k]! };
    }
  }
  return best;
}

/** A level's nodes (node first + k for k with open[k]) and each one's running scan of a feature. */
interface LevelScan {
  first: number;
  open: Uint8Array;
  wPos: number;
  wNeg: number;
  size: Int32Array;
  totalPos: Float64Array;
  totalNeg: Float64Array;
  parent: Float64Array;
  leftPos: Float64Array;
  leftNeg: Float64Array;
  leftCount: Int32Array;
  prev: Float64Array;
  lowest: Float64Array;
  found: Uint8Array;
  foundGain: Float64Array;
  foundLo: Float64Array;
  foundHi: Float64Array;
}

/** One feature's pass of bestSplitsOfLevel: every open node's best boundary on it. */
function scanFeature(v: Float64Array, order: Int32Array, y: Uint8Array, node: Int32Array, level: LevelScan): void {
  // Locals, not property loads in the loop.
  const { first, open, wPos, wNeg, size, totalPos, totalNeg, parent, leftPos, leftNeg, leftCount, prev, lowest, found, foundGain, foundLo, foundHi } = level;
  const w = open.length;
  for (let o = 0; o < order.length; o++) {
    const i = order[o]!;
    const k = node[i]! - first;
    if (k < 0 || k >= w || open[k] === 0) continue;
    const x = v[i]!;
    const count = leftCount[k]!;
    if (count === 0) lowest[k] = x;
    // A boundary between two distinct values, with enough rows on each side.
    if (count >= MIN_LEAF && size[first + k]! - count >= MIN_LEAF && x > prev[k]!) {
      const lp = leftPos[k]!;
      const ln = leftNeg[k]!;
      const gain = parent[k]! - gini(lp, ln) - gini(totalPos[k]! - lp, totalNeg[k]! - ln);
      if (gain > 1e-12 && (found[k] === 0 || gain > foundGain[k]!)) {
        found[k] = 1;
        foundGain[k] = gain;
        foundLo[k] = prev[k]!;
        foundHi[k] = x;
      }
    }
    if (y[i] === 1) leftPos[k]! += wPos;
    else leftNeg[k]! += wNeg;
    leftCount[k] = count + 1;
    prev[k] = x;
  }
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

/**
 * [customers satisfying every condition, those of them in segment id], for a rule of one
 * to three numeric conditions: one pass over the rows with every condition tested
 * branch-free and nothing written (a rule at a million customers: ~13 ms narrowing row
 * lists, ~5 ms so, AMD EPYC). Each condition is lo <= v < hi: `>= t` is [t, Infinity) and `< t`
 * is [-MAX_VALUE, t), so NaN and the infinities satisfy neither, as in keepRows. Fewer
 * than three conditions repeat the first, which leaves the conjunction unchanged.
 */
function countNumericRule(columns: Record<string, Float64Array>, labels: Int32Array, id: number, conditions: NumericRuleCondition[]): [number, number] {
  const at = (k: number) => conditions[k < conditions.length ? k : 0]!;
  const col = (k: number) => columns[at(k).feature]!;
  const lo = (k: number) => (at(k).op === '>=' ? at(k).threshold : -Number.MAX_VALUE);
  const hi = (k: number) => (at(k).op === '>=' ? Number.POSITIVE_INFINITY : at(k).threshold);
  const a = col(0);
  const b = col(1);
  const c = col(2);
  const lo0 = lo(0);
  const lo1 = lo(1);
  const lo2 = lo(2);
  const hi0 = hi(0);
  const hi1 = hi(1);
  const hi2 = hi(2);
  const n = labels.length;
  let described = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const z = c[i]!;
    const pass = +(x >= lo0) & +(x < hi0) & +(y >= lo1) & +(y < hi1) & +(z >= lo2) & +(z < hi2);
    described += pass;
    both += pass & +(labels[i] === id);
  }
  return [described, both];
}

/**
 * The same counts for any rule: the rows that satisfy every condition, narrowed condition
 * by condition: the first pass looks at every row, later ones only at the rows still in
 * (at a million customers and five segments a closure per row and condition cost 80 ms).
 * Compaction is branch-free (store, then advance by the test): on unsorted values a branch
 * mispredicts half the time.
 */
function countNarrowing(
  columns: Record<string, Float64Array>,
  categorical: Record<string, RuleCategoricalColumn>,
  labels: Int32Array,
  id: number,
  conditions: RuleCondition[],
): [number, number] {
  const n = labels.length;
  const rows = new Int32Array(n);
  let count = 0;
  if (conditions.length === 0) {
    for (let i = 0; i < n; i++) rows[i] = i;
    count = n;
  }
  conditions.forEach((c, k) => {
    count = k === 0 ? keepRows(c, columns, categorical, null, n, rows) : keepRows(c, columns, categorical, rows, count, rows);
  });
  let both = 0;
  for (let i = 0; i < count; i++) both += +(labels[rows[i]!] === id);
  return [count, both];
}

function evaluate(
  columns: Record<string, Float64Array>,
  categorical: Record<string, RuleCategoricalColumn>,
  labels: Int32Array,
  id: number,
  conditions: RuleCondition[],
  locale: Locale,
  /** Customers in segment id. */
  members: number,
): SegmentRule {
  const numeric = conditions.length >= 1 && conditions.length <= 3 && conditions.every((c) => c.op === '>=' || c.op === '<');
  const [described, both] = numeric
    ? countNumericRule(columns, labels, id, conditions as NumericRuleCondition[])
    : countNarrowing(columns, categorical, labels, id, conditions);
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 15, useGrouping: true });
  const text = formatList(
    locale,
    conditions.map((c) => ('value' in c ? `${c.feature} ${c.op === '=' ? '=' : '\u2260'} ${c.value}` : `${c.feature} ${c.op} ${number.format(c.threshold)}`)),
  );
  return { text, conditions, coverage: members > 0 ? both / members : 0, precision: described > 0 ? both / described : 0 };
}
