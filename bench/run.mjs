// `npm run bench [-- suite ...] [--quick]`: runs bench/suites/*.mjs (or the named ones)
// against the built package in dist/, prints one table per comparison and writes
// bench/results.json.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { init, wasmInfo } from '../dist/index.js';
import { results } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
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
for (const file of suites) {
  const suite = await import(pathToFileURL(join(here, 'suites', file)).href);
  console.log(`\n=== ${suite.title ?? file} ===`);
  await suite.run({ quick });
}
writeFileSync(join(here, 'results.json'), JSON.stringify({ env, results }, null, 2) + '\n');
console.log('\nwrote bench/results.json');
