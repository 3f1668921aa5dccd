/**
 * Every clustering algorithm by name, so chooseK and the service fit, predict and load
 * models with one call instead of a switch per algorithm. Adding one (HDBSCAN,
 * k-prototypes) is its file in src/cluster/ exporting a Clusterer, its kernel file in
 * assembly/, and one line in CLUSTERERS.
 */
import { InvalidParameterError } from '../errors';
import type { Matrix } from '../matrix';
import { agglomerativeClusterer } from './agglomerative';
import type { Clusterer, ClusterModel, ModelJSON } from './clusterer';
import { dbscanClusterer } from './dbscan';
import { gmmClusterer } from './gmm';
import { hdbscanClusterer } from './hdbscan';
import { kmeansClusterer } from './kmeans';
import { kprototypesClusterer } from './kprototypes';
import { miniBatchKMeansClusterer } from './minibatch';

const CLUSTERERS = {
  kmeans: kmeansClusterer,
  gmm: gmmClusterer,
  agglomerative: agglomerativeClusterer,
  dbscan: dbscanClusterer,
  hdbscan: hdbscanClusterer,
  kprototypes: kprototypesClusterer,
  miniBatchKMeans: miniBatchKMeansClusterer,
} as const;

/** Other names of registered algorithms: the service (and the reference API) says 'hierarchical'. */
const ALIASES = { hierarchical: 'agglomerative' } as const;

type Registry = typeof CLUSTERERS;
type Canonical<N extends AlgorithmName> = N extends keyof typeof ALIASES ? (typeof ALIASES)[N] : N;

/** A name fitAlgorithm knows: a registered algorithm or an alias of one. */
export type AlgorithmName = keyof Registry | keyof typeof ALIASES;
/** The options algorithm N's fit takes (its public function's options). */
export type AlgorithmParams<N extends AlgorithmName> = Parameters<Registry[Canonical<N>]['fit']>[1];
/** The model algorithm N's fit returns. */
export type AlgorithmModel<N extends AlgorithmName> = ReturnType<Registry[Canonical<N>]['fit']>;

/** Registered algorithm names (aliases excluded), in registration order. */
export const ALGORITHM_NAMES = Object.keys(CLUSTERERS) as (keyof Registry)[];

/** The registry entry of an algorithm or alias; unknown names fail naming the known ones. */
export function getClusterer(name: string): Clusterer<unknown, ClusterModel> {
  const canonical = (ALIASES as Record<string, string>)[name] ?? name;
  const found = Object.hasOwn(CLUSTERERS, canonical) ? CLUSTERERS[canonical as keyof Registry] : undefined;
  if (!found) {
    const known = [...ALGORITHM_NAMES, ...Object.keys(ALIASES)].map((a) => `'${a}'`).join(', ');
    throw new InvalidParameterError('algorithm', `must be one of ${known}, got ${JSON.stringify(name)}`);
  }
  return found;
}

/**
 * Fits algorithm `name` on a validated matrix (toMatrix's output: read, not copied or
 * modified). params are that algorithm's options, checked as its public function checks
 * them: an option it does not take fails naming it (see paramsFor for a shared bag).
 */
export function fitAlgorithm<N extends AlgorithmName>(name: N, m: Matrix, params: AlgorithmParams<N>): AlgorithmModel<N> {
  return getClusterer(name).fit(m, params) as AlgorithmModel<N>;
}

/**
 * The entries of `settings` that algorithm `name` takes, undefined ones dropped: one bag
 * of settings (k, seed, linkage, eps, ...) serves every algorithm, e.g. DBSCAN ignores k.
 */
export function paramsFor<N extends AlgorithmName>(name: N, settings: Record<string, unknown>): AlgorithmParams<N> {
  const allowed = getClusterer(name).parameters;
  const out: Record<string, unknown> = {};
  for (const key of allowed) if (settings[key] !== undefined) out[key] = settings[key];
  return out as AlgorithmParams<N>;
}

/** Rebuilds any registered model from its toJSON() output (or that as a string), by its `type`. */
export function loadModel(json: ModelJSON | string): ClusterModel {
  const j: ModelJSON = typeof json === 'string' ? JSON.parse(json) : json;
  const type = j?.type;
  for (const c of Object.values(CLUSTERERS)) if (c.modelType === type) return c.fromJSON(j);
  const known = Object.values(CLUSTERERS)
    .map((c) => `'${c.modelType}'`)
    .join(', ');
  throw new InvalidParameterError('json', `has type ${JSON.stringify(type)}, not a segmint clustering model (${known})`);
}
