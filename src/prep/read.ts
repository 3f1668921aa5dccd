/**
 * readCustomers(): a customer file as tools export it -> columns segment() can take.
 *
 * Bytes are decoded by their byte-order mark (UTF-8, UTF-16 LE/BE), else as UTF-8, else as
 * Windows-1252 (older Excel exports). The format comes from options.format, the file name
 * or the content: Parquet by its magic bytes, JSON (an array of customers, or the
 * endpoint's request body), NDJSON, otherwise CSV in whatever dialect the text uses.
 * Binary files of other kinds fail with one line saying what they look like.
 *
 * Every column is then looked at as a whole: numbers written with decimal commas,
 * thousands separators, currency signs, percent signs or parenthesised negatives are read
 * as numbers, with one warning per column naming what was done; a column that looks
 * numeric but has cells that do not read is named in a warning (it stays text, so segment()
 * leaves it out as ignored), never dropped without a word. The customer id column is
 * found among the usual names in English, Spanish and Portuguese.
 */
import type { ColumnarData } from './table';
import { type CsvDelimiter, CSV_DELIMITERS, sniffDelimiter } from './readCsv';
import { type NumericCsvColumn, readCsvColumns } from './readCsvColumns';
import { type DecimalMark, describeRules, judgeColumn, parseColumn, ruleKeys } from './readNumbers';
import { collectBytes, decode, startsWith, extensionFormat, type Input } from './readDetect';
import { type CustomerFileFormat, ReadError, type ReadCustomersOptions, type ReadCustomersResult, type ReadWarning } from './readTypes';
import { parseNumeric } from './values';

export { ReadError } from './readTypes';
export type { CustomerFileFormat, ReadCustomersOptions, ReadCustomersResult, ReadErrorCode, ReadWarning } from './readTypes';

/** A Parquet decoder: its columns and row count, or undefined when it cannot load here. */
export type ParquetReader = (bytes: Uint8Array, label: string) => Promise<{ cells: Map<string, ArrayLike<unknown>>; n: number } | undefined>;

let fasterParquet: { name: string; read: ParquetReader } | undefined;

/**
 * Registers a Parquet decoder tried before hyparquet: src/node.ts registers parquet-wasm,
 * which browsers never load. Internal; not part of the public API.
 */
export function setParquetReader(reader: { name: string; read: ParquetReader } | undefined): void {
  fasterParquet = reader;
}

/** Which decoder a Parquet file would go through now (for tests and diagnostics). */
export function parquetReaderName(): string {
  return fasterParquet?.name ?? 'hyparquet';
}

/** Arrow IPC's file-format magic (ARROW1) and stream-format continuation marker. */
const ARROW_FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];
const ARROW_STREAM_MAGIC = [0xff, 0xff, 0xff, 0xff];

const ID_NAMES = [
  'customerid',
  'custid',
  'customer',
  'customernumber',
  'customerno',
  'clientid',
  'clienteid',
  'idcliente',
  'idcli',
  'codcliente',
  'codigocliente',
  'iddocliente',
  'numcliente',
  'numerocliente',
  'cliente',
  'client',
  'userid',
  'usuarioid',
  'idusuario',
  'iddousuario',
  'accountid',
  'idcuenta',
  'idconta',
  'memberid',
  'idsocio',
  'id',
  'email',
  'correo',
  'correoelectronico',
  'emailaddress',
];

/** A header as compared for id detection: "Customer ID", "customer-id" and "CUSTOMER_ID" are one name. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The id column among `columns`, or undefined. */
export function findIdField(columns: string[]): string | undefined {
  const normal = columns.map(normalizeName);
  for (const name of ID_NAMES) {
    const i = normal.indexOf(name);
    if (i >= 0) return columns[i];
  }
  return undefined;
}

/**
 * Reads customers from bytes, text or a stream. See the module comment for what is
 * detected; throws a ReadError with a one-line message when the file cannot be read.
 */
