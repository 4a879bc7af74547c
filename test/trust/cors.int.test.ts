/**
 * CORS with CSRF prevention: a browser app on an allowed origin (ROSTERGATE_CORS_ORIGINS) can call
 * the API; a page on any other origin cannot read an answer, and a cross-site request a browser
 * would not preflight is refused outright. Real gateway over HTTP, and a real browser when present.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`cors.int.test.ts: the browser test is skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

/** Two page origins on loopback: the app the operator allowed, and any other site. */
let app: Server;
let other: Server;
let t: TestGateway;
const originOf = (server: Server, host: string) => `http://${host}:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  const page = (_req: unknown, res: import('node:http').ServerResponse) => res.end('<!doctype html><title>app</title>');
  app = createServer(page).listen(0, '127.0.0.1');
  other = createServer(page).listen(0, '127.0.0.1');
  await Promise.all([app, other].map((server) => new Promise((resolve) => server.once('listening', resolve))));
  t = await startTestGateway({ employees: 10, seed: 2, env: { ROSTERGATE_CORS_ORIGINS: originOf(app, '127.0.0.1') } });
});

afterAll(async () => {
  await t.close();
  app.close();
  other.close();
});

const preflight = (origin: string) =>
  fetch(`${t.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS', () => {
  it('answers an allowed origin’s preflight with what lets the browser go on', async () => {
    const response = await preflight(originOf(app, '127.0.0.1'));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(originOf(app, '127.0.0.1'));
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('gives any other origin’s preflight nothing to go on', async () => {
    const response = await preflight(originOf(other, '127.0.0.1'));
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('refuses a cross-site request a browser would send without a preflight (CSRF prevention)', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { origin: originOf(other, '127.0.0.1'), 'content-type': 'text/plain', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ employees(first: 1) { totalCount } }' }),
    });
    expect(response.status).toBe(400);
  });

  describe.skipIf(!hasChromium)(`in headless Chromium (${CHROMIUM})`, () => {
    const callFrom = async (origin: string) => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(origin);
        return await page.evaluate(
          async ({ url, token }) => {
            try {
              const response = await fetch(`${url}/graphql`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                body: JSON.stringify({ query: '{ employees(first: 1) { totalCount } }' }),
              });
              return JSON.stringify(await response.json());
            } catch (error) {
              return `blocked: ${String(error)}`;
            }
          },
          { url: t.url, token: ADMIN_TOKEN },
        );
      } finally {
        await browser.close();
      }
    };

    it('lets the allowed app call the API, and blocks the same call from another origin', async () => {
      expect(JSON.parse(await callFrom(originOf(app, '127.0.0.1')))).toMatchObject({ data: { employees: { totalCount: expect.any(Number) } } });
      expect(await callFrom(originOf(other, '127.0.0.1'))).toMatch(/^blocked: /);
    }, 60_000);
  });
});
