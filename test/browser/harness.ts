/**
 * Browser test harness: a static HTTP server on 127.0.0.1 (port 0) and Debian's
 * Chromium driven by playwright-core. The suite never skips: without Chromium or a
 * built dist/ it fails and says what to install or run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const CHROMIUM = process.env.SEGMINT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Fails (never skips) when something the suite needs is missing. */
export function requireBuild(...files: string[]): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it (Debian: apt-get install -y chromium; or set SEGMINT_CHROMIUM to a Chromium binary). They are not skipped.`,
    );
  }
  for (const f of ['index.js', 'worker.js', ...files]) {
    if (!existsSync(join(DIST, f))) throw new Error(`dist/${f} is missing: run \`npm run build\` before the browser tests.`);
  }
}

/** Serves each URL prefix from a directory, e.g. { '/dist/': DIST }. Only GET, only inside the mounts. */
export async function startStaticServer(
  mounts: Record<string, string>,
  /** isolated: every response carries COOP/COEP, so pages are cross-origin isolated (SharedArrayBuffer). */
  options: { isolated?: boolean } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const isolation = options.isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir + sep) && file !== dir) break;
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file)) break;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...isolation });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not found: ${path}`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Chromium with a fresh profile; close() also deletes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; newPage(): Promise<Page>; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'segmint-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      // Uncaught page errors fail the test that caused them rather than vanishing.
      page.on('pageerror', (err) => {
        pageErrors.push(err);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export const pageErrors: Error[] = [];

/**
 * The standard mounts: the built package where a CDN or a static server would put it, and
 * the pages. Nothing else: the ESM build must load with no bundler, import map or
 * node_modules beside it.
 */
export function libraryMounts(): Record<string, string> {
  return {
    '/node_modules/segmint/dist/': DIST,
    '/pages/': join(ROOT, 'test/browser/pages'),
  };
}

/** Opens a page and waits until its module script has set window.ready (or reported window.loadError). */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction('window.ready === true || window.loadError !== undefined', undefined, { timeout: 20_000 });
  const loadError = await page.evaluate('window.loadError');
  if (loadError !== undefined) throw new Error(`page ${url} failed to load: ${loadError}`);
}
