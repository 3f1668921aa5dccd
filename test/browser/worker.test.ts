/**
 * segmentInWorker(): in Chromium a module Web Worker (dist/worker.js, found with
 * new URL('./worker.js', import.meta.url)) keeps the page responsive and returns what
 * segment() returns; in Node a worker_threads worker does the same.
 */
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
