/**
 * The offline IDE (src/ide.ts): a browser on `GET /graphql` gets GraphiQL served from the gateway
 * itself, under a Content-Security-Policy that lets nothing else load, and a headless Chromium with
 * every other origin blocked can use it. Off by ROSTERGATE_IDE=off.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`ide.int.test.ts: the browser test is skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ employees: 20 });
});

afterAll(async () => {
  await t?.close();
});

const html = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });

/** The src and href attributes of the page: everything it loads. */
const references = (page: string) => [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');

describe('the IDE page', () => {
  it('is what a browser gets on GET /graphql, with a CSP that allows only the gateway and the inline bootstrap', async () => {
    const response = await html(`${t.url}/graphql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<div id="graphiql">');
    // No absolute URL at all: the page names its assets relative to itself.
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i);

    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((directive) => {
        const [name = '', ...sources] = directive.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    // Every source is this origin, an inline block by hash, or data: (GraphiQL's embedded fonts and icons).
    for (const [name, sources] of directives) {
      for (const source of sources) expect(`${name} ${source}`).toMatch(/ ('self'|'none'|'sha256-[A-Za-z0-9+/=]+'|data:)$/);
    }
    expect(directives.get('script-src')?.filter((source) => source.startsWith("'sha256-"))).toHaveLength(1);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('references only assets the gateway serves, with their content types and a long cache lifetime', async () => {
    const page = await (await html(`${t.url}/graphql`)).text();
    const refs = references(page);
    expect(refs.length).toBe(5);
    for (const ref of refs) {
      expect(ref).toMatch(/^ide\/[a-z-]+\.(js|css)\?v=[0-9a-f]{16}$/);
      const response = await fetch(new URL(ref, `${t.url}/graphql`));
      expect(response.status, ref).toBe(200);
      expect(response.headers.get('content-type')).toBe(ref.includes('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('serves nothing outside its allow-list under /ide/', async () => {
    for (const path of ['/ide/package.json', '/ide/..%2Fpackage.json', '/ide/constructor', '/ide/graphiql.min.js', '/ide/']) {
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    }
  });

  it('leaves GET queries as they were', async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${ADMIN_TOKEN}`, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it("accepts a WebSocket from the page's own origin, and still refuses another", async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
      });
    expect(await status(t.url)).toBe(101);
    expect(await status('https://evil.example')).toBe(401);
  });
});

describe.skipIf(!hasChromium)(`in headless Chromium (${CHROMIUM}), with every other origin blocked`, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('asks for the token, introspects with it, and runs a query from the editor', { timeout: 60_000 }, async () => {
    const origin = new URL(t.url).origin;
    const context = await browser.newContext();
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.type());
      void (dialog.type() === 'prompt' ? dialog.accept(ADMIN_TOKEN) : dialog.dismiss());
    });
    const introspection = page.waitForRequest((request) => request.method() === 'POST' && (request.postData() ?? '').includes('__schema'));

    await page.goto(`${t.url}/graphql`);
    const sent = await introspection;
    expect(sent.headers().authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect((await sent.response())?.status()).toBe(200);
    expect(prompts).toEqual(['prompt']);

    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    // GraphiQL 3's editors are CodeMirror 5 instances; setting the text through its API avoids
    // racing the editor's auto-closing brackets while typing. A string, as the tests have no DOM types.
    await page.evaluate(
      `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify('{ employees(first: 1) { totalCount } }')})`,
    );
    const answered = page.waitForResponse((response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('totalCount'));
    await page.locator('.graphiql-execute-button').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { data?: { employees?: { totalCount?: number } } };
    expect(body.data?.employees?.totalCount).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.graphiql-response').innerText()).toContain('totalCount');

    // A reload keeps the token for the tab: no second prompt.
    await page.reload();
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    expect(prompts).toEqual(['prompt']);

    expect(blocked).toEqual([]);
    // A CSP violation, a missing global or a failed asset shows up as a console error.
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('ROSTERGATE_IDE', () => {
  it('is on with the embedded sandbox and off with real upstreams, unless set', () => {
    const upstream = { LITMOS_API_KEY: 'key', LITMOS_SOURCE: 'rostergate' };
    expect(loadConfig({}).ide).toBe(true);
    expect(loadConfig(upstream).ide).toBe(false);
    expect(loadConfig({ ROSTERGATE_IDE: 'off' }).ide).toBe(false);
    expect(loadConfig({ ...upstream, ROSTERGATE_IDE: 'on' }).ide).toBe(true);
    expect(() => loadConfig({ ROSTERGATE_IDE: 'yes' })).toThrow('ROSTERGATE_IDE must be on or off; received "yes"');
  });
});

describe('with ROSTERGATE_IDE=off', () => {
  let off: TestGateway;

  beforeAll(async () => {
    off = await startTestGateway({ sandbox: t.sandbox, env: { ROSTERGATE_IDE: 'off' } });
  });

  afterAll(async () => {
    await off?.close();
  });

  it('serves neither the page nor its assets, nor Apollo landing page', async () => {
    const response = await html(`${off.url}/graphql`);
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('<html');
    expect((await fetch(`${off.url}/ide/graphiql.js`)).status).toBe(404);
  });
});
