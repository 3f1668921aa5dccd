/**
 * segmentInWorker(): in Chromium a module Web Worker (dist/worker.js, found with
 * new URL('./worker.js', import.meta.url)) keeps the page responsive and returns what
 * segment() returns; in Node a worker_threads worker does the same.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, launchChromium, libraryMounts, openPage, pageErrors, requireBuild, startStaticServer } from './harness';

type Segmint = typeof import('../../src/index');

let server: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let segmint: Segmint;

const withoutTimings = <T extends { meta: { timings_ms?: unknown } }>(r: T): T => {
  const copy = JSON.parse(JSON.stringify(r));
  delete copy.meta.timings_ms;
  return copy;
};

beforeAll(async () => {
  requireBuild();
  segmint = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as Segmint;
  server = await startStaticServer(libraryMounts());
  browser = await launchChromium();
  page = await browser.newPage();
  await openPage(page, `${server.url}/pages/worker.html`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('segmentInWorker in Chromium', () => {
  it('keeps the main thread ticking through a 50,000-customer segmentation', async () => {
    const r = (await page.evaluate('window.responsiveness(50000)')) as {
      worker: { intervalTicks: number; frameTicks: number; ms: number; sizes: number[] };
      main: { intervalTicks: number; frameTicks: number; ms: number; sizes: number[] };
      stages: string[];
    };
    console.info(
      `50k customers: worker ${r.worker.ms.toFixed(0)} ms with ${r.worker.intervalTicks} interval / ${r.worker.frameTicks} frame ticks; ` +
        `main thread ${r.main.ms.toFixed(0)} ms with ${r.main.intervalTicks} / ${r.main.frameTicks}`,
    );
    expect(r.worker.intervalTicks).toBeGreaterThan(0);
    expect(r.worker.frameTicks).toBeGreaterThan(0);
    // Same answer either way.
    expect(r.worker.sizes).toEqual(r.main.sizes);
    expect(r.worker.sizes.reduce((a, b) => a + b, 0)).toBe(50000);
    expect(r.stages).toContain('clustering');
  });

  it("returns Node's segment() response for the same seed (SIMD and scalar workers)", async () => {
    const args = [2000, 8, { seed: 4, k_range: [2, 5] }, 'pt'];
    const expected = withoutTimings(await segment(args));
    expect(await page.evaluate(`window.workerSegment(...${JSON.stringify([...args, 'simd'])})`)).toEqual(expected);
    expect(await page.evaluate(`window.workerSegment(...${JSON.stringify([...args, 'scalar'])})`)).toEqual(expected);
  });

  it('rejects with a SegmentationError carrying the status, code and localized message', async () => {
    const request = {
      data: [
        { customer_id: 'x', spend: 1 },
        { customer_id: 'x', spend: 2 },
      ],
    };
    const err = (await page.evaluate(`window.workerError(${JSON.stringify(request)}, 'es')`)) as Record<string, unknown>;
    const expected = await segmint.segment(request, { locale: 'es' }).then(
      () => null,
      (e) => ({ status: e.status, code: e.code, message: e.message, body: e.toJSON() }),
    );
    expect(expected).not.toBeNull();
    expect(err).toMatchObject({ name: 'SegmentationError', isSegmentationError: true, ...expected });
  });

  it('an AbortSignal terminates the worker and rejects with its reason', async () => {
    expect(await page.evaluate('window.workerAbort()')).toBe('stopped by the user');
  });

  it('kmeansInWorkers spreads restarts over Web Workers without SharedArrayBuffer, bit for bit kmeans() here and in Node', async () => {
    const options = { k: 5, seed: 7, nInit: 6, algorithm: 'lloyd', workers: 2 };
    const r = (await page.evaluate(`window.kmeansWorkers(12000, 4, ${JSON.stringify(options)})`)) as {
      isolated: boolean;
      hasShared: boolean;
      inWorkers: { labels: number[]; centroids: number[][]; inertia: number; iterations: number };
      here: { labels: number[]; centroids: number[][]; inertia: number; iterations: number };
      kept: unknown[];
    };
    expect(r.isolated).toBe(false);
    expect(r.hasShared).toBe(false);
    expect(r.inWorkers).toEqual(r.here);
    expect(r.kept).toEqual([r.here, r.here]);
    const node = segmint.kmeans(segmint.sampleCustomerMatrix(12000, 4), { k: 5, seed: 7, nInit: 6, algorithm: 'lloyd' });
    expect(r.inWorkers.labels).toEqual(Array.from(node.labels));
    expect(r.inWorkers.centroids).toEqual(node.centroids);
    expect(r.inWorkers.inertia).toBe(node.inertia);
  });

  it('left no uncaught page errors', () => {
    expect(pageErrors.map(String)).toEqual([]);
  });
});

async function segment([n, seed, request, locale]: unknown[]) {
  return segmint.segment({ data: segmint.sampleCustomers(n as number, seed as number), ...(request as object) }, { locale: locale as string });
}

describe('segmentInWorker in Node (worker_threads)', () => {
  it('returns what segment() returns, reporting progress from the worker', async () => {
    const stages: string[] = [];
    const request = { data: segmint.sampleCustomers(1500, 3), seed: 6 };
    const inWorker = await segmint.segmentInWorker(request, { locale: 'es', onProgress: (s) => stages.push(s) });
    expect(withoutTimings(inWorker)).toEqual(withoutTimings(await segmint.segment(request, { locale: 'es' })));
    expect(stages[0]).toBe('prep');
  });

  it('rejects bad input with a SegmentationError, and an already aborted signal without starting', async () => {
    const err = await segmint.segmentInWorker({ data: 'nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(segmint.SegmentationError);
    expect(err.status).toBe(400);
    const aborted = AbortSignal.abort(new Error('never started'));
    await expect(segmint.segmentInWorker({ data: [] }, { signal: aborted })).rejects.toThrow('never started');
  });

  it('a request that cannot be copied to a worker is an InvalidParameterError on request', async () => {
    const err = await segmint.segmentInWorker({ data: [{ customer_id: 1, f: () => 1 }] }).catch((e) => e);
    expect(err).toBeInstanceOf(segmint.InvalidParameterError);
    expect(err.parameter).toBe('request');
  });
});

describe('kmeansInWorkers in Node (worker_threads over copies of X)', () => {
  // segmint (dist/) is imported in beforeAll, after the cases are collected.
  const rows = 9000;
  const matrix = () => segmint.sampleCustomerMatrix(rows, 12);
  const weights = Array.from({ length: rows }, (_, i) => 0.5 + (i % 4));
  const same = (a: { labels: Int32Array; centroids: number[][]; inertia: number; iterations: number; algorithm: string }, b: typeof a) => {
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.centroids).toEqual(b.centroids);
    expect(a.inertia).toBe(b.inertia);
    expect(a.iterations).toBe(b.iterations);
    expect(a.algorithm).toBe(b.algorithm);
  };

  it.each([
    { k: 5, seed: 21, nInit: 7, algorithm: 'lloyd' as const },
    { k: 4, seed: 22, nInit: 5, algorithm: 'hamerly' as const },
    { k: 6, seed: 23, nInit: 4, init: 'random' as const },
    { k: 3, seed: 24, nInit: 5, sampleWeight: weights },
    // 'auto' probes Hamerly on the first init (below the sample size), here on the caller.
    { k: 3, seed: 25, nInit: 4 },
  ])('gives kmeans() to the bit on 1, 2 and 3 workers (%o)', async (o) => {
    const X = matrix();
    const serial = segmint.kmeans(X, o);
    for (const workers of [1, 2, 3]) same(await segmint.kmeansInWorkers(X, { ...o, workers }), serial);
  });

  it('above the probe sample size too, and with a single restart (no workers needed)', async () => {
    const X = matrix();
    const big = segmint.sampleCustomerMatrix(40_000, 3);
    const o = { k: 4, seed: 2, nInit: 3 };
    same(await segmint.kmeansInWorkers(big, { ...o, workers: 2 }), segmint.kmeans(big, o));
    same(await segmint.kmeansInWorkers(X, { k: 4, seed: 9, workers: 2 }), segmint.kmeans(X, { k: 4, seed: 9 }));
  });

  it('a set of workers kept between calls gives the same bits, survives an abort and refuses use after close()', async () => {
    const X = matrix();
    const set = await segmint.startKMeansWorkers(2);
    try {
      expect(set.size).toBe(2);
      const cases = [
        { k: 5, seed: 31, nInit: 6, algorithm: 'lloyd' as const },
        { k: 4, seed: 32, nInit: 5, init: 'random' as const },
      ];
      // Two calls at once on one set run one after the other.
      const both = await Promise.all(cases.map((o) => segmint.kmeansInWorkers(X, { ...o, workers: set })));
      both.forEach((m, c) => same(m, segmint.kmeans(X, cases[c]!)));
      const controller = new AbortController();
      const aborted = segmint.kmeansInWorkers(X, {
        ...cases[0]!,
        nInit: 40,
        workers: set,
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('enough')),
      });
      await expect(aborted).rejects.toThrow('enough');
      // The workers stopped mid-task are replaced on the next call.
      same(await segmint.kmeansInWorkers(X, { ...cases[0]!, workers: set }), segmint.kmeans(X, cases[0]!));
    } finally {
      set.close();
    }
    await expect(segmint.kmeansInWorkers(X, { k: 3, nInit: 4, workers: set })).rejects.toMatchObject({ name: 'InvalidParameterError', parameter: 'workers' });
    await expect(segmint.startKMeansWorkers(0)).rejects.toMatchObject({ name: 'InvalidParameterError', parameter: 'count' });
  });

  it('a kept set holds a Node process open while it works and lets it exit while it idles', () => {
    // Awaiting an unref'd worker's answer with nothing else pending would end the process
    // mid-call; an idle set left open must not keep it running. A child process shows both.
    const script = `
      const s = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)});
      const set = await s.startKMeansWorkers(2);
      const m = await s.kmeansInWorkers(s.sampleCustomerMatrix(6000, 2), { k: 4, nInit: 4, seed: 1, workers: set });
      console.log('inertia', m.inertia);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    const expected = segmint.kmeans(segmint.sampleCustomerMatrix(6000, 2), { k: 4, nInit: 4, seed: 1 }).inertia;
    expect(child.stdout.trim()).toBe(`inertia ${expected}`);
  });

  it('bad options name the parameter; an aborted signal rejects with its reason', async () => {
    const X = matrix();
    for (const workers of [0, 1.5, 65, '2']) {
      await expect(segmint.kmeansInWorkers(X, { k: 3, workers: workers as number })).rejects.toMatchObject({
        name: 'InvalidParameterError',
        parameter: 'workers',
      });
    }
    await expect(segmint.kmeansInWorkers(X, { k: 0, workers: 2 })).rejects.toMatchObject({ parameter: 'k' });
    await expect(segmint.kmeansInWorkers(X, { k: 3, nInit: 4, colour: 1 } as never)).rejects.toThrow(/colour/);
    // Aborted on the first finished restart, with the others still on the workers.
    const controller = new AbortController();
    const ticks: number[] = [];
    const running = segmint.kmeansInWorkers(X, {
      k: 5,
      nInit: 50,
      seed: 1,
      workers: 2,
      signal: controller.signal,
      onProgress: (done, total) => {
        ticks.push(done, total);
        controller.abort(new Error('stopped by the caller'));
      },
    });
    await expect(running).rejects.toThrow('stopped by the caller');
    expect(ticks).toEqual([1, 49]);
    const seen: number[] = [];
    await segmint.kmeansInWorkers(X, { k: 3, nInit: 4, seed: 3, workers: 2, onProgress: (done) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3]);
    await expect(segmint.kmeansInWorkers(X, { k: 3, signal: AbortSignal.abort(new Error('never started')) })).rejects.toThrow('never started');
  });
});
