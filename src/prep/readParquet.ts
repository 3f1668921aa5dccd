/**
 * Parquet -> records, through hyparquet (pure JS, no native code, works in browsers),
 * imported only when a Parquet file is read so CSV and JSON users never load it. INT64
 * columns arrive as BigInt and become numbers (customer data fits in 2^53).
 */
import { ReadError } from './readTypes';

export async function readParquet(bytes: Uint8Array, label: string): Promise<Record<string, unknown>[]> {
  const { parquetReadObjects } = await import('hyparquet');
  // hyparquet reads an ArrayBuffer (it slices it as an AsyncBuffer); copy out a view's bytes.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: buffer as ArrayBuffer })) as Record<string, unknown>[];
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Parquet file (${(err as Error).message})`);
  }
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      if (typeof v === 'bigint') row[key] = Number(v);
      else if (v instanceof Date) row[key] = v.toISOString();
    }
  }
  return rows;
}
