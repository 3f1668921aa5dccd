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

/**
 * The quoted field whose opening quote is at `open` (RFC 4180: "" inside is a quote; an
 * unclosed quote runs to the end of the text): its value, the index just after the
 * closing quote, and the line breaks inside it (for the line numbers of later errors).
 * Shared by the row tokenizer and the column reader so both read quotes the same way.
 */
export function readQuotedField(text: string, open: number): { value: string; end: number; newlines: number } {
  const n = text.length;
  let value = '';
  let k = open + 1;
  for (;;) {
    const q = text.indexOf('"', k);
    if (q < 0) {
      value += text.slice(k);
      k = n;
      break;
    }
    value += text.slice(k, q);
    if (text.charCodeAt(q + 1) === 34) {
      value += '"';
      k = q + 2;
    } else {
      k = q + 1;
      break;
    }
  }
  let newlines = 0;
  for (let t = open + 1; t < k; t++) if (text.charCodeAt(t) === 10) newlines++;
  return { value, end: k, newlines };
}

/** Splits CSV text into rows; `limit` stops after that many rows (dialect sniffing). Empty lines are skipped. */
export function tokenizeCsv(text: string, delimiter: string, limit = Infinity): CsvRows {
  // Fields are sliced out of the text, never built a character at a time: string
  // concatenation per character made a 30 MB file take seconds.
  const rows: string[][] = [];
  const lines: number[] = [];
  const n = text.length;
  const d = delimiter.charCodeAt(0);
  let line = 1;
  let i = 0;
  while (i < n && rows.length < limit) {
    const rowLine = line;
    // Fast path: a record on one line with no quote is split as it is.
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    const lineEnd = end > i && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const raw = text.slice(i, lineEnd);
    if (!raw.includes('"') && !raw.includes('\r')) {
      const fields = raw.split(delimiter);
      if (raw.includes(' ') || raw.includes('\t') || raw.includes('\u00a0')) for (let f = 0; f < fields.length; f++) fields[f] = fields[f].trim();
      i = end + 1;
      line++;
      if (!(fields.length === 1 && fields[0] === '')) {
        rows.push(fields);
        lines.push(rowLine);
      }
      continue;
    }
    const row: string[] = [];
    for (;;) {
      // One field, starting at i.
      let j = i;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) && text.charCodeAt(j) !== d) j++;
      if (j < n && text.charCodeAt(j) === 34) {
        // Quoted: up to the closing quote, "" is a quote; text after it up to the delimiter is kept.
        const quoted = readQuotedField(text, j);
        let value = quoted.value;
        const k = quoted.end;
        line += quoted.newlines;
        let e = k;
        while (e < n && text.charCodeAt(e) !== d && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
        if (e > k) value += text.slice(k, e).trimEnd();
        row.push(value);
        i = e;
      } else {
        let e = j;
        while (e < n) {
          const c = text.charCodeAt(e);
          if (c === d || c === 10 || c === 13) break;
          e++;
        }
        row.push(text.slice(i, e).trim());
        i = e;
      }
      if (i < n && text.charCodeAt(i) === d) {
        i++;
        continue;
      }
      // End of the record: CRLF, LF, CR or the end of the text.
      if (i < n && text.charCodeAt(i) === 13) i++;
      if (i < n && text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    if (!(row.length === 1 && row[0] === '')) {
      rows.push(row);
      lines.push(rowLine);
    }
  }
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
