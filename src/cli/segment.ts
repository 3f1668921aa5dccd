/**
 * `segmint segment FILE`: read the file with readCustomers(), build the request from the
 * flags (each flag is one request field, checked here so a bad value is reported as the
 * flag the user typed), run segment(), write the chosen format and, with --report, the
 * HTML report.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { GaussianMixtureModel } from '../cluster/gmm';
import { SegmentationError } from '../errors';
import type { Locale } from '../i18n/index';
import { useParquetWasm } from '../prep/parquetNode';
import { readCustomers, ReadError, type CustomerFileFormat, type ReadCustomersResult } from '../prep/read';
import type { CsvDelimiter } from '../prep/readCsv';
import { transformRecords, type CustomerId } from '../prep/records';
import { FEATURE_ROLES } from '../profile/roles';
import { segment, type SegmentationRequest, type SegmentationResponse } from '../segment';
import { SEGMENT_ALGORITHMS } from '../service/algorithms';
import { init } from '../wasm/index';
import { FlagReader, parseFlags, UsageError } from './args';
import { SEGMENT_HELP } from './help';
import { assignmentsCsv, formatMarkdown, formatTable, readWarningText } from './output';

const OPTIONS = {
  algorithm: { type: 'string', short: 'a' },
  k: { type: 'string', short: 'k' },
  'k-range': { type: 'string' },
  'k-selection': { type: 'string' },
  linkage: { type: 'string' },
  eps: { type: 'string' },
  'min-samples': { type: 'string' },
  covariance: { type: 'string' },
  seed: { type: 'string' },
  features: { type: 'string', short: 'f' },
  'id-field': { type: 'string' },
  roles: { type: 'string' },
  scaling: { type: 'string' },
  missing: { type: 'string' },
  'log-transform': { type: 'string' },
  'max-categories': { type: 'string' },
  categorical: { type: 'string' },
  delimiter: { type: 'string' },
  decimal: { type: 'string' },
  'input-format': { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  probabilities: { type: 'boolean' },
  report: { type: 'string' },
  locale: { type: 'string', short: 'l' },
  quiet: { type: 'boolean' },
  stream: { type: 'boolean' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Request field -> the flag that sets it, so the service's errors can name the flag. */
const FLAG_OF_FIELD: Record<string, string> = {
  algorithm: 'algorithm',
  n_clusters: 'k',
  k_range: 'k-range',
  k_selection: 'k-selection',
  linkage: 'linkage',
  eps: 'eps',
  min_samples: 'min-samples',
  covariance_type: 'covariance',
  seed: 'seed',
  features: 'features',
  id_field: 'id-field',
  roles: 'roles',
  scaling: 'scaling',
  missing: 'missing',
  log_transform: 'log-transform',
  max_categories: 'max-categories',
  categorical: 'categorical',
};

type OutputFormat = 'table' | 'json' | 'csv' | 'markdown';
const FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'markdown'];

/** A failure in the data (exit 1) whose message is already worded for the command line. */
export class DataFailure extends Error {}

