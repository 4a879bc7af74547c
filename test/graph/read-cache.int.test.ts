/**
 * The read graph's caches seen from a client: whole answers reused (resolvers/response-cache.ts) only
 * within one tenant and role and only while nothing they show has changed, and upstream reads
 * refreshed in the background (datasources/cache.ts) without a failing refresh reaching the caller.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/log.js';
import { saveConnections } from '../../src/tenant.js';
import { QUIET_FAULTS, startTestGateway, type GraphQLResult, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce } from '../support/upstreams.js';

interface Answer<T> {
  result: GraphQLResult<T>;
  /** The Age header: present only on an answer reused from the response cache. */
  age: string | null;
}

async function ask<T>(t: TestGateway, query: string, token: string | null): Promise<Answer<T>> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  return { result: (await response.json()) as GraphQLResult<T>, age: response.headers.get('age') };
}

const SOURCES = `{ employees(first: 1000) { totalCount nodes { source } } }`;
interface Sources {
  employees: { totalCount: number; nodes: { source: string }[] };
}
const sourcesOf = (answer: Answer<Sources>) => new Set(answer.result.data?.employees.nodes.map((node) => node.source));

describe('the response cache', () => {
  let t: TestGateway;
  let admin: string;
  let viewer: string;
  let otherTenant: string;

  beforeAll(async () => {
    t = await startTestGateway({ employees: 60, seed: 29, quirks: QUIET_FAULTS });
    admin = (await t.gateway.store.tokens.issue('default', 'ADMIN', 'cache test admin')).token;
    viewer = (await t.gateway.store.tokens.issue('default', 'VIEWER', 'cache test viewer')).token;
    // A second tenant on the same gateway: Namely only.
    await saveConnections(
      t.gateway.store,
      'acme',
      { namely: { baseUrl: t.sandbox.namely.baseUrl }, litmos: { baseUrl: t.sandbox.litmos.baseUrl, applicationName: 'acme' } },
      { namelyToken: SANDBOX_CREDENTIALS.namely.token, litmosApiKey: SANDBOX_CREDENTIALS.litmos.apiKey },
    );
    otherTenant = (await t.gateway.store.tokens.issue('acme', 'ADMIN', 'acme admin')).token;
  });
  afterAll(async () => t?.close());

  it('reuses an answer for the same tenant and role only, and never for a caller without a valid token', async () => {
    const first = await ask<Sources>(t, SOURCES, admin);
    expect(first.age).toBeNull();
    const again = await ask<Sources>(t, SOURCES, admin);
    expect(again.age).not.toBeNull();
    expect(again.result).toEqual(first.result);

    // The same query from a viewer of the same tenant is answered for the viewer, then reused for viewers.
    const asViewer = await ask<Sources>(t, SOURCES, viewer);
    expect(asViewer.age).toBeNull();
    expect((await ask<Sources>(t, SOURCES, viewer)).age).not.toBeNull();

    // Another tenant asking the very same text gets its own employees (Namely only), not the cached answer.
    const theirs = await ask<Sources>(t, SOURCES, otherTenant);
    expect(theirs.age).toBeNull();
    expect(theirs.result.errors).toBeUndefined();
    expect(sourcesOf(theirs)).toEqual(new Set(['NAMELY']));
    expect(theirs.result.data?.employees.totalCount).toBe(t.sandbox.companies.namely.people.length);
    expect(sourcesOf(first)).toEqual(new Set(['BAMBOOHR', 'NAMELY']));

    const stranger = await ask<Sources>(t, SOURCES, null);
    expect(stranger.result.data).toBeUndefined();
    expect(stranger.result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never keeps an answer in part: once the failed source is back, the next answer is whole', async () => {
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    const query = `{ employees(first: 500) { totalCount nodes { source } } }`;
    await fetch(`${t.sandbox.namely.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'GET /api/v1/profiles', status: 401, count: 10_000 }),
    });
    try {
      const part = await ask<Sources>(t, query, admin);
      expect(part.result.errors?.map((error) => error.extensions?.source)).toEqual(['NAMELY']);
      expect(sourcesOf(part)).toEqual(new Set(['BAMBOOHR']));
    } finally {
      await fetch(`${t.sandbox.namely.url}/__sandbox/faults`, { method: 'DELETE' });
    }
    const whole = await ask<Sources>(t, query, admin);
    expect(whole.age).toBeNull();
    expect(whole.result.errors).toBeUndefined();
    expect(sourcesOf(whole)).toEqual(new Set(['BAMBOOHR', 'NAMELY']));
  });

  it("shows a learner's change made by a sync at once, though the answer before it was cached", async () => {
    await relaxSafeguard(t);
    await sync(t);
    const company = t.sandbox.companies.bamboohr;
    const person = eligiblePeople(company, t.today)[3]!;
    const query = `{ employees(first: 1000, filter: { source: BAMBOOHR }) { nodes { sourceId jobTitle learner { title } } } }`;
    interface Titles {
      employees: { nodes: { sourceId: string; jobTitle: string | null; learner: { title: string | null } | null }[] };
    }
    const titleOf = async () => {
      const answer = await ask<Titles>(t, query, admin);
      return { age: answer.age, node: answer.result.data?.employees.nodes.find((node) => node.sourceId === String(person.id)) };
    };
    await titleOf();
    const cached = await titleOf();
    expect(cached.age).not.toBeNull();
    expect(cached.node?.learner?.title).toBe(person.jobTitle);

    await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Principal Rocket Scientist' });
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    const after = await titleOf();
    expect(after.node).toMatchObject({ jobTitle: 'Principal Rocket Scientist', learner: { title: 'Principal Rocket Scientist' } });
    await expectEveryEligibleOnce(t.sandbox, company, t.today);
  });
});

describe('background refresh of upstream reads', () => {
  const lines: string[] = [];
  let t: TestGateway;
  const TTL_SECONDS = 2;

  beforeAll(async () => {
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    t = await startTestGateway({ employees: 40, seed: 31, quirks: QUIET_FAULTS, logger, env: { ROSTERGATE_CACHE_TTL_SECONDS: String(TTL_SECONDS) } });
  });
  afterAll(async () => t?.close());

  it('keeps answering from the last good read while a refresh fails, and logs the failure', async () => {
    const query = `{ learners(first: 1000) { totalCount nodes { userName } } }`;
    const before = await t.data<{ learners: { totalCount: number } }>(query);
    expect(before.learners.totalCount).toBeGreaterThan(0);
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'GET /v1.svc/users', status: 401, count: 10_000 }),
    });
    try {
      // The cached read's lifetime has to pass: only then is a refresh due (no test clock reaches the cache).
      await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 200));
      const during = await t.graphql<{ learners: { totalCount: number } }>(query);
      expect(during.errors).toBeUndefined();
      expect(during.data).toEqual(before);
      await expect.poll(() => lines.find((line) => line.includes('read cache refresh failed')), { timeout: 5000 }).toBeDefined();
      const logged = JSON.parse(lines.find((line) => line.includes('read cache refresh failed'))!) as { key: string; err: { code?: string } };
      expect(logged.key).toBe('learners');
      expect((await t.graphql(query)).data).toEqual(before);
    } finally {
      await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    }
  });
});
