/**
 * Parquet -> columns, through hyparquet (pure JS, no native code, works in browsers),
 * imported only when a Parquet file is read so CSV and JSON users never load it. Column
 * chunks are read as hyparquet decodes them (parquetRead's onChunk) and joined into one
 * array per column: numeric columns become Float64Array, never a row object.
 */
import { joinChunks } from './readColumnar';
import { ReadError } from './readTypes';

export async function readParquet(bytes: Uint8Array, label: string): Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number }> {
  const { parquetMetadata, parquetRead, parquetSchema } = await import('hyparquet');
  // hyparquet reads an ArrayBuffer (it slices it as an AsyncBuffer); copy out a view's bytes.
  const buffer = (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  let n: number;
  let names: string[];
  try {
    const metadata = parquetMetadata(buffer);
    n = Number(metadata.num_rows);
    names = parquetSchema(metadata).children.map((c) => c.element.name);
    for (const name of names) chunks.set(name, []);
    await parquetRead({
      file: buffer,
      metadata,
      onChunk: ({ columnName, columnData, rowStart }) => {
        chunks.get(columnName)?.push({ rowStart, data: columnData as ArrayLike<unknown> });
      },
    });
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Parquet file (${(err as Error).message})`);
  }
  const cells = new Map<string, ArrayLike<unknown>>();
  for (const name of names) {
    // Chunks arrive as their reads finish, not in row order.
    const parts = chunks.get(name)!.sort((a, b) => a.rowStart - b.rowStart);
    let rows = 0;
    for (const p of parts) {
      if (p.rowStart !== rows) throw new ReadError('UNREADABLE_FILE', `${label}: Parquet column '${name}' has a gap at row ${rows}`);
      rows += p.data.length;
    }
    if (rows !== n) throw new ReadError('UNREADABLE_FILE', `${label}: Parquet column '${name}' has ${rows} values for ${n} rows`);
    cells.set(
      name,
      joinChunks(
        parts.map((p) => p.data),
        n,
      ),
    );
  }
  return { cells, n };
}
