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
import { DataError } from '../errors';
import type { Matrix } from '../matrix';
import { fitScaling, scaledMatrix } from './scale';
import { columnTable, prepError, readIds, rowTable, type ColumnarData, type CustomerId } from './table';
import { observedMedian, observedStatsOf, parseNumeric, SKEW_THRESHOLD } from './values';

/** Customer ids and column-oriented input. */
export type { CustomerId } from './table';
/** Columns as data: one array (or typed array) per field. */
export type { ColumnarData } from './table';
/** Skewness above which 'auto' log-transforms a feature. */
export { SKEW_THRESHOLD } from './values';

/** How model columns are scaled. */
export type Scaling = 'zscore' | 'robust' | 'minmax' | 'none';
/** What a missing value becomes. */
export type MissingPolicy = 'median' | 'mean' | 'error';
/**
 * How named text features enter the model: 'onehot' (0/1 columns, scaled like the rest),
 * 'auto' (integer-coded categorical columns when the features mix numbers and text, else
 * one-hot) or 'kprototypes' (integer-coded, and an error when there is nothing to mix).
 */
export type CategoricalMode = 'auto' | 'onehot' | 'kprototypes';

/**
 * Code of a missing value in a categorical model column: missing is a category of its own
 * ("no channel recorded" is something customers can share), not imputed by the mode, which
 * would invent a value for them. The prep warns with the count (warning.categorical_missing).
 */
export const MISSING_CATEGORY_CODE = -1;
/** Code transformRecords gives a category never seen at fit: it matches no segment's mode. */
export const UNSEEN_CATEGORY_CODE = -2;

/** A text feature's values as codes into its sorted categories (-1 = missing). */
export interface CategoricalColumn {
  categories: string[];
  codes: Int32Array;
}

/** Options of prepareRecords(). */
export interface PrepOptions {
  idField: string;
  /** Input fields to use; undefined = every numeric field but the id. */
  features?: string[];
  scaling: Scaling;
  logTransform: 'auto' | boolean;
  missing: MissingPolicy;
  /** Most distinct values a string feature may have before one-hot encoding (or coding) refuses it. */
  maxCategories: number;
  /** How named text features enter the model (default 'onehot', the behaviour before mixed data). */
  categorical?: CategoricalMode;
}

/** How one model column is made from the input, replayable on new customers. */
export interface FeatureTransform {
  /** Model column name: the feature, or `feature=value` for a one-hot column. */
  name: string;
  source: string;
  /** 'categorical': the column holds the index of the value in `categories` (MISSING_CATEGORY_CODE when missing). */
  kind: 'numeric' | 'onehot' | 'categorical';
  category?: string;
  /** kind 'categorical': the fitted categories in code order. */
  categories?: string[];
  log: boolean;
  /** Value used for a missing input (in input units, before log and scaling). */
  impute: number;
  center: number;
  scale: number;
}

/** What preprocessing did, as the response reports it. */
export interface Preprocessing {
  scaling: Scaling;
  missing: MissingPolicy;
  logTransformed: string[];
  constantDropped: string[];
  imputed: Record<string, number>;
  oneHot: Record<string, string[]>;
  ignoredFields: string[];
  /** Text features coded as categories (the mixed path): their categories in code order. Empty on the one-hot path. */
  categorical: Record<string, string[]>;
  /** Missing values per categorical feature, kept as a category of their own. */
  categoricalMissing: Record<string, number>;
}

/** Something prep did that the caller should know, as a key and values. */
export interface PrepWarning {
  key: 'imputed' | 'constant_dropped' | 'log_transformed' | 'ignored_fields' | 'categorical_missing';
  params: Record<string, string | number>;
}

/** prepareRecords()' result: the matrix and everything needed to explain and replay it. */
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
  /** Every named text feature's values as codes (both paths), for the categorical profiles. */
  categorical: Record<string, CategoricalColumn>;
  /**
   * Matrix columns holding category codes (the mixed path; empty otherwise). They come
   * after the numeric columns, are not scaled, and hold MISSING_CATEGORY_CODE for missing.
   */
  categoricalColumns: number[];
  /** The text features behind categoricalColumns, in the same order. */
  categoricalFeatures: string[];
}

/*
 * The per-value loops of prepareRecords live in small functions of their own: inside that
 * long one-shot function V8 ran them unoptimised until on-stack replacement caught up
 * (about 50 ms per million values); here the second column already gets optimised code.
 */

/** A copy of col with NaN (missing) replaced by `impute`. */
function withImputed(col: Float64Array, impute: number): Float64Array {
  const n = col.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    values[i] = Number.isNaN(v) ? impute : v;
  }
  return values;
}

