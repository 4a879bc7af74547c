/**
 * Base URLs pasted as the vendors (and `npm run sandbox`) print them, and readiness that finds a
 * wrong base path or a rejected credential with one authenticated call per upstream — over real
 * HTTP, a gateway configured the way an operator would point it at real vendors, against the sandbox.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayOptions, type RunningGateway } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { judgeProbe } from '../src/routes.js';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { startTestSandbox } from './support/gateway.js';

const TOKEN = 'readiness-test-admin-token-0123456789';
let sandbox: RunningSandbox;
/** A web server at the wrong host: answers 404 to everything, as a vendor's marketing site would. */
let stub: Server;
let stubUrl: string;

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 40, seed: 5, rateWindowMs: 1000 });
  stub = createServer((_, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise((resolve) => stub?.close(resolve));
});

/** The documented base URI of each vendor, as `npm run sandbox` prints them. */
const documented = () => ({
  BAMBOOHR_BASE_URL: `${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1`,
  BAMBOOHR_SUBDOMAIN: sandbox.bamboohr.companyDomain,
  BAMBOOHR_API_KEY: SANDBOX_CREDENTIALS.bamboohr.apiKey,
  NAMELY_BASE_URL: sandbox.namely.baseUrl,
  NAMELY_TOKEN: SANDBOX_CREDENTIALS.namely.token,
  LITMOS_BASE_URL: sandbox.litmos.baseUrl,
  LITMOS_API_KEY: SANDBOX_CREDENTIALS.litmos.apiKey,
  LITMOS_SOURCE: 'readiness-test',
});

function config(env: Record<string, string>) {
  return loadConfig({
    ROSTERGATE_PORT: '0',
    // The log would interleave with the test runner's output; test/ops/telemetry.int.test.ts reads it.
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: 'sqlite::memory:',
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ROSTERGATE_RATE_WINDOW_MS: '1000',
    ...env,
  });
}

async function withGateway(env: Record<string, string>, test: (gateway: RunningGateway) => Promise<void>, options: GatewayOptions = {}) {
  const gateway = await startGateway(config(env), options);
  try {
    await test(gateway);
  } finally {
    await gateway.close();
  }
}

interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, string> };
}

async function readyz(gateway: RunningGateway): Promise<Readiness> {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

async function graphql<T>(gateway: RunningGateway, query: string): Promise<T> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const ALL_OK = { status: 'ready', checks: { store: 'ok', bamboohr: 'ok', namely: 'ok', litmos: 'ok' } };
const EMPLOYEES = `{ bamboohr: employees(first: 1, filter: { source: BAMBOOHR }) { totalCount }
  namely: employees(first: 1, filter: { source: NAMELY }) { totalCount } }`;

/** Both HR systems answer through the gateway with their whole roster. */
async function expectRosters(gateway: RunningGateway): Promise<void> {
  const rosters = await graphql<{ bamboohr: { totalCount: number }; namely: { totalCount: number } }>(gateway, EMPLOYEES);
  expect(rosters.bamboohr.totalCount).toBe(sandbox.companies.bamboohr.people.length);
  expect(rosters.namely.totalCount).toBeGreaterThan(0);
}

describe('base URLs as the vendors document them', () => {
  it('works with each documented base URI (Litmos …/v1.svc is no longer doubled)', async () => {
    await withGateway(documented(), async (gateway) => {
      expect(await readyz(gateway)).toEqual({ status: 200, body: ALL_OK });
      const { learners } = await graphql<{ learners: { totalCount: number } }>(gateway, '{ learners(first: 1) { totalCount } }');
      expect(learners.totalCount).toBeGreaterThan(0);
      await expectRosters(gateway);
      expect(await gateway.upstreamProblems).toEqual([]);
    });
  });

  it('works with each origin, and with the BambooHR company given only in its URL', async () => {
    const env = {
      ...documented(),
      NAMELY_BASE_URL: sandbox.namely.url,
      LITMOS_BASE_URL: sandbox.litmos.url,
      BAMBOOHR_SUBDOMAIN: '',
    };
    await withGateway(env, async (gateway) => {
      expect(await readyz(gateway)).toEqual({ status: 200, body: ALL_OK });
      await expectRosters(gateway);
    });
  });

  it('refuses a Litmos path that is neither form before anything starts', () => {
    expect(() => config({ ...documented(), LITMOS_BASE_URL: `${sandbox.litmos.url}/v2.svc` })).toThrow(
      `LITMOS_BASE_URL must be ${sandbox.litmos.url} or ${sandbox.litmos.url}/v1.svc`,
    );
  });
});

describe('readiness checks each upstream with one authenticated call', () => {
  it('names the base URL when the API is not where it points (404)', async () => {
    await withGateway({ ...documented(), LITMOS_BASE_URL: stubUrl }, async (gateway) => {
      const { status, body } = await readyz(gateway);
      expect(status).toBe(503);
      expect(body.checks).toMatchObject({ store: 'ok', bamboohr: 'ok', namely: 'ok' });
      expect(body.checks.litmos).toBe(`LITMOS_BASE_URL: GET /users answered 404 — the base path is wrong; expected ${stubUrl} or ${stubUrl}/v1.svc`);
      expect(await gateway.upstreamProblems).toEqual([body.checks.litmos]);
    });
  });

  it('names the BambooHR base URL when the company in its path is unknown (404)', async () => {
    const env = { ...documented(), BAMBOOHR_BASE_URL: `${sandbox.bamboohr.url}/api/gateway.php/nosuchco/v1`, BAMBOOHR_SUBDOMAIN: '' };
    await withGateway(env, async (gateway) => {
      const { status, body } = await readyz(gateway);
      expect(status).toBe(503);
      expect(body.checks.bamboohr).toContain('BAMBOOHR_BASE_URL: GET /employees/0 answered 404');
      expect(body.checks.bamboohr).toContain(`${sandbox.bamboohr.url}/api/gateway.php/{company}/v1`);
      expect(body.checks.litmos).toBe('ok');
    });
  });

  it.each([
    ['LITMOS_API_KEY', 'litmos'],
    ['BAMBOOHR_API_KEY', 'bamboohr'],
    ['NAMELY_TOKEN', 'namely'],
  ] as const)('names %s when it is rejected (401), without showing it', async (variable, system) => {
    const wrong = `wrong-${system}-credential-0123456789`;
    await withGateway({ ...documented(), [variable]: wrong }, async (gateway) => {
      const { status, body } = await readyz(gateway);
      expect(status).toBe(503);
      expect(body.checks[system]).toMatch(new RegExp(`^${variable} was rejected \\(401\\)`));
      for (const other of ['store', 'bamboohr', 'namely', 'litmos'].filter((name) => name !== system)) expect(body.checks[other]).toBe('ok');
      expect(JSON.stringify(body)).not.toContain(wrong);
      expect((await gateway.upstreamProblems).join('\n')).not.toContain(wrong);
    });
  });

  it('probes once at start, re-checks a failing upstream at most every 60 s, and holds a pass', async () => {
    let clock = 1_000_000;
    const usersCalls = () => sandbox.litmos.stats().routes['GET /v1.svc/users']?.count ?? 0;
    await fetch(`${sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    await fetch(`${sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'GET /v1.svc/users', status: 401, count: 1 }),
    });
    const before = usersCalls();
    await withGateway(
      documented(),
      async (gateway) => {
        expect(await gateway.upstreamProblems).toEqual(['LITMOS_API_KEY was rejected (401)']);
        for (let probe = 0; probe < 5; probe += 1) {
          expect(await readyz(gateway)).toMatchObject({ status: 503, body: { checks: { litmos: 'LITMOS_API_KEY was rejected (401)' } } });
        }
        clock += 59_999;
        expect((await readyz(gateway)).status).toBe(503);
        expect(usersCalls() - before).toBe(1);

        clock += 1;
        expect(await readyz(gateway)).toEqual({ status: 200, body: ALL_OK });
        expect(usersCalls() - before).toBe(2);

        clock += 10 * 60_000;
        for (let probe = 0; probe < 5; probe += 1) expect((await readyz(gateway)).status).toBe(200);
        expect(usersCalls() - before, 'a pass holds: probes spend no more of the vendor budget').toBe(2);
      },
      { readiness: { now: () => clock } },
    );
  });
});

