import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, calls, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';

let t: TestGateway;
beforeAll(async () => {
  // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
  t = await startTestGateway({ employees: 80, seed: 17, quirks: QUIET_FAULTS });
});
afterAll(async () => t?.close());
beforeEach(async () => {
  await t.gateway.tenant.readModel.invalidate({ everything: true });
  for (const system of ['bamboohr', 'litmos'] as const) await fetch(`${t.sandbox[system].url}/__sandbox/faults`, { method: 'DELETE' });
  await t.resetStats();
});

const inject = (system: 'bamboohr' | 'litmos', fault: Record<string, unknown>) =>
  fetch(`${t.sandbox[system].url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });

const QUERY = `{ employees(first: 5, filter: { source: BAMBOOHR }) { totalCount nodes { displayName learner { userName } } } }`;

describe('upstream faults seen through the gateway', () => {
  it('retries 500s, 503 and 429 with Retry-After, and dropped connections, then answers', async () => {
    const report = 'POST /api/gateway.php/:company/v1/reports/custom';
    await inject('bamboohr', { route: report, status: 500, count: 1 });
    await inject('bamboohr', { route: report, status: 503, retryAfter: '1', count: 1 });
    await inject('bamboohr', { route: report, drop: true, count: 1 });
    await inject('litmos', { route: 'GET /v1.svc/users', status: 429, retryAfter: new Date(Date.now() + 500).toUTCString(), count: 1 });
    const result = await t.graphql<{ employees: { totalCount: number } }>(QUERY);
    expect(result.errors).toBeUndefined();
    expect(result.data!.employees.totalCount).toBe(t.sandbox.companies.bamboohr.people.length);
    const stats = await t.stats('bamboohr');
    expect(stats.routes[report]!.statuses).toMatchObject({ '0': 1, '200': 1, '500': 1, '503': 1 });
    const metrics = t.gateway.tenant.http.bamboohr!.metrics();
    expect(metrics.retries).toBeGreaterThanOrEqual(3);
  });

  it('returns what it can when an upstream refuses, with the error on the affected fields', async () => {
    await inject('litmos', { route: 'GET /v1.svc/users', status: 401, count: 10 });
    const result = await t.graphql<{ employees: { totalCount: number; nodes: { displayName: string; learner: null }[] } }>(QUERY);
    expect(result.data!.employees.totalCount).toBeGreaterThan(0);
    expect(result.data!.employees.nodes.every((n) => n.displayName && n.learner === null)).toBe(true);
    expect(result.errors!.length).toBeGreaterThan(0);
    expect(result.errors!.every((e) => e.extensions?.code === 'UPSTREAM_UNAUTHORIZED' && e.path?.includes('learner'))).toBe(true);
    // A 401 is not worth repeating: one request per read, no retries. The query reads the learners
    // twice at most: once started beside the roster (resolvers/prefetch.ts), and again when the
    // learner field asks after that read has already failed (failures are not cached).
    expect(calls(await t.stats('litmos'), 'GET /v1.svc/users')).toBeLessThanOrEqual(2);
  });

  it('reports an HR outage as UPSTREAM_UNAVAILABLE after its retries, never a crash', async () => {
    await inject('bamboohr', { route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 502, count: 50 });
    const result = await t.graphql(QUERY);
    expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('fails a sync whose HR read fails, and deactivates nobody', async () => {
    await relaxSafeguard(t);
    await inject('bamboohr', { route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 401, count: 5 });
    const run = await sync(t);
    expect(run.status).toBe('FAILED');
    expect(run.counts.deactivated).toBe(0);
    const writes = Object.keys((await t.stats('litmos')).routes).filter((route) => !route.startsWith('GET'));
    expect(writes).toEqual([]);
  });
});

describe('the rate budget', () => {
  // How close to the limit a run gets is a rate, measured by bench:sync (the apply rate against the
  // budget); here, what must hold however busy the machine is.
  it('paces a sync under the Litmos limit: no throttled response, never more than the limit in a window', async () => {
    const windowMs = 400;
    const limit = 20;
    const b = await startTestGateway({
      employees: 80,
      seed: 19,
      rateWindowMs: windowMs,
      quirks: QUIET_FAULTS,
      env: { ROSTERGATE_LITMOS_RATE_LIMIT: String(limit) },
    });
    try {
      b.sandbox.litmos.setLimits({ limit, windowMs });
      await relaxSafeguard(b);
      await b.resetStats();
      const started = Date.now();
      const run = await sync(b);
      const elapsed = Date.now() - started;
      expect(run.status).toBe('SUCCEEDED');
      const stats = await b.stats('litmos');
      expect(stats.throttled).toBe(0);
      expect(stats.total).toBeGreaterThan(limit * 3);
      // Never more than the limit in any window: at most one full window per elapsed window, plus the first.
      expect(stats.total).toBeLessThanOrEqual(limit * (Math.ceil(elapsed / windowMs) + 1));
    } finally {
      await b.close();
    }
  });
});
