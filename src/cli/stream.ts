/**
 * `segmint segment FILE --stream`: files bigger than memory, in memory independent of the
 * row count. Two passes over the file, each in chunks (CSV: about 8 MB of text at a time,
 * cut at record ends; Parquet: one row group at a time):
 *
 * 1. Statistics and a sample. Each chunk goes through readCustomers() (the first chunk
 *    fixes the delimiter, the decimal mark and the features), every feature's exact
 *    moments, min and max and a DDSketch of its values are updated (src/prep/streamStats),
 *    and a uniform reservoir sample of rows (Vitter's algorithm R, seeded) is kept.
 *    Preprocessing is then decided as prepareRecords() decides it (median or mean
 *    imputation, log transform of skewed features, z-score, robust or min-max scaling,
 *    constant features dropped), and mini-batch K-Means (scikit-learn's MiniBatchKMeans
 *    semantics: batches of 1024 drawn from the sample) is fitted on the sample.
 * 2. Assignment. Every row is put through the fitted preprocessing and given its nearest
 *    centroid; the assignments (customer_id, segment_id, label) are written as the chunks
 *    go, with each segment's size, feature means and the inertia over all rows summed on
 *    the way.
 *
 * Not done in this mode, each refused with a usage error naming the flag: algorithms
 * other than K-Means, choosing k (k needs all the data), text features (one-hot), roles,
 * the HTML report, probabilities, standard input (it cannot be read twice), JSON/NDJSON.
 * Customer ids are not checked for duplicates (that needs memory that grows with the rows).
 */
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { fitMiniBatchKMeans, type MiniBatchKMeansModel } from '../cluster/minibatch';
import type { CsvDelimiter } from '../prep/readCsv';
import { readColumns, readCustomers, ReadError, type ReadCustomersResult, type ReadWarning } from '../prep/read';
import { joinChunks } from '../prep/readColumnar';
import type { DecimalMark } from '../prep/readNumbers';
import type { FeatureTransform, MissingPolicy, Scaling } from '../prep/records';
import { FeatureStream, QUANTILE_RELATIVE_ACCURACY } from '../prep/streamStats';
import { parseNumeric, SKEW_THRESHOLD } from '../prep/values';
import { Random } from '../random';
import { init } from '../wasm/index';
import { csvField } from './output';

/** Most sample values (rows x features) kept for the fit: 16 MB of doubles (350,000 rows of 6 features). */
const SAMPLE_VALUES = 1 << 21;
/** Characters of CSV text per chunk. */
const CSV_CHUNK_CHARS = 8 << 20;

/** What --stream was asked to do. */
export interface StreamOptions {
  file: string;
  format: 'csv' | 'parquet';
  k: number;
  seed: number;
  features?: string[];
  idField?: string;
  scaling: Scaling;
  missing: MissingPolicy;
  logTransform: 'auto' | boolean;
  delimiter?: CsvDelimiter;
  decimal?: DecimalMark;
  /** Where the assignments (csv) or the summary (json) go; undefined: standard output. */
  output?: string;
  outputFormat: 'csv' | 'json';
  onWarning: (w: ReadWarning) => void;
  onProgress: (text: string) => void;
  /** CSV text per chunk (default 8 Mi characters); smaller in tests to cross chunk ends. */
  chunkChars?: number;
}

/** A failure in the data, worded for the command line (exit 1). */
export class StreamDataError extends Error {}
/** A flag that does not fit the file (a --features name it does not have): exit 2. */
export class StreamUsageError extends Error {}

/** The streamed run's summary (the json format, and the lines on stderr). */
export interface StreamSummary {
  meta: {
    customers: number;
    n_clusters: number;
    algorithm: 'minibatch_kmeans';
    features: string[];
    /** Sum of squared distances to the assigned centroid, in the scaled feature space, over every customer. */
    inertia: number;
    stream: { passes: 2; chunks: number; sample_size: number; quantile_sketch: { name: 'DDSketch'; relative_accuracy: number } };
    preprocessing: {
      scaling: Scaling;
      missing: MissingPolicy;
      logTransformed: string[];
      constantDropped: string[];
      imputed: Record<string, number>;
      ignoredFields: string[];
    };
  };
  segments: { segment_id: number; label: string; size: number; share: number; characteristics: Record<string, number | null> }[];
}