describe('judging a probe (pure)', () => {
  const litmos = { system: 'litmos', baseUrlSetting: 'LITMOS_BASE_URL', credentialSetting: 'LITMOS_API_KEY', origin: 'https://api.litmoseu.com' } as const;

  it("passes only an answer shaped like the vendor's own", () => {
    expect(judgeProbe(litmos, { status: 200, body: '[]' })).toBe('ok');
    expect(judgeProbe(litmos, { status: 200, body: '<html>Welcome</html>' })).toBe(
      "LITMOS_BASE_URL: GET /users answered 200 but not as Litmos's API does — is it another service? expected https://api.litmoseu.com or https://api.litmoseu.com/v1.svc",
    );
    expect(judgeProbe({ ...litmos, system: 'bamboohr', baseUrlSetting: 'BAMBOOHR_BASE_URL' }, { status: 200, body: '{"id":"8"}' })).toBe('ok');
    expect(judgeProbe({ ...litmos, system: 'namely', baseUrlSetting: 'NAMELY_BASE_URL' }, { status: 200, body: '{"profiles":[]}' })).toBe('ok');
  });

  it('blames the credential for 401/403, the base path for 404, and neither for an outage', () => {
    expect(judgeProbe(litmos, { status: 403, body: '' })).toBe('LITMOS_API_KEY was rejected (403)');
    expect(judgeProbe({ ...litmos, system: 'namely', credentialSetting: 'NAMELY_TOKEN' }, { status: 401, body: '{"error":""}' })).toMatch(
      /^NAMELY_TOKEN was rejected \(401\) — a personal access token also stops working when its user is deactivated$/,
    );
    expect(judgeProbe(litmos, { status: 404, body: '' })).toContain('LITMOS_BASE_URL: GET /users answered 404');
    expect(judgeProbe(litmos, { error: 'litmos: GET https://api.litmoseu.com/v1.svc/users → 500 after 5 attempts' })).toBe(
      'Litmos could not be checked (GET /users): litmos: GET https://api.litmoseu.com/v1.svc/users → 500 after 5 attempts',
    );
    expect(judgeProbe(litmos, { status: 400, body: '' })).toBe('Litmos could not be checked (GET /users answered 400)');
  });
});
