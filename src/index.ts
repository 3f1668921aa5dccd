/**
 * segmint: WebAssembly-accelerated clustering for customer segmentation.
 * Public API; names here are a contract (see DESIGN.md).
 */
export { init, info as wasmInfo, simdSupported } from './wasm/index';
export type { InitOptions, WasmInfo, WasmVariant } from './wasm/index';
export { InvalidParameterError } from './errors';
export type { Matrix, MatrixLike } from './matrix';
export { kmeans, KMeansModel, defaultKMeansOptions } from './cluster/kmeans';
export type { KMeansOptions, KMeansResult, KMeansJSON, KMeansInit, KMeansAlgorithm } from './cluster/kmeans';
export { sampleCustomers, sampleCustomerMatrix, SAMPLE_FEATURES } from './sample';
export type { SampleCustomer } from './sample';
// Hierarchical clustering (feat/hclust)
export { agglomerative, AgglomerativeModel, defaultAgglomerativeOptions, DEFAULT_MAX_EXACT_ROWS } from './cluster/agglomerative';
export type { AgglomerativeOptions, AgglomerativeResult, AgglomerativeJSON, ApproximateInfo, LinkageMethod } from './cluster/agglomerative';
