import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // The browser build must carry no Node built-ins; the WASM bytes are inlined as base64.
  platform: 'neutral',
  treeshake: true,
});
