/**
 * Arrow IPC (file or stream format) -> columns, through flechette (small, fast, pure JS,
 * works in browsers), imported only when an Arrow file is read. Each column is taken
 * whole (numeric ones as Float64Array), never as row objects.
 */
import { joinChunks } from './readColumnar';
import { ReadError } from './readTypes';

export async function readArrow(bytes: Uint8Array, label: string): Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number }> {
  const { tableFromIPC } = await import('@uwdata/flechette');
  const cells = new Map<string, ArrayLike<unknown>>();
  let n: number;
  try {
    const table = tableFromIPC(bytes, { useDate: true });
    n = table.numRows;
    table.schema.fields.forEach((field, i) => {
      cells.set(field.name, joinChunks([table.getChildAt(i).toArray() as ArrayLike<unknown>], n));
    });
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Arrow IPC file (${(err as Error).message})`);
  }
  return { cells, n };
}