export async function readCustomers(input: Input, options: ReadCustomersOptions = {}): Promise<ReadCustomersResult> {
  const label = options.name ?? 'the input';
  if (options.delimiter !== undefined && options.delimiter !== 'auto' && !(CSV_DELIMITERS as readonly string[]).includes(options.delimiter)) {
    throw new ReadError('INVALID_OPTION', `delimiter must be one of ',', ';', tab, '|' or 'auto', got ${JSON.stringify(options.delimiter)}`, {
      parameter: 'delimiter',
    });
  }
  if (options.decimal !== undefined && options.decimal !== 'auto' && options.decimal !== '.' && options.decimal !== ',') {
    throw new ReadError('INVALID_OPTION', `decimal must be '.', ',' or 'auto', got ${JSON.stringify(options.decimal)}`, { parameter: 'decimal' });
  }
  const raw = await collectBytes(input);
  const warnings: ReadWarning[] = [];
  let format = options.format === 'auto' ? undefined : options.format;
  if (format !== undefined && !['csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'].includes(format)) {
    throw new ReadError('INVALID_OPTION', `format must be csv, json, ndjson, parquet, arrow, xlsx or auto, got ${JSON.stringify(format)}`, {
      parameter: 'format',
    });
  }
  format ??= extensionFormat(options.name);
  if (typeof raw !== 'string' && (format === 'parquet' || (format === undefined && startsWith(raw, [0x50, 0x41, 0x52, 0x31])))) {
    const fast = await fasterParquet?.read(raw, label);
    if (fast) return finish(fast, 'parquet', options, warnings, label);
    const { readParquet } = await import('./readParquet');
    return finish(await readParquet(raw, label), 'parquet', options, warnings, label);
  }
  if (format === 'parquet') throw new ReadError('UNREADABLE_FILE', `${label}: Parquet input must be bytes, not text`);
  // Arrow IPC: the file format opens with ARROW1, the stream format with a continuation marker.
  if (typeof raw !== 'string' && (format === 'arrow' || (format === undefined && (startsWith(raw, ARROW_FILE_MAGIC) || startsWith(raw, ARROW_STREAM_MAGIC))))) {
    const { readArrow } = await import('./readArrow');
    return finish(await readArrow(raw, label), 'arrow', options, warnings, label);
  }
  if (format === 'arrow') throw new ReadError('UNREADABLE_FILE', `${label}: Arrow input must be bytes, not text`);
  // .xlsx is a ZIP archive; a ZIP that read-excel-file cannot open says so by name.
  if (typeof raw !== 'string' && (format === 'xlsx' || (format === undefined && startsWith(raw, [0x50, 0x4b, 0x03, 0x04])))) {
    const { readXlsx } = await import('./readXlsx');
    return finish(await readXlsx(raw, label), 'xlsx', options, warnings, label);
  }
  if (format === 'xlsx') throw new ReadError('UNREADABLE_FILE', `${label}: Excel input must be bytes, not text`);
  let text = typeof raw === 'string' ? raw : decode(raw, warnings, label);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (format === undefined) {
    if (trimmed.startsWith('[')) format = 'json';
    else if (trimmed.startsWith('{')) {
      format = 'json';
      try {
        JSON.parse(text);
      } catch {
        format = 'ndjson';
      }
    } else format = 'csv';
  }
  if (format === 'ndjson') {
    const records: unknown[] = [];
    const lines = text.split(/\r\n|\n|\r/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw new ReadError('UNREADABLE_FILE', `${label}: line ${i + 1} is not valid JSON`);
      }
    }
    return finish(recordsToCells(records, label), 'ndjson', options, warnings, label);
  }
  if (format === 'json') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new ReadError('UNREADABLE_FILE', `${label}: not valid JSON (${(err as Error).message})`);
    }
    if (Array.isArray(body)) return finish(recordsToCells(body, label), 'json', options, warnings, label);
    if (body === null || typeof body !== 'object') throw new ReadError('UNREADABLE_FILE', `${label}: expected an array of customers or a request object`);
    const { data, ...request } = body as Record<string, unknown>;
    if (data === undefined || data === null || typeof data !== 'object') {
      throw new ReadError(
        'UNREADABLE_FILE',
        `${label}: a JSON object must be a request body with a 'data' field (an array of customers or an object of columns)`,
      );
    }
    const cells = Array.isArray(data) ? recordsToCells(data, label) : columnsToCells(data as Record<string, unknown>, label);
    const idField = options.idField !== undefined ? options.idField : typeof request.id_field === 'string' ? request.id_field : undefined;
    const result = finish(cells, 'json', { ...options, idField }, warnings, label);
    return { ...result, request };
  }
  const delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? sniffDelimiter(text) : options.delimiter;
  // The id column stays text ("007" is not 7): the one named, else the one findIdField() picks.
  const idColumns = (header: string[]): Set<string> => {
    const id = options.idField === null ? undefined : (options.idField ?? findIdField(header));
    return new Set(id === undefined ? [] : [id]);
  };
  const { header, columns, n } = readCsvColumns(text, delimiter, label, idColumns);
  const cells = new Map<string, ArrayLike<unknown> | NumericCsvColumn>(header.map((h, c) => [h, columns[c].kind === 'text' ? columns[c].strings : columns[c]]));
  return { ...finish({ cells, n }, 'csv', options, warnings, label, delimiter), delimiter };
}

