import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError } from '../../src/errors.js';
import { createRollingBudget } from '../../src/datasources/budget.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamClientOptions, type UpstreamEvent } from '../../src/datasources/http.js';
import { json, Router, startSimulator, type Fault, type RunningSimulator, type SimRequest, type SimulatorSpec } from '@rostergate/sandbox';

const API_KEY = 'k3y-abcdef123456';
const TOKEN = 'tok-9876543210zyx';
const PREFIX = '/api/gateway.php/acme/v1';

interface Gate {
  arrivals: number;
  release: () => void;
  opened: Promise<void>;
}

function newGate(): Gate {
  let release = () => {};
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { arrivals: 0, release, opened };
}

let slowPost = newGate();

const ACCENTED = Array.from({ length: 20_000 }, (_, i) => `Zoë Ångström-Łukasiewicz ${i} 🎓`);

/** BambooHR's scheme: the API key as the Basic user name, any password. */
const BASIC = `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}`;

function presentedKey(req: SimRequest): string {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return basic ? (Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '') : (req.query.get('apikey') ?? '');
}

function spec(rate: SimulatorSpec['rate']): SimulatorSpec {
  const router = new Router()
    .on('GET', `${PREFIX}/thing`, (req) => json(200, { ok: true, n: req.query.get('n') }))
    .on('POST', `${PREFIX}/thing`, () => json(201, { created: true }))
    .on('GET', `${PREFIX}/profiles/:id`, () => json(404, { message: 'Profile not found', errors: [] }))
    .on('POST', `${PREFIX}/slow`, async () => {
      slowPost.arrivals += 1;
      await slowPost.opened;
      return json(201, { created: true });
    })
    // A careless vendor that echoes the credential back in its error text, in a body or a header.
    .on('GET', `${PREFIX}/echo`, (req) => json(422, { message: `key ${presentedKey(req)} rejected`, errors: [`auth was ${req.headers.authorization ?? ''}`] }))
    .on('GET', `${PREFIX}/echo-header`, (req) => ({
      status: 400,
      headers: { 'X-BambooHR-Error-Message': `Invalid key ${presentedKey(req)}` },
    }))
    .on('POST', `${PREFIX}/users`, () => ({ status: 409, statusText: 'UserName already exists', body: '' }))
    // Many chunks' worth of multi-byte characters behind a byte order mark.
    .on('GET', `${PREFIX}/accents`, () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `\uFEFF${JSON.stringify({ names: ACCENTED })}`,
    }));
  return {
    name: 'test',
    router,
    authenticate: (req) =>
      (req.query.get('apikey') === API_KEY && req.headers.authorization === `Bearer ${TOKEN}`) || req.headers.authorization === BASIC
        ? 'acme'
        : { status: 401, headers: { 'X-BambooHR-Error-Message': 'API key not provided or invalid' }, body: '' },
    reset: () => {},
    rate,
  };
}

const authorize: UpstreamClientOptions['authorize'] = ({ headers, query }) => {
  headers.authorization = `Bearer ${TOKEN}`;
  query.set('apikey', API_KEY);
};

async function control(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${sim.url}/__sandbox/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(response.status).toBe(200);
}

