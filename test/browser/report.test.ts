/**
 * The HTML report (`segmint segment FILE --report report.html`, from the built CLI) opened
 * in Chromium from a file: no console error, no request leaves the file, every chart is
 * there, in the language asked for. Saves test/browser/__screenshots__/report.png.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, renderReport } from '../../src/cli/report';
import type { SegmentationResponse } from '../../src/index';
import { DIST, ROOT, launchChromium, pageErrors, requireBuild } from './harness';

let browser: Awaited<ReturnType<typeof launchChromium>>;
const dir = mkdtempSync(join(tmpdir(), 'segmint-report-'));

beforeAll(async () => {
  requireBuild('cli.js');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Three groups of 30, 20 and 10 customers, far apart on both features. */
function threeGroups(): string {
  const rows = ['id_cliente;gasto;visitas'];
  const centres = [
    [100, 2, 30],
    [5000, 40, 20],
    [20000, 90, 10],
  ];
  let n = 0;
  for (const [spend, visits, count] of centres) {
    for (let i = 0; i < count; i++) rows.push(`c${n++};"${(spend + (i % 5) * 3).toLocaleString('de-DE')},50";${visits + (i % 3)}`);
  }
  return rows.join('\n');
}

describe('HTML report', () => {
  it('opens offline in Chromium with no console error, in Spanish, with every section', async () => {
    const csv = join(dir, 'clientes.csv');
    writeFileSync(csv, threeGroups());
    const html = join(dir, 'informe.html');
    const r = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'segment', csv, '-l', 'es', '--report', html, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(html, 'utf8');
    // Self-contained: nothing fetched from anywhere.
    expect(text).not.toMatch(/<script|<link|src="http|href="http|@import/);

    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('request', (req) => requests.push(req.url()));
    const before = pageErrors.length;
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction('document.readyState === "complete"', undefined, { timeout: 10_000 });
    expect(consoleErrors).toEqual([]);
    expect(pageErrors.length).toBe(before);
    expect(requests).toEqual([pathToFileURL(html).href]);

    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('h1')).toBe('Segmentos de clientes');
    // Sizes 30, 20, 10 of 60: 50%, 33,3% and 16,7% (Spanish decimal comma).
    const sizes = await page.textContent('#sizes svg');
    expect(sizes).toContain('30 (50%)');
    expect(sizes).toContain('20 (33,3%)');
    expect(sizes).toContain('10 (16,7%)');
    // One profile chart per feature, one bar per segment.
    expect(await page.locator('#profile figure').count()).toBe(2);
    expect(await page.locator('#profile figure').first().locator('rect').count()).toBe(3);
    // Every customer in the scatter, three colours.
    expect(await page.locator('#scatter circle').count()).toBe(60);
    const fills = await page.locator('#scatter circle').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('fill'))).size);
    expect(fills).toBe(3);
    // k chosen automatically: a curve with the chosen k marked (the larger dot).
    expect(await page.locator('#curve circle[r="6"]').count()).toBe(1);
    expect(await page.textContent('#metrics')).toMatch(/Silueta.*por encima de 0,5 los segmentos están bien separados/s);
    // The reader's warnings too are in Spanish.
    expect(await page.textContent('#warnings')).toContain("'gasto' leída como números: coma decimal, separadores de miles ('.' o espacio)");
    expect(await page.textContent('#warnings')).toContain("'id_cliente' es el identificador del cliente");

    mkdirSync(join(ROOT, 'test/browser/__screenshots__'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test/browser/__screenshots__/report.png'), fullPage: true });
    await page.close();
  });

  it('renders rules, drivers and stability when the response has them, escaped', () => {
    const segment = {
      segment_id: 0,
      size: 2,
      share: 1,
      label: 'A <b>',
      label_key: 'x',
      description: 'd',
      characteristics: { avg_x: 1 },
      customers: ['a', 'b'],
      profile: { x: { mean: 1, median: 1, std: 0, min: 1, max: 1, z: 0, observed: 2, missing: 0 } },
      rules: [{ feature: 'x', op: '>', value: 3 }],
      drivers: [{ feature: 'x', importance: 0.75 }],
      stability: { jaccard: 0.9 },
    };
    const response = {
      segments: [segment],
      metrics: { silhouette_score: null, davies_bouldin_score: null, calinski_harabasz_score: null, silhouette: null },
      meta: {
        algorithm: 'kmeans',
        n_clusters: 1,
        customers: 2,
        features: ['x'],
        model_features: ['x'],
        roles: {},
        preprocessing: { logTransformed: [] },
        warnings: [],
        timings_ms: {},
        locale: 'en',
        seed: 0,
      },
    } as unknown as SegmentationResponse;
    const html = renderReport(response, { locale: 'en' });
    expect(html).toContain('<section id="rules"><h2>Rules</h2>');
    expect(html).toContain('<dt>importance</dt><dd>0.75</dd>');
    expect(html).toContain('<dt>jaccard</dt><dd>0.9</dd>');
    expect(html).toContain('A &#60;b&#62;');
    expect(html).not.toContain('A <b>');
    expect(
      renderReport({ ...response, segments: [{ ...segment, rules: undefined, drivers: undefined, stability: undefined }] } as unknown as SegmentationResponse),
    ).not.toContain('id="rules"');
  });

  it("reads segment()'s rules, drivers and stability as sentences in the language asked for", async () => {
    const { segment } = await import('../../src/index');
    const r = await segment({
      data: threeGroups()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [id, spend, visits] = line.split(';');
          return { customer_id: id!, spend: Number(spend!.replace(/"/g, '').replace(/\./g, '').replace(',', '.')), visits: Number(visits) };
        }),
      n_clusters: 3,
      locale: 'es',
    });
    const html = renderReport(r, { locale: 'es' });
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));
    for (const s of r.segments) {
      expect(section('rules')).toContain(escapeHtml(`regla: ${s.rules!.text} (cubre el`));
      expect(section('stability')).toMatch(/estabilidad: [01],\d\d \((muy estable|estable|dudoso|no estable)\)/);
    }
    expect(section('drivers')).toMatch(/lo distingue: (spend|visits) (más alto|más bajo) \(d -?\d+,\d\d, grande\)/);
    // No raw field names once the shapes are known.
    expect(html).not.toMatch(/<dt>(text|conditions|coverage|precision|direction|effect)<\/dt>/);
    // A segment no threshold describes says so instead of printing an empty rule.
    const none = { ...r, segments: [{ ...r.segments[0]!, rules: { text: '', conditions: [], coverage: 1, precision: 0.5 } }] };
    expect(renderReport(none, { locale: 'en' })).toContain('rule: none (no threshold on the features sets it apart from the rest)');
  });
});
