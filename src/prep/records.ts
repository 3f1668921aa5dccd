/**
 * Customer records -> a numeric matrix, as the reference service's preprocessing does:
 * feature selection, numeric parsing (numeric strings count as numbers), one-hot
 * encoding of named string features, missing values, an optional log transform of
 * skewed non-negative features, scaling, and dropping constant features.
 *
 * Everything is recorded in a `FeatureTransform` per model column so new customers can
 * be put through exactly the same steps (assignSegments), and in `preprocessing` so the
 * response can say what was done. Original-unit columns (with NaN for missing values)
 * are kept for the profiles: characteristics are reported in the customer's own units.
 */
import { SegmentationError } from '../errors';
import { median as medianOf } from '../stats';
import type { Matrix } from '../matrix';

export type Scaling = 'zscore' | 'robust' | 'minmax' | 'none';
export type MissingPolicy = 'median' | 'mean' | 'error';
export type CustomerId = string | number;

export interface PrepOptions {
  idField: string;
  /** Input fields to use; undefined = every numeric field but the id. */
  features?: string[];
  scaling: Scaling;
  logTransform: 'auto' | boolean;
  missing: MissingPolicy;
  /** Most distinct values a string feature may have before one-hot encoding refuses it. */
  maxCategories: number;
}

export interface FeatureTransform {
  /** Model column name: the feature, or `feature=value` for a one-hot column. */
  name: string;
  source: string;
  kind: 'numeric' | 'onehot';
  category?: string;
  log: boolean;
  /** Value used for a missing input (in input units, before log and scaling). */
  impute: number;
  center: number;
  scale: number;
}

export interface Preprocessing {
  scaling: Scaling;
  missing: MissingPolicy;
  logTransformed: string[];
  constantDropped: string[];
  imputed: Record<string, number>;
  oneHot: Record<string, string[]>;
  ignoredFields: string[];
}

export interface PrepWarning {
  key: 'imputed' | 'constant_dropped' | 'log_transformed' | 'ignored_fields';
  params: Record<string, string | number>;
}

export interface PreparedData {
  ids: CustomerId[];
  /** Input features asked for (or found), in order. */
  features: string[];
  /** Every field of the data but the id, features or not, in order of first appearance. */
  fields: string[];
  /** Columns the profiles describe: every numeric feature (constant ones too) and each one-hot column (`feature=value`, 0/1). */
  profileFeatures: string[];
  /** profileFeatures in original units, NaN where missing (profiles use these). */
  columns: Record<string, Float64Array>;
  matrix: Matrix;
  transforms: FeatureTransform[];
  preprocessing: Preprocessing;
  warnings: PrepWarning[];
}

const MISSING_STRINGS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?']);

/** A number, NaN for a missing value, or undefined for a value that is not numeric. */
function parseNumeric(v: unknown): number | undefined {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? NaN : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (MISSING_STRINGS.has(s.toLowerCase())) return NaN;
    // Plain decimal numbers only: "1e3" and "12.5" yes, "0x1F", "12 apples" no.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    const x = Number(s);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

function invalid(parameter: string, message: string, params: Record<string, string | number> = {}): SegmentationError {
  return new SegmentationError({ status: 400, code: 'INVALID_PARAMETER', message, details: { parameter, location: 'body' }, params: { parameter, ...params } });
}

function unprocessable(
  code: 'UNKNOWN_FEATURE' | 'DUPLICATE_ID' | 'MISSING_ID' | 'NO_NUMERIC_FEATURES' | 'TOO_MANY_CATEGORIES' | 'MISSING_VALUES' | 'INSUFFICIENT_DATA',
  parameter: string,
  message: string,
  params: Record<string, string | number> = {},
): SegmentationError {
  return new SegmentationError({ status: 422, code, message, details: { parameter, location: 'body' }, params: { parameter, ...params } });
}

function sortedMedian(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Linear-interpolated quantile of sorted values (numpy's default), as RobustScaler uses. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median of the non-NaN values (quickselect: a full sort of 100k values per column cost more than the rest of prep). */
function observedMedian(col: Float64Array, count: number): number {
  const a = new Float64Array(count);
  let p = 0;
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i])) a[p++] = col[i];
  return medianOf(a, count);
}

interface ObservedStats {
  count: number;
  mean: number;
  min: number;
  binary: boolean;
  /** Adjusted Fisher-Pearson skewness (0 for fewer than 3 values or no spread). */
  skewness: number;
}

