/**
 * Excel .xlsx -> columns, through read-excel-file (kept up to date, no native code, works
 * in browsers: its `universal` entry reads an ArrayBuffer), imported only when a workbook
 * is read so CSV and JSON users never load it. The first sheet is read; its first row is
 * the header. Cells keep the type Excel gave them: numbers stay numbers, text goes through
 * the same number rules as CSV text (currency, percent, decimal comma), dates become ISO
 * text (a text column, reported as such), empty cells are missing values.
 */
import { ReadError } from './readTypes';

export async function readXlsx(bytes: Uint8Array, label: string): Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number }> {
  const { readSheet } = await import('read-excel-file/universal');
  const buffer = (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  let rows: unknown[][];
  try {
    rows = (await readSheet(buffer)) as unknown[][];
  } catch (err) {
    throw new ReadError('UNREADABLE_FILE', `${label}: not a readable Excel .xlsx workbook (${(err as Error).message}); save it as CSV`);
  }
  // Trailing rows with nothing in them are formatting, not customers.
  let end = rows.length;
  while (end > 0 && rows[end - 1].every((v) => v === null || v === undefined || v === '')) end--;
  if (end === 0) throw new ReadError('UNREADABLE_FILE', `${label}: the first sheet of the workbook is empty`);
  const header = rows[0];
  let width = header.length;
  while (width > 0 && (header[width - 1] === null || header[width - 1] === '')) width--;
  const names: string[] = [];
  for (let c = 0; c < width; c++) {
    const h = header[c];
    if (h === null || h === undefined || String(h).trim() === '') {
      throw new ReadError('UNREADABLE_FILE', `${label}: column ${c + 1} of the first sheet has no header (the first row names the columns)`);
    }
    const name = (h instanceof Date ? h.toISOString() : String(h)).trim();
    if (names.includes(name)) throw new ReadError('UNREADABLE_FILE', `${label}: the header '${name}' appears twice in the first row`);
    names.push(name);
  }
  const n = end - 1;
  const cells = new Map<string, ArrayLike<unknown>>();
  names.forEach((name, c) => {
    const col = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i + 1][c];
      col[i] = v === undefined || v === '' ? null : v instanceof Date ? v.toISOString() : v;
    }
    cells.set(name, col);
  });
  return { cells, n };
}
