/**
 * The ESM build (dist/index.js) in real headless Chromium: it loads with no Node
 * built-ins, picks the SIMD or the scalar build, and gives bit-for-bit the results Node
 * gives for the same seed (kmeans, the metrics, segment()), with and without SIMD.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, ROOT, launchChromium, libraryMounts, openPage, pageErrors, requireBuild, startStaticServer } from './harness';

type Segmint = typeof import('../../src/index');
type Cases = import('./pages/cases.js').Cases;

let server: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let node: Cases;
let nodeSegmint: Segmint;

const KMEANS_CASE = { n: 3000, seed: 11, k: 5, nInit: 2 };
const METRICS_CASE = { n: 1200, seed: 3, k: 4 };
const SEGMENT_CASE = { n: 1500, seed: 5, request: { seed: 9, k_range: [2, 6] }, locale: 'es' };

/** Runs a case from pages/cases.js in the page (by name, with JSON arguments). */
function inPage<T>(p: Page, name: string, arg: unknown): Promise<T> {
  return p.evaluate(`window.cases.${name}(${JSON.stringify(arg)})`) as Promise<T>;
}

beforeAll(async () => {
  requireBuild();
  nodeSegmint = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as Segmint;
  const { makeCases } = await import('./pages/cases.js');
  node = makeCases(nodeSegmint);
  server = await startStaticServer(libraryMounts());
  browser = await launchChromium();
  page = await browser.newPage();
  await openPage(page, `${server.url}/pages/library.html`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the ESM build in Chromium', () => {
  it('has no Node built-in on its import graph and runs where there is no process, Buffer or require', async () => {
    for (const file of readdirSync(DIST).filter((f) => f.endsWith('.js') && !/^(http|cli|segmint-worker)/.test(f))) {
      const src = readFileSync(join(DIST, file), 'utf8');
      // Static imports only: the Node-only worker_threads path is a dynamic import through a variable.
      expect(src, file).not.toMatch(/^\s*import[^;]*from\s*['"]node:/m);
      expect(src, file).not.toMatch(/\brequire\(['"]/);
    }
    const globals = await page.evaluate('[typeof process, typeof Buffer, typeof require, typeof window.segmint.kmeans]');
    expect(globals).toEqual(['undefined', 'undefined', 'undefined', 'function']);
  });

  it('loads from a plain module script: no import map, and only relative imports on its graph', async () => {
    const html = readFileSync(join(ROOT, 'test/browser/pages/library.html'), 'utf8');
    expect(html).not.toMatch(/importmap/);
    expect(html).toMatch(/<script type="module">/);
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(join(DIST, file), 'utf8');
      for (const [, spec] of src.matchAll(/^\s*(?:import|export)[^;'"]*?from\s*['"]([^'"]+)['"]/gm)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\//);
        walk(spec.slice(2));
      }
    };
    walk('index.js');
    expect(seen.size).toBeGreaterThan(1);
    expect(await page.evaluate('typeof window.segmint.segment')).toBe('function');
  });

  it('init() picks the SIMD build when Chromium validates it', async () => {
    const info = (await page.evaluate('window.segmint.init()')) as { variant: string; simdSupported: boolean };
    expect(info.variant).toBe('simd');
    expect(info.simdSupported).toBe(true);
  });

  it("kmeans gives Node's labels, centroids and inertia bit for bit (SIMD)", async () => {
    const browserResult = await inPage(page, 'kmeans', KMEANS_CASE);
    expect(browserResult).toEqual(node.kmeans(KMEANS_CASE));
    const hamerly = { ...KMEANS_CASE, algorithm: 'hamerly', init: 'random', nInit: 3 };
    expect(await inPage(page, 'kmeans', hamerly)).toEqual(node.kmeans(hamerly));
  });

  it("the metrics equal Node's (silhouette exact, sampled and per sample, Davies-Bouldin, Calinski-Harabasz)", async () => {
    const b = await inPage<ReturnType<Cases['metrics']>>(page, 'metrics', METRICS_CASE);
    const n = node.metrics(METRICS_CASE);
    expect(b).toEqual(n);
    expect(b.samples).toHaveLength(METRICS_CASE.n);
    expect(b.silhouette).toBeGreaterThan(0);
  });

  it("segment() returns Node's response (everything but timings), localized", async () => {
    const b = await inPage<Awaited<ReturnType<Cases['segment']>>>(page, 'segment', SEGMENT_CASE);
    expect(b).toEqual(await node.segment(SEGMENT_CASE));
    expect(b.meta.locale).toBe('es');
    expect(b.segments.reduce((s: number, x: { size: number }) => s + x.size, 0)).toBe(SEGMENT_CASE.n);
  });

  it("segment() errors are SegmentationErrors with the reference's status and a localized message", async () => {
    const request = { data: [{ customer_id: 'a', spend: 1 }] };
    const b = await inPage(page, 'segmentError', { request, locale: 'pt' });
    expect(b).toEqual(await node.segmentError({ request, locale: 'pt' }));
    expect(b).toMatchObject({ isSegmentationError: true, status: 422 });
  });

  it('init({ variant: "scalar" }) switches to the scalar build, which gives the same bits', async () => {
    const info = (await page.evaluate("window.segmint.init({ variant: 'scalar' })")) as { variant: string };
    expect(info.variant).toBe('scalar');
    expect(await inPage(page, 'kmeans', KMEANS_CASE)).toEqual(node.kmeans(KMEANS_CASE));
    expect(await inPage(page, 'metrics', METRICS_CASE)).toEqual(node.metrics(METRICS_CASE));
    expect(await page.evaluate('window.segmint.wasmInfo().variant')).toBe('scalar');
    await page.evaluate('window.segmint.init({ variant: "simd" })');
  });
});

describe('an engine without SIMD (WebAssembly.validate rejects v128 modules before segmint loads)', () => {
  let noSimd: Page;
  beforeAll(async () => {
    noSimd = await browser.newPage();
    await openPage(noSimd, `${server.url}/pages/no-simd.html`);
  });

  it("'auto' picks the scalar build and says SIMD is unsupported", async () => {
    const info = await noSimd.evaluate('window.segmint.init()');
    expect(info).toMatchObject({ variant: 'scalar', simdSupported: false });
    expect(await noSimd.evaluate('window.validateCalls')).toContain('rejected');
    expect(await noSimd.evaluate('window.segmint.wasmInfo()')).toMatchObject({ variant: 'scalar', simdSupported: false });
  });

  it("asking for 'simd' there is a clear InvalidParameterError on variant", async () => {
    const err = await noSimd.evaluate(
      "window.segmint.init({ variant: 'simd' }).then(() => null, (e) => ({ name: e.name, parameter: e.parameter, message: e.message }))",
    );
    expect(err).toMatchObject({ parameter: 'variant' });
    expect((err as { message: string }).message).toMatch(/SIMD/);
  });

  it("kmeans, the metrics and segment() still equal Node's SIMD results bit for bit", async () => {
    expect(await inPage(noSimd, 'kmeans', KMEANS_CASE)).toEqual(node.kmeans(KMEANS_CASE));
    expect(await inPage(noSimd, 'metrics', METRICS_CASE)).toEqual(node.metrics(METRICS_CASE));
    expect(await inPage(noSimd, 'segment', SEGMENT_CASE)).toEqual(await node.segment(SEGMENT_CASE));
  });

  it('left no uncaught page errors', () => {
    expect(pageErrors.map(String)).toEqual([]);
  });
});