/** Statistics of the observed (non-NaN) values in two passes, without sorting. */
function observedStats(col: Float64Array): ObservedStats {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let binary = true;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v !== 0 && v !== 1) binary = false;
  }
  const mean = count > 0 ? sum / count : NaN;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (Number.isNaN(v)) continue;
    const dlt = v - mean;
    m2 += dlt * dlt;
    m3 += dlt * dlt * dlt;
  }
  let skewness = 0;
  if (count >= 3 && m2 > 0) {
    m2 /= count;
    m3 /= count;
    skewness = (Math.sqrt(count * (count - 1)) / (count - 2)) * (m3 / m2 ** 1.5);
  }
  return { count, mean, min, binary, skewness };
}

/** Skewness above which 'auto' log-transforms a non-negative feature. */
export const SKEW_THRESHOLD = 1;

/** Column-oriented input: one array (or typed array) per field, all the same length. */
export type ColumnarData = Record<string, ArrayLike<unknown>>;

/** Row or column input behind one interface, so the steps below do not care which. */
interface Table {
  n: number;
  /** Fields other than the id, in first-seen order. */
  fields: string[];
  value(field: string, i: number): unknown;
  /** The field as numbers when it already is a Float64Array (columnar input): no parsing, no copy. */
  float64(field: string): Float64Array | undefined;
  /** Where value i of a field lives, for error details. */
  where(i: number, field?: string): string;
}

function rowTable(data: unknown[], idField: string): Table {
  const fields: string[] = [];
  const fieldSet = new Set<string>();
  for (let i = 0; i < data.length; i++) {
    const rec = data[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw invalid(`data[${i}]`, `data[${i}] must be an object (a customer record)`, { index: i });
    }
    for (const key of Object.keys(rec)) {
      if (key !== idField && !fieldSet.has(key)) {
        fieldSet.add(key);
        fields.push(key);
      }
    }
  }
  return {
    n: data.length,
    fields,
    value: (field, i) => (data[i] as Record<string, unknown>)[field],
    float64: () => undefined,
    where: (i, field) => (field === undefined ? `data[${i}]` : `data[${i}].${field}`),
  };
}

function columnTable(data: ColumnarData, idField: string): Table {
  const names = Object.keys(data);
  if (names.length === 0) throw invalid('data', 'has no columns');
  let n = -1;
  for (const name of names) {
    const col = data[name];
    // Real arrays and typed arrays only: an object with a made-up `length` would turn a
    // tiny request body into millions of customers.
    if (!Array.isArray(col) && !(ArrayBuffer.isView(col) && !(col instanceof DataView))) {
      throw invalid(`data.${name}`, `data.${name} must be an array (column-oriented data: one array per field)`, { feature: name });
    }
    if (n < 0) n = col.length;
    else if (col.length !== n) {
      throw invalid(`data.${name}`, `data.${name} has ${col.length} values but data.${names[0]} has ${n}`, { feature: name });
    }
  }
  return {
    n,
    fields: names.filter((f) => f !== idField),
    value: (field, i) => data[field]?.[i],
    float64: (field) => (data[field] instanceof Float64Array ? (data[field] as Float64Array) : undefined),
    where: (i, field) => (field === undefined ? `data[${i}]` : `data.${field}[${i}]`),
  };
}

/**
 * Records (an array of customer objects) or columns (`{ customer_id: [...], spend:
 * Float64Array, ... }`, one array per field) -> the model matrix. Columnar Float64Array
 * input is used as it is, which keeps a million customers well inside memory.
 */
