/**
 * A brand-new tenant connected through the API: its admin holds a token and nothing else — no
 * connection, no runtime. It reads its (empty) connections, is told to connect Litmos first, connects
 * Litmos and then BambooHR, tests one, and syncs, all on a running gateway without a restart; what
 * needs the tenant's runtime is refused by name until then. Real gateway, real sandbox, HTTP; Litmos's
 * end state by the oracle.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { progressUntil } from '../support/progress.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';
import { CONNECTION_FIELDS, leaks, startConnectionsGateway, type ConnectionsGateway, type ConnectionView } from './support.js';

let g: ConnectionsGateway | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const SECRETS = [SANDBOX_CREDENTIALS.bamboohr.apiKey, SANDBOX_CREDENTIALS.litmos.apiKey];
const SET = `mutation($input: SetConnectionInput!) { setConnection(input: $input) { ${CONNECTION_FIELDS} } }`;

describe('the first connections of a new tenant', () => {
  it('its admin connects Litmos and BambooHR through the API and syncs, without a restart', async () => {
    g = await startConnectionsGateway();
    const { sandbox } = g.t;
    const { store } = g.t.gateway;
    // Tenants are made by issuing their first token; nothing else of "newco" exists yet.
    const admin = (await store.tokens.issue('newco', 'ADMIN', 'newco admin')).token;
    const viewer = (await store.tokens.issue('newco', 'VIEWER', 'newco viewer')).token;
    const as = <T>(token: string, query: string, variables?: Record<string, unknown>) => g!.graphql<T>(query, variables, token);

    const none = await as<{ connections: ConnectionView[] }>(admin, `{ connections { system } }`);
    expect(none.errors).toBeUndefined();
    expect(none.data).toEqual({ connections: [] });
    const runs = await as(admin, `{ syncRuns { nodes { runId } } }`);
    expect(runs.errors?.[0]).toMatchObject({ message: expect.stringContaining('connects LITMOS first with setConnection'), extensions: { code: 'FORBIDDEN' } });
    const bambooHr = {
      system: 'BAMBOOHR',
      baseUrl: sandbox.bamboohr.url,
      subdomain: sandbox.bamboohr.companyDomain,
      credential: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    };
    const early = await as(admin, SET, { input: bambooHr });
    expect(early.errors?.[0]).toMatchObject({
      message: expect.stringContaining('connect LITMOS first'),
      extensions: { code: 'BAD_USER_INPUT', field: 'system' },
    });
    const litmos = { system: 'LITMOS', baseUrl: sandbox.litmos.baseUrl, applicationName: 'newco', credential: SANDBOX_CREDENTIALS.litmos.apiKey };
    expect((await as(viewer, SET, { input: litmos })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const connected = await as<{ setConnection: ConnectionView }>(admin, SET, { input: litmos });
    expect(connected.errors).toBeUndefined();
    expect(connected.data?.setConnection).toMatchObject({ system: 'LITMOS', applicationName: 'newco', managedBy: 'API', credential: { set: true } });
    // Opened now: what needs the runtime answers, from the new tenant's own (empty) history.
    expect((await as(admin, `{ syncRuns { nodes { runId } } }`)).data).toEqual({ syncRuns: { nodes: [] } });
    expect((await as(admin, SET, { input: bambooHr })).errors).toBeUndefined();
    const test = await as<{ testConnection: { ok: boolean } }>(admin, `mutation { testConnection(system: BAMBOOHR) { ok } }`);
    expect(test.data?.testConnection.ok).toBe(true);
    const listed = await as<{ connections: ConnectionView[] }>(admin, `{ connections { system managedBy status } }`);
    expect(listed.data?.connections).toEqual([
      { system: 'BAMBOOHR', managedBy: 'API', status: 'CONNECTED' },
      { system: 'LITMOS', managedBy: 'API', status: 'UNTESTED' },
    ]);

    // A first run lets the seeded Litmos's leavers go: the tenant's own policy, set by its admin.
    const relaxed = await as(
      admin,
      `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`,
    );
    expect(relaxed.errors).toBeUndefined();
    const started = await as<{ startSync: { runId: string } }>(admin, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startSync.runId;
    expect((await progressUntil(g.t.url, admin, runId)).status).toBe('SUCCEEDED');
    await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, g.t.today);

    // The default tenant saw none of it.
    const theirs = await g.data<{ syncRuns: { nodes: { runId: string }[] } }>(`{ syncRuns { nodes { runId } } }`);
    expect(theirs.syncRuns.nodes).toEqual([]);
    expect(leaks(g.answers, SECRETS)).toEqual([]);
    expect(leaks(g.logLines, SECRETS)).toEqual([]);
  });
});
