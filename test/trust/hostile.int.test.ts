/**
 * The gateway under hostile input, over the real server: every attempt is refused with a clear code
 * before the work it asks for is done, and nothing takes the process down. Each case here once broke
 * the gateway. How fast the refusals come and how the liveness probe and memory hold up under them
 * is measured by `npm run bench:hostile` (tests assert behaviour, never timings).
 */
import { createClient } from 'graphql-ws';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signDelivery } from '../../src/datasources/bamboohr/delivery.js';
import { SECRET } from '../../src/tenant.js';
import { startTestGateway, type GraphQLResult, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let viewer: string;

beforeAll(async () => {
  // A low request rate, so the rate-limit case reaches it in a few hundred requests.
  // A short request timeout, so the slow-body case is refused within the test.
  t = await startTestGateway({ employees: 120, env: { ROSTERGATE_REQUESTS_PER_MINUTE: '300', ROSTERGATE_REQUEST_TIMEOUT_MS: '1000' } });
  const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(label: "hostile", role: VIEWER) { token } }`);
  viewer = createApiToken.token;
});

afterAll(async () => {
  await t?.close();
});

async function post(body: string, token: string | null = viewer, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as GraphQLResult<unknown>, headers: response.headers };
}
const ask = (query: string, token: string | null = viewer) => post(JSON.stringify({ query }), token);
const codeOf = (result: { json: GraphQLResult<unknown> }) => result.json.errors?.[0]?.extensions?.code;

describe('operation limits', () => {
  it('refuses the fan-out that ran the heap out, before executing it, with its computed cost', async () => {
    const before = (await t.stats('litmos')).total;
    const deep = await ask(
      `{ learners(first: 1000) { nodes { teams { members(first: 1000) { nodes { teams { members(first: 1000) { nodes { userName } } } } } } } } }`,
    );
    expect(codeOf(deep), JSON.stringify(deep.json)).toBe('QUERY_TOO_COMPLEX');
    expect(deep.status).toBe(400);
    expect(deep.json.errors?.[0]?.extensions?.cost).toBeGreaterThan(10_000_000);
    const three = await ask(`{ learners(first: 1000) { nodes { teams { members(first: 1000) { nodes { userName } } } } } }`);
    expect(codeOf(three)).toBe('QUERY_TOO_COMPLEX');
    expect((await t.stats('litmos')).total, 'nothing was read upstream').toBe(before);
  });

  it('refuses too deep, too many aliases, too many directives and too many tokens', async () => {
    const nested = `{ employees(first: 1) { nodes { ${'manager { '.repeat(14)}displayName${' }'.repeat(14)} } } }`;
    expect(codeOf(await ask(nested))).toBe('QUERY_TOO_DEEP');
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: employees(first: 1000) { totalCount }`).join(' ')} }`;
    const many = await ask(aliases);
    expect(['TOO_MANY_ALIASES', 'QUERY_TOO_LARGE']).toContain(codeOf(many));
    expect(codeOf(await ask(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: employees(first: 1) { totalCount }`).join(' ')} }`))).toBe('TOO_MANY_ALIASES');
    expect(codeOf(await ask(`{ employees(first: 1) { totalCount ${'@include(if: true) '.repeat(30)} } }`))).toBe('TOO_MANY_DIRECTIVES');
    // A 1 MB document of 60,000 aliases is refused while parsing, not validated or executed.
    const huge = `{ ${Array.from({ length: 60_000 }, (_, i) => `a${i}:employees{totalCount}`).join(' ')} }`;
    const refused = await ask(huge.slice(0, 1_000_000 - 100) + ' }');
    expect(['QUERY_TOO_LARGE', 'PAYLOAD_TOO_LARGE']).toContain(codeOf(refused));
  });

  it("lets the README query and the benchmarks' nested query through", async () => {
    const readme = await ask(
      `{ employees(first: 5, filter: { department: "Sales" }) { totalCount nodes { displayName employmentStatus learner { userName courses { percentageComplete course { name } } } } } }`,
    );
    expect(readme.json.errors).toBeUndefined();
    const nested = await ask(
      `{ employees(first: 1000) { nodes { displayName manager { displayName } learner { userName teams { name } courses { percentageComplete course { name } } } } } }`,
    );
    expect(nested.json.errors).toBeUndefined();
  });

  it('refuses batched requests and answers field typos without suggesting schema names', async () => {
    const batch = await post(JSON.stringify([{ query: '{ employees { totalCount } }' }, { query: '{ learners { totalCount } }' }]));
    expect(batch.status).toBe(400);
    const typo = await ask(`{ employes { totalCount } }`);
    expect(typo.json.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('shows no stack trace, file path or upstream address in any error answer', async () => {
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /v1.svc/users', status: 401, count: 20 }) });
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    const upstreamFailure = await ask(`{ learners(first: 5) { nodes { userName } } }`);
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    expect(codeOf(upstreamFailure)).toBe('UPSTREAM_UNAUTHORIZED');
    const answers = [
      upstreamFailure,
      await ask(`{ employees(first: 0) { totalCount } }`),
      await ask(`{ node(id: "x") { id } }`),
      await post('{"query": '),
      await ask(`query { syncRun(id: 1) { id } }`),
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer.json);
      expect(text).not.toMatch(/stacktrace|\/src\/|node_modules|\.ts:\d+|127\.0\.0\.1|source=|apikey/);
    }
  });
});

describe('bodies', () => {
  /** Sends headers claiming `length` bytes, then the bytes slowly; reports the status and how much had been sent when the answer came. */
  function upload(path: string, length: number, headers: Record<string, string>, chunk = Buffer.alloc(64 * 1024, 0x20)) {
    return new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(
        `${t.url}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      const pump = () => {
        if (req.destroyed || sent >= length) return;
        sent += chunk.length;
        req.write(chunk, () => setTimeout(pump, 1));
      };
      pump();
    });
  }

  it('refuses a 600 MB upload from its Content-Length, without a token and with one, before reading it', async () => {
    const length = 600 * 1024 * 1024;
    const anonymous = await upload('/graphql', length, {});
    expect(anonymous.status).toBe(401);
    const signedIn = await upload('/graphql', length, { authorization: `Bearer ${viewer}` });
    expect(signedIn.status).toBe(413);
    for (const answer of [anonymous, signedIn]) expect(answer.sent).toBeLessThan(length / 100);
  });

  it('refuses a body over the limit while it streams when no Content-Length announces it', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` },
      body: new ReadableStream({
        pull(controller) {
          controller.enqueue(new Uint8Array(256 * 1024).fill(0x20));
        },
      }),
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as GraphQLResult<unknown>).errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a body trickled a byte at a time 408 and closes the socket, rather than wait on it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000', authorization: `Bearer ${viewer}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.on('close', () => resolve(0));
      const drip = setInterval(() => (req.destroyed ? clearInterval(drip) : req.write(' ')), 200);
    });
    expect(status).toBe(408);
  });

  it('refuses a webhook body over its limit before reading it', async () => {
    const length = 250 * 1024 * 1024;
    const big = await upload('/webhooks/bamboohr', length, { 'x-bamboohr-timestamp': '1', 'x-bamboohr-signature': 'a'.repeat(64) });
    expect(big.status).toBe(413);
    expect(big.sent).toBeLessThan(length / 100);
  });
});

