// The command line on big files (issue 15's target): `segmint segment` on a 1,000,000-row
// CSV and the same data as Parquet, k = 4, end to end (read, segment, write JSON), with
// the process's peak RSS from /proc (Linux; elsewhere the row says so). Then --stream
// (issue 16's target) on the same files, writing the assignments CSV; with
// SEGMINT_BENCH_10M=1 also on 10,000,000 rows, written block by block to a temporary file.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { init, kmeans, prepareRecords, readCustomers, SAMPLE_FEATURES, sampleCustomers } from '../../dist/index.js';
import { record } from '../lib.mjs';

export const title = 'Command line on big files (segmint segment)';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs the CLI, sampling VmHWM until it exits; resolves { ms, peakMb, status }. */
function timedRun(args) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = Number.NaN;
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    const sample = () => {
      const file = `/proc/${child.pid}/status`;
      if (!existsSync(file)) return;
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(file, 'utf8'))?.[1]);
        if (Number.isFinite(kb)) peak = Number.isNaN(peak) ? kb / 1024 : Math.max(peak, kb / 1024);
      } catch {}
    };
    const timer = setInterval(sample, 20);
    child.once('exit', (status) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - t0, peakMb: peak, status, stderr });
    });
  });
}

function recordStream(group, label, r) {
  record(group, `${label}: end to end`, (r.ms / 1000).toFixed(2), 's');
  record(group, `${label}: peak RSS`, Number.isNaN(r.peakMb) ? 'not measured (no /proc)' : r.peakMb.toFixed(0), Number.isNaN(r.peakMb) ? '' : 'MB');
  const inertia = /inertia ([\d.e+]+)/.exec(r.stderr)?.[1];
  if (inertia) record(group, `${label}: inertia (scaled space)`, Number(inertia).toPrecision(6), '');
}

export async function run({ quick } = {}) {
  const n = quick ? 200_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'segmint-cli-bench-'));
  try {
    const customers = sampleCustomers(n, 8);
    const header = ['customer_id', ...SAMPLE_FEATURES];
    const csv = [header.join(','), ...customers.map((c) => header.map((h) => (c[h] === null ? '' : c[h])).join(','))].join('\n');
    const csvFile = join(dir, 'customers.csv');
    writeFileSync(csvFile, csv);
    const parquetFile = join(dir, 'customers.parquet');
    writeFileSync(
      parquetFile,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: header.map((h) =>
            h === 'customer_id' ? { name: h, data: customers.map((c) => c[h]), type: 'STRING' } : { name: h, data: customers.map((c) => c[h]), type: 'DOUBLE' },
          ),
        }),
      ),
    );
    const g = `cli ${n.toLocaleString('en-US')} customers, k = 4 (read, segment, write JSON)`;
    record(g, 'CSV size', (csv.length / 1e6).toFixed(0), 'MB');
    for (const [label, file] of [
      ['CSV', csvFile],
      ['Parquet', parquetFile],
    ]) {
      // The median of three runs: one run of a 2 s process on a shared 2-core machine
      // varied by 0.3 s from one bench to the next. The peak RSS is the largest seen.
      const runs = [];
      for (let k = 0; k < 3; k++) {
        const r = await timedRun(['segment', file, '-k', '4', '--format', 'json', '-o', join(dir, 'out.json'), '--quiet']);
        if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
        runs.push(r);
      }
      const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[1];
      const peakMb = Math.max(...runs.map((r) => r.peakMb));
      record(g, `${label}: end to end (median of 3)`, (ms / 1000).toFixed(2), 's');
      record(g, `${label}: peak RSS`, Number.isNaN(peakMb) ? 'not measured (no /proc)' : peakMb.toFixed(0), Number.isNaN(peakMb) ? '' : 'MB');
    }
    let lastStderr = '';
    const gs = `cli --stream ${n.toLocaleString('en-US')} customers, k = 4 (two passes, write the assignments CSV)`;
    for (const [label, file] of [
      ['CSV', csvFile],
      ['Parquet', parquetFile],
    ]) {
      const r = await timedRun(['segment', file, '--stream', '-k', '4', '-o', join(dir, 'out.csv')]);
      if (r.status !== 0) throw new Error(`${label} --stream: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
      recordStream(gs, label, r);
      lastStderr = r.stderr;
    }
    // Issue 16's quality target: the streamed fit's inertia against full K-Means on all rows.
    const streamed = Number(/inertia ([\d.e+]+)/.exec(lastStderr)?.[1]);
    await init();
    const read = await readCustomers(readFileSync(csvFile), { name: 'customers.csv' });
    const prepared = prepareRecords(read.data, { idField: read.idField, scaling: 'zscore', logTransform: 'auto', missing: 'median', maxCategories: 20 });
    const full = kmeans(prepared.matrix, { k: 4, seed: 0 }).inertia;
    record(gs, 'full K-Means inertia (all rows in memory)', full.toPrecision(6), '');
    record(gs, 'streamed inertia vs full K-Means', `${(((streamed - full) / full) * 100).toFixed(2)}`, '%');
    if (process.env.SEGMINT_BENCH_10M === '1') {
      // 10M rows never sit in memory here either: blocks of 100k customers, renumbered.
      const big = join(dir, 'customers-10m.csv');
      const fd = openSync(big, 'w');
      writeSync(fd, `${header.join(',')}\n`);
      const block = 100_000;
      for (let b = 0; b < 100; b++) {
        const rows = sampleCustomers(block, 1000 + b);
        const lines = rows.map((c, i) => [`C${b * block + i + 1}`, ...SAMPLE_FEATURES.map((h) => (c[h] === null ? '' : c[h]))].join(','));
        writeSync(fd, `${lines.join('\n')}\n`);
      }
      closeSync(fd);
      const g10 = 'cli --stream 10,000,000 customers, k = 4 (SEGMINT_BENCH_10M=1)';
      const r = await timedRun(['segment', big, '--stream', '-k', '4', '-o', join(dir, 'out.csv')]);
      if (r.status !== 0) throw new Error(`10M --stream: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
      recordStream(g10, 'CSV', r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
