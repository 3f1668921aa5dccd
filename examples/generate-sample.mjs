// Writes examples/customers.csv: 5,000 seeded customer-like records (see src/sample.ts:
// four latent groups, log-normal spend and order counts, recency, rates, ~1% missing).
// `npm start` segments this file. Re-run with `npm run sample` after changing the generator.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_FEATURES, sampleCustomers } from '../dist/index.js';

const n = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? 42);
const header = ['customer_id', ...SAMPLE_FEATURES];
const lines = [header.join(',')];
for (const c of sampleCustomers(n, seed)) lines.push(header.map((h) => c[h] ?? '').join(','));
const out = join(dirname(fileURLToPath(import.meta.url)), 'customers.csv');
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${out}: ${n} customers, seed ${seed}`);
