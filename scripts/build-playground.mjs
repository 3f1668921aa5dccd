// Builds the playground (playground/) into static files in dist/playground/: index.html,
// style.css, main.js (the playground, segmint and Chart.js bundled) and worker.js (the
// segmentation worker, found by main.js with new URL('./worker.js', import.meta.url)).
// Run after tsup (its clean step would delete dist/playground): node scripts/build-playground.mjs
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/playground');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};
await Promise.all([
  build({ ...common, entryPoints: { main: 'playground/main.ts' }, outdir: out }),
  build({ ...common, entryPoints: { worker: 'src/worker.ts' }, outdir: out }),
]);
for (const file of ['index.html', 'style.css']) copyFileSync(join(root, 'playground', file), join(out, file));
console.log(`playground -> ${out}`);