const injectFaults = (sim: RunningSimulator, faults: Fault[]) => control(sim, 'POST', 'faults', faults);

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('upstream HTTP client against a real simulator', () => {
  let sim: RunningSimulator;
  const clients: UpstreamClient[] = [];
  let events: UpstreamEvent[] = [];

  const client = (overrides: Partial<UpstreamClientOptions> = {}): UpstreamClient => {
    const created = createUpstreamClient({
      system: 'bamboohr',
      baseUrl: `${sim.url}${PREFIX}`,
      authorize,
      budget: { limit: 1000, windowMs: 1000 },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      onEvent: (event) => events.push(event),
      ...overrides,
    });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    sim = await startSimulator(spec({ limit: 1000, windowMs: 1000, status: 429, retryAfter: true }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });
  beforeEach(async () => {
    events = [];
    slowPost = newGate();
    await control(sim, 'POST', 'reset');
  });

  it('sends the path under the base URL prefix with query and credential', async () => {
    const response = await client().request({ method: 'GET', path: '/thing', query: { n: 7, skip: undefined } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, n: '7' });
    expect(response.headers['content-type']).toContain('application/json');
  });

  it('retries 500, 502, 503 and 429 on a GET, then succeeds', async () => {
    await injectFaults(
      sim,
      [500, 502, 503, 429].map((status) => ({ route: `GET ${PREFIX}/thing`, status })),
    );
    const upstream = client();
    const response = await upstream.request({ method: 'GET', path: '/thing' });
    expect(response.status).toBe(200);
    const metrics = upstream.metrics();
    expect(metrics.retries).toBe(4);
    expect(metrics.throttled).toBe(2);
    expect(metrics.responses).toEqual({ '500': 1, '502': 1, '503': 1, '429': 1, '200': 1 });
    expect(sim.stats().routes[`GET ${PREFIX}/thing`]?.count).toBe(5);
  });

  it('gives up after the configured retries with the last status', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 502, count: 3 }]);
    const upstream = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    const error = await rejection(upstream.request({ method: 'GET', path: '/thing' }));
    expect(error.status).toBe(502);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.metrics().retries).toBe(2);
    expect(sim.stats().routes[`GET ${PREFIX}/thing`]?.count).toBe(3);
  });

  it('waits a delta-seconds Retry-After before retrying', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 429, retryAfter: '1' }]);
    const upstream = client();
    expect((await upstream.request({ method: 'GET', path: '/thing' })).status).toBe(200);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toEqual([expect.objectContaining({ status: 429, delayMs: 1000 })]);
    expect(events.filter((e) => e.type === 'throttle')).toHaveLength(1);
    expect(upstream.metrics()).toMatchObject({ retries: 1, throttled: 1 });
  });

  it('waits an HTTP-date Retry-After before retrying, to the end of the second it names', async () => {
    const retryAt = new Date(Date.now() + 2000).toUTCString();
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 503, retryAfter: retryAt }]);
    let retriedAt = 0;
    const upstream = client({
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'request' && event.attempt === 1) retriedAt = Date.now();
      },
    });
    expect((await upstream.request({ method: 'GET', path: '/thing' })).status).toBe(200);
    const retry = events.find((e) => e.type === 'retry');
    // The date names a whole second; whatever instant within it the server meant has passed.
    expect(retriedAt).toBeGreaterThanOrEqual(Date.parse(retryAt) + 1000);
    expect(retry?.type === 'retry' && retry.delayMs).toBeGreaterThan(1000);
    expect(retry?.type === 'retry' && retry.delayMs).toBeLessThanOrEqual(3000);
    expect(upstream.metrics()).toMatchObject({ retries: 1, throttled: 1 });
  });

  it('retries a dropped connection on a GET', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, drop: true }]);
    const upstream = client();
    expect((await upstream.request({ method: 'GET', path: '/thing' })).status).toBe(200);
    expect(upstream.metrics()).toMatchObject({ networkErrors: 1, retries: 1, attempts: 2 });
  });

  it('does not repeat a POST whose connection dropped, leaving its caller to look', async () => {
    await injectFaults(sim, [{ route: `POST ${PREFIX}/thing`, drop: true }]);
    const upstream = client();
    const error = await rejection(upstream.request({ method: 'POST', path: '/thing', body: '{}' }));
    expect(error.status).toBe(0);
    // Worth another try once the caller has checked whether it was applied (see settleWrite).
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('check whether it was applied');
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(sim.stats().routes[`POST ${PREFIX}/thing`]?.count).toBe(1);
    expect(upstream.metrics()).toMatchObject({ attempts: 1, retries: 0, networkErrors: 1, failures: 1 });
  });

  it('repeats a GET whose answer was cut mid-body: a network failure, not a bad response', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, drop: true, afterEffect: true }]);
    const upstream = client();
    const response = await upstream.request({ method: 'GET', path: '/thing', query: { n: 3 } });
    expect(JSON.parse(response.body)).toEqual({ ok: true, n: '3' });
    expect(upstream.metrics()).toMatchObject({ attempts: 2, retries: 1, networkErrors: 1, failures: 0 });
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ status: 0, reason: 'UND_ERR_SOCKET' });
    expect(sim.stats().routes[`GET ${PREFIX}/thing`]?.statuses).toEqual({ '0': 1, '200': 1 });
  });

  it('gives a POST whose answer was cut mid-body back as no answer (status 0), unrepeated', async () => {
    await injectFaults(sim, [{ route: `POST ${PREFIX}/thing`, drop: true, afterEffect: true }]);
    const upstream = client();
    const error = await rejection(upstream.request({ method: 'POST', path: '/thing', body: '{}' }));
    expect(error).toMatchObject({ status: 0, code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(error.message).toContain('got 201 but its body was cut off (UND_ERR_SOCKET)');
    expect(sim.stats().routes[`POST ${PREFIX}/thing`]?.count).toBe(1);
  });

  it('reads a long body of multi-byte characters whole, split wherever the chunks fall, without its byte order mark', async () => {
    const response = await client().request({ method: 'GET', path: '/accents' });
    expect(response.body.startsWith('{"names":')).toBe(true);
    expect((JSON.parse(response.body) as { names: string[] }).names).toEqual(ACCENTED);
  });

  it('retries a GET whose response headers timed out', async () => {
    // undici checks timeouts on a coarse (~0.5–1 s) clock, so the stall must clearly outlast that.
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, delayMs: 3000 }]);
    const upstream = client({ timeouts: { headersMs: 150 } });
    expect((await upstream.request({ method: 'GET', path: '/thing' })).status).toBe(200);
    expect(upstream.metrics()).toMatchObject({ networkErrors: 1, retries: 1 });
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('does not repeat a POST whose response headers timed out', async () => {
    const upstream = client({ timeouts: { headersMs: 150 } });
    const error = await rejection(upstream.request({ method: 'POST', path: '/slow', body: '{}' }));
    expect(error.status).toBe(0);
    expect(error.message).toContain('UND_ERR_HEADERS_TIMEOUT');
    expect(slowPost.arrivals).toBe(1);
    slowPost.release();
  });

  it('repeats a POST the server refused with 429, but not one that failed with 500', async () => {
    await injectFaults(sim, [{ route: `POST ${PREFIX}/thing`, status: 429 }]);
    const upstream = client();
    expect((await upstream.request({ method: 'POST', path: '/thing', body: '{}' })).status).toBe(201);
    expect(upstream.metrics().retries).toBe(1);

    await injectFaults(sim, [{ route: `POST ${PREFIX}/thing`, status: 500 }]);
    const error = await rejection(upstream.request({ method: 'POST', path: '/thing', body: '{}' }));
    expect(error.status).toBe(500);
    expect(upstream.metrics().retries).toBe(1);
  });

  it('fails a rejected credential at once with UPSTREAM_UNAUTHORIZED and the vendor text', async () => {
    const upstream = client({ authorize: ({ query }) => query.set('apikey', 'wrong-key-000') });
    const error = await rejection(upstream.request({ method: 'GET', path: '/thing' }));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toContain('API key not provided or invalid');
    expect(error.message).not.toContain('wrong-key-000');
    expect(upstream.metrics()).toMatchObject({ attempts: 1, retries: 0 });
  });

  it('returns an accepted status and throws one that is not accepted', async () => {
    const upstream = client({ system: 'namely' });
    const accepted = await upstream.request({ method: 'GET', path: '/profiles/nobody', accept: [404] });
    expect(accepted.status).toBe(404);
    const error = await rejection(upstream.request({ method: 'GET', path: '/profiles/nobody' }));
    expect(error.code).toBe('UPSTREAM_NOT_FOUND');
    expect(error.message).toContain('Profile not found');
  });

  it('carries the Litmos reason phrase as the error text', async () => {
    const upstream = client({ system: 'litmos' });
    const error = await rejection(upstream.request({ method: 'POST', path: '/users', body: '{}' }));
    expect(error.code).toBe('UPSTREAM_CONFLICT');
    expect(error.message).toContain('UserName already exists');
  });

  it('treats a Litmos 503 as a rate limit', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 503, count: 2 }]);
    const upstream = client({ system: 'litmos', retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20 } });
    const error = await rejection(upstream.request({ method: 'GET', path: '/thing' }));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(upstream.metrics().throttled).toBe(2);
  });

  it('never lets a credential into a message or an event', async () => {
    const upstream = client({ system: 'namely' });
    const failures = [
      await rejection(upstream.request({ method: 'GET', path: '/echo' })),
      await rejection(upstream.request({ method: 'GET', path: '/echo-header' })),
    ];
    await injectFaults(sim, [{ route: `POST ${PREFIX}/thing`, drop: true }]);
    failures.push(await rejection(upstream.request({ method: 'POST', path: '/thing', body: '{}' })));

    expect(failures[0]?.message).toContain('rejected');
    expect(failures[1]?.message).toContain('Invalid key');
    const seen = JSON.stringify({ messages: failures.map((e) => e.message), events, metrics: upstream.metrics() });
    expect(seen).toContain('apikey=REDACTED');
    expect(seen).not.toContain(API_KEY);
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain('Bearer');
  });

  it('never lets a Basic credential, decoded or not, into a message', async () => {
    const upstream = client({ authorize: ({ headers }) => (headers.authorization = BASIC) });
    const failures = [
      await rejection(upstream.request({ method: 'GET', path: '/echo' })),
      await rejection(upstream.request({ method: 'GET', path: '/echo-header' })),
    ];
    const seen = JSON.stringify({ messages: failures.map((e) => e.message), events });
    expect(seen).toContain('Invalid key REDACTED');
    expect(seen).not.toContain(API_KEY);
    expect(seen).not.toContain(BASIC.slice('Basic '.length));
  });

  it('redacts a credential the caller put in the query by its name', async () => {
    const upstream = client({ system: 'namely', authorize: undefined });
    const error = await rejection(upstream.request({ method: 'GET', path: '/thing', query: { access_token: 'caller-token-123', page: 2 } }));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.message).not.toContain('caller-token-123');
    expect(JSON.stringify(events)).toContain('access_token=REDACTED&page=2');
    expect(JSON.stringify(events)).not.toContain('caller-token-123');
  });

  it('names the route in its errors, never the upstream host, ids or query', async () => {
    const error = await rejection(client().request({ method: 'GET', path: '/profiles/ann%40acme.com', query: { search: 'ann' } }));
    expect(error.message).toContain('GET /profiles/:id → 404');
    expect(error.message).not.toMatch(/127\.0\.0\.1|ann|search=/);
  });

  it('cuts a Retry-After longer than the cap', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 429, retryAfter: '30' }]);
    const upstream = client({ retry: { maxRetryAfterMs: 20 } });
    expect((await upstream.request({ method: 'GET', path: '/thing' })).status).toBe(200);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ status: 429, delayMs: 20 });
  });

  it('a throttle pauses the whole budget until its Retry-After, not just the throttled call', async () => {
    await injectFaults(sim, [{ route: `GET ${PREFIX}/thing`, status: 429, retryAfter: '1' }]);
    type Throttle = Extract<UpstreamEvent, { type: 'throttle' }>;
    let throttled: (event: Throttle) => void = () => {};
    const throttle = new Promise<Throttle>((resolve) => (throttled = resolve));
    const upstream = client({ onEvent: (event) => event.type === 'throttle' && throttled(event) });
    const pending = upstream.request({ method: 'GET', path: '/thing' });

    const { untilEpochMs } = await throttle;
    const state = upstream.budget();
    expect(state.nextSlotAt).toBeGreaterThanOrEqual(untilEpochMs);
    expect(state.remaining).toBe(0);
    expect((await pending).status).toBe(200);
  });

  it('refuses a base URL it cannot send to, saying what it received', () => {
    expect(() => client({ baseUrl: 'api.bamboohr.com/v1' })).toThrow(/baseUrl .* received "api.bamboohr.com\/v1"/);
    expect(() => client({ baseUrl: 'ftp://127.0.0.1/v1' })).toThrow(ConfigError);
  });

  it('counts budget waits and reports the budget state', async () => {
    const upstream = client({ budget: { limit: 3, windowMs: 300 } });
    await Promise.all([1, 2, 3, 4].map((n) => upstream.request({ method: 'GET', path: '/thing', query: { n } })));
    const state = upstream.budget();
    expect(state).toMatchObject({ limit: 3, windowMs: 300, queued: 0 });
    expect(state.used).toBeGreaterThanOrEqual(1);
    expect(upstream.metrics().budgetWaitMs).toBeGreaterThan(0);
  });
});

