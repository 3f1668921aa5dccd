/**
 * `segmint worker`: takes segmentation jobs off the shared queue (REDIS_URL) and runs
 * them on this machine's pool, with the configuration `serve` reads (environment, .env,
 * tenants file for webhook keys). Run any number, on any machines with the same
 * REDIS_URL. SIGTERM/SIGINT: stop taking jobs, let those in hand finish for
 * SEGMINT_DRAIN_TIMEOUT_MS, then give the rest back to the queue; a second signal exits
 * at once (BullMQ's stalled-job check then hands those jobs to another worker).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readEnvironment, resolveConfig, type SegmentationHandlerOptions } from '../http/config';
import { loadPino } from '../http/lazy';
import { createExecutor } from '../http/pool';
import { BullJobRunner, finishedChannel, redisClient } from './engine';
import { jobMetrics } from './metrics';
import { RedisJobStore } from './store';

const USAGE = `Usage: segmint worker [--workers N] [--job-threads N] [--concurrency N] [--metrics-port PORT]

Runs asynchronous segmentation jobs queued by \`segmint serve\` on the Redis at REDIS_URL.
Reads the same environment as serve (SEGMINT_WORKERS, SEGMINT_JOB_THREADS, SEGMINT_TIMEOUT_MS, SEGMINT_JOB_*,
SEGMINT_WEBHOOK_*, SEGMINT_TENANTS_FILE, SEGMINT_DRAIN_TIMEOUT_MS, LOG_LEVEL).

  --workers N        worker threads (default: one per core)
  --job-threads N    kernel threads per job (default: the cores divided between the workers)
  --concurrency N    jobs taken at once (default: the number of worker threads)
  --metrics-port P   serve Prometheus metrics on 127.0.0.1:P/metrics (0 = any free port)
`;

interface WorkerArgs {
  workers?: number;
  jobThreads?: number;
  concurrency?: number;
  metricsPort?: number;
  help?: boolean;
}

function parseWorkerArgs(argv: string[]): WorkerArgs {
  const out: WorkerArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const integer = () => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag}: must be a non-negative integer, got ${JSON.stringify(v)}`);
      return n;
    };
    if (flag === '--workers') out.workers = integer();
    else if (flag === '--job-threads') out.jobThreads = integer();
    else if (flag === '--concurrency') out.concurrency = integer();
    else if (flag === '--metrics-port') out.metricsPort = integer();
    else if (flag === '-h' || flag === '--help') out.help = true;
    else throw new Error(`unknown option ${JSON.stringify(arg)}\n\n${USAGE}`);
  }
  return out;
}

export interface RunningWorker {
  metricsUrl?: string;
  close(): Promise<void>;
}

export async function startWorker(args: WorkerArgs, options: SegmentationHandlerOptions = {}): Promise<RunningWorker> {
  const env = options.env ?? readEnvironment(options.envFile ?? '.env');
  const config = resolveConfig({
    ...options,
    env,
    ...(args.workers !== undefined ? { workers: args.workers } : {}),
    ...(args.jobThreads !== undefined ? { jobThreads: args.jobThreads } : {}),
  });
  if (!config.redisUrl) throw new Error('REDIS_URL is not set: a worker takes its jobs from the Redis that `segmint serve` queues them on');
  const logger =
    options.logger === false ? undefined : (options.logger ?? loadPino().pino({ level: env.LOG_LEVEL ?? 'info', base: { service: 'segmint-worker' } }));
  const executor = createExecutor(config.workers, config.maxQueue, options.workerFile, config.jobThreads);
  const connection = redisClient(config.redisUrl, logger);
  const store = new RedisJobStore(connection, config.jobTtlSeconds, config.jobMaxStoredBytes, finishedChannel(config));
  const metrics = jobMetrics();
  const secrets = new Map((config.tenants.tenants ?? []).filter((t) => t.webhookSecret).map((t) => [t.id.toLowerCase(), t.webhookSecret!]));
  const deliveries = new Set<Promise<unknown>>();
  const runner = new BullJobRunner(
    {
      store,
      executor,
      config,
      logger,
      metrics,
      webhookSecret: (tenant) => (tenant ? secrets.get(tenant) : undefined) ?? config.webhookSecret,
      deliveries,
    },
    connection,
    { concurrency: args.concurrency || Math.max(1, config.workers) },
  );
  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (args.metricsPort !== undefined) {
    const srv = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => srv.listen(args.metricsPort, '127.0.0.1', () => resolve()));
    server = srv;
    metricsUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics`;
  }
  await runner.ready();
  logger?.info({ workers: config.workers, jobThreads: config.jobThreads, queue: config.jobQueueName, metricsUrl, pid: process.pid }, 'segmint worker ready');
  let closing: Promise<void> | undefined;
  return {
    metricsUrl,
    close: () => {
      closing ??= (async () => {
        logger?.info({ running: runner.running, drainTimeoutMs: config.drainTimeoutMs }, 'worker stopping');
        await runner.close(config.drainTimeoutMs);
        await Promise.race([Promise.allSettled([...deliveries]), new Promise((r) => setTimeout(r, 2000).unref())]);
        server?.close();
        connection.disconnect();
        await executor.close();
        logger?.info('worker stopped');
      })();
      return closing;
    },
  };
}

/** `segmint worker ARGS`; returns false after printing why it could not start. */
export async function workerCommand(argv: string[]): Promise<boolean> {
  let args: WorkerArgs;
  try {
    args = parseWorkerArgs(argv);
  } catch (err) {
    process.stderr.write(`segmint worker: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return false;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return false;
  }
  let worker: RunningWorker;
  try {
    worker = await startWorker(args);
  } catch (err) {
    process.stderr.write(`segmint worker: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return false;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return true;
}
