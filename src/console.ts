/**
 * The console (the React app in console/) served by the gateway at `/console/`, like the IDE: from
 * the gateway's own files, under a Content-Security-Policy that loads nothing from elsewhere and runs
 * no inline script, so it works offline and behind a path prefix (every URL in it is relative).
 *
 * `npm run build` writes the built app to dist/console/, beside the compiled dist/console.js, and the
 * package ships it. Run from its TypeScript sources (`npm start`, the tests) there is no dist/, so the
 * first request builds the app in memory with vite (a development dependency) — the same bundle,
 * only never written to disk. Either way the files are read once per process into a fixed table:
 * a request only ever selects an entry of it, never becomes a path.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { sendJson, type ExtraRoute } from './server.js';

/** Where `npm run build` puts the built app: dist/console/ when this module is dist/console.js. */
const BUILT = fileURLToPath(new URL('./console/', import.meta.url));
/** The app's sources, beside src/: built on the fly when there is no build. */
const SOURCES = fileURLToPath(new URL('../console/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The built app by its path under /console/ (`index.html`, `assets/index-<hash>.js`…). */
type Files = ReadonlyMap<string, Buffer>;

async function readBuilt(dir: string): Promise<Files> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return new Map(await Promise.all(files.map(async (file) => [relative(dir, file).split(sep).join('/'), await readFile(file)] as const)));
}

/** The same build as `npm run build`'s (console/vite.config.ts), kept in memory. */
async function buildInMemory(): Promise<Files> {
  const { build } = await import('vite');
  const result = await build({ root: SOURCES, configFile: join(SOURCES, 'vite.config.ts'), configLoader: 'runner', build: { write: false } });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((bundle) => ('output' in bundle ? bundle.output : []));
  return new Map(outputs.map((file) => [file.fileName, Buffer.from(file.type === 'chunk' ? file.code : file.source)]));
}

let files: Promise<Files> | undefined;

function consoleFiles(): Promise<Files> {
  if (!files) {
    files = existsSync(join(BUILT, 'index.html')) ? readBuilt(BUILT) : buildInMemory();
    // A failed build (vite missing in a production install without dist/console) is tried again next time.
    files.catch(() => (files = undefined));
  }
  return files;
}

/**
 * The gateway's own origin only, and nothing inline: the page is one module script and one
 * stylesheet; React sets styles through the CSSOM, which style-src does not govern. connect-src
 * 'self' covers the API and the same-origin WebSocket of the progress subscription (CSP 3).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: ServerResponse, name: string, body: Buffer): void {
  const page = name === 'index.html';
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    'content-length': body.length,
    // The page names its assets by their content's hash: it must be fetched again, they need not be.
    'cache-control': page ? 'no-store' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(page && { 'content-security-policy': CONSOLE_CSP, 'referrer-policy': 'no-referrer', 'cross-origin-opener-policy': 'same-origin' }),
  });
  res.end(body);
}

/** `GET /console` (redirected to `/console/`, so relative URLs resolve under it), the page, and its assets. */
export function consoleRoutes(): ExtraRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/console$/,
      handle: ({ res }) => {
        // Relative, so a reverse proxy's path prefix is kept.
        res.writeHead(308, { location: 'console/' });
        res.end();
      },
    },
    {
      method: 'GET',
      path: /^\/console\/(.*)$/,
      handle: async ({ res, params }) => {
        const name = params[0] || 'index.html';
        const body = (await consoleFiles()).get(name);
        if (body) send(res, name, body);
        else sendJson(res, 404, { error: `no console file ${name}` });
      },
    },
  ];
}
