/**
 * The piscina worker: compiles the WASM module once per thread (from the moment the
 * thread starts), then runs jobs. Built to dist/segmint-worker.js; the TypeScript
 * sources run through dev-worker.mjs.
 */
import { init } from '../wasm/index';
import { runJob, type JobResult, type PingTask, type SegmentTask } from './job';

const ready = init();

export default async function segmentationWorker(task: SegmentTask | PingTask): Promise<JobResult> {
  await ready;
  return runJob(task);
}
