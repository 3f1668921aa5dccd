/**
 * Row or column input behind one interface (Table), so the preprocessing steps do not
 * care which they were given, and the customer ids read from it.
 */
import { DataError, type DataErrorCode } from '../errors';

/** A customer's id: a string or a finite number ("1" and 1 are different ids). */
export type CustomerId = string | number;

/** A prep failure: a code, the parameter (where in the data), an English message and the values. */
export function prepError(code: DataErrorCode, parameter: string, message: string, params: Record<string, string | number> = {}, reason?: string): DataError {
  return new DataError(code, parameter, message, { params, ...(reason !== undefined ? { reason } : {}) });
}

/** Column-oriented input: one array (or typed array) per field, all the same length. */
export type ColumnarData = Record<string, ArrayLike<unknown>>;

/** Row or column input behind one interface, so the steps below do not care which. */
export interface Table {
  n: number;
  /** Fields other than the id, in first-seen order. */
  fields: string[];
  value(field: string, i: number): unknown;
  /** The field as numbers when it already is a Float64Array (columnar input): no parsing, no copy. */
  float64(field: string): Float64Array | undefined;
  /** Where value i of a field lives, for error details. */
  where(i: number, field?: string): string;
}

/** A Table over customer records; every record must be an object. */
export function rowTable(data: unknown[], idField: string): Table {
  const fields: string[] = [];
  const fieldSet = new Set<string>();
  for (let i = 0; i < data.length; i++) {
    const rec = data[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw prepError('INVALID_PARAMETER', `data[${i}]`, `data[${i}] must be an object (a customer record)`, { index: i });
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

/** A Table over columns; every column must be a real or typed array of the same length. */
export function columnTable(data: ColumnarData, idField: string): Table {
  const names = Object.keys(data);
  if (names.length === 0) throw prepError('INVALID_PARAMETER', 'data', 'has no columns');
  let n = -1;
  for (const name of names) {
    const col = data[name];
    // Real arrays and typed arrays only: an object with a made-up `length` would turn a
    // tiny request body into millions of customers.
    if (!Array.isArray(col) && !(ArrayBuffer.isView(col) && !(col instanceof DataView))) {
      throw prepError('INVALID_PARAMETER', `data.${name}`, `data.${name} must be an array (column-oriented data: one array per field)`, { feature: name });
    }
    if (n < 0) n = col.length;
    else if (col.length !== n) {
      throw prepError('INVALID_PARAMETER', `data.${name}`, `data.${name} has ${col.length} values but data.${names[0]} has ${n}`, { feature: name });
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
 * The customers' ids: present, a string or a finite number, unique. Columnar data without
 * an id column numbers its customers 0..n-1.
 */
export function readIds(table: Table, idField: string, implicitIds: boolean): CustomerId[] {
  const { n } = table;
  const ids: CustomerId[] = new Array(n);
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
      throw prepError('MISSING_ID', table.where(i, idField), `Customer ${table.where(i)} has no '${idField}'`, { index: i, field: idField });
    }
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw prepError('INVALID_PARAMETER', table.where(i, idField), `${table.where(i, idField)} must be a string or a number`, { index: i, field: idField });
    }
    const seen = typeof id === 'string' ? seenStrings : seenNumbers;
    const first = (seen as Map<CustomerId, number>).get(id);
    if (first !== undefined) {
      throw prepError('DUPLICATE_ID', idField, `Customer id ${JSON.stringify(id)} appears more than once (${table.where(first)} and ${table.where(i)})`, {
        id: String(id),
        first,
        index: i,
      });
    }
    (seen as Map<CustomerId, number>).set(id, i);
    ids[i] = id;
  }
  return ids;
}