/** The file's chunks as readCustomers() results, with each chunk's first row. */
async function* chunks(
  o: StreamOptions,
  fixed: { delimiter?: CsvDelimiter; decimal?: DecimalMark },
): AsyncGenerator<{ read: ReadCustomersResult; offset: number }> {
  let offset = 0;
  if (o.format === 'parquet') {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
    let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
    let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
    try {
      file = await asyncBufferFromFile(o.file);
      metadata = await parquetMetadataAsync(file);
    } catch (err) {
      throw new StreamDataError(`${o.file}: not a readable Parquet file (${(err as Error).message})`);
    }
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      const start = offset;
      const parts = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>(names.map((n) => [n, []]));
      await parquetRead({
        file,
        metadata,
        rowStart: start,
        rowEnd: start + rows,
        onChunk: ({ columnName, columnData, rowStart }) => parts.get(columnName)?.push({ rowStart, data: columnData as ArrayLike<unknown> }),
      });
      const cells = new Map<string, ArrayLike<unknown>>();
      for (const name of names) {
        // Chunks may reach outside the group asked for: keep its rows, in order.
        const pieces = parts
          .get(name)!
          .sort((a, b) => a.rowStart - b.rowStart)
          .map((p) => {
            const from = Math.max(start - p.rowStart, 0);
            const to = Math.min(start + rows - p.rowStart, p.data.length);
            return from === 0 && to === p.data.length ? p.data : Array.prototype.slice.call(p.data, from, Math.max(from, to));
          });
        cells.set(name, joinChunks(pieces, rows));
      }
      let read: ReadCustomersResult;
      try {
        read = readColumns(cells, rows, 'parquet', { idField: o.idField, name: o.file });
      } catch (err) {
        if (err instanceof ReadError) throw new StreamDataError(err.message);
        throw err;
      }
      yield { read, offset };
      offset += rows;
    }
    return;
  }

  // CSV: text decoded as it comes, cut after the last record end outside quotes.
  const stream = createReadStream(o.file, { highWaterMark: Math.min(1 << 22, o.chunkChars ?? 1 << 22) });
  let decoder: TextDecoder | undefined;
  let header: string | undefined;
  let carry = '';
  const emit = async function* (body: string): AsyncGenerator<{ read: ReadCustomersResult; offset: number }> {
    if (body.trim() === '') return;
    let read: ReadCustomersResult;
    try {
      read = await readCustomers(`${header}\n${body}`, {
        format: 'csv',
        name: o.file,
        idField: o.idField,
        delimiter: fixed.delimiter,
        decimal: fixed.decimal,
      });
    } catch (err) {
      if (err instanceof ReadError) throw new StreamDataError(offset > 0 ? `${err.message} (in the chunk from data row ${offset + 1})` : err.message);
      throw err;
    }
    fixed.delimiter ??= read.delimiter;
    fixed.decimal ??= read.decimal;
    yield { read, offset };
    offset += read.rows;
  };
  for await (const buf of stream as AsyncIterable<Buffer>) {
    if (!decoder) {
      const le = buf[0] === 0xff && buf[1] === 0xfe;
      const be = buf[0] === 0xfe && buf[1] === 0xff;
      decoder = new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8', { fatal: true });
    }
    try {
      carry += decoder.decode(buf, { stream: true });
    } catch {
      throw new StreamDataError(`${o.file}: --stream reads UTF-8 or UTF-16 text; this file is in another encoding (convert it, or read it without --stream)`);
    }
    if (header === undefined) {
      if (carry.charCodeAt(0) === 0xfeff) carry = carry.slice(1);
      const end = recordEnd(carry, 0, true);
      if (end < 0) continue;
      header = carry.slice(0, end).replace(/\r$/, '');
      carry = carry.slice(end + 1);
    }
    if (carry.length < (o.chunkChars ?? CSV_CHUNK_CHARS)) continue;
    const end = recordEnd(carry, carry.length - 1, false);
    if (end < 0) continue;
    const body = carry.slice(0, end + 1);
    carry = carry.slice(end + 1);
    yield* emit(body);
  }
  if (header === undefined) {
    header = carry;
    carry = '';
  }
  if (header.trim() === '') throw new StreamDataError(`${o.file} is empty`);
  yield* emit(carry);
  if (offset === 0) await checkHeaderOnly();

  async function checkHeaderOnly(): Promise<void> {
    // No data rows: readCustomers still checks the header (the id column) for the message.
    try {
      await readCustomers(`${header}\n`, { format: 'csv', name: o.file, idField: o.idField, delimiter: fixed.delimiter });
    } catch (err) {
      if (err instanceof ReadError) throw new StreamDataError(err.message);
      throw err;
    }
  }
}