describe('webhook deliveries', () => {
  const KEY = 'hostile-webhook-key';
  const deliver = (body: string, timestamp: string, signature: string) =>
    fetch(`${t.url}/webhooks/bamboohr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signature },
      body,
    });
  const now = () => String(Math.floor(Date.now() / 1000));
  const codeOfResponse = async (response: Response) => ({
    status: response.status,
    code: ((await response.json()) as GraphQLResult<unknown>).errors?.[0]?.extensions?.code,
  });

  beforeAll(async () => {
    await t.gateway.store.secrets.put(t.gateway.tenant.id, SECRET.bamboohrWebhookKey, KEY);
  });

  it('refuses re-spelt signatures, bad timestamps and malformed signed bodies with clear codes, and takes a replay only once', async () => {
    const person = t.sandbox.companies.bamboohr.people[0]!;
    const body = JSON.stringify({ type: 'employee.updated', data: { companyId: '1', employeeId: String(person.id), changedFields: ['jobTitle'] } });
    const timestamp = now();
    const signature = signDelivery(KEY, body, timestamp);
    expect(await codeOfResponse(await deliver(body, timestamp, signature))).toEqual({ status: 202, code: undefined });
    const replay = await deliver(body, timestamp, signature);
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { queued: string[] }).queued).toEqual([]);
    for (const respelt of [signature.toUpperCase(), `${signature}zz`, `${signature}0`]) {
      expect(await codeOfResponse(await deliver(body, timestamp, respelt))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
    for (const stamp of ['yesterday', String(Math.floor(Date.now() / 1000) - 7200)]) {
      expect(await codeOfResponse(await deliver(body, stamp, signDelivery(KEY, body, stamp)))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
    const malformed = '{"type": "employee.updated", "data": ';
    expect(await codeOfResponse(await deliver(malformed, timestamp, signDelivery(KEY, malformed, timestamp)))).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
    const flood = JSON.stringify({ employees: Array.from({ length: 2000 }, (_, i) => ({ id: String(i + 1) })) });
    expect(await codeOfResponse(await deliver(flood, timestamp, signDelivery(KEY, flood, timestamp)))).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
    await t.gateway.tenant.webhooks.drain();
  });
});

describe('WebSocket', () => {
  const connect = (token: string | null, extra: Record<string, unknown> = {}) =>
    createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: false,
      ...extra,
    });

  it('refuses an oversized frame before parsing it, and a connection without a token', async () => {
    const closed = new Promise<number>((resolve) => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } })));
      socket.on('close', (code) => resolve(code));
    });
    expect(await closed).toBe(1009);
    const anonymous = new Promise<number>((resolve) => {
      connect(null, { on: { closed: (event: { code: number }) => resolve(event.code) } });
    });
    expect(await anonymous).toBe(4403);
  });

  it('refuses a browser page from an origin that is not allowed', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: 'https://evil.example' });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it('caps subscriptions per connection and applies the operation limits to subscriptions', async () => {
    const client = connect(viewer);
    /** Resolves with the first thing the subscription hears: its first event ('open'), or its error's code. */
    const subscribe = (on: ReturnType<typeof connect>, query: string) =>
      new Promise<string | undefined>((resolve) => {
        on.subscribe(
          { query },
          {
            next: () => resolve('open'),
            error: (errors) => resolve((errors as { extensions?: { code?: string } }[])[0]?.extensions?.code),
            complete: () => resolve('complete'),
          },
        );
      });
    // A run held in FETCHING by a slow Litmos keeps every subscription to it open (each first hears the run's current state).
    t.sandbox.litmos.setLatency(5000);
    const { startSync } = await t.data<{ startSync: { id: string } }>(`mutation { startSync(input: { source: BAMBOOHR, dryRun: true }) { id } }`);
    const progress = `subscription { syncProgress(runId: "${startSync.id}") { sequence } }`;
    const first = await Promise.all(Array.from({ length: 20 }, () => subscribe(client, progress)));
    const over = await Promise.all(Array.from({ length: 5 }, () => subscribe(client, progress)));
    t.sandbox.litmos.setLatency(0);
    expect(first.every((heard) => heard === 'open')).toBe(true);
    expect(over).toEqual(Array(5).fill('RATE_LIMITED'));
    await client.dispose();
    const fresh = connect(viewer);
    const aliases = Array.from({ length: 40 }, (_, i) => `s${i}: sequence`).join(' ');
    expect(await subscribe(fresh, `subscription { syncProgress(runId: "${startSync.id}") { ${aliases} } }`)).toBe('TOO_MANY_ALIASES');
    await fresh.dispose();
  });
});

describe('rate limiting', () => {
  it('answers a caller over its rate 429 RATE_LIMITED with Retry-After, and keeps /healthz out of it', async () => {
    const token = (await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(label: "burst", role: VIEWER) { token } }`)).createApiToken
      .token;
    let refused: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 400 && !refused; i += 25) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => ask(`{ __typename }`, token)));
      refused = answers.find((answer) => answer.status === 429);
    }
    expect(refused && codeOf(refused)).toBe('RATE_LIMITED');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
