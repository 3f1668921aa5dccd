// What readCustomers() is handed, before any parsing: its bytes gathered from a stream,
// binary files we do not read refused by their magic bytes, the text decoded by its
// byte-order mark, and the format a file name implies.

import { type CustomerFileFormat, ReadError, type ReadWarning } from './readTypes';

export type Input = Uint8Array | ArrayBuffer | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export async function collectBytes(input: Input): Promise<Uint8Array | string> {
  if (typeof input === 'string' || input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  const chunks: Uint8Array[] = [];
  if (typeof (input as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } else if (typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    for await (const chunk of input as AsyncIterable<Uint8Array>) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  } else {
    throw new ReadError('INVALID_OPTION', 'input must be a Uint8Array, a string, a ReadableStream or an async iterable of Uint8Array', { parameter: 'input' });
  }
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Refuses binary files we do not read, saying what they look like. */
function refuseBinary(bytes: Uint8Array, label: string): void {
  const kinds: [number[], string][] = [
    [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive that is not an Excel .xlsx workbook'],
    [[0x1f, 0x8b], 'gzip-compressed: decompress it first'],
    [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls workbook: save it as CSV'],
    [[0x25, 0x50, 0x44, 0x46], 'a PDF'],
  ];
  for (const [magic, what] of kinds) if (startsWith(bytes, magic)) throw new ReadError('UNREADABLE_FILE', `${label} is ${what}`);
  const head = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of head) {
    if (b === 0) throw new ReadError('UNREADABLE_FILE', `${label} is a binary file, not CSV, JSON, NDJSON, Parquet, Arrow or Excel .xlsx`);
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  if (head.length > 0 && control / head.length > 0.05)
    throw new ReadError('UNREADABLE_FILE', `${label} is a binary file, not CSV, JSON, NDJSON, Parquet, Arrow or Excel .xlsx`);
}

export function decode(bytes: Uint8Array, warnings: ReadWarning[], label: string): string {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  refuseBinary(bytes, label);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    warnings.push({ key: 'encoding', message: `${label} is not UTF-8; read as Windows-1252 (Western European)`, params: { file: label } });
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export function extensionFormat(name: string | undefined): CustomerFileFormat | undefined {
  const m = /\.([a-z0-9]+)$/i.exec(name ?? '');
  const ext = m?.[1].toLowerCase();
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  if (ext === 'json') return 'json';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'parquet' || ext === 'pq') return 'parquet';
  if (ext === 'arrow' || ext === 'feather' || ext === 'ipc' || ext === 'arrows') return 'arrow';
  if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
  return undefined;
}