async function readInput(file: string, options: Parameters<typeof readCustomers>[1]): Promise<ReadCustomersResult> {
  if (file === '-') return readCustomers(process.stdin as AsyncIterable<Uint8Array>, { ...options, name: options?.name ?? 'standard input' });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(err as Error).message}`, 'segment');
  }
  return readCustomers(bytes, { ...options, name: file });
}

export async function segmentCommand(argv: string[]): Promise<number> {
  useParquetWasm();
  const flags = parseFlags(argv, OPTIONS, 'segment');
  const f = new FlagReader(flags, 'segment');
  if (f.bool('help')) {
    process.stdout.write(SEGMENT_HELP);
    return 0;
  }
  if (flags.positionals.length !== 1) {
    throw new UsageError(
      flags.positionals.length === 0 ? 'segment needs a FILE (or - for standard input)' : `segment takes one FILE, got ${flags.positionals.length}`,
      'segment',
    );
  }
  const file = flags.positionals[0];
  if (f.bool('stream')) return streamCommand(file, flags, f);

  // Every flag is checked before the file is read: a typo fails at once, not after a minute.
  const output = f.string('output');
  const byExtension: Record<string, OutputFormat> = { '.csv': 'csv', '.json': 'json', '.md': 'markdown', '.markdown': 'markdown', '.txt': 'table' };
  const format: OutputFormat =
    f.oneOf('format', FORMATS, { md: 'markdown' }) ??
    (output !== undefined ? (byExtension[extname(output).toLowerCase()] ?? 'table') : process.stdout.isTTY ? 'table' : 'json');
  const locale = f.oneOf('locale', ['en', 'es', 'pt'] as const) ?? 'en';
  const algorithm = f.oneOf('algorithm', [...SEGMENT_ALGORITHMS, 'auto'] as const, { 'k-means': 'kmeans', agglomerative: 'hierarchical' });
  const kRaw = f.string('k');
  const k = kRaw === undefined || kRaw.toLowerCase() === 'auto' ? (kRaw === undefined ? undefined : 'auto') : f.integer('k', 1, 1000);
  const probabilities = f.bool('probabilities');
  if (probabilities && format !== 'csv') throw new UsageError(`--probabilities is for --format csv (the assignments); the format is ${format}`, 'segment');
  if (probabilities && algorithm !== 'gmm') throw new UsageError('--probabilities needs -a gmm (only Gaussian mixtures give probabilities)', 'segment');
  const eps = f.string('eps')?.toLowerCase() === 'auto' ? 'auto' : f.positiveNumber('eps');
  const logRaw = f.oneOf('log-transform', ['auto', 'true', 'false'] as const);
  const delimiter = f.oneOf('delimiter', [',', ';', '\t', '|'] as const, { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|' }) as
    | CsvDelimiter
    | undefined;
  const decimal = f.oneOf('decimal', ['.', ','] as const, { dot: '.', point: '.', comma: ',' });
  const inputFormat = f.oneOf('input-format', ['csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'] as const) as CustomerFileFormat | undefined;
  const fields: Partial<SegmentationRequest> = {
    algorithm,
    n_clusters: k,
    k_range: f.range('k-range'),
    k_selection: f.oneOf('k-selection', ['silhouette', 'davies_bouldin', 'elbow', 'bic', 'calinski_harabasz'] as const, {
      'davies-bouldin': 'davies_bouldin',
      'calinski-harabasz': 'calinski_harabasz',
    }),
    linkage: f.oneOf('linkage', ['ward', 'complete', 'average', 'single'] as const),
    eps,
    min_samples: f.integer('min-samples', 1),
    covariance_type: f.oneOf('covariance', ['full', 'diag', 'tied', 'spherical'] as const),
    seed: f.integer('seed', -(2 ** 31), 2 ** 31 - 1),
    features: f.list('features'),
    roles: f.pairs('roles', FEATURE_ROLES),
    scaling: f.oneOf('scaling', ['zscore', 'robust', 'minmax', 'none'] as const, { 'z-score': 'zscore', standard: 'zscore' }),
    missing: f.oneOf('missing', ['median', 'mean', 'error'] as const),
    log_transform: logRaw === undefined ? undefined : logRaw === 'auto' ? 'auto' : logRaw === 'true',
    max_categories: f.integer('max-categories', 1),
    categorical: f.oneOf('categorical', ['auto', 'onehot', 'kprototypes'] as const, { 'one-hot': 'onehot', 'k-prototypes': 'kprototypes' }),
  };
  const idFlag = f.string('id-field');
  const threadsFlag = f.integer('threads', 1, 65);
  const quiet = f.bool('quiet');
  const progress = !quiet && process.stderr.isTTY;
  const started = Date.now();
  const say = (text: string): void => {
    if (progress) process.stderr.write(`\r\x1b[Ksegmint: ${text}`);
  };

  say(`reading ${file}...`);
  let read: ReadCustomersResult;
  try {
    read = await readInput(file, { idField: idFlag, delimiter, decimal, format: inputFormat });
  } catch (err) {
    if (err instanceof ReadError) {
      // The library names `id_field`; here the flag is what the user can type.
      const message = err.code === 'NO_ID_FIELD' ? err.message.replace(/id_field$/, '--id-field NAME') : err.message;
      throw new DataFailure(message);
    }
    throw err;
  }
  say('');
  if (!quiet) for (const w of read.warnings) process.stderr.write(`segmint: warning: ${readWarningText(locale as Locale, w)}\n`);

  // Opt-in: each extra thread holds its own copy of the matrix (measured on 1M x 6, k 4:
  // 4.55 -> 4.2 s for 507 -> 725 MB peak RSS), a trade the user makes, not the default.
  const threads = threadsFlag ?? 1;
  if (threads > 1) {
    try {
      await init({ threads });
    } catch (err) {
      if (threadsFlag !== undefined) throw new UsageError(`${flags.typed('threads')}: ${(err as Error).message}`, 'segment');
    }
  }

  const request: Record<string, unknown> = { ...read.request, data: read.data, id_field: read.idField };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) request[key] = value;
  if (probabilities) request.return_model = true;

  let response: SegmentationResponse;
  try {
    response = await segment(request as unknown as SegmentationRequest, {
      locale,
      onProgress: (stage) => say(`${stage}... ${((Date.now() - started) / 1000).toFixed(1)} s`),
    });
  } catch (err) {
    if (err instanceof SegmentationError) {
      const flag = FLAG_OF_FIELD[err.details.parameter ?? ''];
      const typed = flag !== undefined && flags.values[flag] !== undefined ? flags.typed(flag) : undefined;
      const reason = typeof err.details.reason === 'string' ? ` (${err.details.reason})` : '';
      const message = `${err.code}: ${err.message}${reason}${typed ? ` [${typed}]` : ''}`;
      // A value the service refuses outright is bad usage of that flag; anything else is the data.
      if (typed && (err.code === 'INVALID_PARAMETER' || err.code === 'UNKNOWN_FEATURE')) throw new UsageError(message, 'segment');
      throw new DataFailure(message);
    }
    throw err;
  } finally {
    if (progress) process.stderr.write('\r\x1b[K');
  }
  // The reader's warnings belong with the response's: a JSON consumer sees them too.
  response.meta.warnings.unshift(...read.warnings.map((w) => ({ code: `read_${w.key}`, message: readWarningText(locale as Locale, w) })));

  const ids = read.data[read.idField] as ArrayLike<CustomerId>;
  let text: string;
  if (format === 'csv') text = assignmentsCsv(response, ids, probabilities ? gmmProbabilities(response, read) : undefined);
  else if (format === 'markdown') text = formatMarkdown(response, locale as Locale);
  else if (format === 'table') text = `${formatTable(response, locale as Locale)}\n`;
  else {
    const { model, ...rest } = response;
    text = `${JSON.stringify(read.request?.return_model === true ? response : rest, null, 2)}\n`;
    void model;
  }
  const reportFile = f.string('report');
  if (reportFile !== undefined) {
    const { renderReport } = await import('./report');
    writeOut(reportFile, renderReport(response, { locale: locale as Locale, data: read.data, idField: read.idField }));
    if (!quiet) process.stderr.write(`segmint: report written to ${reportFile}\n`);
  }
  if (output !== undefined) {
    writeOut(output, text);
    if (!quiet) process.stderr.write(`segmint: ${format} written to ${output}\n`);
  } else process.stdout.write(text);
  return 0;
}

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`, 'segment');
  }
}

