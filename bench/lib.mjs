// Shared benchmark helpers. Every comparison runs its contenders in one tinybench run on
// the same data and reports ratios against segmint: absolute times on these shared
// 2-core machines drift from run to run, ratios within one run do not.
import { Bench } from 'tinybench';

export const results = [];

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));

/**
 * Runs the contenders of one comparison. `tasks` is [{ name, fn, skip? }]: the first
 * is segmint's; `skip` (a reason) leaves a contender out, e.g. a peer too slow at a size.
 * Options: time (ms per task), iterations (minimum runs), extra (fields added to each
 * task's row), ratios (false when the contenders do different jobs, as in scaling).
 */
export async function compare(group, tasks, { time = 1500, iterations = 3, extra, ratios = true } = {}) {
  const bench = new Bench({ time, iterations, warmupIterations: 1, warmupTime: 0 });
  for (const t of tasks) if (!t.skip) bench.add(t.name, t.fn);
  await bench.run();
  const rows = [];
  let base;
  for (const t of tasks) {
    if (t.skip) {
      rows.push({ group, name: t.name, meanMs: null, ratio: null, note: t.skip, ...(extra ? extra(t.name, null) : {}) });
      continue;
    }
    const task = bench.getTask(t.name);
    const r = task.result;
    if (r.state !== 'completed') {
      rows.push({ group, name: t.name, meanMs: null, ratio: null, note: `failed: ${r.error?.message ?? r.state}` });
      continue;
    }
    const meanMs = r.latency.mean;
    base ??= meanMs;
    rows.push({
      group,
      name: t.name,
      meanMs,
      p50Ms: r.latency.p50,
      samples: r.latency.samplesCount ?? r.latency.samples?.length,
      ratio: ratios ? meanMs / base : null,
      ...(extra ? extra(t.name, meanMs) : {}),
    });
  }
  print(group, rows);
  results.push(...rows);
  return rows;
}

/** Records a derived figure (throughput, memory, ...) that is not a timed contender. */
export function record(group, name, value, unit) {
  const row = { group, name, value, unit };
  results.push(row);
  console.log(`  ${name}: ${value} ${unit}`);
  return row;
}

function print(group, rows) {
  console.log(`\n${group}`);
  for (const r of rows) {
    const time = r.meanMs == null ? '—'.padStart(10) : `${fmtMs(r.meanMs)} ms`.padStart(12);
    const ratio =
      r.ratio == null
        ? ''
        : r.ratio === 1
          ? '  (baseline)'
          : (r.ratio >= 1 ? `  ${r.ratio.toFixed(1)}x slower` : `  ${(1 / r.ratio).toFixed(1)}x faster`).padStart(16);
    const note = r.note ? `  ${r.note}` : r.extraText ? `  ${r.extraText}` : '';
    console.log(`  ${r.name.padEnd(34)}${time}${ratio}${note}`);
  }
}

/** Customer-like data with every feature z-scored (population std), as DBSCAN, GMM and linkage are run on. */
export function standardizedCustomers(sampleCustomerMatrix, n, seed = 42) {
  const m = sampleCustomerMatrix(n, seed);
  const { data, rows, cols } = m;
  for (let f = 0; f < cols; f++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + f];
    mean /= rows;
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += (data[i * cols + f] - mean) ** 2;
    const sd = Math.sqrt(ss / rows) || 1;
    for (let i = 0; i < rows; i++) data[i * cols + f] = (data[i * cols + f] - mean) / sd;
  }
  return m;
}

/** A flat matrix as number[][], the input the npm peers take. */
export function toRows({ data, rows, cols }) {
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) out[i] = Array.from(data.subarray(i * cols, (i + 1) * cols));
  return out;
}
