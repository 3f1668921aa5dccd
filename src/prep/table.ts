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
  if (implicitIds) {
    for (let i = 0; i < n; i++) ids[i] = i;
    return ids;
  }
  // Duplicates are found with an open-addressed table of row numbers over our own hash:
  // a Map of a million string keys costs ~330 ms here, this ~100 ms. Slots compare with
  // ===, so "1" and 1 stay different ids, as they were with one Map per type.
  let cap = 16;
  while (cap < 2 * n) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap);
  for (let i = 0; i < n; i++) {
    const id = table.value(idField, i);
    if (id === undefined || id === null || id === '') {
      throw prepError('MISSING_ID', table.where(i, idField), `Customer ${table.where(i)} has no '${idField}'`, { index: i, field: idField });
    }
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw prepError('INVALID_PARAMETER', table.where(i, idField), `${table.where(i, idField)} must be a string or a number`, { index: i, field: idField });
    }
    let slot = idHash(id) & mask;
    for (;;) {
      const held = slots[slot]!;
      if (held === 0) {
        slots[slot] = i + 1;
        break;
      }
      if (ids[held - 1] === id) {
        const first = held - 1;
        throw prepError('DUPLICATE_ID', idField, `Customer id ${JSON.stringify(id)} appears more than once (${table.where(first)} and ${table.where(i)})`, {
          id: String(id),
          first,
          index: i,
        });
      }
      slot = (slot + 1) & mask;
    }
    ids[i] = id;
  }
  return ids;
}

const hashF64 = new Float64Array(1);
const hashU32 = new Uint32Array(hashF64.buffer);

/** FNV-1a over UTF-16 units for strings, the bits of the double for numbers, then mixed. */
function idHash(id: string | number): number {
  let h: number;
  if (typeof id === 'string') {
    h = 0x811c9dc5;
    for (let c = 0; c < id.length; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
  } else {
    // -0 === 0, so they must land in the same slot.
    hashF64[0] = id === 0 ? 0 : id;
    h = Math.imul(hashU32[0]! ^ Math.imul(hashU32[1]!, 0x9e3779b1), 0x85ebca6b);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}