/** Each customer's probability of each segment, from the mixture the response's model holds. */
function gmmProbabilities(response: SegmentationResponse, read: ReadCustomersResult): { segmentIds: number[]; values: Float64Array } {
  const model = response.model;
  if (model?.predictor.kind !== 'gmm') throw new DataFailure('--probabilities: the segmentation has no Gaussian mixture');
  const cols = Object.entries(read.data);
  const records = Array.from({ length: read.rows }, (_, i) => Object.fromEntries(cols.map(([name, col]) => [name, col[i]])));
  const X = transformRecords(records, model.transforms);
  const mixture = GaussianMixtureModel.fromJSON(model.predictor.model);
  const proba = mixture.predictProba(X);
  // Components -> segments: the response numbers segments by size, not by component.
  const k = proba.length / read.rows;
  const segmentIds = response.segments.map((s) => s.segment_id).sort((a, b) => a - b);
  const values = new Float64Array(read.rows * segmentIds.length);
  for (let c = 0; c < k; c++) {
    const seg = model.segment_of_label[String(c)];
    const j = segmentIds.indexOf(seg);
    if (j < 0) continue;
    for (let i = 0; i < read.rows; i++) values[i * segmentIds.length + j] += proba[i * k + c];
  }
  return { segmentIds, values };
}

/** Flags --stream cannot honour, and why (each a usage error naming the flag). */
const NOT_WITH_STREAM: Record<string, string> = {
  'k-range': 'choosing k needs all the data; give -k N',
  'k-selection': 'choosing k needs all the data; give -k N',
  linkage: 'it runs mini-batch K-Means only',
  eps: 'it runs mini-batch K-Means only',
  'min-samples': 'it runs mini-batch K-Means only',
  covariance: 'it runs mini-batch K-Means only',
  probabilities: 'it runs mini-batch K-Means only (no probabilities)',
  report: 'the HTML report needs every customer in memory',
  roles: 'segments are not named by business roles in this mode',
  'max-categories': 'text features are not one-hot encoded in this mode',
  threads: 'it fits one mini-batch model on a sample; there are no restarts to spread',
};

