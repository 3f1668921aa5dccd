#!/usr/bin/env node
/**
 * The command line: `segmint segment FILE`, `segmint serve`, `segmint bench`.
 *
 * `segment` reads CSV, JSON (the reference's request body, or a plain array of
 * customers) or NDJSON, from a file or `-` (stdin), runs segment(), and prints a
 * readable table on a terminal or JSON otherwise (--format overrides). Progress goes to
 * stderr, so stdout stays clean for pipes. Exit codes: 0 done, 1 the data could not be
 * segmented (the error's code and message are printed), 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { SegmentationError } from './errors';
import { segment, type SegmentationResponse } from './segment';

const USAGE = `segmint: customer segmentation (K-Means, hierarchical, DBSCAN, Gaussian mixtures)

Usage:
  segmint segment FILE [options]   segment customers from FILE (.csv, .json, .ndjson; - for stdin)
  segmint serve [options]          run the HTTP endpoint (see README)
  segmint worker [options]         run queued segmentation jobs from REDIS_URL (see README)
  segmint bench [suite ...] [--sizes=N,N] [--quick]
                                   run the benchmark suites (from a checkout of segmint)
  segmint --help | --version

segment options:
  -a, --algorithm NAME   kmeans (default), hierarchical, dbscan, gmm, auto
  -k, --k N|auto         number of segments (default: auto, chosen on the curve)
  -f, --features LIST    comma-separated fields to use (default: every numeric field)
      --id-field NAME    customer id field (default: customer_id)
  -l, --locale LANG      en (default), es, pt
      --format FORMAT    table (default on a terminal) or json
      --seed N           seed (default 0)
      --quiet            no progress on stderr
`;

class UsageError extends Error {}

/** main()'s answer for a command that keeps running (serve): do not exit. */
export const KEEP_RUNNING = -1;

/** Records from a file's text, by extension (or content when the extension says nothing). */
export function readCustomers(text: string, name: string): Record<string, unknown> {
  const ext = extname(name).toLowerCase();
  const trimmed = text.trimStart();
  // Without a telling extension (stdin), text that starts like JSON but does not parse as
  // one document is read as NDJSON.
  let ndjson = ext === '.ndjson' || ext === '.jsonl';
  if (!ndjson && ext !== '.json' && ext !== '.csv' && trimmed.startsWith('{')) {
    try {
      JSON.parse(text);
    } catch {
      ndjson = true;
    }
  }
  if (ndjson) {
    const data = text
      .split(/\r?\n/)
      .map((line, i) => ({ line: line.trim(), i }))
      .filter(({ line }) => line !== '')
      .map(({ line, i }) => {
        try {
          return JSON.parse(line);
        } catch {
          throw new UsageError(`${name}: line ${i + 1} is not valid JSON`);
        }
      });
    return { data };
  }
  if (ext === '.json' || (ext !== '.csv' && (trimmed.startsWith('{') || trimmed.startsWith('[')))) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`${name}: not valid JSON (${(err as Error).message})`);
    }
    // A plain array of customers, or the reference's request body.
    if (Array.isArray(body)) return { data: body };
    if (body === null || typeof body !== 'object') throw new UsageError(`${name}: expected an array of customers or a request object`);
    return body as Record<string, unknown>;
  }
  let data: Record<string, string>[];
  try {
    data = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (err) {
    throw new UsageError(`${name}: not valid CSV (${(err as Error).message})`);
  }
  return { data };
}

function fmt(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '—';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: abs < 10 ? digits : 0 });
}

