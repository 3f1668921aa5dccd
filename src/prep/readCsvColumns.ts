/**
 * CSV text -> one array per column, in one pass over the characters, with no per-row
 * array and no string for a numeric cell: a million-row export spent most of its reading
 * time building 8 million cell strings and then parsing them back into numbers.
 *
 * Every column starts out numeric. A cell that is a plain decimal ("12", "-3.50", "")
 * is read straight from the text into the column's Float64Array: the digits are summed
 * into an integer and divided by a power of ten, which is the correctly rounded double
 * (Clinger's fast path: both are exact below 2^53 and 10^22), so the value is the one
 * Number() would give. Any other cell is sliced out and given to parseNumeric(), as
 * readCustomers() did per cell before; while it reads as a plain number (or a missing
 * marker), the column stays numeric. The first cell that does not turns the column into
 * text: its earlier cells are sliced out of the text again in a second pass over those
 * rows, so the column reaches the number-format rules (decimal comma, currency, ...) as
 * the strings it was written as. A column named as the id is text from the start.
 *
 * For a numeric column the reader also keeps what judgeColumn() would have said of its
 * cells (present count, whether every cell with a '.' also reads with a decimal comma and
 * to a different value), so readCustomers() decides the decimal mark exactly as before.
 *
 * The dialect rules are tokenizeCsv()'s: double-quote quoting with "" inside, text after a
 * closing quote kept up to the delimiter, unquoted fields trimmed, CRLF, LF or CR line
 * ends, empty lines skipped; the header's trailing empty columns (Excel's "a;b;") dropped.
 */
import { readQuotedField } from './readCsv';
import type { ColumnVerdict } from './readNumbers';
import { parseFormattedNumber } from './readNumbers';
import { ReadError } from './readTypes';
import { parseNumeric } from './values';

/** A column every cell of which read as a plain number or a missing value. */
export interface NumericCsvColumn {
  kind: 'numeric';
  values: Float64Array;
  /** judgeColumn()'s verdict on the cells as written. */
  verdict: ColumnVerdict;
  /** The cells as strings, read again from the text (for the rare decisions that need them). */
  strings: () => string[];
}

/** A column kept as the strings it was written as. */
export interface TextCsvColumn {
  kind: 'text';
  strings: string[];
}

export type CsvColumn = NumericCsvColumn | TextCsvColumn;

/** readCsvColumns()' result: the header (trailing empty columns dropped) and its columns. */
export interface CsvColumns {
  header: string[];
  columns: CsvColumn[];
  n: number;
}

const NUMERIC = 0;
const TEXT = 1;
const SKIP = 2;

// Powers of ten exactly representable as doubles, for the fast path.
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Whether String.prototype.trim() could change a field that starts with `a` and ends with `b`. */
function needsTrim(a: number, b: number): boolean {
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 || a > 0x167f || b > 0x167f || a === 0xfeff || b === 0xfeff;
}

/** Per-column state of one scan. */
interface Store {
  mode: Int8Array;
  values: Float64Array[];
  strings: (string[] | undefined)[];
  /** Row at which a column turned from numeric to text (its earlier cells need a second pass). */
  failedAt: Int32Array;
  present: Int32Array;
  commaOk: Uint8Array;
  differ: Uint8Array;
  /** Some row had a non-empty cell in this column (for dropping empty trailing header columns). */
  nonEmpty: Uint8Array;
}

interface ScanShape {
  /** First line of a row with this many fields, for counts below the header's width. */
  shortRows: Map<number, number>;
  /** First row with a non-empty field beyond the header: its line and field count. */
  longRow?: { line: number; count: number };
}

/**
 * Scans data rows from `pos`, filling `store` for columns 0..width-1 per their mode, up to
 * `maxRows` rows. Returns the rows read.
 */
