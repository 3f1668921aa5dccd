/**
 * The whole-task worker of init({ threads }) (src/wasm/fitPool.ts): a segmint instance of
 * its own, on the build the pool names, that runs the tasks of the jobs posted to it.
 * Built as dist/fit-worker.js; from the sources, dev-fit-worker.mjs loads it through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type PoolJob, taskClaims, workerDone } from '../wasm/fitPool';
import { init } from '../wasm/index';
import { type MixtureBicJob, runMixtureBicJob } from '../select/mixtureBic';
import { type KMeansRestartJob, runRestartJob } from './kmeans';
// The service's refits too: this file is an entry point, above every layer it runs.
import { runStabilityRefitJob, type StabilityRefitJob } from '../service/stabilityJob';

// No top-level await: the library's CJS bundle carries this entry too.
void init({ variant: (workerData as { variant: 'simd' | 'scalar' }).variant }).then(() => {
  parentPort!.on('message', (job: PoolJob) => {
    try {
      if (job.kind === 'kmeans.restarts') runRestartJob(job as unknown as KMeansRestartJob, taskClaims(job));
      else if (job.kind === 'gmm.bic') runMixtureBicJob(job as unknown as MixtureBicJob, taskClaims(job));
      else if (job.kind === 'stability.refits') runStabilityRefitJob(job as unknown as StabilityRefitJob, taskClaims(job));
    } catch {
      // A task this worker claimed but could not finish stays unfinished in the job's
      // status; the caller runs it itself, so nothing is lost and no error is hidden from
      // it (it throws there, on the thread that asked).
    } finally {
      workerDone(job);
    }
  });
  parentPort!.postMessage('ready');
});
