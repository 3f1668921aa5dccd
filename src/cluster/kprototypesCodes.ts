// Integer coding of k-prototypes' categorical features: fit codes each feature's
// categories in sorted order, predict reuses the fitted categories so codes line up.

import { InvalidParameterError } from '../errors';
import type { Matrix } from '../matrix';

/** A categorical value; null (or undefined) is missing. */
export type CategoryValue = string | number | boolean | null;

/** Integer codes of categorical rows and the categories of each feature. */
export interface Encoded {
  codes: Int32Array;
  categories: CategoryValue[][];
}

const TYPE_ORDER: Record<string, number> = { number: 0, string: 1, boolean: 2 };

function compareCategories(a: CategoryValue, b: CategoryValue): number {
  const ta = TYPE_ORDER[typeof a];
  const tb = TYPE_ORDER[typeof b];
  if (ta !== tb) return ta - tb;
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

export function checkCategory(param: string, v: unknown): CategoryValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new InvalidParameterError(param, `holds ${typeof v === 'number' ? v : typeof v}, not a string, finite number, boolean or null`);
}

/**
 * Validates n rows of m categorical values and codes them, each feature in sorted order.
 * One pass codes each value by first appearance (one Map per feature), then the few
 * distinct values are sorted and the codes renumbered, so no per-cell array is built.
 */
export function encodeCategorical(categorical: unknown, n: number): Encoded {
  if (!Array.isArray(categorical) || categorical.length !== n) {
    throw new InvalidParameterError('categorical', `must be an array of ${n} rows (one per row of X)`);
  }
  const first = categorical[0];
  if (!Array.isArray(first) || first.length === 0) throw new InvalidParameterError('categorical', 'rows must be non-empty arrays of categories');
  const m = first.length;
  const seen: Map<CategoryValue, number>[] = Array.from({ length: m }, () => new Map());
  const distinct: CategoryValue[][] = Array.from({ length: m }, () => []);
  const codes = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = categorical[i];
    if (!Array.isArray(row) || row.length !== m) throw new InvalidParameterError('categorical', `row ${i} must be an array of ${m} categories`);
    for (let t = 0; t < m; t++) {
      const raw = row[t];
      // Strings are the common case: skip checkCategory's type tests for them.
      const v = typeof raw === 'string' ? raw : checkCategory(`categorical[${i}][${t}]`, raw);
      if (v === null) {
        codes[i * m + t] = -1;
        continue;
      }
      let c = seen[t].get(v);
      if (c === undefined) {
        c = distinct[t].length;
        seen[t].set(v, c);
        distinct[t].push(v);
      }
      codes[i * m + t] = c;
    }
  }
  const categories = distinct.map((d) => [...d].sort(compareCategories));
  for (let t = 0; t < m; t++) {
    const sorted = new Map(categories[t].map((v, c) => [v, c]));
    const renumber = Int32Array.from(distinct[t], (v) => sorted.get(v)!);
    for (let x = t; x < n * m; x += m) if (codes[x] >= 0) codes[x] = renumber[codes[x]];
  }
  return { codes, categories };
}

/** Codes new categorical rows with a fitted model's categories; unseen ones get -1 (a mismatch with every mode). */
export function encodeWith(categorical: unknown, n: number, categories: CategoryValue[][]): Int32Array {
  const m = categories.length;
  if (!Array.isArray(categorical) || categorical.length !== n) throw new InvalidParameterError('categorical', `must be an array of ${n} rows`);
  const index = categories.map((cats) => new Map(cats.map((v, c) => [v, c])));
  const codes = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = categorical[i];
    if (!Array.isArray(row) || row.length !== m) throw new InvalidParameterError('categorical', `row ${i} must be an array of ${m} categories`);
    for (let t = 0; t < m; t++) {
      const v = checkCategory(`categorical[${i}][${t}]`, row[t]);
      codes[i * m + t] = v === null ? -1 : (index[t].get(v) ?? -1);
    }
  }
  return codes;
}

export function splitColumns(q: Matrix, categoricalColumns: number[]): { num: Float64Array; cat: number[][] } {
  const isCat = new Uint8Array(q.cols);
  for (const c of categoricalColumns) isCat[c] = 1;
  const p = q.cols - categoricalColumns.length;
  const num = new Float64Array(q.rows * p);
  const cat: number[][] = [];
  for (let i = 0; i < q.rows; i++) {
    let w = 0;
    for (let c = 0; c < q.cols; c++) if (!isCat[c]) num[i * p + w++] = q.data[i * q.cols + c];
    cat.push(categoricalColumns.map((c) => q.data[i * q.cols + c]));
  }
  return { num, cat };
}