function scanRows(
  text: string,
  pos: number,
  delimiter: number,
  width: number,
  store: Store,
  maxRows: number,
  shape: ScanShape | null,
  firstLine: number,
): number {
  const n = text.length;
  const { mode, values, strings, present, commaOk, differ, nonEmpty, failedAt } = store;
  let row = 0;
  let line = firstLine;
  let i = pos;
  let capacity = values.length > 0 ? Math.max(...values.map((v) => v.length)) : 0;
  const grow = (): void => {
    capacity = Math.max(16, capacity * 2);
    for (let c = 0; c < width; c++) {
      if (mode[c] === NUMERIC) {
        const bigger = new Float64Array(capacity);
        bigger.set(values[c]);
        values[c] = bigger;
      }
    }
  };

  // The cell's string value, set by readField() for cells that are not fast numbers.
  let cell = '';
  while (i < n && row < maxRows) {
    const rowLine = line;
    if (row >= capacity) grow();
    let field = 0;
    // A row of one empty field is an empty line: it is skipped, not counted.
    let rowEmpty = true;
    for (;;) {
      // One field, starting at i: skip leading spaces and tabs (unless one is the delimiter).
      let j = i;
      while (j < n && isSpace(text.charCodeAt(j)) && text.charCodeAt(j) !== delimiter) j++;
      const m = field < width ? mode[field] : SKIP;
      let fast = false;
      let fastValue = 0;
      let empty = false;
      let e: number;
      const c0 = j < n ? text.charCodeAt(j) : -1;
      if (c0 === 34) {
        // Quoted: up to the closing quote, "" is a quote; text after it up to the delimiter is kept.
        const quoted = readQuotedField(text, j);
        let value = quoted.value;
        const k = quoted.end;
        line += quoted.newlines;
        e = k;
        while (e < n) {
          const c = text.charCodeAt(e);
          if (c === delimiter || c === 10 || c === 13) break;
          e++;
        }
        if (e > k) value += text.slice(k, e).trimEnd();
        cell = value;
        empty = value === '';
      } else {
        e = j;
        if (m === NUMERIC) {
          // Fast path: -?digits(.digits)? then the end of the field.
          let k = j;
          let neg = false;
          if (c0 === 45) {
            neg = true;
            k++;
          }
          let mant = 0;
          let digits = 0;
          let frac = 0;
          let c = k < n ? text.charCodeAt(k) : -1;
          while (c >= 48 && c <= 57) {
            mant = mant * 10 + (c - 48);
            digits++;
            c = ++k < n ? text.charCodeAt(k) : -1;
          }
          let dot = false;
          if (c === 46 && digits > 0) {
            dot = true;
            c = ++k < n ? text.charCodeAt(k) : -1;
            while (c >= 48 && c <= 57) {
              mant = mant * 10 + (c - 48);
              digits++;
              frac++;
              c = ++k < n ? text.charCodeAt(k) : -1;
            }
          }
          // Trailing spaces before the delimiter are trimmed like any field's.
          let t = k;
          while (t < n && isSpace(c) && c !== delimiter) c = ++t < n ? text.charCodeAt(t) : -1;
          const ends = t >= n || c === delimiter || c === 10 || c === 13;
          if (ends && k === j) {
            // Nothing but spaces: a missing value.
            empty = true;
            e = t;
          } else if (ends && digits > 0 && digits <= 15 && (!dot || frac > 0) && !(neg && k === j + 1)) {
            fast = true;
            fastValue = frac === 0 ? mant : mant / POW10[frac];
            if (neg) fastValue = -fastValue;
            e = t;
            if (dot && commaOk[field]) {
              // judgeColumn's question: does "1.234" also read with a decimal comma, and differently?
              const s = text.slice(j, k);
              const asComma = parseFormattedNumber(s, ',');
              if (asComma === undefined) commaOk[field] = 0;
              else if (asComma !== fastValue) differ[field] = 1;
            }
          }
        }
        if (!fast && !empty) {
          while (e < n) {
            const c = text.charCodeAt(e);
            if (c === delimiter || c === 10 || c === 13) break;
            e++;
          }
          cell = e > i && needsTrim(text.charCodeAt(i), text.charCodeAt(e - 1)) ? text.slice(i, e).trim() : text.slice(i, e);
          empty = cell === '';
        }
      }
      if (!empty) rowEmpty = false;
      if (field < width) {
        if (!empty) nonEmpty[field] = 1;
        if (m === NUMERIC) {
          if (fast) {
            values[field][row] = fastValue;
            present[field]++;
          } else if (empty) values[field][row] = NaN;
          else {
            const p = parseNumeric(cell);
            if (p === undefined) {
              // Not a plain number: the column is text from here; earlier cells come in a second pass.
              mode[field] = TEXT;
              failedAt[field] = row;
              const s: string[] = new Array(row);
              s.push(cell);
              strings[field] = s;
            } else {
              values[field][row] = p;
              if (!Number.isNaN(p)) {
                present[field]++;
                if (commaOk[field] && cell.includes('.')) {
                  const asComma = parseFormattedNumber(cell, ',');
                  if (asComma === undefined) commaOk[field] = 0;
                  else if (asComma !== p) differ[field] = 1;
                } else if (/[eE]/.test(cell)) commaOk[field] = 0;
              }
            }
          }
        } else if (m === TEXT) {
          strings[field]!.push(cell);
        }
      } else if (!empty && shape && !shape.longRow) {
        shape.longRow = { line: rowLine, count: -1 };
      }
      field++;
      i = e;
      if (i < n && text.charCodeAt(i) === delimiter) {
        i++;
        continue;
      }
      // End of the record: CRLF, LF, CR or the end of the text.
      if (i < n && text.charCodeAt(i) === 13) i++;
      if (i < n && text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    if (field === 1 && rowEmpty) {
      // An empty line: undo what its one field wrote.
      if (width > 0 && mode[0] === TEXT && strings[0]!.length > row) strings[0]!.length = row;
      continue;
    }
    if (shape) {
      if (shape.longRow && shape.longRow.count < 0) shape.longRow = { line: shape.longRow.line, count: field };
      if (field < width) {
        if (!shape.shortRows.has(field)) shape.shortRows.set(field, rowLine);
        for (let c = field; c < width; c++) {
          if (mode[c] === NUMERIC) values[c][row] = NaN;
          else if (mode[c] === TEXT) strings[c]!.push('');
        }
      }
    }
    row++;
  }
  return row;
}

function newStore(width: number, capacity: number, modes: number[]): Store {
  return {
    mode: Int8Array.from(modes),
    values: modes.map((m) => (m === NUMERIC ? new Float64Array(capacity) : new Float64Array(0))),
    strings: modes.map((m) => (m === TEXT ? [] : undefined)),
    failedAt: new Int32Array(width).fill(-1),
    present: new Int32Array(width),
    commaOk: new Uint8Array(width).fill(1),
    differ: new Uint8Array(width),
    nonEmpty: new Uint8Array(width),
  };
}

/** The header row: its fields (trimmed, unquoted) and where the data starts. */
function readHeader(text: string, delimiter: number): { fields: string[]; next: number; line: number } | undefined {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    // One record, as scanRows reads it, all fields as text.
    const fields: string[] = [];
    for (;;) {
      let j = i;
      while (j < n && isSpace(text.charCodeAt(j)) && text.charCodeAt(j) !== delimiter) j++;
      let e: number;
      let value: string;
      if (j < n && text.charCodeAt(j) === 34) {
        const quoted = readQuotedField(text, j);
        value = quoted.value;
        const k = quoted.end;
        line += quoted.newlines;
        e = k;
        while (e < n && text.charCodeAt(e) !== delimiter && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
        if (e > k) value += text.slice(k, e).trimEnd();
      } else {
        e = j;
        while (e < n && text.charCodeAt(e) !== delimiter && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
        value = text.slice(i, e).trim();
      }
      fields.push(value);
      i = e;
      if (i < n && text.charCodeAt(i) === delimiter) {
        i++;
        continue;
      }
      if (i < n && text.charCodeAt(i) === 13) i++;
      if (i < n && text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) return { fields, next: i, line };
  }
  return undefined;
}

/**
 * Reads CSV text with a known delimiter into columns. `textColumns` are kept as strings
 * whatever they hold (the id column: "007" is not 7). Throws ReadError for an empty file,
 * a duplicated header name or a row whose field count is not the header's.
 */
export function readCsvColumns(text: string, delimiter: string, label: string, textColumns: (header: string[]) => Set<string>): CsvColumns {
  const d = delimiter.charCodeAt(0);
  const head = readHeader(text, d);
  if (!head) throw new ReadError('UNREADABLE_FILE', `${label} is empty`);
  const header = head.fields;
  const width = header.length;
  // Rows are at most the line ends left, plus one: counted once so the columns are allocated once.
  let estimate = 1;
  for (let p = text.indexOf('\n', head.next); p >= 0; p = text.indexOf('\n', p + 1)) estimate++;
  const text0 = textColumns(header);
  const modes = header.map((h) => (text0.has(h) ? TEXT : NUMERIC));
  const store = newStore(width, estimate, modes);
  const shape: ScanShape = { shortRows: new Map() };
  const n = scanRows(text, head.next, d, width, store, Infinity, shape, head.line);

  // Excel writes "a;b;" with a trailing delimiter: an empty last header with empty cells is no column.
  let kept = width;
  while (kept > 1 && header[kept - 1] === '' && !store.nonEmpty[kept - 1]) kept--;
  header.length = kept;
  const seen = new Set<string>();
  for (let c = 0; c < kept; c++) {
    if (header[c] === '') header[c] = `column_${c + 1}`;
    if (seen.has(header[c])) throw new ReadError('UNREADABLE_FILE', `${label}: the header names '${header[c]}' twice`);
    seen.add(header[c]);
  }
  // The first row whose field count is not the header's (extra empty fields are allowed).
  let bad: { line: number; count: number } | undefined;
  for (const [count, line] of shape.shortRows) if (count < kept && (!bad || line < bad.line)) bad = { line, count };
  if (shape.longRow && (!bad || shape.longRow.line < bad.line)) bad = shape.longRow;
  if (bad) {
    const hint = delimiter === ',' && kept === 1 ? '' : ` (delimiter '${delimiter === '\t' ? '\\t' : delimiter}')`;
    throw new ReadError('UNREADABLE_FILE', `${label}: line ${bad.line} has ${bad.count} fields but the header has ${kept}${hint}`);
  }

  // Columns that turned to text part way: their earlier cells, in one more pass over those rows.
  let redo = 0;
  for (let c = 0; c < kept; c++) if (store.failedAt[c] > redo) redo = store.failedAt[c];
  if (redo > 0) {
    const again = textPass(text, head, d, width, kept, (c) => store.failedAt[c] > 0, redo);
    for (let c = 0; c < kept; c++) {
      const at = store.failedAt[c];
      if (at > 0) {
        const s = store.strings[c]!;
        const earlier = again[c]!;
        for (let r = 0; r < at; r++) s[r] = earlier[r];
      }
    }
  }

  const columns: CsvColumn[] = [];
  for (let c = 0; c < kept; c++) {
    if (store.mode[c] === TEXT) {
      columns.push({ kind: 'text', strings: store.strings[c]! });
      continue;
    }
    const values = store.values[c].length === n ? store.values[c] : store.values[c].slice(0, n);
    const dotOnly = !store.commaOk[c];
    const verdict: ColumnVerdict = {
      plain: true,
      fits: dotOnly ? ['.'] : ['.', ','],
      ambiguous: !dotOnly && store.differ[c] === 1,
      present: store.present[c],
    };
    let cached: string[] | undefined;
    columns.push({
      kind: 'numeric',
      values,
      verdict,
      strings: () => (cached ??= textPass(text, head, d, width, kept, (x) => x === c, n)[c]!),
    });
  }
  return { header, columns, n };
}

/** The cells of the columns `want` picks, as strings, for the first `rows` data rows. */
function textPass(
  text: string,
  head: { next: number; line: number },
  d: number,
  width: number,
  kept: number,
  want: (c: number) => boolean,
  rows: number,
): (string[] | undefined)[] {
  const modes = Array.from({ length: width }, (_, c) => (c < kept && want(c) ? TEXT : SKIP));
  const store = newStore(width, 0, modes);
  scanRows(text, head.next, d, width, store, rows, { shortRows: new Map() }, head.line);
  return store.strings;
}