/** A readable report: summary, one block per segment, then the characteristics side by side. */
export function formatTable(r: SegmentationResponse): string {
  const lines: string[] = [];
  const m = r.metrics;
  lines.push(
    `${r.meta.customers.toLocaleString('en-US')} customers, ${r.meta.n_clusters} segments (${r.meta.algorithm}), features: ${r.meta.features.join(', ')}`,
  );
  lines.push(
    `silhouette ${fmt(m.silhouette_score, 3)}${m.silhouette?.method === 'sampled' ? ` (sample of ${m.silhouette.sample_size})` : ''}` +
      `   Davies-Bouldin ${fmt(m.davies_bouldin_score, 3)}   Calinski-Harabasz ${fmt(m.calinski_harabasz_score, 1)}`,
  );
  if (r.k_selection) {
    const curve = r.k_selection.curve.map((p) => `${p.k}:${fmt(p.score, 3)}`).join(' ');
    lines.push(`k chosen by ${r.k_selection.method}: ${r.k_selection.k}   curve ${curve}`);
  }
  lines.push('');
  for (const s of r.segments) {
    lines.push(`[${s.segment_id}] ${s.label} — ${s.size.toLocaleString('en-US')} customers (${fmt(s.share * 100, 1)}%)`);
    lines.push(`    ${s.description}`);
  }
  lines.push('');
  const keys = Object.keys(r.segments[0]?.characteristics ?? {});
  const head = ['', ...r.segments.map((s) => `[${s.segment_id}]`)];
  const rows = keys.map((key) => [key, ...r.segments.map((s) => fmt(s.characteristics[key]))]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const render = (row: string[]): string => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  lines.push(render(head));
  for (const row of rows) lines.push(render(row));
  if (r.meta.warnings.length > 0) {
    lines.push('');
    for (const w of r.meta.warnings) lines.push(`! ${w.message}`);
  }
  lines.push('', `time ${fmt(r.meta.timings_ms.total, 1)} ms`);
  return lines.join('\n');
}

async function segmentCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      algorithm: { type: 'string', short: 'a' },
      k: { type: 'string', short: 'k' },
      features: { type: 'string', short: 'f' },
      'id-field': { type: 'string' },
      locale: { type: 'string', short: 'l' },
      format: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('segment needs exactly one FILE (or - for stdin)');
  const file = positionals[0];
  const format = values.format ?? (process.stdout.isTTY ? 'table' : 'json');
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got ${format}`);
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const request = readCustomers(text, file);
  if (values.algorithm !== undefined) request.algorithm = values.algorithm;
  if (values.k !== undefined) {
    if (values.k !== 'auto' && !/^\d+$/.test(values.k)) throw new UsageError(`-k must be a whole number or auto, got ${values.k}`);
    request.n_clusters = values.k === 'auto' ? 'auto' : Number(values.k);
  }
  if (values.features !== undefined)
    request.features = values.features
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
  if (values['id-field'] !== undefined) request.id_field = values['id-field'];
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed)) throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
    request.seed = Number(values.seed);
  }

  const quiet = values.quiet || !process.stderr.isTTY;
  const started = Date.now();
  const response = await segment(request, {
    locale: values.locale ?? 'en',
    onProgress: (stage) => {
      if (!quiet) process.stderr.write(`\rsegmint: ${stage}... ${((Date.now() - started) / 1000).toFixed(1)} s   `);
    },
  });
  if (!quiet) process.stderr.write('\r\x1b[K');
  process.stdout.write(format === 'json' ? `${JSON.stringify(response, null, 2)}\n` : `${formatTable(response)}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${SEGMINT_VERSION}\n`);
      return 0;
    }
    if (command === 'segment') return await segmentCommand(rest);
    if (command === 'serve') {
      const { serveCommand } = await import('./http/server');
      const running = await serveCommand(rest);
      // Running: the server keeps the process alive and handles SIGINT/SIGTERM itself.
      if (running) return KEEP_RUNNING;
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    }
    if (command === 'worker') {
      const { workerCommand } = await import('./jobs/worker-command');
      return (await workerCommand(rest)) ? KEEP_RUNNING : typeof process.exitCode === 'number' ? process.exitCode : 0;
    }
    if (command === 'bench') return await benchCommand(rest);
    throw new UsageError(`unknown command '${command}'`);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`segmint: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof SegmentationError) {
      const reason = typeof err.details.reason === 'string' ? ` (${err.details.reason})` : '';
      process.stderr.write(`segmint: ${err.code}: ${err.message}${reason}\n`);
      return 1;
    }
    throw err;
  }
}

/** `segmint bench`: the benchmark needs the repository (peers are dev dependencies). */
async function benchCommand(argv: string[]): Promise<number> {
  const { existsSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const runner = new URL('../bench/run.mjs', import.meta.url);
  if (!existsSync(runner)) {
    throw new UsageError('the benchmark runs from a checkout of segmint (git clone, npm install, then segmint bench or npm run bench)');
  }
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', runner.pathname, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

declare const SEGMINT_VERSION: string;

// Run when executed directly (the bin), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(^|[\\/])(cli\.(c?js|ts|mjs)|segmint)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== KEEP_RUNNING) process.exit(code);
    },
    (err) => {
      process.stderr.write(`segmint: internal error: ${(err as Error).stack ?? err}\n`);
      process.exit(70);
    },
  );
}
