/**
 * The playground in Chromium, served through servePlayground() (what `segmint serve`
 * mounts at /): load the built-in sample, segment with automatic k, and check that the
 * PCA scatter, the k-selection curve, the metrics and the segment profiles appear and
 * agree with segment() run in Node on the same request. Saves a screenshot to
 * test/browser/__screenshots__/playground.png.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePlayground } from '../../src/http/playground';
import { DIST, ROOT, launchChromium, pageErrors, requireBuild } from './harness';

type Segmint = typeof import('../../src/index');

let server: Server;
let base: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  requireBuild('playground/index.html', 'playground/main.js', 'playground/worker.js');
  // Node's http -> a Web Request -> servePlayground, as the HTTP layer mounts it.
  server = createServer(async (req, res) => {
    const response = await servePlayground(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
    if (!response) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    res.writeHead(response.status, headers);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
});

describe('servePlayground', () => {
  it('serves / and the playground files, with a content security policy on the page', async () => {
    const index = await servePlayground(new Request('http://x/'));
    expect(index?.status).toBe(200);
    expect(index?.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index?.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
    expect(await index!.text()).toContain('<canvas id="scatter">');
    const script = await servePlayground(new Request('http://x/main.js'));
    expect(script?.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await servePlayground(new Request('http://x/worker.js')))?.status).toBe(200);
    const head = await servePlayground(new Request('http://x/', { method: 'HEAD' }));
    expect(head?.status).toBe(200);
    expect(await head!.text()).toBe('');
  });

  it('returns null for everything else: other paths, other methods, traversal, dot files', async () => {
    for (const url of [
      'http://x/segment',
      'http://x/health',
      'http://x/../package.json',
      'http://x/%2e%2e%2fpackage.json',
      'http://x/a/main.js',
      'http://x/.env',
      'http://x/index.ts',
    ]) {
      expect(await servePlayground(new Request(url)), url).toBeNull();
    }
    expect(await servePlayground(new Request('http://x/', { method: 'POST', body: '{}' }))).toBeNull();
  });

  it('says how to build the playground when it is missing (only for /)', async () => {
    const missing = await servePlayground(new Request('http://x/'), { root: join(ROOT, 'no-such-dir') });
    expect(missing?.status).toBe(503);
    expect(await missing!.text()).toMatch(/npm run build/);
    expect(await servePlayground(new Request('http://x/main.js'), { root: join(ROOT, 'no-such-dir') })).toBeNull();
  });
});

describe('the playground in Chromium', () => {
  it('loads the sample, segments it in a worker and shows the scatter, the k curve, the metrics and the profiles', async () => {
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.click('#load-sample');
    // The upload is read asynchronously: wait (30 s deadline) for its summary.
    await page.waitForFunction(
      (re) => new RegExp(re).test(document.getElementById('data-summary')?.textContent ?? ''),
      /5,000 customers, 6 numeric columns/.source,
      { timeout: 30_000 },
    );
    expect(await page.textContent('#data-summary')).toMatch(/5,000 customers, 6 numeric columns/);
    expect(await page.locator('#features input:checked').count()).toBe(6);
    // Six features, automatic k in 3..6 by silhouette, K-Means.
    await page.fill('#k-min', '3');
    await page.fill('#k-max', '6');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state !== 'ready', undefined, { timeout: 30_000 });
    expect(await page.textContent('#status')).toMatch(/^Done/);

    const view = (await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('#profiles tbody tr'), (tr) => Array.from(tr.cells, (c) => c.textContent));
      const inked = (id: string) => {
        const c = document.getElementById(id) as HTMLCanvasElement;
        const ctx = c.getContext('2d')!;
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return { width: c.width, height: c.height, inked: n };
      };
      return {
        rows,
        scatter: inked('scatter'),
        curve: inked('curve'),
        points: Number(document.getElementById('scatter')!.dataset.points),
        metrics: Array.from(document.querySelectorAll('#metrics .card'), (c) => c.textContent),
        curveCaption: document.getElementById('curve-caption')!.textContent,
      };
    })) as {
      rows: string[][];
      scatter: { width: number; height: number; inked: number };
      curve: { inked: number };
      points: number;
      metrics: string[];
      curveCaption: string;
    };

    // The same request in Node gives the segments the page shows.
    const segmint = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as Segmint;
    const expected = await segmint.segment({
      data: segmint.sampleCustomers(5000, 42),
      algorithm: 'kmeans',
      features: [...segmint.SAMPLE_FEATURES],
      id_field: 'customer_id',
      seed: 42,
      n_clusters: 'auto',
      k_range: [3, 6],
      k_selection: 'silhouette',
    });
    expect(view.rows.map((r) => [r[1], Number(r[2].replace(/,/g, ''))])).toEqual(expected.segments.map((s) => [s.label + s.description, s.size]));
    expect(view.curveCaption).toContain(`k = ${expected.k_selection!.k}`);
    expect(view.metrics.join(' ')).toContain(expected.metrics.silhouette_score!.toFixed(3));
    expect(view.points).toBe(5000);
    expect(view.scatter.width).toBeGreaterThan(100);
    expect(view.scatter.inked).toBeGreaterThan(1000);
    expect(view.curve.inked).toBeGreaterThan(100);

    mkdirSync(join(ROOT, 'test/browser/__screenshots__'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test/browser/__screenshots__/playground.png'), fullPage: true });
  });

  it('runs a Gaussian mixture with a fixed k, reports a bad file in the page, and segments an uploaded CSV with DBSCAN', async () => {
    await page.selectOption('#algorithm', 'gmm');
    await page.uncheck('#auto-k');
    await page.fill('#k', '3');
    await page.click('#run');
    await page.waitForFunction(
      () => document.querySelectorAll('#profiles tbody tr').length === 3 && /^Done/.test(document.getElementById('status')!.textContent ?? ''),
    );
    expect(await page.isHidden('#curve-figure')).toBe(true);

    await page.setInputFiles('#file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"data": 5}') });
    await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'));
    expect(await page.textContent('#status')).toMatch(/Could not read bad\.json/);

    const csv = 'id,spend,visits\n' + Array.from({ length: 60 }, (_, i) => `${i},${(i % 3) * 100 + i},${(i % 3) * 5 + 1}`).join('\n');
    await page.setInputFiles('#file', { name: 'shop.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // The upload is read asynchronously: wait (30 s deadline) for its summary.
    await page.waitForFunction(
      (re) => new RegExp(re).test(document.getElementById('data-summary')?.textContent ?? ''),
      /60 customers, 2 numeric columns, ids in “id”/.source,
      { timeout: 30_000 },
    );
    expect(await page.textContent('#data-summary')).toMatch(/60 customers, 2 numeric columns, ids in “id”/);
    await page.selectOption('#algorithm', 'dbscan');
    await page.click('#run');
    await page.waitForFunction(() => /^Done/.test(document.getElementById('status')!.textContent ?? ''));
    expect(await page.locator('#profiles tbody tr').count()).toBeGreaterThan(0);
  });

  it('left no uncaught page errors or console errors (CSP included)', () => {
    expect(pageErrors.map(String)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