interface Cells {
  /** A column's cells, or (CSV) a column already read as plain numbers with its verdict. */
  cells: Map<string, ArrayLike<unknown> | NumericCsvColumn>;
  n: number;
}

function isPrejudged(col: ArrayLike<unknown> | NumericCsvColumn): col is NumericCsvColumn {
  return (col as NumericCsvColumn).kind === 'numeric' && !ArrayBuffer.isView(col);
}

function recordsToCells(records: unknown[], label: string): Cells {
  const cells = new Map<string, unknown[]>();
  const n = records.length;
  for (let i = 0; i < n; i++) {
    const rec = records[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw new ReadError('UNREADABLE_FILE', `${label}: customer ${i} is not an object (${JSON.stringify(rec)?.slice(0, 40)})`);
    }
    for (const [key, value] of Object.entries(rec)) {
      let col = cells.get(key);
      if (!col) {
        col = new Array(n);
        cells.set(key, col);
      }
      col[i] = value;
    }
  }
  return { cells, n };
}

function columnsToCells(data: Record<string, unknown>, label: string): Cells {
  const cells = new Map<string, ArrayLike<unknown>>();
  let n = -1;
  for (const [key, col] of Object.entries(data)) {
    if (!Array.isArray(col) && !ArrayBuffer.isView(col)) throw new ReadError('UNREADABLE_FILE', `${label}: data.${key} must be an array`);
    const arr = col as ArrayLike<unknown>;
    if (n < 0) n = arr.length;
    else if (arr.length !== n) throw new ReadError('UNREADABLE_FILE', `${label}: data.${key} has ${arr.length} values, data.${[...cells.keys()][0]} has ${n}`);
    cells.set(key, arr);
  }
  return { cells, n: Math.max(n, 0) };
}

