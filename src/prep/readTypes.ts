// readCustomers()' public shapes and its error, apart from the reader so the format
// readers (readDetect.ts, readParquet.ts) can throw ReadError without importing read.ts.

import type { CsvDelimiter } from './readCsv';
import type { DecimalMark } from './readNumbers';
import type { ColumnarData } from './table';

/** Formats readCustomers() reads. */
export type CustomerFileFormat = 'csv' | 'json' | 'ndjson' | 'parquet' | 'arrow' | 'xlsx';

/** Options of readCustomers(). */
export interface ReadCustomersOptions {
  /** Default: from `name`'s extension, then the content. */
  format?: CustomerFileFormat | 'auto';
  /** The file's name, for the extension and for messages. */
  name?: string;
  /**
   * The id column; default: found among common names (customer_id, Customer ID, id_cliente,
   * email, ...). null: the file has none; customers are numbered by row (1, 2, ...) in a
   * `_row` column.
   */
  idField?: string | null;
  /** CSV delimiter; default: detected. */
  delimiter?: CsvDelimiter | 'auto';
  /** Decimal mark of numbers written as text; default: decided per column. */
  decimal?: DecimalMark | 'auto';
}

/** Something the reader did that the user should know about. */
export interface ReadWarning {
  key: 'column_parsed' | 'unreadable_numbers' | 'ambiguous_decimal' | 'encoding' | 'id_field';
  /** The column it is about, if one. */
  column?: string;
  /** English text. */
  message: string;
  /** The message's values, for rendering it in another language (catalogue key `read.<key>`, or `read.row_ids`). */
  params?: Record<string, string | number>;
  /** column_parsed: the rules applied, as keys of `read.rule.*`. */
  rules?: string[];
}

/** readCustomers()' result. */
export interface ReadCustomersResult {
  /** Columns: numeric ones as Float64Array (NaN = missing), others as arrays of their values. */
  data: ColumnarData;
  warnings: ReadWarning[];
  format: CustomerFileFormat;
  /** The id column used (found or given). */
  idField: string;
  /** Column names in file order, the id included. */
  columns: string[];
  rows: number;
  /** The CSV delimiter used. */
  delimiter?: CsvDelimiter;
  /** CSV: the file's decimal mark, the one ambiguous columns were read with (given, or voted by the columns). */
  decimal?: DecimalMark;
  /** The other fields of a JSON request body ({ data, n_clusters, ... }), when the file is one. */
  request?: Record<string, unknown>;
}

/** What kind of failure a ReadError is. */
export type ReadErrorCode = 'UNREADABLE_FILE' | 'NO_ID_FIELD' | 'INVALID_OPTION';

/** The file could not be read as customers; `parameter` names the option involved, if any. */
export class ReadError extends Error {
  readonly code: ReadErrorCode;
  readonly parameter?: string;
  /** The columns found, when the id column was not among them. */
  readonly columns?: string[];
  constructor(code: ReadErrorCode, message: string, extra: { parameter?: string; columns?: string[] } = {}) {
    super(message);
    this.name = 'ReadError';
    this.code = code;
    this.parameter = extra.parameter;
    this.columns = extra.columns;
  }
}