/** `segment FILE --stream`: the two-pass run of src/cli/stream.ts, for files bigger than memory. */
async function streamCommand(file: string, flags: ReturnType<typeof parseFlags>, f: FlagReader): Promise<number> {
  const refuse = (flag: string, why: string): never => {
    throw new UsageError(`${flags.typed(flag)} cannot be used with --stream: ${why}`, 'segment');
  };
  for (const [flag, why] of Object.entries(NOT_WITH_STREAM)) if (flags.values[flag] !== undefined) refuse(flag, why);
  if (file === '-') throw new UsageError('--stream reads its FILE twice, so it cannot read standard input; give a file name', 'segment');
  const algorithm = f.oneOf('algorithm', [...SEGMENT_ALGORITHMS, 'auto'] as const, { 'k-means': 'kmeans', agglomerative: 'hierarchical' });
  if (algorithm !== undefined && algorithm !== 'kmeans') refuse('algorithm', `it runs mini-batch K-Means only; got '${algorithm}'`);
  const kRaw = f.string('k');
  if (kRaw === undefined || kRaw.toLowerCase() === 'auto') {
    throw new UsageError('--stream needs -k N: choosing k needs all the data in memory', 'segment');
  }
  const k = f.integer('k', 1, 1000)!;
  const inputFormat = f.oneOf('input-format', ['csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'] as const);
  const ext = extname(file).toLowerCase();
  const format = inputFormat ?? (ext === '.parquet' || ext === '.pq' ? 'parquet' : 'csv');
  if (format !== 'csv' && format !== 'parquet') refuse('input-format', `it reads CSV and Parquet files; got ${format}`);
  if (inputFormat === undefined && ['.json', '.ndjson', '.jsonl', '.arrow', '.feather', '.ipc'].includes(ext)) {
    throw new UsageError(`--stream reads CSV and Parquet files; ${file} is not one (by its name)`, 'segment');
  }
  const output = f.string('output');
  const outFormat = f.oneOf('format', FORMATS, { md: 'markdown' }) ?? (output !== undefined && extname(output).toLowerCase() === '.json' ? 'json' : 'csv');
  if (outFormat !== 'csv' && outFormat !== 'json') refuse('format', `it writes csv (the assignments) or json (a summary); got ${outFormat}`);
  const logRaw = f.oneOf('log-transform', ['auto', 'true', 'false'] as const);
  const options = {
    file,
    format: format as 'csv' | 'parquet',
    k,
    seed: f.integer('seed', -(2 ** 31), 2 ** 31 - 1) ?? 0,
    features: f.list('features'),
    idField: f.string('id-field'),
    scaling: f.oneOf('scaling', ['zscore', 'robust', 'minmax', 'none'] as const, { 'z-score': 'zscore', standard: 'zscore' }) ?? 'zscore',
    missing: f.oneOf('missing', ['median', 'mean', 'error'] as const) ?? 'median',
    logTransform: logRaw === undefined || logRaw === 'auto' ? ('auto' as const) : logRaw === 'true',
    delimiter: f.oneOf('delimiter', [',', ';', '\t', '|'] as const, { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|' }) as
      | CsvDelimiter
      | undefined,
    decimal: f.oneOf('decimal', ['.', ','] as const, { dot: '.', point: '.', comma: ',' }),
    output,
    outputFormat: outFormat as 'csv' | 'json',
  };
  const locale = (f.oneOf('locale', ['en', 'es', 'pt'] as const) ?? 'en') as Locale;
  const quiet = f.bool('quiet');
  const progress = !quiet && process.stderr.isTTY;
  try {
    statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(err as Error).message}`, 'segment');
  }
  const { streamSegment, StreamDataError, StreamUsageError } = await import('./stream');
  let summary: Awaited<ReturnType<typeof streamSegment>>;
  try {
    summary = await streamSegment({
      ...options,
      onWarning: (w) => {
        if (!quiet) process.stderr.write(`segmint: warning: ${readWarningText(locale, w)}\n`);
      },
      onProgress: (text) => {
        if (progress) process.stderr.write(`\r\x1b[Ksegmint: ${text}`);
      },
    });
  } catch (err) {
    if (err instanceof StreamUsageError) throw new UsageError(err.message, 'segment');
    if (err instanceof StreamDataError) throw new DataFailure(err.message);
    if ((err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`cannot write ${output}: ${(err as Error).message}`, 'segment');
    }
    throw err;
  } finally {
    if (progress) process.stderr.write('\r\x1b[K');
  }
  if (outFormat === 'json') {
    const text = `${JSON.stringify(summary, null, 2)}\n`;
    if (output !== undefined) writeOut(output, text);
    else process.stdout.write(text);
  }
  if (!quiet) {
    const m = summary.meta;
    const sizes = summary.segments.map((s) => `[${s.segment_id}] ${s.size.toLocaleString('en-US')}`).join(', ');
    process.stderr.write(
      `segmint: ${m.customers.toLocaleString('en-US')} customers streamed in ${m.stream.chunks} chunks, ${m.n_clusters} segments (mini-batch K-Means on a sample of ${m.stream.sample_size.toLocaleString('en-US')}), inertia ${m.inertia.toPrecision(6)}; sizes ${sizes}\n`,
    );
    if (output !== undefined) process.stderr.write(`segmint: ${outFormat} written to ${output}\n`);
  }
  return 0;
}
