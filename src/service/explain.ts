/**
 * Explanations of a finished segmentation, per segment: a threshold rule read off a
 * shallow tree (profile/rules.ts) and a bootstrap stability score (profile/stability.ts)
 * whose refits go through fitAlgorithm with the same algorithm and k. Both are sampled so
 * a 100k-customer request stays well under a second; `explain: false` skips them.
 *
 * The number of resamples is fixed per algorithm (STABILITY_PLAN), not decided by the
 * clock: the same request must give the same response, in Node and in browsers (the tests
 * compare them field for field). The wall-clock budget is only a guard against refits far
 * slower than planned (a loaded machine, a costly algorithm); when it stops the resampling,
 * meta.explain.stability.resamples says how many were used.
 */
import { segmentRules, type SegmentRule } from '../profile/rules';
import { bootstrapStability, type RefitAll, type StabilityOptions } from '../profile/stability';
import { kernels } from '../wasm/index';
import { MIN_PARALLEL_REFIT_ROWS, refitsInParallel } from './stabilityJob';
import type { Locale } from '../i18n/index';
import { fitAlgorithm, type FitOptions } from './algorithms';
import type { PipelineResult } from './pipeline';
import type { SegmentAlgorithm } from './algorithms';

/**
 * Resamples and rows per resample by algorithm, sized from refit times at 5,000 x 6, k = 5
 * (K-Means about 10 ms a refit on an idle core; a Gaussian mixture, Ward linkage and
 * DBSCAN several times that, hence fewer and smaller resamples).
 */
export const STABILITY_PLAN: Record<SegmentAlgorithm, { resamples: number; sampleSize: number }> = {
  kmeans: { resamples: 20, sampleSize: 5000 },
  gmm: { resamples: 10, sampleSize: 2000 },
  hierarchical: { resamples: 10, sampleSize: 2000 },
  dbscan: { resamples: 10, sampleSize: 2000 },
  hdbscan: { resamples: 10, sampleSize: 2000 },
};
/** Resampling stops starting refits after this long (a guard; see the top). */
export const STABILITY_GUARD_MS = 2000;

/** What the response's meta says about the explanations. */
export interface ExplainMeta {
  rules: { method: 'cart_gini'; max_depth: number; sample_size: number };
  stability: {
    method: 'bootstrap_jaccard';
    resamples: number;
    failed_resamples: number;
    sample_size: number;
    /** The planned resamples (resamples is lower only when the time guard stopped early). */
    planned_resamples: number;
    budget_ms: number;
  };
}

/** Rules and stability per segment id of `labels` (already renumbered by size), and their meta. */
export function explainSegments(
  result: PipelineResult,
  labels: Int32Array,
  segmentIds: number[],
  locale: Locale,
  stabilityOptions: StabilityOptions = {},
): { rules: Map<number, SegmentRule>; stability: Map<number, number | null>; meta: ExplainMeta } {
  const { plan, prep, algorithm, k, fitted } = result;
  const rulesSample = Math.min(labels.length, 5000);
  let rules: Map<number, SegmentRule> | undefined;
  const findRules = (): void => {
    rules = segmentRules(prep.columns, prep.profileFeatures, labels, segmentIds, locale, {
      seed: plan.seed,
      sampleSize: rulesSample,
      ...(result.mixed ? { categorical: result.mixed.categorical } : {}),
    });
  };
  // DBSCAN refits with the eps it settled on, so resamples answer "same algorithm, same settings".
  const options: FitOptions = {
    k,
    seed: plan.seed,
    linkage: plan.linkage,
    covarianceType: plan.covarianceType,
    eps: fitted.eps ?? plan.eps,
    minSamples: plan.minSamples,
    // K-Means: the algorithm 'auto' chose for the whole data (resamples of it are alike),
    // so no refit pays for probing Hamerly's bounds again (a fifth of each refit here).
    ...(fitted.kmeansAlgorithm ? { kmeansAlgorithm: fitted.kmeansAlgorithm } : {}),
    // Mixed data: refits are k-prototypes / Gower linkage on the same coded columns.
    ...result.mixed?.fitOptions,
  };
  const planned = { ...STABILITY_PLAN[algorithm], budgetMs: STABILITY_GUARD_MS, seed: plan.seed, ...stabilityOptions };
  // With init({ threads }) the refits run on its whole-task workers (same scores), and
  // this thread finds the rules while they start: the rules do not depend on the refits.
  const pool = kernels().fitPool;
  const refitAll: RefitAll | undefined =
    pool !== null && pool.size > 0 && Math.min(labels.length, planned.sampleSize) >= MIN_PARALLEL_REFIT_ROWS
      ? (draws, deadline) => refitsInParallel(pool, prep.matrix, algorithm, { ...options, seed: plan.seed }, draws, deadline, findRules)
      : undefined;
  if (!refitAll) findRules();
  const stability = bootstrapStability(
    prep.matrix,
    labels,
    (X, b) => fitAlgorithm(algorithm, X, { ...options, seed: plan.seed + 1 + b }).labels,
    planned,
    refitAll,
  );
  if (!rules) findRules();
  return {
    rules: rules!,
    stability: stability.bySegment,
    meta: {
      rules: { method: 'cart_gini', max_depth: 3, sample_size: rulesSample },
      stability: {
        method: 'bootstrap_jaccard',
        resamples: stability.resamples,
        failed_resamples: stability.failedResamples,
        sample_size: stability.sampleSize,
        planned_resamples: planned.resamples,
        budget_ms: stability.budgetMs,
      },
    },
  };
}