export function prepareRecords(data: unknown[] | ColumnarData, opts: PrepOptions): PreparedData {
  const { idField } = opts;
  const table = Array.isArray(data) ? rowTable(data, idField) : columnTable(data, idField);
  const { n } = table;

  // Ids: present, string or finite number, unique. Columnar data without an id column
  // numbers its customers 0..n-1.
  const ids: CustomerId[] = new Array(n);
  const implicitIds = !Array.isArray(data) && !(idField in data);
  // One map per id type: "1" and 1 are different ids, and no key strings are built.
  const seenStrings = new Map<string, number>();
  const seenNumbers = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (implicitIds) {
      ids[i] = i;
      continue;
    }
    const id = table.value(idField, i);
    if (id === undefined || id === null || id === '') {
      throw unprocessable('MISSING_ID', table.where(i, idField), `Customer ${table.where(i)} has no '${idField}'`, { index: i, field: idField });
    }
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw invalid(table.where(i, idField), `${table.where(i, idField)} must be a string or a number`, { index: i, field: idField });
    }
    const seen = typeof id === 'string' ? seenStrings : seenNumbers;
    const first = (seen as Map<CustomerId, number>).get(id);
    if (first !== undefined) {
      throw unprocessable('DUPLICATE_ID', idField, `Customer id ${JSON.stringify(id)} appears more than once (${table.where(first)} and ${table.where(i)})`, {
        id: String(id),
        first,
        index: i,
      });
    }
    (seen as Map<CustomerId, number>).set(id, i);
    ids[i] = id;
  }

  const fieldSet = new Set(table.fields);
  const numericCache = new Map<string, Float64Array | null>();
  const numericColumn = (field: string): Float64Array | null => {
    if (numericCache.has(field)) return numericCache.get(field)!;
    let col = table.float64(field);
    let observed = 0;
    if (col) {
      // NaN marks a missing value; +-Infinity is not a number a customer can have.
      for (let i = 0; i < n; i++) {
        const v = col[i];
        if (!Number.isNaN(v)) {
          if (v - v !== 0) throw invalid(table.where(i, field), `${table.where(i, field)} is ${v}; values must be finite`, { feature: field, index: i });
          observed++;
        }
      }
    } else {
      col = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const raw = table.value(field, i);
        if (typeof raw === 'number' && (raw === Infinity || raw === -Infinity)) {
          throw invalid(table.where(i, field), `${table.where(i, field)} is ${raw}; values must be finite`, { feature: field, index: i });
        }
        const v = parseNumeric(raw);
        if (v === undefined) {
          numericCache.set(field, null);
          return null;
        }
        col[i] = v;
        if (!Number.isNaN(v)) observed++;
      }
    }
    // A field with no value at all is not numeric; allMissing lets a named one be dropped
    // as constant rather than one-hot encoded into nothing.
    if (observed === 0) allMissing.add(field);
    const out = observed > 0 ? col : null;
    numericCache.set(field, out);
    return out;
  };
  const allMissing = new Set<string>();

  let requested: string[];
  const ignoredFields: string[] = [];
  if (opts.features !== undefined) {
    requested = opts.features;
    for (const f of requested) {
      if (f === idField) throw invalid('features', `features must not include the id field '${idField}'`, { feature: f });
      if (!fieldSet.has(f)) {
        throw unprocessable('UNKNOWN_FEATURE', 'features', `Feature '${f}' is not a field of any customer`, { feature: f });
      }
    }
  } else {
    requested = [];
    for (const f of table.fields) (numericColumn(f) ? requested : ignoredFields).push(f);
  }

  const columns: Record<string, Float64Array> = {};
  const transforms: FeatureTransform[] = [];
  const oneHot: Record<string, string[]> = {};
  const imputed: Record<string, number> = {};
  const logTransformed: string[] = [];
  const constantDropped: string[] = [];
  const warnings: PrepWarning[] = [];
  const modelColumns: Float64Array[] = [];
  const missingOnly: string[] = [];

  for (const f of requested) {
    const col = numericColumn(f);
    if (col) {
      columns[f] = col;
      const stats = observedStats(col);
      const missingCount = n - stats.count;
      if (missingCount > 0 && opts.missing === 'error') {
        const row = col.findIndex((v) => Number.isNaN(v));
        throw unprocessable('MISSING_VALUES', table.where(row, f), `Customer ${table.where(row)} has no value for '${f}' and missing is 'error'`, {
          feature: f,
          index: row,
        });
      }
      let impute = 0;
      if (missingCount > 0) {
        impute = opts.missing === 'mean' ? stats.mean : observedMedian(col, stats.count);
        imputed[f] = missingCount;
        warnings.push({ key: 'imputed', params: { count: missingCount, feature: f, method: opts.missing } });
      }
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = col[i];
        values[i] = Number.isNaN(v) ? impute : v;
      }
      const { binary } = stats;
      const nonNegative = stats.count > 0 && stats.min >= 0;
      let log = false;
      if (opts.logTransform === true) log = nonNegative && !binary;
      else if (opts.logTransform === 'auto') log = nonNegative && !binary && stats.skewness > SKEW_THRESHOLD;
      if (log) {
        for (let i = 0; i < n; i++) values[i] = Math.log1p(values[i]);
        logTransformed.push(f);
      }
      transforms.push({ name: f, source: f, kind: 'numeric', log, impute, center: 0, scale: 1 });
      modelColumns.push(values);
    } else if (allMissing.has(f)) {
      // Asked for but never given: out of the model, but still reported (avg_<feature>: null).
      constantDropped.push(f);
      columns[f] = new Float64Array(n).fill(NaN);
      missingOnly.push(f);
    } else {
      // A string feature, named explicitly: one-hot encode its values.
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const v = table.value(f, i);
        if (v === null || v === undefined || v === '') continue;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw invalid(table.where(i, f), `${table.where(i, f)} must be a number or a string`, { feature: f, index: i });
        }
        counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      const categories = [...counts.keys()].sort();
      if (categories.length > opts.maxCategories) {
        throw unprocessable(
          'TOO_MANY_CATEGORIES',
          'features',
          `Feature '${f}' has ${categories.length} distinct values; at most ${opts.maxCategories} can be one-hot encoded`,
          {
            feature: f,
            count: categories.length,
            max: opts.maxCategories,
          },
        );
      }
      oneHot[f] = categories;
      for (const cat of categories) {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = String(table.value(f, i)) === cat ? 1 : 0;
        transforms.push({ name: `${f}=${cat}`, source: f, kind: 'onehot', category: cat, log: false, impute: 0, center: 0, scale: 1 });
        modelColumns.push(values);
        columns[`${f}=${cat}`] = values;
      }
    }
  }
  if (ignoredFields.length > 0) warnings.push({ key: 'ignored_fields', params: { features: ignoredFields.join(', ') } });
  if (logTransformed.length > 0) warnings.push({ key: 'log_transformed', params: { features: logTransformed.join(', ') } });

  // Scaling, and constant columns out (they carry no information and break z-scores).
  const kept: number[] = [];
  modelColumns.forEach((values, c) => {
    const t = transforms[c];
    let min = Infinity;
    let max = -Infinity;
    let mean = 0;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
      mean += v;
    }
    mean /= n;
    if (max === min) {
      constantDropped.push(t.name);
      return;
    }
    if (opts.scaling === 'zscore') {
      let ss = 0;
      for (const v of values) ss += (v - mean) ** 2;
      t.center = mean;
      t.scale = Math.sqrt(ss / n);
    } else if (opts.scaling === 'robust') {
      const sorted = Float64Array.from(values).sort();
      const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
      t.center = sortedMedian(sorted);
      // scikit-learn's RobustScaler leaves a zero-IQR column unscaled.
      t.scale = iqr > 0 ? iqr : 1;
    } else if (opts.scaling === 'minmax') {
      t.center = min;
      t.scale = max - min;
    }
    // A spread too small (or values too large) for doubles would scale to 0 or Infinity:
    // for the model such a column is as good as constant.
    if (!(t.scale > 0) || !Number.isFinite(t.scale) || !Number.isFinite(t.center)) {
      constantDropped.push(t.name);
      return;
    }
    kept.push(c);
  });
  for (const name of constantDropped) warnings.push({ key: 'constant_dropped', params: { feature: name } });
  if (kept.length === 0) {
    throw unprocessable('NO_NUMERIC_FEATURES', 'features', 'No usable numeric feature: every candidate feature is missing, non-numeric or constant', {});
  }

  const d = kept.length;
  const matrix = new Float64Array(n * d);
  kept.forEach((c, j) => {
    const { center, scale } = transforms[c];
    const values = modelColumns[c];
    for (let i = 0; i < n; i++) matrix[i * d + j] = (values[i] - center) / scale;
  });
  const keptTransforms = kept.map((c) => transforms[c]);
  return {
    ids,
    features: requested,
    fields: table.fields,
    profileFeatures: [...transforms.map((t) => t.name), ...missingOnly],
    columns,
    matrix: { data: matrix, rows: n, cols: d },
    transforms: keptTransforms,
    preprocessing: { scaling: opts.scaling, missing: opts.missing, logTransformed, constantDropped, imputed, oneHot, ignoredFields },
    warnings,
  };
}

