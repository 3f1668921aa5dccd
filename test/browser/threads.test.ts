/**
 * Kernel threads in a browser: in a cross-origin-isolated page, a Web Worker (one of the
 * app's own, or segmentInWorker's) runs init({ threads }) with nested Web Workers over
 * shared memory, and K-Means and segment() give bit for bit what one thread gives, and
 * what Node gives. Where that cannot work (a page's main thread, a page without
 * isolation) the error names `threads` and says what is missing.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, launchChromium, libraryMounts, openPage, pageErrors, requireBuild, startStaticServer } from './harness';

type Segmint = typeof import('../../src/index');
type KmeansRun = {
  ok: boolean;
  threads: number;
  labels: number[];
  centroids: number[][];
  inertia: number;
  iterations: number;
  silhouette: number[];
  message?: string;
};

let isolatedServer: Awaited<ReturnType<typeof startStaticServer>>;
let plainServer: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let plainPage: Page;
let segmint: Segmint;

beforeAll(async () => {
  requireBuild();
  segmint = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as Segmint;
  isolatedServer = await startStaticServer(libraryMounts(), { isolated: true });
  plainServer = await startStaticServer(libraryMounts());
  browser = await launchChromium();
  page = await browser.newPage();
  await openPage(page, `${isolatedServer.url}/pages/threads.html`);
  plainPage = await browser.newPage();
  await openPage(plainPage, `${plainServer.url}/pages/threads.html`);
});

afterAll(async () => {
  await browser?.close();
  await isolatedServer?.close();
  await plainServer?.close();
});

describe('kernel threads in Chromium', () => {
  it('the page is cross-origin isolated (COOP/COEP), the plain one is not', async () => {
    expect(await page.evaluate('window.isolated')).toBe(true);
    expect(await plainPage.evaluate('window.isolated')).toBe(false);
  });

  it("K-Means and the silhouette in an app's worker with 2 threads equal 1 thread and Node, bit for bit", async () => {
    const [rows, k, seed] = [30_000, 5, 3];
    const one = (await page.evaluate(`window.kmeansInWorker(1, ${rows}, ${k}, ${seed})`)) as KmeansRun;
    const two = (await page.evaluate(`window.kmeansInWorker(2, ${rows}, ${k}, ${seed})`)) as KmeansRun;
    expect(one.ok, one.message).toBe(true);
    expect(two.ok, two.message).toBe(true);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.labels).toEqual(one.labels);
    expect(two.centroids).toEqual(one.centroids);
    expect(two.inertia).toBe(one.inertia);
    const node = segmint.kmeans(segmint.sampleCustomerMatrix(rows, seed), { k, seed, nInit: 1, algorithm: 'lloyd' });
    expect(one.labels).toEqual(Array.from(node.labels));
    expect(one.inertia).toBe(node.inertia);
    expect(one.iterations).toBe(node.iterations);
    // The silhouette's tiled pair sums on 2 threads against the one-call kernel, here and in Node.
    expect(two.silhouette).toEqual(one.silhouette);
    const head = { data: segmint.sampleCustomerMatrix(rows, seed).data.subarray(0, 3000 * 6), rows: 3000, cols: 6 };
    expect(one.silhouette).toEqual(Array.from(segmint.silhouetteSamples(head, node.labels.subarray(0, 3000))));
  });

  it("segmentInWorker with threads: 2 returns Node's segment() response", async () => {
    const request = { n_clusters: 4, seed: 1 };
    const inBrowser = (await page.evaluate(`window.segmentThreads(25000, 5, ${JSON.stringify(request)}, 2)`)) as { meta: Record<string, unknown> };
    const node = JSON.parse(JSON.stringify(await segmint.segment({ data: segmint.sampleCustomers(25000, 5), ...request })));
    delete node.meta.timings_ms;
    expect(inBrowser).toEqual(node);
  });

  it("refuses threads on a page's main thread and in a page without isolation, naming threads", async () => {
    const main = (await page.evaluate('window.initOnMain()')) as { name: string; parameter: string; message: string };
    expect(main).toMatchObject({ name: 'InvalidParameterError', parameter: 'threads' });
    expect(main.message).toMatch(/Web Worker/);
    const plain = (await plainPage.evaluate(
      `window.segmentThreads(500, 1, { n_clusters: 3 }, 2).then(() => null, (e) => ({ name: e.name, parameter: e.parameter, message: e.message }))`,
    )) as { name: string; parameter: string; message: string };
    expect(plain).toMatchObject({ name: 'InvalidParameterError', parameter: 'threads' });
    expect(plain.message).toMatch(/cross-origin-isolated|SharedArrayBuffer/);
    expect(pageErrors.map(String)).toEqual([]);
  });
});
