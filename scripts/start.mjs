// `npm start`: clusters the built-in sample of customers and prints the segments.
import { init, kmeans, sampleCustomerMatrix, SAMPLE_FEATURES, wasmInfo } from '../dist/index.js';

const n = 5000;
const k = 4;
const X = sampleCustomerMatrix(n, 42);
await init();
const t0 = performance.now();
const model = kmeans(X, { k, nInit: 10, seed: 42 });
const ms = performance.now() - t0;

const sizes = new Array(k).fill(0);
for (const l of model.labels) sizes[l]++;
const w = 13;
console.log(`segmint: K-Means on the built-in sample (${n} customers x ${SAMPLE_FEATURES.length} features, k = ${k}, nInit = 10)`);
console.log(`wasm build: ${wasmInfo().variant}\n`);
console.log(['segment', 'size', ...SAMPLE_FEATURES].map((h, i) => (i < 2 ? h.padEnd(8) : h.slice(0, w - 1).padStart(w))).join(''));
model.centroids.forEach((c, s) => {
  console.log([String(s).padEnd(8), String(sizes[s]).padEnd(8), ...c.map((v) => v.toFixed(2).padStart(w))].join(''));
});
console.log(`\ninertia ${model.inertia.toExponential(6)}, ${model.iterations} iterations, converged: ${model.converged}`);
console.log(`time ${ms.toFixed(1)} ms`);