/** withImputed and then log1p in the same pass (one read and one write of the column, not two). */
function withImputedLog1p(col: Float64Array, impute: number): Float64Array {
  const n = col.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    values[i] = Math.log1p(Number.isNaN(v) ? impute : v);
  }
  return values;
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

  const ids = readIds(table, idField, !Array.isArray(data) && !(idField in data));

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
          if (v - v !== 0)
            throw prepError('INVALID_PARAMETER', table.where(i, field), `${table.where(i, field)} is ${v}; values must be finite`, {
              feature: field,
              index: i,
            });
          observed++;
        }
      }
    } else {
      col = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const raw = table.value(field, i);
        if (typeof raw === 'number' && (raw === Infinity || raw === -Infinity)) {
          throw prepError('INVALID_PARAMETER', table.where(i, field), `${table.where(i, field)} is ${raw}; values must be finite`, {
            feature: field,
            index: i,
          });
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
      if (f === idField) throw prepError('INVALID_PARAMETER', 'features', `features must not include the id field '${idField}'`, { feature: f });
      if (!fieldSet.has(f)) {
        throw prepError('UNKNOWN_FEATURE', 'features', `Feature '${f}' is not a field of any customer`, { feature: f });
      }
    }
  } else {
    requested = [];
    for (const f of table.fields) (numericColumn(f) ? requested : ignoredFields).push(f);
  }

  // Mixed data: text features become categorical columns when they sit next to at least
  // one numeric feature that varies (else there is nothing to mix and one-hot stays).
  const mode: CategoricalMode = opts.categorical ?? 'onehot';
  let mixed = false;
  if (mode !== 'onehot') {
    const text = requested.filter((f) => numericColumn(f) === null && !allMissing.has(f));
    const varies = (col: Float64Array): boolean => {
      let first = Number.NaN;
      for (const v of col) {
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(first)) first = v;
        else if (v !== first) return true;
      }
      return false;
    };
    const numeric = requested.some((f) => {
      const col = numericColumn(f);
      return col !== null && varies(col);
    });
    mixed = text.length > 0 && numeric;
    if (mode === 'kprototypes' && !mixed) {
      const reason =
        text.length === 0
          ? "categorical 'kprototypes' needs a text feature named in features (e.g. channel); none of the features is text"
          : "categorical 'kprototypes' needs at least one numeric feature that varies besides the text features; use categorical 'onehot'";
      throw new DataError('REJECTED_PARAMETER', 'categorical', `categorical: ${reason}`, {
        params: { text_features: text.length, features: requested.length },
        reason,
        messageKey: text.length === 0 ? 'error.categorical_no_text' : 'error.categorical_no_numeric',
      });
    }
  }
  const categorical: Record<string, CategoricalColumn> = {};
  const categoricalNames: Record<string, string[]> = {};
  const categoricalMissing: Record<string, number> = {};
  const categoricalFeatures: string[] = [];
  const categoricalColumnsData: Int32Array[] = [];
  const categoricalTransforms: FeatureTransform[] = [];

  const columns: Record<string, Float64Array> = {};
  const transforms: FeatureTransform[] = [];
  const oneHot: Record<string, string[]> = {};
  const imputed: Record<string, number> = {};
  const logTransformed: string[] = [];
  const constantDropped: string[] = [];
  const warnings: PrepWarning[] = [];
  const modelColumns: Float64Array[] = [];
  const missingOnly: string[] = [];

  // Every numeric column's statistics at once: four columns per pass overlap their sums.
  const numericRequested = requested.filter((f) => numericColumn(f) !== null);
  const statsList = observedStatsOf(numericRequested.map((f) => numericColumn(f)!));
  const statsOf = new Map(numericRequested.map((f, j) => [f, statsList[j]!]));
  for (const f of requested) {
    const col = numericColumn(f);
    if (col) {
      columns[f] = col;
      const stats = statsOf.get(f)!;
      const missingCount = n - stats.count;
      if (missingCount > 0 && opts.missing === 'error') {
        const row = col.findIndex((v) => Number.isNaN(v));
        throw prepError('MISSING_VALUES', table.where(row, f), `Customer ${table.where(row)} has no value for '${f}' and missing is 'error'`, {
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
      const { binary } = stats;
      const nonNegative = stats.count > 0 && stats.min >= 0;
      let log = false;
      if (opts.logTransform === true) log = nonNegative && !binary;
      else if (opts.logTransform === 'auto') log = nonNegative && !binary && stats.skewness > SKEW_THRESHOLD;
      const values = log ? withImputedLog1p(col, impute) : withImputed(col, impute);
      if (log) logTransformed.push(f);
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
          throw prepError('INVALID_PARAMETER', table.where(i, f), `${table.where(i, f)} must be a number or a string`, { feature: f, index: i });
        }
        counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      const categories = [...counts.keys()].sort();
      if (categories.length > opts.maxCategories) {
        throw prepError(
          'TOO_MANY_CATEGORIES',
          'features',
          `Feature '${f}' has ${categories.length} distinct values; at most ${opts.maxCategories} can be ${mixed ? 'used as categories' : 'one-hot encoded'}`,
          {
            feature: f,
            count: categories.length,
            max: opts.maxCategories,
          },
        );
      }
      const index = new Map(categories.map((c, code) => [c, code]));
      const codes = new Int32Array(n);
      let missingCount = 0;
      for (let i = 0; i < n; i++) {
        const v = table.value(f, i);
        if (v === null || v === undefined || v === '') {
          codes[i] = MISSING_CATEGORY_CODE;
          missingCount++;
        } else codes[i] = index.get(String(v))!;
      }
      categorical[f] = { categories, codes };
      if (mixed) {
        // One category (and nothing missing) says nothing about anyone: out, as a constant column.
        if (categories.length + (missingCount > 0 ? 1 : 0) < 2) {
          constantDropped.push(f);
          continue;
        }
        if (missingCount > 0) {
          categoricalMissing[f] = missingCount;
          warnings.push({ key: 'categorical_missing', params: { count: missingCount, feature: f } });
        }
        categoricalNames[f] = categories;
        categoricalFeatures.push(f);
        categoricalColumnsData.push(codes);
        categoricalTransforms.push({ name: f, source: f, kind: 'categorical', categories, log: false, impute: 0, center: 0, scale: 1 });
        continue;
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
  const kept = fitScaling(modelColumns, transforms, opts.scaling, n, constantDropped);
  for (const name of constantDropped) warnings.push({ key: 'constant_dropped', params: { feature: name } });
  if (kept.length === 0) {
    throw prepError('NO_NUMERIC_FEATURES', 'features', 'No usable numeric feature: every candidate feature is missing, non-numeric or constant');
  }
  const numericMatrix = scaledMatrix(modelColumns, transforms, kept, n);
  const keptTransforms = kept.map((c) => transforms[c]);
  // Categorical codes go after the numeric columns, unscaled (they are labels, not amounts).
  const p = kept.length;
  const m = categoricalColumnsData.length;
  let matrix = numericMatrix;
  if (m > 0) {
    const d = p + m;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      data.set(numericMatrix.data.subarray(i * p, (i + 1) * p), i * d);
      for (let t = 0; t < m; t++) data[i * d + p + t] = categoricalColumnsData[t][i];
    }
    matrix = { data, rows: n, cols: d };
  }
  return {
    ids,
    features: requested,
    fields: table.fields,
    profileFeatures: [...transforms.map((t) => t.name), ...missingOnly],
    columns,
    matrix,
    transforms: [...keptTransforms, ...categoricalTransforms],
    preprocessing: {
      scaling: opts.scaling,
      missing: opts.missing,
      logTransformed,
      constantDropped,
      imputed,
      oneHot,
      ignoredFields,
      categorical: categoricalNames,
      categoricalMissing,
    },
    warnings,
    categorical,
    categoricalColumns: Array.from({ length: m }, (_, t) => p + t),
    categoricalFeatures,
  };
}

/** Puts new records through a fitted preprocessing (assignSegments). Missing values take the fitted imputation. */
export function transformRecords(data: unknown[], transforms: FeatureTransform[]): Matrix {
  const n = data.length;
  // The English explanation also goes to details.reason: assignSegments' callers have no other.
  const refuse = (parameter: string, message: string, params: Record<string, string | number>) =>
    prepError('INVALID_PARAMETER', parameter, message, params, message);
  const d = transforms.length;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const rec = data[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw refuse(`customers[${i}]`, `customers[${i}] must be an object (a customer record)`, { index: i });
    }
    transforms.forEach((t, j) => {
      const raw = (rec as Record<string, unknown>)[t.source];
      let v: number;
      if (t.kind === 'categorical') {
        // Codes are labels: no centring or scaling (center 0, scale 1 at fit).
        if (raw === null || raw === undefined || raw === '') v = MISSING_CATEGORY_CODE;
        else {
          const code = t.categories?.indexOf(String(raw)) ?? -1;
          v = code >= 0 ? code : UNSEEN_CATEGORY_CODE;
        }
      } else if (t.kind === 'onehot') {
        v = raw !== null && raw !== undefined && String(raw) === t.category ? 1 : 0;
      } else {
        const parsed = parseNumeric(raw);
        if (parsed === undefined) throw refuse(`customers[${i}].${t.source}`, `customers[${i}].${t.source} is not a number`, { feature: t.source, index: i });
        v = Number.isNaN(parsed) ? t.impute : parsed;
        if (t.log) {
          if (v < 0)
            throw refuse(`customers[${i}].${t.source}`, `customers[${i}].${t.source} is negative but the model log-transforms it`, {
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
