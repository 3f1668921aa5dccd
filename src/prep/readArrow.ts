/**
 * Arrow IPC (file or stream format) -> columns, through flechette (small, fast, pure JS,
 * works in browsers), imported only when an Arrow file is read. Each column is taken
 * whole (numeric ones as Float64Array), never as row objects. Numbers and UTF-8 text are
 * read straight from the record batches' buffers: flechette's own toArray() boxes every
 * value of a column with nulls into a plain array, which at a million rows costs more in
 * garbage collection than the read itself.
 */
import type { Batch, Table } from '@uwdata/flechette';
import { joinChunks } from './readColumnar';
import { ReadError } from './readTypes';

export async function readArrow(bytes: Uint8Array, label: string): Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number }> {
  const { tableFromIPC } = await import('@uwdata/flechette');
  try {
    return arrowCells([tableFromIPC(bytes, { useDate: true })]);
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Arrow IPC file (${(err as Error).message})`);
  }
}

/** Flechette's type ids (its Type constants) for the columns read from buffers. */
const TYPE_INT = 2;
const TYPE_FLOAT = 3;
const TYPE_UTF8 = 5;
const TYPE_BOOL = 6;

type AnyBatch = Batch<unknown> & {
  type: { typeId: number };
  values?: ArrayLike<number | bigint>;
  offsets?: Int32Array;
  validity?: Uint8Array;
};

/** The columns of tables holding the same schema one after another (row groups, chunks). */
export function arrowCells(tables: Table[]): { cells: Map<string, ArrayLike<unknown>>; n: number } {
  const n = tables.reduce((s, t) => s + t.numRows, 0);
  const cells = new Map<string, ArrayLike<unknown>>();
  tables[0]!.schema.fields.forEach((field, i) => {
    const batches = tables.flatMap((t) => t.getChildAt(i).data as AnyBatch[]);
    cells.set(
      field.name,
      numberColumn(batches, n) ??
        textColumn(batches, n) ??
        joinChunks(
          tables.map((t) => t.getChildAt(i).toArray() as ArrayLike<unknown>),
          n,
        ),
    );
  });
  return { cells, n };
}

const valid = (validity: Uint8Array | undefined, nullCount: number, j: number) => nullCount === 0 || !validity || ((validity[j >> 3]! >> (j & 7)) & 1) === 1;

/**
 * Integer, floating-point and boolean batches -> one Float64Array, NaN where a value is
 * null; booleans as 1 and 0, as hyparquet hands them over and as segment() reads them.
 */
function numberColumn(batches: AnyBatch[], n: number): Float64Array | undefined {
  for (const b of batches) {
    const id = b.type.typeId;
    if ((id !== TYPE_INT && id !== TYPE_FLOAT && id !== TYPE_BOOL) || !ArrayBuffer.isView(b.values)) return undefined;
    // Float16 arrives as Uint16Array bits (flechette's Float16Batch); the generic path reads it.
    if (id === TYPE_FLOAT && b.values instanceof Uint16Array) return undefined;
  }
  if (batches.length === 0 || batches.every((b) => b.nullCount === b.length)) return undefined;
  const out = new Float64Array(n);
  let at = 0;
  for (const b of batches) {
    const { values, validity, nullCount, length } = b as AnyBatch & { values: ArrayLike<number | bigint> };
    if (b.type.typeId === TYPE_BOOL) {
      const bits = values as Uint8Array;
      for (let j = 0; j < length; j++) out[at + j] = valid(validity, nullCount, j) ? (bits[j >> 3]! >> (j & 7)) & 1 : Number.NaN;
    } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      // 64-bit integers: customer data fits in 2^53, as readColumnar.ts assumes too.
      for (let j = 0; j < length; j++) out[at + j] = valid(validity, nullCount, j) ? Number(values[j]) : Number.NaN;
    } else {
      out.set((values as Float64Array).subarray(0, length), at);
      if (nullCount > 0 && validity) markNulls(out, at, validity, length);
    }
    at += length;
  }
  return out;
}

/**
 * NaN at out[at + j] for every j < length whose validity bit is 0, read a byte at a
 * time: a byte of eight valid values (most of them, in customer data) costs one test,
 * not eight (the six nullable columns of a 1M-row file: 46-61 -> 24-34 ms, copies included).
 */
function markNulls(out: Float64Array, at: number, validity: Uint8Array, length: number): void {
  const bytes = length >> 3;
  for (let q = 0; q < bytes; q++) {
    const byte = validity[q]!;
    if (byte === 0xff) continue;
    for (let bit = 0; bit < 8; bit++) if (((byte >> bit) & 1) === 0) out[at + (q << 3) + bit] = Number.NaN;
  }
  for (let j = bytes << 3; j < length; j++) if (((validity[j >> 3]! >> (j & 7)) & 1) === 0) out[at + j] = Number.NaN;
}

const utf8 = new TextDecoder();

/** UTF-8 batches -> strings (null where null); ASCII buffers decode once and are sliced. */
function textColumn(batches: AnyBatch[], n: number): (string | null)[] | undefined {
  if (batches.length === 0 || !batches.every((b) => b.type.typeId === TYPE_UTF8 && b.values instanceof Uint8Array && b.offsets instanceof Int32Array))
    return undefined;
  const out: (string | null)[] = new Array(n);
  let at = 0;
  for (const b of batches) {
    const bytes = b.values as Uint8Array;
    const offsets = b.offsets!;
    const { validity, nullCount, length } = b;
    const first = offsets[0]!;
    const last = offsets[length]!;
    let ascii = true;
    for (let k = first; k < last; k++) {
      if (bytes[k]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    // In an ASCII buffer a character is a byte, so the offsets index the decoded string.
    const whole = ascii ? utf8.decode(bytes.subarray(first, last)) : '';
    for (let j = 0; j < length; j++) {
      if (!valid(validity, nullCount, j)) out[at + j] = null;
      else out[at + j] = ascii ? whole.slice(offsets[j]! - first, offsets[j + 1]! - first) : utf8.decode(bytes.subarray(offsets[j]!, offsets[j + 1]!));
    }
    at += length;
  }
  return out;
}
