/**
 * Prometheus metrics of the job queue (prom-client, loaded with the first job engine or
 * the first scrape of /metrics, never by `import 'segmint'`). One registry per process:
 * `serve` shows the queue depth (shared, read from the engine) and the jobs it ran
 * itself; each `segmint worker` the jobs it ran (worker --metrics-port).
 */
import type { Counter, Histogram, Registry } from 'prom-client';
import { loadPromClient } from '../http/lazy';

export interface JobMetrics {
  registry: Registry;
  submitted: Counter;
  finished: Counter<'status'>;
  duration: Histogram<'status'>;
  queueWait: Histogram;
  webhooks: Counter<'outcome'>;
  /** Sets what the queue-depth gauge reads at each scrape. */
  depthFrom(read: () => Promise<Record<string, number>>): void;
}

let shared: JobMetrics | undefined;

export function jobMetrics(): JobMetrics {
  if (shared) return shared;
  const prom = loadPromClient();
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'segmint_' });
  let readDepth: (() => Promise<Record<string, number>>) | undefined;
  new prom.Gauge({
    name: 'segmint_job_queue_depth',
    help: 'Jobs in the queue by state (waiting, active, delayed)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!readDepth) return;
      try {
        for (const [state, n] of Object.entries(await readDepth())) this.set({ state }, n);
      } catch {
        // Queue unreachable: the gauge keeps its last values; /readyz says why.
      }
    },
  });
  shared = {
    registry,
    submitted: new prom.Counter({ name: 'segmint_jobs_submitted_total', help: 'Asynchronous jobs accepted', registers: [registry] }),
    finished: new prom.Counter({
      name: 'segmint_jobs_finished_total',
      help: 'Jobs finished by this process, by final status',
      labelNames: ['status'],
      registers: [registry],
    }),
    duration: new prom.Histogram({
      name: 'segmint_job_duration_seconds',
      help: 'Run time of jobs finished by this process (start to finish)',
      labelNames: ['status'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    queueWait: new prom.Histogram({
      name: 'segmint_job_queue_wait_seconds',
      help: 'Time from submission to start of jobs this process started',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers: [registry],
    }),
    webhooks: new prom.Counter({
      name: 'segmint_webhook_deliveries_total',
      help: 'Webhook deliveries by outcome (delivered, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    depthFrom(read) {
      readDepth = read;
    },
  };
  return shared;
}
