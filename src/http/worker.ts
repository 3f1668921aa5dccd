/**
 * The piscina worker: compiles the WASM module once per thread (from the moment the
 * thread starts), then runs jobs. Built to dist/segmint-worker.js; the TypeScript
 * sources run through dev-worker.mjs.
 *
 * A large job leaves the thread holding what it grew (V8's heap shrinks slowly, WASM
 * memory never does), so after one the thread exits once its answer is sent and piscina
 * starts a fresh one: the memory goes back to the system instead of staying with an idle
 * worker.
 */
import { getHeapStatistics } from 'node:v8';
import { info, init } from '../wasm/index';
import { runJob, type JobResult, type PingTask, type SegmentTask } from './job';

/** Bodies from this size on make the thread start afresh after the job. */
export const RECYCLE_AFTER_BODY_BYTES = 8 * 1024 * 1024;
/** Or a heap grown past this. */
const RECYCLE_AFTER_HEAP_BYTES = 512 * 1024 * 1024;

const ready = init();
let threadsFailed = false;

export default async function segmentationWorker(task: SegmentTask | PingTask): Promise<JobResult> {
  await ready;
  // The pool's share of the cores for each job: started on the first task (the warm-up
  // ping), then kept; init() with the same count is a no-op. Threads only make a job
  // faster: a thread that cannot start them still answers, on one thread.
  if (task.threads !== undefined && task.threads > 1 && !threadsFailed) {
    try {
      await init({ threads: task.threads });
    } catch {
      threadsFailed = true;
    }
  }
  const threads = info().threads;
  // Messages on the port reach the main thread while this one is still computing.
  const port = task.kind === 'segment' ? task.progressPort : undefined;
  const result = runJob(task, port ? (stage) => port.postMessage(stage) : undefined);
  const large = task.kind === 'segment' && task.body.byteLength >= RECYCLE_AFTER_BODY_BYTES;
  if (large || getHeapStatistics().total_heap_size > RECYCLE_AFTER_HEAP_BYTES) {
    // After piscina has posted the result (it does so when this promise settles).
    setImmediate(() => process.exit(0));
    return { ...result, recycled: true, threads };
  }
  return { ...result, threads };
}