/**
 * A record end (the index of a '\n') outside quotes: the first one from `from` going
 * forward, or the last one at or before `from` going back; -1 if none. Quote parity is
 * counted from the start of `text`, which is always a record start.
 */
function recordEnd(text: string, from: number, forward: boolean): number {
  if (text.indexOf('"') < 0) return forward ? text.indexOf('\n', from) : text.lastIndexOf('\n', from);
  let inQuotes = false;
  let last = -1;
  const stop = forward ? text.length : from + 1;
  for (let i = 0; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 10 && !inQuotes) {
      if (forward) return i;
      last = i;
    }
  }
  return last;
}

/** A chunk's feature column as numbers, or a clear failure when it stopped being numeric. */
function featureColumn(read: ReadCustomersResult, f: string, offset: number, file: string): Float64Array {
  const col = read.data[f];
  if (col === undefined) throw new StreamDataError(`${file}: column '${f}' is missing from the rows after row ${offset}`);
  if (col instanceof Float64Array) {
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v - v !== 0 && !Number.isNaN(v)) throw new StreamDataError(`${file}: '${f}' at data row ${offset + i + 1} is ${v}; values must be finite`);
    }
    return col;
  }
  // A chunk where the column is all missing reads as text: it is numbers all the same.
  const out = new Float64Array(read.rows);
  for (let i = 0; i < read.rows; i++) {
    const v = parseNumeric(col[i]);
    if (v === undefined || !Number.isNaN(v)) {
      throw new StreamDataError(
        `${file}: '${f}' reads as numbers in the first rows but not at data row ${offset + i + 1} ('${String(col[i]).slice(0, 40)}'); --stream needs each feature in one format throughout`,
      );
    }
    out[i] = Number.NaN;
  }
  return out;
}

function checkIds(read: ReadCustomersResult, offset: number, file: string): ArrayLike<unknown> {
  const ids = read.data[read.idField];
  for (let i = 0; i < read.rows; i++) {
    const id = ids[i];
    if (id === undefined || id === null || id === '' || (typeof id === 'number' && !Number.isFinite(id))) {
      throw new StreamDataError(`${file}: customer at data row ${offset + i + 1} has no '${read.idField}'`);
    }
  }
  return ids;
}

/** Output as the chunks go: a file descriptor, or standard output with back-pressure. */
function openOutput(file: string | undefined): { write: (text: string) => Promise<void>; close: () => void } {
  if (file === undefined) {
    return {
      write: (text) =>
        new Promise((resolve) => {
          if (process.stdout.write(text)) resolve();
          else process.stdout.once('drain', resolve);
        }),
      close: () => {},
    };
  }
  const fd = openSync(file, 'w');
  return {
    write: async (text) => {
      writeSync(fd, text);
    },
    close: () => closeSync(fd),
  };
}

