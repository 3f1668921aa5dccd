/**
 * segmint for Node (the "node" export condition of the package): the whole library plus
 * the HTTP endpoint, so `import { createSegmentationHandler } from 'segmint'` works in
 * Node as DESIGN.md lists it. Browsers and bundlers targeting them resolve the plain
 * library (src/index.ts), which carries no Node built-ins, piscina or pino.
 *
 * The HTTP stack (its Node built-ins, logger, thread pool, Redis client) is required on
 * first use, not imported: `import { kmeans } from 'segmint'` then costs what the browser
 * build costs. The factories stay synchronous, as in segmint/http, because require() of
 * the sibling bundle is synchronous (dist/http.cjs from CommonJS; dist/http.js from ESM
 * through require(esm), Node 20.19 and later, which shares the module instances import()
 * loaded, so there is one copy of the library and its WASM).
 */
import { createRequire } from 'node:module';
import type * as Http from './http/index';
import { useParquetWasm } from './prep/parquetNode';

export * from './index';

useParquetWasm();
/** The HTTP types (type-only: loading nothing). */
export type { SegmentationHandler, SegmentationHandlerOptions, NodeSegmentationHandler, ServerOptions, RunningServer } from './http/index';

/** Set per output format by tsup: './http.js' (ESM) or './http.cjs' (CommonJS). */
declare const SEGMINT_HTTP_ENTRY: string | undefined;

let http: typeof Http | undefined;

function httpStack(): typeof Http {
  if (http) return http;
  const entry = typeof SEGMINT_HTTP_ENTRY === 'string' ? SEGMINT_HTTP_ENTRY : './http/index';
  if (entry.endsWith('.js') && !(process.features as { require_module?: boolean }).require_module) {
    throw new Error("The HTTP handler from 'segmint' needs Node 20.19 or later (require of ES modules); on older Node import it from 'segmint/http'.");
  }
  http = createRequire(import.meta.url)(entry) as typeof Http;
  return http;
}

/** The Web-standard segmentation handler (Request -> Response); see segmint/http. */
export function createSegmentationHandler(options?: Http.SegmentationHandlerOptions): Http.SegmentationHandler {
  return httpStack().createSegmentationHandler(options);
}

/** The segmentation handler for Node's http, Express and Fastify; see segmint/http. */
export function createNodeSegmentationHandler(options?: Http.SegmentationHandlerOptions): Http.NodeSegmentationHandler {
  return httpStack().createNodeSegmentationHandler(options);
}

/** Starts the HTTP endpoint on its own server (what `segmint serve` runs); see segmint/http. */
export function startServer(options?: Http.ServerOptions): Promise<Http.RunningServer> {
  return httpStack().startServer(options);
}
