// segmint segment --stream: every customer assigned once, the fit close to full K-Means
// on all rows (computed here with prepareRecords + kmeans), chunk boundaries invisible,
// and the flags it cannot honour refused as usage errors. RSS is the bench's business.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamSegment, type StreamOptions } from '../src/cli/stream';
import { init, kmeans, prepareRecords, readCustomers, SAMPLE_FEATURES, sampleCustomers } from '../src/index';

const root = join(import.meta.dirname, '..');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const N = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'segmint-stream-'));
const csvFile = join(dir, 'customers.csv');
const parquetFile = join(dir, 'customers.parquet');
const header = ['customer_id', ...SAMPLE_FEATURES, 'note'];
let ids: string[] = [];

/** Assignment rows of a CSV the stream wrote: id -> segment, failing on a repeated id. */
function assignments(text: string): Map<string, number> {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('customer_id,segment_id,label');
  const out = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const [id, seg] = line.split(',');
    expect(out.has(id), `customer ${id} assigned twice`).toBe(false);
    out.set(id, Number(seg));
  }
  return out;
}

beforeAll(() => {
  const customers = sampleCustomers(N, 21) as unknown as Record<string, unknown>[];
  ids = customers.map((c) => c.customer_id as string);
  // A quoted note with a delimiter and a line break: chunk cuts must not fall inside it.
  const cell = (c: Record<string, unknown>, h: string, i: number) =>
    h === 'note' ? (i % 97 === 0 ? '"see, also\nline two"' : 'ok') : c[h] === null ? '' : String(c[h]);
  writeFileSync(csvFile, `${[header.join(','), ...customers.map((c, i) => header.map((h) => cell(c, h, i)).join(','))].join('\n')}\n`);
  const cols = ['customer_id', ...SAMPLE_FEATURES];
  writeFileSync(
    parquetFile,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: cols.map((h) => ({ name: h, data: customers.map((c) => c[h]), type: h === 'customer_id' ? 'STRING' : 'DOUBLE' })),
        rowGroupSize: 7_000,
      }),
    ),
  );
});

describe('segment --stream', () => {
  it('assigns every customer exactly once, with inertia within 3% of full K-Means', async () => {
    const out = join(dir, 'out.csv');
    const r = cli(['segment', csvFile, '--stream', '-k', '4', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const got = assignments(readFileSync(out, 'utf8'));
    expect(got.size).toBe(N);
    expect([...got.keys()].sort()).toEqual([...ids].sort());
    for (const seg of got.values()) expect([0, 1, 2, 3]).toContain(seg);
    expect(r.stderr).toMatch(/50,000 customers streamed/);

    const summary = JSON.parse(cli(['segment', csvFile, '--stream', '-k', '4', '--format', 'json']).stdout);
    expect(summary.meta.customers).toBe(N);
    expect(summary.segments.reduce((a: number, s: { size: number }) => a + s.size, 0)).toBe(N);
    expect(summary.meta.preprocessing.ignoredFields).toEqual(['note']);
    // The reference: every row in memory, the one-shot preprocessing, full K-Means.
    await init();
    const read = await readCustomers(readFileSync(csvFile), { name: 'customers.csv' });
    const prepared = prepareRecords(read.data, { idField: 'customer_id', scaling: 'zscore', logTransform: 'auto', missing: 'median', maxCategories: 20 });
    expect(prepared.features).toEqual(summary.meta.features);
    const full = kmeans(prepared.matrix, { k: 4, seed: 0, nInit: 3 }).inertia;
    expect(summary.meta.inertia).toBeLessThan(full * 1.03);
    expect(summary.meta.inertia).toBeGreaterThan(full * 0.97);
  });

  it('gives the same assignments from Parquet row groups and from small CSV chunks', async () => {
    const base: StreamOptions = {
      file: csvFile,
      format: 'csv',
      k: 3,
      seed: 4,
      scaling: 'zscore',
      missing: 'median',
      logTransform: 'auto',
      outputFormat: 'csv',
      onWarning: () => {},
      onProgress: () => {},
    };
    const whole = join(dir, 'whole.csv');
    const small = join(dir, 'small.csv');
    const pq = join(dir, 'pq.csv');
    const a = await streamSegment({ ...base, output: whole });
    const b = await streamSegment({ ...base, output: small, chunkChars: 150_000 });
    const c = await streamSegment({ ...base, file: parquetFile, format: 'parquet', output: pq, features: [...SAMPLE_FEATURES] });
    expect(a.meta.stream.chunks).toBe(1);
    expect(b.meta.stream.chunks).toBeGreaterThan(10);
    expect(c.meta.stream.chunks).toBe(Math.ceil(N / 7_000));
    const wa = assignments(readFileSync(whole, 'utf8'));
    for (const [file, summary] of [
      [small, b],
      [pq, c],
    ] as const) {
      const w = assignments(readFileSync(file, 'utf8'));
      expect(w.size).toBe(N);
      // Merged moments differ from one pass only by rounding: the same segments for (almost) all.
      let same = 0;
      for (const [id, seg] of wa) if (w.get(id) === seg) same++;
      expect(same / N).toBeGreaterThan(0.999);
      expect(Math.abs(summary.meta.inertia - a.meta.inertia) / a.meta.inertia).toBeLessThan(1e-3);
    }
  });

  it('refuses what it cannot do as usage errors naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['-a', 'hierarchical', '-k', '3'], /-a cannot be used with --stream/],
      [[], /--stream needs -k N/],
      [['-k', '3', '--k-selection', 'elbow'], /--k-selection cannot be used with --stream/],
      [['-k', '3', '--report', join(dir, 'r.html')], /--report cannot be used with --stream/],
      [['-k', '3', '--features', 'nope'], /--features: 'nope' is not a column/],
    ];
    for (const [flags, message] of cases) {
      const r = cli(['segment', csvFile, '--stream', ...flags]);
      expect(r.status, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const stdin = cli(['segment', '-', '--stream', '-k', '3']);
    expect(stdin.status).toBe(2);
    expect(stdin.stderr).toMatch(/cannot read standard input/);
    const text = cli(['segment', csvFile, '--stream', '-k', '3', '--features', 'note']);
    expect(text.status).toBe(1);
    expect(text.stderr).toMatch(/'note' is not numeric/);
  });
});
