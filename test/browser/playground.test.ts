/**
 * The playground in Chromium, served through servePlayground() (what `segmint serve`
 * mounts at /): load the built-in sample, segment with automatic k, and check that the
 * PCA scatter, the k-selection curve, the metrics and the segment profiles appear and
 * agree with segment() run in Node on the same request. Saves a screenshot to
 * test/browser/__screenshots__/playground.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
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
    await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', undefined, { timeout: 30_000 });
    expect(await page.textContent('#status')).toMatch(/^Done/);

    const view = (await page.evaluate(() => {
      // Cell text without the explanation lines (checked on their own below).
      const text = (c: HTMLTableCellElement) => {
        const copy = c.cloneNode(true) as HTMLElement;
        for (const e of copy.querySelectorAll('.explain')) e.remove();
        return copy.textContent;
      };
      const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('#profiles tbody tr'), (tr) => Array.from(tr.cells, text));
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
    // Each segment says why: its rule (with coverage and precision) and its stability.
    const explained = await page.$$eval('#profiles tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('.explain'), (e) => e.textContent)));
    expect(explained).toHaveLength(3);
    for (const lines of explained) {
      expect(lines.some((l) => /^Rule: .+ \(covers \d+%, precision \d+%\)$/.test(l ?? ''))).toBe(true);
      expect(lines.some((l) => /^Stability: \d\.\d\d$/.test(l ?? ''))).toBe(true);
    }
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

  it('offers no export before a run: the buttons are disabled and no link points at the page', async () => {
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    for (const id of ['#export-csv', '#export-report', '#export-json']) expect(await page.isDisabled(id), id).toBe(true);
    expect(await page.locator('a[download]').count()).toBe(0);
  });

  it('reads a European export: currency and decimal-comma columns are features, each with a warning; an unreadable one is named', async () => {
    const rows = ['Customer ID;Gasto;Tasa;Código'];
    for (let i = 0; i < 40; i++) rows.push(`c${i};"€ ${i < 20 ? 10 + (i % 4) : 900 + (i % 7)},50";${i % 10},5%;${i === 3 ? '12..5' : i}`);
    await page.setInputFiles('#file', { name: 'export.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${rows.join('\r\n')}`) });
    await page.waitForFunction(() => /40 customers/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.textContent('#data-summary')).toBe('export.csv: 40 customers, 2 numeric columns, ids in “Customer ID”.');
    expect(await page.locator('#features input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['Gasto', 'Tasa']);
    expect(await page.textContent('#data-warnings li[data-column="Gasto"]')).toMatch(/decimal comma.*currency sign €/);
    expect(await page.textContent('#data-warnings li[data-column="Tasa"]')).toMatch(/percentages as fractions/);
    expect(await page.textContent('#data-warnings li[data-column="Código"]')).toMatch(/1 of 40 values do not read.*'12\.\.5'/);
    // The text column is listed as not used, with the reason.
    expect(await page.textContent('#ignored-columns')).toBe('Not used: Código (text, not numbers; they cannot be clustered on as they are).');
  });

  it("lets the user set a feature's role, and the request carries it", async () => {
    const csv = `id,spend,visits,city\n${Array.from({ length: 30 }, (_, i) => `u${i},${i % 2 ? 1000 + i : 10 + i},${i % 2 ? 40 : 2},c${i % 3}`).join('\n')}`;
    await page.setInputFiles('#file', { name: 'roles.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => /30 customers/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.textContent('#ignored-columns')).toMatch(/^Not used: city /);
    await page.selectOption('select.role[data-feature="spend"]', 'discount');
    await page.selectOption('#algorithm', 'kmeans');
    await page.uncheck('#auto-k');
    await page.fill('#k', '2');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('#export-json')]);
    const response = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(response.meta.roles).toMatchObject({ spend: 'discount' });
  });

  it('forgets the old data after a failed upload: nothing to segment, no stale result', async () => {
    await page.click('#load-sample');
    await page.waitForFunction(() => /5,000 customers/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.setInputFiles('#file', {
      name: 'broken.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 13) % 256)),
    });
    await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'), undefined, { timeout: 30_000 });
    expect(await page.textContent('#status')).toBe(
      'Could not read broken.bin: broken.bin is a binary file, not CSV, JSON, NDJSON, Parquet, Arrow or Excel .xlsx',
    );
    expect(await page.textContent('#data-summary')).toBe('No data loaded.');
    expect(await page.isDisabled('#run')).toBe(true);
    expect(await page.isHidden('#results')).toBe(true);
    expect(await page.locator('#features input').count()).toBe(0);
  });

  it('shows each metric with its reading, and exports the assignments as CSV and the report as HTML', async () => {
    const csv = `id,spend,visits\n${Array.from({ length: 30 }, (_, i) => `u${i},${i % 2 ? 1000 + i : 10 + i},${i % 2 ? 40 : 2}`).join('\n')}`;
    await page.setInputFiles('#file', { name: 'shop.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => /30 customers/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.selectOption('#algorithm', 'kmeans');
    await page.uncheck('#auto-k');
    await page.fill('#k', '2');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done' && /^Done/.test(document.getElementById('status')!.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    expect(await page.textContent('[data-metric="silhouette"] small')).toMatch(/above 0\.5 the segments are well separated/);
    expect(await page.textContent('[data-metric="davies_bouldin"] small')).toMatch(/below 1\.0 is good/);
    // Two features fit: no scroll hint.
    expect(await page.isHidden('#scroll-hint')).toBe(true);
    // Two groups far apart: silhouette well above 0.5, read as good.
    expect(await page.textContent('[data-metric="silhouette"] .verdict')).toBe(' good');

    const [csvDownload] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('#export-csv')]);
    expect(csvDownload.suggestedFilename()).toBe('shop-segments.csv');
    const lines = readFileSync((await csvDownload.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('customer_id,segment_id,label');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(Array.from({ length: 30 }, (_, i) => `u${i}`));
    // Odd customers together, even ones together (15 each).
    const seg = lines.slice(1).map((l) => l.split(',')[1]);
    for (let i = 2; i < 30; i++) expect(seg[i]).toBe(seg[i % 2]);
    expect(seg[0]).not.toBe(seg[1]);

    const [reportDownload] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('#export-report')]);
    expect(reportDownload.suggestedFilename()).toBe('shop-segments.html');
    const html = readFileSync((await reportDownload.path())!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/);
    expect((html.match(/<circle /g) ?? []).length).toBeGreaterThanOrEqual(30);
  });

  it('translates headers, captions, metric names and status when the language changes', async () => {
    await page.check('#auto-k');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 30_000 });
    await page.selectOption('#locale', 'es');
    await page.waitForFunction(() => document.body.dataset.state === 'done' && /^Hecho/.test(document.getElementById('status')!.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.locator('#profiles thead th').evaluateAll((els) => els.slice(0, 4).map((e) => e.textContent))).toEqual([
      'segmento',
      'etiqueta',
      'clientes',
      'proporción',
    ]);
    expect(await page.textContent('#curve-caption')).toMatch(/^Elección de k por silhouette/);
    expect(await page.textContent('#scatter-caption')).toMatch(/^Clientes en sus dos primeras componentes principales/);
    expect(await page.textContent('[data-metric="silhouette"] span')).toMatch(/^Silueta/);
    expect(await page.textContent('[data-metric="silhouette"] small')).toMatch(/por encima de 0,5/);
    expect(await page.textContent('#run')).toBe('Segmentar');
    expect(await page.textContent('legend')).toBe('Datos');
    expect(await page.textContent('#data-warnings li[data-column="id"]')).toBe("'id' es el identificador del cliente");
    await page.selectOption('#locale', 'en');
    await page.waitForFunction(() => document.body.dataset.state === 'done' && /^Done/.test(document.getElementById('status')!.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
  });

  it('DBSCAN: the card and the status agree on the segments and count outliers apart; k is hidden and disabled', async () => {
    // Three tight groups of 20 and 3 far-off points that no group reaches.
    const rows = ['id,x,y'];
    let n = 0;
    for (const [cx, cy] of [
      [0, 0],
      [50, 50],
      [100, 0],
    ])
      for (let i = 0; i < 20; i++) rows.push(`p${n++},${cx + (i % 5) * 0.3},${cy + Math.floor(i / 5) * 0.3}`);
    for (const [x, y] of [
      [25, 200],
      [-80, 120],
      [180, 150],
    ])
      rows.push(`p${n++},${x},${y}`);
    await page.setInputFiles('#file', { name: 'groups.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => /63 customers/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.selectOption('#algorithm', 'dbscan');
    expect(await page.isHidden('#k-controls')).toBe(true);
    expect(await page.isDisabled('#k')).toBe(true);
    expect(await page.isVisible('#eps')).toBe(true);
    await page.fill('#eps', '0.5');
    await page.fill('#min-samples', '3');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 30_000 });
    const cards = await page
      .locator('#metrics .card')
      .evaluateAll((els) => els.map((e) => [e.querySelector('span')!.textContent, e.querySelector('b')!.textContent]));
    expect(cards).toContainEqual(['segments', '3']);
    expect(cards).toContainEqual(['outliers (noise)', '3']);
    expect(await page.textContent('#status')).toMatch(/^Done in \d+ ms: 3 segments and 3 outliers\.$/);
    await page.selectOption('#algorithm', 'kmeans');
    expect(await page.isVisible('#k-controls')).toBe(true);
  });

  it('scrolls a wide segment table inside its box, with a visible scrollbar, to the last column', async () => {
    const features = Array.from({ length: 24 }, (_, j) => `feature_number_${j}`);
    const rows = [`customer_id,${features.join(',')}`];
    for (let i = 0; i < 40; i++) rows.push(`c${i},${features.map((_, j) => (i % 2 ? 1000 : 0) + ((i * (j + 3)) % 17)).join(',')}`);
    await page.setInputFiles('#file', { name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => /40 customers, 24 numeric/.test(document.getElementById('data-summary')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    await page.uncheck('#auto-k');
    await page.fill('#k', '2');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 30_000 });
    const box = await page.evaluate(() => {
      const wrap = document.getElementById('profiles-wrap')!;
      const before = {
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
        right: wrap.getBoundingClientRect().right,
      };
      wrap.scrollLeft = wrap.scrollWidth;
      const last = wrap.querySelector('thead th:last-child')!.getBoundingClientRect();
      return {
        ...before,
        lastRight: last.right,
        wrapRight: wrap.getBoundingClientRect().right,
        pageWidth: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
      };
    });
    expect(box.scrollWidth).toBeGreaterThan(box.clientWidth);
    // The box ends inside the window and the page does not scroll sideways.
    expect(box.right).toBeLessThanOrEqual(box.viewport);
    expect(box.pageWidth).toBeLessThanOrEqual(box.viewport);
    // Headless Chromium hides scrollbars (as overlay scrollbars do until touched): the hint says there is more.
    expect(await page.isVisible('#scroll-hint')).toBe(true);
    expect(await page.textContent('#scroll-hint')).toMatch(/more columns/);
    // Scrolled to the end, the last column is in the box.
    expect(box.lastRight).toBeLessThanOrEqual(box.wrapRight + 1);
  });

  it('left no uncaught page errors or console errors (CSP included)', () => {
    expect(pageErrors.map(String)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
