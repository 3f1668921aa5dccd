/**
 * What a segmentation request may cost, checked on the raw request before any work: its
 * nesting depth, how many features and one-hot columns it asks for, k and DBSCAN's
 * min_samples, and an estimate of the clustering work (customers x columns x the segments
 * fitted over every k and algorithm tried) against a budget. A small body could otherwise
 * buy minutes of a worker: 1,500 customers with 1,500 categories, 80,000 feature names,
 * min_samples 10,000, n_clusters 10,000.
 *
 * The defaults are far above what a real tenant sends (100,000 customers x 50 features
 * with k chosen over 2..10 by every algorithm is within budget) and are set per service.
 * The walk is iterative, so a 20,000-deep array is measured, not recursed into.
 */

/** The bounds; each can be set per service (SegmentOptions.limits, the HTTP options). */
export interface RequestLimits {
  /** Deepest nesting of arrays and objects anywhere in the request (a record in `data` is 2 or 3). */
  maxDepth: number;
  /** Names in `features`, and distinct fields across the records. */
  maxFeatures: number;
  /** Columns the model may have after one-hot encoding. */
  maxColumns: number;
  /** Largest `max_categories`. */
  maxCategories: number;
  /** Largest `n_clusters`, and the top of `k_range`. */
  maxClusters: number;
  /** Largest DBSCAN `min_samples`. */
  maxMinSamples: number;
  /** Customers x columns x segments fitted (summed over every k and algorithm tried). */
  maxCost: number;
}

/** 100k customers x 50 features, k over 2..10 with 'auto' (three algorithms), fits with room to spare. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = Object.freeze({
  maxDepth: 32,
  maxFeatures: 1000,
  maxColumns: 500,
  maxCategories: 200,
  maxClusters: 500,
  maxMinSamples: 1000,
  maxCost: 2e9,
});

/** A bound the request passes: the parameter to name, the limit, and what the request asked. */
export interface LimitViolation {
  parameter: string;
  limit: number;
  value: number;
  /** English, for details.reason. */
  reason: string;
}

/**
 * Whether value nests more than maxDepth levels of objects and arrays. Recursive and
 * allocation-free up to RECURSION_DEPTH (a tuple and an Object.values array per record
 * made this 13 ms of a 100,000-customer request); an operator's deeper limit takes the
 * explicit stack, which no nesting can overflow.
 */
function depthPast(value: unknown, maxDepth: number): boolean {
  return maxDepth <= RECURSION_DEPTH ? nestedPast(value, maxDepth, 1) : stackDepthPast(value, maxDepth);
}

const RECURSION_DEPTH = 256;

function nestedPast(v: unknown, maxDepth: number, depth: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth > maxDepth) return true;
  if (ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      if (child !== null && typeof child === 'object' && nestedPast(child, maxDepth, depth + 1)) return true;
    }
    return false;
  }
  const record = v as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const child = record[key];
    if (child !== null && typeof child === 'object' && nestedPast(child, maxDepth, depth + 1)) return true;
  }
  return false;
}

