import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

export default defineConfig([
  {
    // The library: runs in Node and in browsers, so no Node built-ins on its path; the
    // WASM bytes are inlined as base64. Beside it, http (segmint/http: the HTTP endpoint)
    // and segmint-worker (its worker thread), which only they import node: modules for;
    // flat names in dist/ so the pool finds ./segmint-worker.js from either bundle.
    entry: {
      index: 'src/index.ts',
      node: 'src/node.ts',
      http: 'src/http/index.ts',
      'segmint-worker': 'src/http/worker.ts',
      // init({ threads })'s whole-task worker, found beside the bundle as ./fit-worker.js.
      'fit-worker': 'src/cluster/fitWorker.ts',
    },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', node: 'src/node.ts', http: 'src/http/index.ts' } },
    // No source maps in the package: each would carry the embedded WASM again, tripling
    // its size; the bundles are unminified and readable.
    sourcemap: false,
    target: 'es2022',
    platform: 'neutral',
    // import.meta.url in the CJS bundles (the pool locates its worker with it).
    shims: true,
    treeshake: true,
    // Bundled, so dist/index.js loads from a plain <script type="module"> (a CDN, a
    // static server) with no bundler and no import map to resolve a bare specifier.
    noExternal: ['@assemblyscript/loader'],
    // An optional dependency (tsup externalises only dependencies and peers): loaded from
    // node_modules by Node's readCustomers() when installed, never bundled.
    external: ['parquet-wasm/node'],
    // node.ts requires the HTTP bundle of its own format on first use (see src/node.ts).
    esbuildOptions(options, { format }) {
      options.define = { ...options.define, SEGMINT_HTTP_ENTRY: JSON.stringify(format === 'cjs' ? './http.cjs' : './http.js') };
    },
  },
  {
    // The command line (Node only).
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    // One self-contained file: with code splitting its chunks could take the same names as
    // the library's, written by the parallel build at the same time (a corrupt dist/).
    splitting: false,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    external: ['parquet-wasm/node'],
    define: { SEGMINT_VERSION: JSON.stringify(version) },
  },
  {
    // segmentInWorker()'s and kmeansInWorkers()' worker (browser Web Worker and Node worker_threads), found beside
    // the library with new URL('./worker.js', import.meta.url). Self-contained, loader
    // included, because module workers do not see a page's import map.
    entry: { worker: 'src/worker.ts' },
    format: ['esm'],
    splitting: false,
    sourcemap: false,
    target: 'es2022',
    platform: 'neutral',
    noExternal: ['@assemblyscript/loader'],
    treeshake: true,
  },
]);