describe('rate budget against the simulator limit', () => {
  const N = 10;
  const WINDOW_MS = 500;
  let sim: RunningSimulator;
  let upstream: UpstreamClient;

  beforeAll(async () => {
    sim = await startSimulator(spec({ limit: N, windowMs: WINDOW_MS, status: 429, retryAfter: true }));
    upstream = createUpstreamClient({
      system: 'bamboohr',
      baseUrl: `${sim.url}${PREFIX}`,
      authorize,
      budget: { limit: N, windowMs: WINDOW_MS },
    });
  });
  afterAll(async () => {
    await upstream.close();
    await sim.close();
  });
  beforeEach(() => control(sim, 'POST', 'reset'));

  it('sends 40 requests fired at once without a single throttle, near the limit rate', async () => {
    const total = 40;
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: total }, (_, n) => upstream.request({ method: 'GET', path: '/thing', query: { n } })));
    const elapsedWindows = (Date.now() - started) / WINDOW_MS;

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: total }, () => 200));
    expect(sim.stats().throttled).toBe(0);
    expect(upstream.metrics()).toMatchObject({ requests: total, attempts: total, throttled: 0, retries: 0 });
    expect(total / elapsedWindows).toBeGreaterThanOrEqual(0.6 * N);
  });

  it('keeps two clients sharing one credential budget under the limit together', async () => {
    const shared = createRollingBudget({ limit: N, windowMs: WINDOW_MS });
    const pair = [1, 2].map(() => createUpstreamClient({ system: 'litmos', baseUrl: `${sim.url}${PREFIX}`, authorize, budget: shared }));
    try {
      const responses = await Promise.all(pair.flatMap((c) => Array.from({ length: 15 }, () => c.request({ method: 'GET', path: '/thing' }))));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(sim.stats()).toMatchObject({ total: 30, throttled: 0 });
    } finally {
      await Promise.all(pair.map((c) => c.close()));
    }
  });
});
