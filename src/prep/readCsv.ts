/**
 * CSV text -> header and rows, with the dialect found from the text: the delimiter among
 * ',', ';', tab and '|', double-quote quoting ("" inside quotes), CRLF, LF or CR line ends.
 * A tokenizer of our own rather than csv-parse: the library build runs in browsers with no
 * bundler, and csv-parse's entry points pull in Node streams.
 */

/** Delimiters tried, in order of preference on a tie. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
/** A CSV delimiter. */
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** Rows of fields; `quoted[r][c]` says whether the field was quoted (quoted fields are not trimmed). */
export interface CsvRows {
  rows: string[][];
  /** 1-based line of each row's start, for messages. */
  lines: number[];
}

/** Splits CSV text into rows; `limit` stops after that many rows (dialect sniffing). Empty lines are skipped. */
export function tokenizeCsv(text: string, delimiter: string, limit = Infinity): CsvRows {
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  const n = text.length;
  const endField = (): void => {
    row.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRow = (): void => {
    endField();
    if (!(row.length === 1 && row[0] === '')) {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
  };
  for (let i = 0; i < n; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      quoted = true;
      field = '';
    } else if (ch === delimiter) endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
      if (rows.length >= limit) return { rows, lines };
    } else if (quoted) {
      // Text after a closing quote ("a"b): kept, as spreadsheets do.
      field += ch;
    } else field += ch;
  }
  if (field !== '' || quoted || row.length > 0) endRow();
  return { rows, lines };
}

/**
 * The delimiter that splits the first rows into the same number of fields (more than one),
 * most rows agreeing first, then most fields; ',' when none splits anything.
 */
export function sniffDelimiter(text: string): CsvDelimiter {
  const sample = text.slice(0, 64 * 1024);
  let best: CsvDelimiter = ',';
  let bestScore = -1;
  for (const d of CSV_DELIMITERS) {
    const { rows } = tokenizeCsv(sample, d, 50);
    // The last sampled row may be cut by the 64 KB window.
    const usable = rows.length > 2 && sample.length < text.length ? rows.slice(0, -1) : rows;
    if (usable.length === 0) continue;
    const width = usable[0].length;
    if (width < 2) continue;
    const agreeing = usable.filter((r) => r.length === width).length / usable.length;
    const score = agreeing * 1000 + Math.min(width, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}
