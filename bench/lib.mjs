// Shared benchmark helpers. Every comparison runs its contenders in one tinybench run on
// the same data and reports ratios against segmint: absolute times on these shared
// 2-core machines drift from run to run, ratios within one run do not.
import { Bench } from 'tinybench';

export const results = [];

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));

/**
 * Runs the contenders of one comparison. `tasks` is [{ name, fn, skip? }]: the first
 * is segmint's; `skip` (a reason) leaves a contender out, e.g. a peer too slow at a size.
 * Options: time (ms per task), iterations (minimum runs), notes (extra columns per task).
 */
export async function compare(group, tasks, { time = 1500, iterations = 3, extra } = {}) {
  const bench = new Bench({ time, iterations, warmupIterations: 1, warmupTime: 0 });
  for (const t of tasks) if (!t.skip) bench.add(t.name, t.fn);
  await bench.run();
  const rows = [];
  let base;
  for (const t of tasks) {
    if (t.skip) {
      rows.push({ group, name: t.name, meanMs: null, ratio: null, note: t.skip });
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
      ratio: meanMs / base,
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
    const ratio = r.ratio == null ? '' : r.ratio === 1 ? '  (baseline)' : `  ${r.ratio.toFixed(1)}x slower`.padStart(16);
    const note = r.note ? `  ${r.note}` : r.extraText ? `  ${r.extraText}` : '';
    console.log(`  ${r.name.padEnd(34)}${time}${ratio}${note}`);
  }
}
