// The module's exports, in one place: scripts/build-wasm.mjs compiles this file as the
// only entry, so what the host can call is exactly what is listed here, and shared
// helpers (memory.ts's accessors, layout.ts's constants) stay internal to the module.

export { heapBase, simdEnabled } from './memory';
export * from './distance';
export * from './kmeans';
export * from './silhouette';
export * from './davies_bouldin';
export * from './linkage';
export * from './dbscan';
export * from './gmm';
