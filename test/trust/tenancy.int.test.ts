/**
 * Tenancy: every resolver, route and subscription answers from the principal's own tenant. Two
 * tenants share one gateway and one store; nothing of one is visible to the other.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { saveConnections } from '../../src/tenant.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let other: string;
let empty: string;
let runId: string;

beforeAll(async () => {
  t = await startTestGateway({ employees: 60 });
  const { store } = t.gateway;
  // A second tenant with its own connections: Namely only, into the same Litmos account.
  await saveConnections(
    store,
    'acme',
    { namely: { baseUrl: t.sandbox.namely.baseUrl }, litmos: { baseUrl: t.sandbox.litmos.baseUrl, applicationName: 'acme' } },
    { namelyToken: SANDBOX_CREDENTIALS.namely.token, litmosApiKey: SANDBOX_CREDENTIALS.litmos.apiKey },
  );
  other = (await store.tokens.issue('acme', 'ADMIN', 'acme admin')).token;
  empty = (await store.tokens.issue('nobody', 'ADMIN', 'a tenant with no connections')).token;
  const { startSync } = await t.data<{ startSync: { id: string } }>(`mutation { startSync(input: { source: BAMBOOHR, dryRun: true }) { id } }`);
  runId = startSync.id;
  await t.gateway.tenant.engine.idle();
});

afterAll(async () => {
  await t?.close();
});

describe('two tenants on one gateway', () => {
  it("does not show one tenant's runs to the other, by listing, by id or as a report", async () => {
    const mine = await t.graphql<{ syncRuns: { nodes: { id: string }[] } }>(`{ syncRuns { nodes { id } } }`);
    expect(mine.data?.syncRuns.nodes.map((run) => run.id)).toContain(runId);
    const theirs = await t.graphql<{ syncRuns: { nodes: { id: string }[] } }>(`{ syncRuns { nodes { id } } }`, {}, other);
    expect(theirs.data?.syncRuns.nodes).toEqual([]);
    const byId = await t.graphql<{ syncRun: { id: string } | null }>(`query ($id: ID!) { syncRun(id: $id) { id } }`, { id: runId }, other);
    expect(byId.data?.syncRun ?? null).toBeNull();
    const report = await fetch(`${t.url}/reports/${runId}.csv`, { headers: { authorization: `Bearer ${other}` } });
    expect(report.status).toBe(404);
  });

  it("answers employees from the principal's own connections", async () => {
    const query = `{ employees(first: 1000) { totalCount nodes { source } } }`;
    const mine = await t.data<{ employees: { nodes: { source: string }[] } }>(query);
    expect(new Set(mine.employees.nodes.map((e) => e.source))).toEqual(new Set(['BAMBOOHR', 'NAMELY']));
    const theirs = await t.graphql<{ employees: { totalCount: number; nodes: { source: string }[] } }>(query, {}, other);
    expect(theirs.errors).toBeUndefined();
    expect(new Set(theirs.data?.employees.nodes.map((e) => e.source))).toEqual(new Set(['NAMELY']));
    expect(theirs.data?.employees.totalCount).toBe(t.sandbox.companies.namely.people.length);
  });

  it("does not stream one tenant's run progress to another", async () => {
    const client = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${other}` },
      retryAttempts: 0,
    });
    const heard = await new Promise<string>((resolve) => {
      client.subscribe(
        { query: `subscription { syncProgress(runId: "${runId}") { sequence status } }` },
        {
          next: () => resolve('an event'),
          error: (errors) => resolve((errors as { extensions?: { code?: string } }[])[0]?.extensions?.code ?? 'error'),
          complete: () => resolve('complete'),
        },
      );
    });
    expect(heard).toBe('NOT_FOUND');
    await client.dispose();
  });

  // Such a tenant may connect itself (test/connections/new-tenant.int.test.ts) and nothing more.
  it('gives a token of a tenant without connections no runs, employees or learners: only its own (empty) connections', async () => {
    for (const query of ['{ syncRuns { nodes { id } } }', '{ employees(first: 1) { nodes { id } } }', '{ learners(first: 1) { nodes { id } } }']) {
      const result = await t.graphql(query, {}, empty);
      expect(result.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const connections = await t.graphql(`{ connections { system } }`, {}, empty);
    expect(connections).toEqual({ data: { connections: [] } });
  });
});
