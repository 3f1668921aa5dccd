// `npm run bench [-- suite ...] [--quick] [--sizes=n,n]`: runs bench/suites/*.mjs (or the named ones)
// against the built package in dist/, prints one table per comparison and writes
// bench/results.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { init, wasmInfo } from '../dist/index.js';
import { results } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
// --sizes=1000,50000: the row counts of the suites that take them (kmeans, scaling), for
// users benchmarking their own data sizes (`segmint bench --sizes=...`).
const sizesArg = args.find((a) => a.startsWith('--sizes='));
const sizes = sizesArg
  ? sizesArg
      .slice('--sizes='.length)
      .split(',')
      .map((v) => Number(v.replace(/_/g, '')))
      .filter((v) => Number.isInteger(v) && v > 0)
  : undefined;
if (sizesArg && (!sizes || sizes.length === 0)) {
  console.error('--sizes takes comma-separated row counts, e.g. --sizes=10000,100000');
  process.exit(2);
}
const only = args.filter((a) => !a.startsWith('--'));
const suites = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

await init();
const env = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  wasm: wasmInfo().variant,
  quick,
};
console.log(`segmint bench — ${env.node}, ${env.cores} x ${env.cpu}, wasm ${env.wasm}${quick ? ', quick' : ''}`);
// Rows of suites not run this time are kept from the previous results.json, so one suite
// can be re-run without losing the others' figures; each suite's rows are saved as soon
// as it finishes.
const resultsPath = join(here, 'results.json');
let previous = [];
try {
  previous = JSON.parse(readFileSync(resultsPath, 'utf8')).results ?? [];
} catch {
  previous = [];
}
const save = (done) => {
  const kept = previous.filter((r) => !done.has(r.suite));
  writeFileSync(resultsPath, JSON.stringify({ env, results: [...kept, ...results] }, null, 2) + '\n');
};
const done = new Set();
for (const file of suites) {
  const suite = await import(pathToFileURL(join(here, 'suites', file)).href);
  console.log(`\n=== ${suite.title ?? file} ===`);
  const before = results.length;
  await suite.run({ quick, sizes });
  for (let i = before; i < results.length; i++) results[i].suite = file;
  done.add(file);
  save(done);
}
console.log('\nwrote bench/results.json');