/** Picks the id column and reads every other column's numbers; the shared end of every format. */
function finish(
  { cells, n }: Cells,
  format: CustomerFileFormat,
  options: ReadCustomersOptions,
  warnings: ReadWarning[],
  label: string,
  delimiter?: CsvDelimiter,
): ReadCustomersResult {
  if (options.idField === null) {
    cells.set(
      '_row',
      Array.from({ length: n }, (_, i) => i + 1),
    );
    warnings.push({ key: 'id_field', column: '_row', message: 'no id column: customers are numbered by row (_row)', params: { row_ids: 1 } });
  }
  const names = [...cells.keys()];
  let idField = options.idField === null ? '_row' : options.idField;
  if (idField !== undefined) {
    if (!cells.has(idField)) {
      throw new ReadError('NO_ID_FIELD', `${label} has no column '${idField}'; its columns are: ${names.join(', ')}`, {
        parameter: 'id_field',
        columns: names,
      });
    }
  } else {
    idField = findIdField(names);
    if (idField === undefined) {
      throw new ReadError(
        'NO_ID_FIELD',
        `${label} has no customer id column (customer_id, id, client_id, id_cliente, email, ...); its columns are: ${names.join(', ')}. Name the id column with id_field`,
        { parameter: 'id_field', columns: names },
      );
    }
    if (idField !== 'customer_id') warnings.push({ key: 'id_field', column: idField, message: `'${idField}' is the customer id`, params: { column: idField } });
  }
  // A columnar file's numeric id column arrives as Float64Array: a missing id is null, not NaN.
  const idColumn = cells.get(idField);
  if (idColumn instanceof Float64Array && idColumn.some(Number.isNaN))
    cells.set(
      idField,
      Array.from(idColumn, (v) => (Number.isNaN(v) ? null : v)),
    );

  // Columns that only one decimal mark reads vote for the file's mark; the delimiter breaks a tie.
  const verdicts = new Map<string, ReturnType<typeof judgeColumn>>();
  let dotVotes = 0;
  let commaVotes = 0;
  for (const [name, col] of cells) {
    if (name === idField || col instanceof Float64Array) continue;
    const v = isPrejudged(col) ? col.verdict : judgeColumn(col);
    verdicts.set(name, v);
    if (!v.plain && v.fits.length === 1) {
      if (v.fits[0] === '.') dotVotes++;
      else commaVotes++;
    }
  }
  const fileMark: DecimalMark =
    options.decimal === '.' || options.decimal === ','
      ? options.decimal
      : commaVotes > dotVotes
        ? ','
        : dotVotes > commaVotes
          ? '.'
          : delimiter === ';'
            ? ','
            : '.';

  const data: ColumnarData = {};
  for (const [name, entry] of cells) {
    const v = verdicts.get(name);
    // A column read as numbers already still answers with its strings where a rule needs them.
    const col = isPrejudged(entry) ? undefined : entry;
    const cellsOf = (): ArrayLike<unknown> => col ?? (entry as NumericCsvColumn).strings();
    if (name === idField || !v) {
      data[name] = cellsOf();
      continue;
    }
    if (v.present === 0) {
      data[name] = cellsOf();
      continue;
    }
    // A plain "1.234" is 1.234 unless the file writes decimal commas (or is told it does).
    const commaFile = options.decimal === ',' || (options.decimal !== '.' && commaVotes > 0 && fileMark === ',');
    if (v.plain && !(commaFile && v.ambiguous && v.fits.includes(','))) {
      data[name] = col === undefined ? (entry as NumericCsvColumn).values : parseColumn(col, '.').values;
      continue;
    }
    const text = cellsOf();
    const mark: DecimalMark | undefined =
      options.decimal === '.' || options.decimal === ',' ? options.decimal : v.fits.length === 1 ? v.fits[0] : v.fits.length === 2 ? fileMark : undefined;
    if (mark === undefined) {
      // No mark reads every cell: is it numbers with a few bad cells, or text?
      const a = parseColumn(text, '.');
      const b = parseColumn(text, ',');
      const best = a.failed <= b.failed ? a : b;
      // judgeColumn stops at the first cell neither mark reads: count the present cells here.
      let present = 0;
      for (let i = 0; i < text.length; i++) if (!Number.isNaN(parseNumeric(text[i]) ?? 0)) present++;
      if (best.failed <= present / 2 && best.firstFailure) {
        warnings.push({
          key: 'unreadable_numbers',
          column: name,
          message: `'${name}' looks numeric but ${best.failed} of ${present} values do not read as numbers (row ${best.firstFailure.index + 1}: '${best.firstFailure.text}'); it is kept as text`,
          params: { column: name, failed: best.failed, present, row: String(best.firstFailure.index + 1), text: best.firstFailure.text },
        });
      }
      data[name] = text;
      continue;
    }
    const parsed = parseColumn(text, mark);
    if (parsed.failed > 0) {
      // Only reachable with a forced mark: say so rather than read half a column.
      warnings.push({
        key: 'unreadable_numbers',
        column: name,
        message: `'${name}': ${parsed.failed} of ${v.present} values do not read with decimal mark '${mark}' (row ${parsed.firstFailure!.index + 1}: '${parsed.firstFailure!.text}'); it is kept as text`,
        params: {
          column: name,
          failed: parsed.failed,
          present: v.present,
          mark,
          row: String(parsed.firstFailure!.index + 1),
          text: parsed.firstFailure!.text,
          forced: 1,
        },
      });
      data[name] = text;
      continue;
    }
    data[name] = parsed.values;
    const rules = describeRules(parsed.rules, mark);
    if (v.ambiguous && options.decimal !== '.' && options.decimal !== ',') {
      warnings.push({
        key: 'ambiguous_decimal',
        column: name,
        message: `'${name}': values such as 1.234 or 1,234 read either way; read with decimal mark '${mark}' like the rest of the file (set decimal to change it)`,
        params: { column: name, mark },
      });
    }
    if (rules.length > 0) {
      warnings.push({
        key: 'column_parsed',
        column: name,
        message: `'${name}' read as numbers: ${rules.join(', ')}`,
        params: { column: name, ...(parsed.rules.currency ? { currency: parsed.rules.currency } : {}) },
        rules: ruleKeys(parsed.rules, mark),
      });
    }
  }
  return { data, warnings, format, idField, columns: names, rows: n, ...(delimiter ? { delimiter, decimal: fileMark } : {}) };
}

/**
 * Columns already split out of a file (a Parquet row group, for one) -> readCustomers()'
 * result: the id column found and text columns' numbers read, as for a whole file.
 */
export function readColumns(
  cells: Map<string, ArrayLike<unknown>>,
  n: number,
  format: CustomerFileFormat,
  options: ReadCustomersOptions = {},
): ReadCustomersResult {
  return finish({ cells, n }, format, options, [], options.name ?? 'the input');
}