/** Puts new records through a fitted preprocessing (assignSegments). Missing values take the fitted imputation. */
export function transformRecords(data: unknown[], transforms: FeatureTransform[]): Matrix {
  const n = data.length;
  const d = transforms.length;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const rec = data[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw invalid(`customers[${i}]`, `customers[${i}] must be an object (a customer record)`, { index: i });
    }
    transforms.forEach((t, j) => {
      const raw = (rec as Record<string, unknown>)[t.source];
      let v: number;
      if (t.kind === 'onehot') {
        v = raw !== null && raw !== undefined && String(raw) === t.category ? 1 : 0;
      } else {
        const parsed = parseNumeric(raw);
        if (parsed === undefined) throw invalid(`customers[${i}].${t.source}`, `customers[${i}].${t.source} is not a number`, { feature: t.source, index: i });
        v = Number.isNaN(parsed) ? t.impute : parsed;
        if (t.log) {
          if (v < 0)
            throw invalid(`customers[${i}].${t.source}`, `customers[${i}].${t.source} is negative but the model log-transforms it`, {
              feature: t.source,
              index: i,
            });
          v = Math.log1p(v);
        }
      }
      out[i * d + j] = (v - t.center) / t.scale;
    });
  }
  return { data: out, rows: n, cols: d };
}
