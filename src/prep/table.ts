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
  // Every id is checked and hashed in row order, up to the first invalid one; duplicates
  // among those rows are then found by sorting the hashes (an open-addressed table of a
  // million ids was ~100 ms of cache misses, a Map of strings ~330 ms; three radix passes
  // over the hashes read and write in order). A duplicate whose second row comes before
  // the invalid row is reported first, as a pass in row order would.
  const hashes = new Uint32Array(n);
  let invalid: DataError | undefined;
  let valid = n;
  for (let i = 0; i < n; i++) {
    const id = table.value(idField, i);
    if (id === undefined || id === null || id === '') {
      invalid = prepError('MISSING_ID', table.where(i, idField), `Customer ${table.where(i)} has no '${idField}'`, { index: i, field: idField });
    } else if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      invalid = prepError('INVALID_PARAMETER', table.where(i, idField), `${table.where(i, idField)} must be a string or a number`, {
        index: i,
        field: idField,
      });
    }
    if (invalid) {
      valid = i;
      break;
    }
    ids[i] = id as CustomerId;
    hashes[i] = idHash(id as CustomerId);
  }
  const twin = firstDuplicate(ids, hashes, valid);
  if (twin) {
    const [first, index] = twin;
    const id = ids[index]!;
    throw prepError('DUPLICATE_ID', idField, `Customer id ${JSON.stringify(id)} appears more than once (${table.where(first)} and ${table.where(index)})`, {
      id: String(id),
      first,
      index,
    });
  }
  if (invalid) throw invalid;
  return ids;
}

/**
 * The duplicate a pass in row order meets first among ids[0..count): [its first row, the
 * earliest row whose id appeared before], or null. Ids are compared with === (so "1" and
 * 1 differ), only within runs of equal hashes.
 */
export function firstDuplicate(ids: CustomerId[], hashes: Uint32Array, count: number): [number, number] | null {
  const candidates = sharedKeyRows(hashes, count);
  if (candidates === null) return null;
  const m = candidates.length;
  const keys = new Uint32Array(m);
  for (let j = 0; j < m; j++) keys[j] = hashes[candidates[j]!]!;
  const [sortedKeys, sortedRows] = radixByHash(keys, candidates, m);
  return scanRuns(ids, sortedKeys, sortedRows, m);
}

/**
 * The rows (ascending) whose hash shares its top bits with another row's, or null when
 * none does. Two equal ids have equal hashes, so every duplicate is among them; most ids
 * are unique, and a bitmap of the keys seen (2 MB at a million ids, 16 keys an id, so it
 * stays in cache) leaves a few percent of the rows to sort: the sort of every row's hash
 * was ~75 ms of a million-row CLI run, this ~50 (AMD EPYC).
 */
function sharedKeyRows(hashes: Uint32Array, count: number): Int32Array | null {
  const bits = Math.max(10, Math.min(24, Math.ceil(Math.log2(Math.max(count, 1))) + 4));
  const shift = 32 - bits;
  const seen = new Uint8Array(1 << (bits - 3));
  const twice = new Uint8Array(1 << (bits - 3));
  let shared = false;
  for (let i = 0; i < count; i++) {
    const key = hashes[i]! >>> shift;
    const bit = 1 << (key & 7);
    const at = key >>> 3;
    if ((seen[at]! & bit) !== 0) {
      twice[at]! |= bit;
      shared = true;
    } else seen[at]! |= bit;
  }
  if (!shared) return null;
  // Room for every row and one to spare: the branch-free fill stores each row before it
  // advances, and only the pages it reaches are touched.
  const rows = new Int32Array(count + 1);
  let m = 0;
  for (let i = 0; i < count; i++) {
    const key = hashes[i]! >>> shift;
    rows[m] = i;
    m += (twice[key >>> 3]! >> (key & 7)) & 1;
  }
  return rows.subarray(0, m);
}

/** keys[0..count) and their rows sorted by key, stably (LSD radix, 11 bits a pass); overwrites both. */
function radixByHash(keys: Uint32Array, rows: Int32Array, count: number): [Uint32Array, Int32Array] {
  let keysOut: Uint32Array = new Uint32Array(count);
  let rowsOut: Int32Array = new Int32Array(count);
  const hist = new Int32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    hist.fill(0);
    for (let i = 0; i < count; i++) hist[(keys[i]! >>> shift) & 2047]++;
    for (let b = 0, at = 0; b < 2048; b++) {
      const c = hist[b]!;
      hist[b] = at;
      at += c;
    }
    for (let i = 0; i < count; i++) {
      const to = hist[(keys[i]! >>> shift) & 2047]++;
      keysOut[to] = keys[i]!;
      rowsOut[to] = rows[i]!;
    }
    [keys, keysOut] = [keysOut, keys];
    [rows, rowsOut] = [rowsOut, rows];
  }
  return [keys, rows];
}

/** Runs of equal keys (sorted, rows ascending within a run) -> firstDuplicate's answer. */
function scanRuns(ids: CustomerId[], keys: Uint32Array, rows: Int32Array, count: number): [number, number] | null {
  let best: [number, number] | null = null;
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && keys[end] === keys[start]) end++;
    // A long run (crafted ids can share a hash) goes through a Map: linear, not quadratic.
    if (end - start > 32) {
      const firstRow = new Map<CustomerId, number>();
      for (let b = start; b < end; b++) {
        const later = rows[b]!;
        if (best !== null && later >= best[1]) break;
        const first = firstRow.get(ids[later]!);
        if (first !== undefined) {
          best = [first, later];
          break;
        }
        firstRow.set(ids[later]!, later);
      }
      start = end;
      continue;
    }
    for (let b = start + 1; b < end; b++) {
      const later = rows[b]!;
      if (best !== null && later >= best[1]) break;
      for (let a = start; a < b; a++) {
        if (ids[rows[a]!] === ids[later]) {
          best = [rows[a]!, later];
          break;
        }
      }
      if (best !== null && best[1] === later) break;
    }
    start = end;
  }
  return best;
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
