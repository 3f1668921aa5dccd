/**
 * Explanations of a finished segmentation, per segment: a threshold rule read off a
 * shallow tree (profile/rules.ts) and a bootstrap stability score (profile/stability.ts)
 * whose refits go through fitAlgorithm with the same algorithm and k. Both are sampled
 * and the stability is time-boxed so a 100k-customer request stays well under a second;
 * `explain: false` in the request skips them.
 */
import { segmentRules, type SegmentRule } from '../profile/rules';
import { bootstrapStability, type StabilityOptions } from '../profile/stability';
import type { Locale } from '../i18n/index';
import { fitAlgorithm, type FitOptions } from './algorithms';
import type { PipelineResult } from './pipeline';

/** What the response's meta says about the explanations. */
export interface ExplainMeta {
  rules: { method: 'cart_gini'; max_depth: number; sample_size: number };
  stability: {
    method: 'bootstrap_jaccard';
    resamples: number;
    failed_resamples: number;
    sample_size: number;
    budget_ms: number;
    elapsed_ms: number;
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
  const rules = segmentRules(prep.columns, prep.profileFeatures, labels, segmentIds, locale, { seed: plan.seed, sampleSize: rulesSample });
  // DBSCAN refits with the eps it settled on, so resamples answer "same algorithm, same settings".
  const options: FitOptions = {
    k,
    seed: plan.seed,
    linkage: plan.linkage,
    covarianceType: plan.covarianceType,
    eps: fitted.eps ?? plan.eps,
    minSamples: plan.minSamples,
  };
  const stability = bootstrapStability(prep.matrix, labels, (X, b) => fitAlgorithm(algorithm, X, { ...options, seed: plan.seed + 1 + b }).labels, {
    seed: plan.seed,
    ...stabilityOptions,
  });
  return {
    rules,
    stability: stability.bySegment,
    meta: {
      rules: { method: 'cart_gini', max_depth: 3, sample_size: rulesSample },
      stability: {
        method: 'bootstrap_jaccard',
        resamples: stability.resamples,
        failed_resamples: stability.failedResamples,
        sample_size: stability.sampleSize,
        budget_ms: stability.budgetMs,
        elapsed_ms: Math.round(stability.elapsedMs * 100) / 100,
      },
    },
  };
}
