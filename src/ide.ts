/**
 * The offline GraphQL IDE: GraphiQL 3's standalone (UMD) build with React 18 and graphql-ws, all
 * read from node_modules and served by the gateway itself, so the page works with no network beyond
 * the gateway and sends nothing anywhere else (Apollo's landing page loads from a CDN and reports usage).
 *
 * `answerIde` is all the server calls: `GET /graphql` with `Accept: text/html` gets the page, and
 * `GET /ide/<name>` the assets it names, from a fixed allow-list — the request only ever selects an
 * entry, it never becomes a path. It imports nothing of the server, which imports it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Asset {
  /** The package that ships it; its `package.json` is resolved, since these packages' `exports` hide the file itself. */
  pkg: string;
  /** The file inside the package. */
  file: string;
  contentType: string;
}

/** Everything the page loads, by the name it is served under. Nothing else is ever read. */
const ASSETS: Readonly<Record<string, Asset>> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', contentType: 'text/javascript; charset=utf-8' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: 'text/javascript; charset=utf-8' },
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', contentType: 'text/javascript; charset=utf-8' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', contentType: 'text/javascript; charset=utf-8' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', contentType: 'text/css; charset=utf-8' },
};

/** The order the page loads the scripts in: GraphiQL's UMD build expects the globals React and ReactDOM. */
const SCRIPTS = ['react.js', 'react-dom.js', 'graphql-ws.js', 'graphiql.js'];

const require = createRequire(import.meta.url);

interface Loaded {
  body: Buffer;
  /** Part of the asset's URL, so a long cache lifetime is safe across upgrades. */
  version: string;
}

const loaded = new Map<string, Promise<Loaded>>();

/** Read once per process: the files do not change under a running gateway, and the page needs their versions. */
function load(name: string, asset: Asset): Promise<Loaded> {
  let entry = loaded.get(name);
  if (!entry) {
    const path = join(dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file);
    entry = readFile(path).then((body) => ({ body, version: createHash('sha256').update(body).digest('hex').slice(0, 16) }));
    // A failed read (package missing) is tried again next time rather than cached.
    entry.catch(() => loaded.delete(name));
    loaded.set(name, entry);
  }
  return entry;
}

/**
 * The page's own script. It asks for the token once per browser tab (sessionStorage: gone when the
 * tab closes, never in GraphiQL's localStorage), and hands it to every HTTP request as a header and
 * to the WebSocket as connectionParams, where the gateway reads it (browsers cannot set headers on
 * a WebSocket). URLs come from the page's own location, so the IDE works behind a path prefix.
 */
const BOOTSTRAP = `(function () {
  var KEY = 'rostergate.token';
  var token = sessionStorage.getItem(KEY);
  if (token === null) {
    token = (window.prompt('rostergate API token (sent as Authorization: Bearer …, kept for this tab only)') || '').trim();
    if (token) sessionStorage.setItem(KEY, token);
  }
  var auth = token ? { authorization: 'Bearer ' + token } : {};
  var url = location.pathname;
  var wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname;
  var fetcher = GraphiQL.createFetcher({
    url: url,
    headers: auth,
    wsClient: graphqlWs.createClient({ url: wsUrl, connectionParams: auth, lazy: true }),
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();`;

const STYLE = 'html, body, #graphiql { height: 100%; margin: 0; }';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Only the gateway's own origin, and the two inline blocks by hash. GraphiQL's CSS embeds its fonts
 * and icons as data: URLs; connect-src 'self' covers the same-origin WebSocket in CSP 3 browsers.
 */
export const IDE_CSP = [
  "default-src 'none'",
  `script-src 'self' ${sha256(BOOTSTRAP)}`,
  `style-src 'self' ${sha256(STYLE)}`,
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

async function assetUrl(name: string): Promise<string> {
  const asset = ASSETS[name];
  if (!asset) throw new Error(`no IDE asset ${name}`);
  // Relative to the page (served at …/graphql), so a reverse proxy's path prefix carries over.
  return `ide/${name}?v=${(await load(name, asset)).version}`;
}

export async function idePage(): Promise<string> {
  const scripts = await Promise.all(SCRIPTS.map(async (name) => `<script src="${await assetUrl(name)}"></script>`));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rostergate · GraphiQL</title>
<link rel="stylesheet" href="${await assetUrl('graphiql.css')}">
<style>${STYLE}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
${scripts.join('\n')}
<script>${BOOTSTRAP}</script>
</body>
</html>
`;
}

async function sendIdePage(res: ServerResponse): Promise<void> {
  const html = await idePage();
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': IDE_CSP,
    // The page names its assets by version: it must be fetched again, they need not be.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

async function sendAsset(res: ServerResponse, name: string, asset: Asset): Promise<void> {
  const { body } = await load(name, asset);
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': body.length,
    // Safe for a year: the page asks for each asset by its content's hash (?v=).
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/**
 * Answers the IDE's requests and returns true, or returns false for the server to go on: the page
 * for a browser navigating to `graphqlPath` (what Apollo's landing page answered before), an asset
 * for `/ide/<name>` when the name is on the allow-list. Anything else, `/ide/../x` included, is not ours.
 */
export async function answerIde(req: IncomingMessage, res: ServerResponse, pathname: string, graphqlPath = '/graphql'): Promise<boolean> {
  if (req.method !== 'GET') return false;
  if (pathname === graphqlPath) {
    if (!(req.headers.accept ?? '').toLowerCase().includes('text/html')) return false;
    await sendIdePage(res);
    return true;
  }
  const name = pathname.startsWith('/ide/') ? pathname.slice('/ide/'.length) : '';
  // Own keys only: `/ide/constructor` must not find Object.prototype's.
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return false;
  await sendAsset(res, name, asset);
  return true;
}
