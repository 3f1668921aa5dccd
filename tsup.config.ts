import { defineConfig } from 'tsup';

export default defineConfig([
  {
  // http: the HTTP endpoint (segmint/http) and segmint-worker: its worker thread. Flat names
  // in dist/ so the pool finds ./segmint-worker.js from either bundle format.
  entry: { index: 'src/index.ts', http: 'src/http/index.ts', 'segmint-worker': 'src/http/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', http: 'src/http/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // The browser build must carry no Node built-ins; the WASM bytes are inlined as base64.
  // (Only the http entries import node: modules, which stay external.)
  platform: 'neutral',
  // import.meta.url in the CJS bundles (the pool locates its worker with it).
  shims: true,
  treeshake: true,
  },
  {
    // segmentInWorker()'s worker (browser Web Worker and Node worker_threads), found beside
    // the library with new URL('./worker.js', import.meta.url). Self-contained, loader
    // included, because module workers do not see a page's import map.
    entry: { worker: 'src/worker.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    noExternal: ['@assemblyscript/loader'],
    treeshake: true,
  },
]);
