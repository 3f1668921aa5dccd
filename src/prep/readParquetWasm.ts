/**
 * Parquet -> columns in Node through parquet-wasm (arrow-rs compiled to WebAssembly), an
 * optional dependency that src/node.ts registers: at a million rows it reads a file in
 * about a third of hyparquet's time, and hands over Arrow buffers instead of a boxed
 * array per nullable column. Browsers keep hyparquet (readParquet.ts): parquet-wasm's
 * 5 MB module is not worth fetching for a file a person picked.
 *
 * The file is decoded in slices of SLICE rows: V8 runs WebAssembly on its baseline tier
 * until a function is called again, so one call over a whole row group of a million rows
 * never reaches optimised code (511 ms against 286 ms in slices, Intel Xeon). Each slice
 * is one record batch (batchSize): arrow-rs's default of 1,024 rows made 128 batches a
 * slice, each paying its own decode set-up and its own IPC message (a million rows read
 * in 338 -> 280 ms, the CLI's whole Parquet run 2.19 -> 1.85 s, AMD EPYC). Each slice leaves WASM
 * memory as an Arrow IPC stream, read by flechette like an Arrow file.
 */
import { arrowCells } from './readArrow';
import { ReadError } from './readTypes';

const SLICE = 131_072;

/** The file's columns, or undefined when parquet-wasm is not installed (it is optional). */
export async function readParquetWasm(
  bytes: Uint8Array,
  label: string,
  slice = SLICE,
): Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number } | undefined> {
  let readParquet: typeof import('parquet-wasm/node').readParquet;
  try {
    ({ readParquet } = await import('parquet-wasm/node'));
  } catch {
    return undefined;
  }
  const { tableFromIPC } = await import('@uwdata/flechette');
  const tables = [];
  try {
    for (let offset = 0; ; ) {
      const decoded = readParquet(bytes, { offset, limit: slice, batchSize: slice });
      const table = tableFromIPC(decoded.intoIPCStream(), { useDate: true });
      // An empty file still yields its schema, so its columns are reported by name.
      if (table.numRows > 0 || tables.length === 0) tables.push(table);
      offset += table.numRows;
      if (table.numRows < slice) break;
    }
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Parquet file (${(err as Error).message ?? String(err)})`);
  }
  return arrowCells(tables);
}
