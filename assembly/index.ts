// The module's exports, in one place: scripts/build-wasm.mjs compiles this file as the
// only entry, so what the host can call is exactly what is named here. Kernel files
// export helpers to each other (memory.ts's accessors, layout.ts's constants,
// kmeans_common.ts's inline helpers); those stay inside the module.

export { heapBase, simdEnabled } from './memory';
export { sqdistRows, squaredDistances } from './distance';
export { packPointPairs, assignedSquaredDistances, centerColumns } from './kmeans_common';
export { halfSquaredNorms, assignNearest } from './kmeans_lloyd';
export { hamerlyAssign, hamerlyInitPairs, hamerlyLastPassDistances } from './kmeans_hamerly';
export { closestSquaredDistances, cumulativeHits } from './kmeans_init';
export { silhouetteClusterSums, silhouetteFromSums, silhouetteTile } from './silhouette';
export { clusterMeans, centroidDistanceSums } from './davies_bouldin';
export { condensedDistances, matrixNNChain, wardNNChain, singlePrim } from './linkage';
export { dbscanCoreFlags, dbscanCoreFlagsRows, dbscanUnionCores, dbscanBorderLabels } from './dbscan';
export { dbscanKthNeighbourSq, dbscanKthNeighbourSqRows, dbscanNearestWithin } from './dbscan_search';
export { gmmEStepFull, gmmEStepDiag, gmmEStepFullRows, gmmEStepDiagRows, gmmEStepFinish } from './gmm_estep';
export { gmmWeightedSums, gmmWeightedScatter, gmmWeightedScatterDiag } from './gmm_mstep';
export { hdbscanPrimMst, hdbscanNodeMinCore, hdbscanNodeComponents, hdbscanBoruvkaRound, hdbscanBoruvkaRoundRows, hdbscanQueryKnn } from './hdbscan';
export { kprototypesAssign, kprototypesAccumulate, kprototypesStep } from './kprototypes';