/** Runs the two passes; resolves to the summary once the output is written. */
export async function streamSegment(o: StreamOptions): Promise<StreamSummary> {
  statSync(o.file);
  const fixed: { delimiter?: CsvDelimiter; decimal?: DecimalMark } = { delimiter: o.delimiter, decimal: o.decimal };
  const rng = new Random(o.seed);
  const seenWarnings = new Set<string>();
  const warn = (ws: ReadWarning[]): void => {
    for (const w of ws) {
      // Later chunks repeat the first one's warnings: each is said once.
      const key = `${w.key}:${w.column ?? ''}`;
      if (seenWarnings.has(key)) continue;
      seenWarnings.add(key);
      o.onWarning(w);
    }
  };

  // Pass 1: statistics and the sample.
  let features: string[] = [];
  let ignoredFields: string[] = [];
  let stats: FeatureStream[] = [];
  let sample = new Float64Array(0);
  let sampleCap = 0;
  let n = 0;
  let nChunks = 0;
  let idField = '';
  for await (const { read, offset } of chunks(o, fixed)) {
    warn(read.warnings);
    if (nChunks === 0) {
      idField = read.idField;
      const others = read.columns.filter((c) => c !== idField);
      if (o.features) {
        for (const f of o.features) {
          if (f === idField) throw new StreamUsageError(`--features must not include the id column '${idField}'`);
          if (!others.includes(f)) throw new StreamUsageError(`--features: '${f}' is not a column of ${o.file}; its columns are: ${read.columns.join(', ')}`);
          if (!(read.data[f] instanceof Float64Array)) {
            throw new StreamDataError(`--features: '${f}' is not numeric, and --stream does not one-hot encode text features (run without --stream)`);
          }
        }
        features = o.features;
        ignoredFields = others.filter((c) => !features.includes(c));
      } else {
        features = others.filter((c) => read.data[c] instanceof Float64Array);
        ignoredFields = others.filter((c) => !(read.data[c] instanceof Float64Array));
      }
      if (features.length === 0) throw new StreamDataError(`${o.file}: no numeric feature among the columns ${others.join(', ')}`);
      stats = features.map(() => new FeatureStream());
      sampleCap = Math.max(o.k, Math.floor(SAMPLE_VALUES / features.length));
      sample = new Float64Array(sampleCap * features.length);
    }
    nChunks++;
    checkIds(read, offset, o.file);
    const d = features.length;
    const cols = features.map((f) => featureColumn(read, f, offset, o.file));
    cols.forEach((col, j) => stats[j].add(col, offset));
    for (let i = 0; i < read.rows; i++) {
      const t = offset + i;
      // Algorithm R: row t replaces a random sample row with probability cap / (t + 1).
      const slot = t < sampleCap ? t : rng.int(t + 1);
      if (slot < sampleCap) for (let j = 0; j < d; j++) sample[slot * d + j] = cols[j][i];
    }
    n = offset + read.rows;
    o.onProgress(`pass 1 of 2: ${n.toLocaleString('en-US')} rows read`);
  }
  if (n === 0) throw new StreamDataError(`${o.file} has no customers`);
  if (o.k > n) throw new StreamDataError(`-k is ${o.k} but ${o.file} has only ${n} customers`);

  // Preprocessing, decided as prepareRecords() decides it, from the streamed statistics.
  const transforms: FeatureTransform[] = [];
  const kept: number[] = [];
  const logTransformed: string[] = [];
  const constantDropped: string[] = [];
  const imputed: Record<string, number> = {};
  features.forEach((f, j) => {
    const s = stats[j];
    if (s.observed.n === 0) {
      constantDropped.push(f);
      return;
    }
    if (s.missing > 0 && o.missing === 'error') {
      throw new StreamDataError(`customer at data row ${s.firstMissing + 1} has no value for '${f}' and --missing is 'error'`);
    }
    let impute = 0;
    if (s.missing > 0) {
      impute = o.missing === 'mean' ? s.observed.mean : s.quantile(0.5);
      imputed[f] = s.missing;
    }
    const canLog = s.nonNegative && !s.binary;
    const log = o.logTransform === true ? canLog : o.logTransform === 'auto' ? canLog && s.skewness > SKEW_THRESHOLD : false;
    if (log) logTransformed.push(f);
    const c = s.column(impute, log);
    const t: FeatureTransform = { name: f, source: f, kind: 'numeric', log, impute, center: 0, scale: 1 };
    if (c.max === c.min) {
      constantDropped.push(f);
      return;
    }
    if (o.scaling === 'zscore') {
      t.center = c.mean;
      t.scale = c.std;
    } else if (o.scaling === 'robust') {
      const iqr = c.quantile(0.75) - c.quantile(0.25);
      t.center = c.quantile(0.5);
      t.scale = iqr > 0 ? iqr : 1;
    } else if (o.scaling === 'minmax') {
      t.center = c.min;
      t.scale = c.max - c.min;
    }
    if (!(t.scale > 0) || !Number.isFinite(t.scale) || !Number.isFinite(t.center)) {
      constantDropped.push(f);
      return;
    }
    transforms.push(t);
    kept.push(j);
  });
  if (transforms.length === 0) throw new StreamDataError('no usable numeric feature: every candidate feature is missing, non-numeric or constant');
  const d = features.length;
  const dm = transforms.length;
  const toModel = (raw: number, t: FeatureTransform): number => {
    let v = Number.isNaN(raw) ? t.impute : raw;
    if (t.log) v = Math.log1p(v);
    return (v - t.center) / t.scale;
  };

  const sampleRows = Math.min(sampleCap, n);
  const X = new Float64Array(sampleRows * dm);
  for (let i = 0; i < sampleRows; i++) for (let q = 0; q < dm; q++) X[i * dm + q] = toModel(sample[i * d + kept[q]], transforms[q]);
  sample = new Float64Array(0);
  o.onProgress(`fitting mini-batch K-Means on a sample of ${sampleRows.toLocaleString('en-US')} rows`);
  await init();
  const model: MiniBatchKMeansModel = fitMiniBatchKMeans({ data: X, rows: sampleRows, cols: dm }, { k: o.k, seed: o.seed });
  const centroids = model.centroids;
  // Segments numbered by the share of the fit each centroid absorbed (largest first), as
  // the one-shot response numbers them by size.
  const counts = model.counts;
  const order = Array.from({ length: o.k }, (_, c) => c).sort((a, b) => counts[b] - counts[a] || a - b);
  const segmentOf = new Int32Array(o.k);
  order.forEach((c, rank) => {
    segmentOf[c] = rank;
  });
  const labelOf = (seg: number): string => `Segment ${seg + 1}`;

  // Pass 2: assign every row and write it.
  const out = openOutput(o.outputFormat === 'csv' ? o.output : undefined);
  const sizes = new Float64Array(o.k);
  const sums = new Float64Array(o.k * d);
  const observedCounts = new Float64Array(o.k * d);
  let inertia = 0;
  let assigned = 0;
  try {
    if (o.outputFormat === 'csv') await out.write('customer_id,segment_id,label\n');
    const labelCells = Array.from({ length: o.k }, (_, s) => `${s},${csvField(labelOf(s))}\n`);
    for await (const { read, offset } of chunks(o, fixed)) {
      const ids = checkIds(read, offset, o.file);
      const cols = features.map((f) => featureColumn(read, f, offset, o.file));
      const rows = read.rows;
      const m = new Float64Array(rows * dm);
      for (let q = 0; q < dm; q++) {
        const col = cols[kept[q]];
        const t = transforms[q];
        for (let i = 0; i < rows; i++) m[i * dm + q] = toModel(col[i], t);
      }
      const labels = model.predictMatrix({ data: m, rows, cols: dm });
      const lines: string[] = new Array(rows);
      for (let i = 0; i < rows; i++) {
        const c = labels[i];
        const seg = segmentOf[c];
        sizes[seg]++;
        const centre = centroids[c];
        let dist = 0;
        for (let q = 0; q < dm; q++) dist += (m[i * dm + q] - centre[q]) ** 2;
        inertia += dist;
        for (let j = 0; j < d; j++) {
          const v = cols[j][i];
          if (!Number.isNaN(v)) {
            sums[seg * d + j] += v;
            observedCounts[seg * d + j]++;
          }
        }
        if (o.outputFormat === 'csv') lines[i] = `${csvField(ids[i] as string | number)},${labelCells[seg]}`;
      }
      if (o.outputFormat === 'csv') await out.write(lines.join(''));
      assigned += rows;
      o.onProgress(`pass 2 of 2: ${assigned.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} rows assigned`);
    }
  } finally {
    out.close();
  }
  if (assigned !== n) throw new StreamDataError(`${o.file} changed while it was read: ${n} rows in the first pass, ${assigned} in the second`);

  return {
    meta: {
      customers: n,
      n_clusters: o.k,
      algorithm: 'minibatch_kmeans',
      features: transforms.map((t) => t.name),
      inertia,
      stream: { passes: 2, chunks: nChunks, sample_size: sampleRows, quantile_sketch: { name: 'DDSketch', relative_accuracy: QUANTILE_RELATIVE_ACCURACY } },
      preprocessing: { scaling: o.scaling, missing: o.missing, logTransformed, constantDropped, imputed, ignoredFields },
    },
    segments: Array.from({ length: o.k }, (_, s) => ({
      segment_id: s,
      label: labelOf(s),
      size: sizes[s],
      share: sizes[s] / n,
      characteristics: Object.fromEntries(
        features.map((f, j) => [`avg_${f}`, observedCounts[s * d + j] > 0 ? sums[s * d + j] / observedCounts[s * d + j] : null]),
      ),
    })),
  };
}
