/**
 * A job's progress as GET .../jobs/{id} shows it: the pipeline stage it is in and a
 * percent that only goes up. The stages are the ones segment() reports through its
 * onProgress hook (prep, k_selection, clustering, profiles, explain), framed by what the
 * job runner does around them (parse before, serialize and storing after). A request
 * skips stages it does not need (k_selection when n_clusters is given, explain when
 * explain is false): the percent then jumps, never goes back.
 *
 * The percents are rough shares of a typical job's time (choosing k is most of an
 * 'auto' request), not measurements: they order the stages for a progress bar.
 */

/** Every stage a job can show, in the order it passes them. */
export const JOB_STAGES = ['queued', 'starting', 'parse', 'prep', 'k_selection', 'clustering', 'profiles', 'explain', 'serialize', 'storing', 'done'] as const;

export type JobStage = (typeof JOB_STAGES)[number];

/** Percent done when a stage starts. */
export const STAGE_PERCENT: Record<JobStage, number> = {
  queued: 0,
  starting: 2,
  parse: 5,
  prep: 10,
  k_selection: 20,
  clustering: 50,
  profiles: 80,
  explain: 85,
  serialize: 93,
  storing: 96,
  done: 100,
};

const ORDER = new Map<string, number>(JOB_STAGES.map((s, i) => [s, i]));

/**
 * Turns stage names as the pipeline emits them into forward-only (stage, percent)
 * reports: an unknown stage, or one at or before the last reported, is ignored.
 */
export function stageReporter(report: (stage: JobStage, percent: number) => void, from: JobStage = 'starting'): (stage: string) => void {
  let last = ORDER.get(from)!;
  return (stage) => {
    const at = ORDER.get(stage);
    if (at === undefined || at <= last) return;
    last = at;
    const known = stage as JobStage;
    report(known, STAGE_PERCENT[known]);
  };
}
