/**
 * Serves the playground (the static files `scripts/build-playground.mjs` writes to
 * dist/playground/) for `segmint serve`: GET or HEAD of `/` and of the playground's own
 * files; `null` for anything else, so the caller falls through to the API routes.
 *
 * Only files that exist directly in the playground folder are served (no sub-paths, no
 * dot files, no `..`), from a list read once. The page runs the segmentation in the
 * browser (a Web Worker), so it needs nothing from the server but these files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

// Chart.js sets inline styles; the kernels need 'wasm-unsafe-eval'; the result download is a blob: URL.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/** Where the built playground is served from. */
export interface ServePlaygroundOptions {
  /** The built playground folder; default dist/playground beside the bundle (or, from src/, the package's dist/playground). */
  root?: string | URL;
}

interface Listing {
  root: string;
  files: Set<string>;
}
const listings = new Map<string, Promise<Listing | null>>();

function defaultRoots(): URL[] {
  const here = import.meta.url;
  // Bundled into dist/*.js: dist/playground/. Run from src/http/ (tests, tsx): the package's dist/playground/.
  return [new URL('./playground/', here), new URL('../../dist/playground/', here)];
}

async function list(root: string): Promise<Listing | null> {
  try {
    const entries = await readdir(root, { withFileTypes: true });
    const files = new Set(entries.filter((e) => e.isFile() && !e.name.startsWith('.') && extension(e.name) in CONTENT_TYPES).map((e) => e.name));
    return files.has('index.html') ? { root, files } : null;
  } catch {
    return null;
  }
}

function listing(root: string): Promise<Listing | null> {
  let found = listings.get(root);
  if (!found) {
    found = list(root);
    listings.set(root, found);
    // A folder that is not built yet may be built later: do not remember the miss.
    void found.then((l) => l ?? listings.delete(root));
  }
  return found;
}

async function findPlayground(options: ServePlaygroundOptions): Promise<Listing | null> {
  const roots = options.root !== undefined ? [options.root] : defaultRoots();
  for (const r of roots) {
    const path = typeof r === 'string' ? r : fileURLToPath(r);
    const found = await listing(path.endsWith('/') ? path : `${path}/`);
    if (found) return found;
  }
  return null;
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The playground's response for GET/HEAD `/` and its files, or null when the request is not for it. */
export async function servePlayground(request: Request, options: ServePlaygroundOptions = {}): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return null;
  }
  const name = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) return null;

  const playground = await findPlayground(options);
  if (!playground) {
    if (pathname !== '/') return null;
    return new Response('The segmint playground is not built: run `npm run build` (or node scripts/build-playground.mjs).\n', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  if (!playground.files.has(name)) return null;

  const body = request.method === 'HEAD' ? null : await readFile(playground.root + name);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPES[extension(name)],
      // Not content-hashed names, so revalidate; they are small and served locally.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(name === 'index.html' ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
    },
  });
}
