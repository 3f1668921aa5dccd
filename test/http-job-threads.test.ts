/**
 * Kernel threads per HTTP job: the pool divides the cores between the jobs that can run
 * at once (SEGMINT_JOB_THREADS, default cores / workers), each worker thread starts that
 * many kernel threads, and the answer is the one a one-thread job gives.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkers, resolveConfig } from '../src/http/config';
import { createExecutor } from '../src/http/pool';
import { sampleCustomers } from '../src/sample';

describe('job threads', () => {
  it('default to the cores divided between the workers, and are validated', () => {
    const cores = defaultWorkers();
    expect(resolveConfig({ env: {}, workers: 1 }).jobThreads).toBe(cores);
    expect(resolveConfig({ env: {} }).jobThreads).toBe(1);
    expect(resolveConfig({ env: {}, workers: 0 }).jobThreads).toBe(1);
    expect(resolveConfig({ env: {}, workers: cores * 4 }).jobThreads).toBe(1);
    expect(resolveConfig({ env: { SEGMINT_JOB_THREADS: '3' }, workers: 1 }).jobThreads).toBe(3);
    expect(resolveConfig({ env: {}, workers: 2, jobThreads: 2 }).jobThreads).toBe(2);
    expect(() => resolveConfig({ env: { SEGMINT_JOB_THREADS: '0' } })).toThrow(/SEGMINT_JOB_THREADS: must be a positive integer, got "0"/);
    expect(() => resolveConfig({ env: { SEGMINT_JOB_THREADS: '66' } })).toThrow(/SEGMINT_JOB_THREADS: must be at most 65/);
    expect(() => resolveConfig({ env: {}, workers: 0, jobThreads: 2 })).toThrow(/SEGMINT_JOB_THREADS: kernel threads need worker threads/);
  });

  const single = createExecutor(1, 2, undefined, 1);
  const threaded = createExecutor(1, 2, undefined, 2);
  afterAll(async () => {
    await single.close();
    await threaded.close();
  });

  it('a job on 2 kernel threads answers what a one-thread job answers', async () => {
    // Above the sizes where K-Means, k-means++ and the silhouette split over the threads.
    const body = new TextEncoder().encode(JSON.stringify({ data: sampleCustomers(30_000, 4), n_clusters: 4 }));
    const [one, two] = await Promise.all([
      single.run({ kind: 'segment', body: body.slice(), locale: 'en' }, 120_000),
      threaded.run({ kind: 'segment', body: body.slice(), locale: 'en' }, 120_000),
    ]);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(threaded.stats().jobThreads).toBe(2);
    const strip = (json: string) => {
      const r = JSON.parse(json);
      delete r.meta.timings_ms;
      return r;
    };
    expect(strip(two.json)).toEqual(strip(one.json));
  });
});
