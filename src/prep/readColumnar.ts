/**
 * Column chunks from a columnar file (Parquet, Arrow) -> one array per column, without a
 * row object: a column of numbers (typed or plain, nulls allowed, at least one number)
 * becomes a Float64Array with NaN for null; any other column a plain array with 64-bit
 * integers as numbers (customer data fits in 2^53) and dates as ISO strings.
 */

/** Whether every chunk holds only numbers, bigints and nulls, and some chunk a number. */
function numericChunks(chunks: ArrayLike<unknown>[]): boolean {
  let any = false;
  for (const chunk of chunks) {
    if (ArrayBuffer.isView(chunk)) {
      if (chunk.length > 0) any = true;
      continue;
    }
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      if (typeof v === 'number' || typeof v === 'bigint') any = true;
      else if (v !== null && v !== undefined) return false;
    }
  }
  return any;
}

/** Joins a column's chunks, in row order, into the column readCustomers() hands on. */
export function joinChunks(chunks: ArrayLike<unknown>[], n: number): ArrayLike<unknown> {
  if (numericChunks(chunks)) {
    const out = new Float64Array(n);
    let at = 0;
    for (const chunk of chunks) {
      if (chunk instanceof Float64Array || chunk instanceof Float32Array || chunk instanceof Int32Array || chunk instanceof Uint32Array) {
        out.set(chunk, at);
        at += chunk.length;
        continue;
      }
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i];
        out[at++] = v === null || v === undefined ? Number.NaN : Number(v as number | bigint);
      }
    }
    return out;
  }
  const out: unknown[] = new Array(n);
  let at = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      out[at++] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
    }
  }
  return out;
}
