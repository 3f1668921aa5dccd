/**
 * segmint for Node (the "node" export condition of the package): the whole library plus
 * the HTTP endpoint, so `import { createSegmentationHandler } from 'segmint'` works in
 * Node as DESIGN.md lists it. Browsers and bundlers targeting them resolve the plain
 * library (src/index.ts), which carries no Node built-ins, piscina or pino.
 */
export * from './index';
export { createSegmentationHandler, createNodeSegmentationHandler, startServer } from './http/index';
export type { SegmentationHandler, SegmentationHandlerOptions, NodeSegmentationHandler, ServerOptions, RunningServer } from './http/index';