function stackDepthPast(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return true;
    if (ArrayBuffer.isView(v)) continue;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * One pass over an array of records: their distinct keys into fields (up to cap + 1), and
 * whether a record nests more than maxDepth levels below the request (the array is level
 * 1, a record 2; maxDepth at most RECURSION_DEPTH). Records mostly repeat the previous
 * one's keys in the same order, and a key that is the previous record's at the same
 * place is already counted (a Set.add per key was 7 ms of a 100,000-customer request).
 */
function scanRecords(data: unknown[], maxDepth: number, cap: number, fields: Set<string>): { rows: number; deep: boolean } {
  if (maxDepth < 1) return { rows: data.length, deep: true };
  let previous: string[] = [];
  let current: string[] = [];
  let counting = true;
  for (let i = 0; i < data.length; i++) {
    const record = data[i];
    if (record === null || typeof record !== 'object') continue;
    if (Array.isArray(record) || ArrayBuffer.isView(record)) {
      if (maxDepth !== Number.POSITIVE_INFINITY && nestedPast(record, maxDepth, 2)) return { rows: data.length, deep: true };
      continue;
    }
    if (maxDepth < 2) return { rows: data.length, deep: true };
    const values = record as Record<string, unknown>;
    // No depth to check (fieldsOf): no walk, which an unbounded depth could not bound.
    const walk = maxDepth !== Number.POSITIVE_INFINITY;
    let j = 0;
    for (const key in values) {
      if (!Object.hasOwn(values, key)) continue;
      const child = values[key];
      if (walk && child !== null && typeof child === 'object' && nestedPast(child, maxDepth, 3)) return { rows: data.length, deep: true };
      if (counting && key !== previous[j]) {
        fields.add(key);
        if (fields.size > cap) {
          if (maxDepth === Number.POSITIVE_INFINITY) return { rows: data.length, deep: false };
          counting = false;
        }
      }
      current[j++] = key;
    }
    // Entries past j are an older record's keys: counted already, so they may stay.
    [previous, current] = [current, previous];
  }
  return { rows: data.length, deep: false };
}

/** Fields of the records (or columns), counted up to `cap` distinct names. */
function fieldsOf(data: unknown, cap: number): { rows: number; fields: Set<string> } {
  const fields = new Set<string>();
  if (Array.isArray(data)) {
    const { rows } = scanRecords(data, Number.POSITIVE_INFINITY, cap, fields);
    return { rows, fields };
  }
  if (data !== null && typeof data === 'object') {
    let rows = 0;
    for (const [key, column] of Object.entries(data)) {
      fields.add(key);
      if (fields.size > cap) break;
      const length = (column as { length?: unknown } | null)?.length;
      if (typeof length === 'number') rows = Math.max(rows, length);
    }
    return { rows, fields };
  }
  return { rows: 0, fields };
}

/**
 * Columns the named features make: one per numeric feature, and per text feature one per
 * distinct value up to max_categories (prep refuses more). Counting stops past `cap`.
 */
function modelColumns(data: unknown, features: unknown[], maxCategories: number, cap: number): number {
  let columns = 0;
  for (const f of features) {
    if (typeof f !== 'string') continue;
    const values: unknown[] = Array.isArray(data)
      ? data.map((record) => (record !== null && typeof record === 'object' ? (record as Record<string, unknown>)[f] : undefined))
      : Array.isArray((data as Record<string, unknown> | null)?.[f])
        ? ((data as Record<string, unknown[]>)[f] as unknown[])
        : [];
    const text = new Set<string>();
    for (const v of values) {
      if (typeof v !== 'string' || v.trim() === '' || Number.isFinite(Number(v))) continue;
      text.add(v);
      if (text.size > maxCategories) break;
    }
    columns += text.size === 0 ? 1 : Math.min(text.size, maxCategories);
    if (columns > cap) return columns;
  }
  return columns;
}

/** Segments fitted for a k setting: one fit, or one per k in the range. */
function segmentsFitted(request: Record<string, unknown>): number {
  const k = request.n_clusters;
  if (typeof k === 'number') return k;
  const range = Array.isArray(request.k_range) && request.k_range.length === 2 ? request.k_range : [2, 10];
  const lo = numberOr(range[0], 2);
  const hi = numberOr(range[1], 10);
  let sum = 0;
  for (let j = Math.max(1, Math.floor(lo)); j <= Math.min(hi, 10_000); j++) sum += j;
  // The final fit at the chosen k comes on top of the curve.
  return sum + hi;
}

/**
 * The first bound `request` passes, or undefined. Values of the wrong type are left to
 * request validation, which names them; this only measures.
 */
export function findLimitViolation(request: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): LimitViolation | undefined {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) return undefined;
  const r = request as Record<string, unknown>;
  // An array of records is scanned once for its depth and its fields together.
  const scanned = new Set<string>();
  const scan = Array.isArray(r.data) && limits.maxDepth <= RECURSION_DEPTH ? scanRecords(r.data, limits.maxDepth, limits.maxFeatures, scanned) : undefined;
  for (const [field, value] of Object.entries(r)) {
    // A record is an object in an array in the request: depth 3 from the request's root.
    const deep = field === 'data' && scan !== undefined ? scan.deep : value !== null && typeof value === 'object' && depthPast(value, limits.maxDepth);
    if (deep) {
      return { parameter: field, limit: limits.maxDepth, value: limits.maxDepth + 1, reason: `nested more than ${limits.maxDepth} levels deep` };
    }
  }
  if (Array.isArray(r.features) && r.features.length > limits.maxFeatures) {
    return { parameter: 'features', limit: limits.maxFeatures, value: r.features.length, reason: `names ${r.features.length} features` };
  }
  const maxCategories = numberOr(r.max_categories, 20);
  if (maxCategories > limits.maxCategories) {
    return { parameter: 'max_categories', limit: limits.maxCategories, value: maxCategories, reason: `is ${maxCategories}` };
  }
  const k = r.n_clusters;
  if (typeof k === 'number' && k > limits.maxClusters) {
    return { parameter: 'n_clusters', limit: limits.maxClusters, value: k, reason: `is ${k}` };
  }
  if (Array.isArray(r.k_range) && typeof r.k_range[1] === 'number' && r.k_range[1] > limits.maxClusters) {
    return { parameter: 'k_range', limit: limits.maxClusters, value: r.k_range[1], reason: `goes up to ${r.k_range[1]}` };
  }
  const minSamples = numberOr(r.min_samples, 5);
  if (minSamples > limits.maxMinSamples) {
    return { parameter: 'min_samples', limit: limits.maxMinSamples, value: minSamples, reason: `is ${minSamples}` };
  }

  const { rows, fields } = scan !== undefined ? { rows: scan.rows, fields: scanned } : fieldsOf(r.data, limits.maxFeatures);
  if (fields.size > limits.maxFeatures) {
    return { parameter: 'data', limit: limits.maxFeatures, value: fields.size, reason: `the customers have more than ${limits.maxFeatures} distinct fields` };
  }
  const columns = Array.isArray(r.features) ? modelColumns(r.data, r.features as unknown[], maxCategories, limits.maxColumns) : fields.size;
  if (columns > limits.maxColumns) {
    return {
      parameter: 'features',
      limit: limits.maxColumns,
      value: columns,
      reason: `the features make more than ${limits.maxColumns} model columns after one-hot encoding`,
    };
  }
  const algorithms = r.algorithm === 'auto' ? 3 : 1;
  const cost = rows * columns * segmentsFitted(r) * algorithms;
  if (cost > limits.maxCost) {
    return { parameter: 'data', limit: limits.maxCost, value: cost, reason: `customers x columns x segments fitted is ${cost.toExponential(2)}` };
  }
  return undefined;
}
