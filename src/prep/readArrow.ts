/**
 * Arrow IPC (file or stream format) -> records, through flechette (small, fast, pure JS,
 * works in browsers), imported only when an Arrow file is read. 64-bit integers become
 * numbers (customer data fits in 2^53); dates become ISO strings.
 */
import { ReadError } from './readTypes';

export async function readArrow(bytes: Uint8Array, label: string): Promise<Record<string, unknown>[]> {
  const { tableFromIPC } = await import('@uwdata/flechette');
  let rows: Record<string, unknown>[];
  try {
    rows = tableFromIPC(bytes, { useDate: true }).toArray() as Record<string, unknown>[];
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Arrow IPC file (${(err as Error).message})`);
  }
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const key in row) {
      const v = row[key];
      out[key] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
    }
    return out;
  });
}
