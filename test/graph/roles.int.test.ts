import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ employees: 30, seed: 31 });
});
afterAll(async () => t?.close());

async function issue(role: string): Promise<string> {
  const { createApiToken } = await t.data<{ createApiToken: { token: string; role: string } }>(
    `mutation($role: Role!) { createApiToken(role: $role, label: "test") { token role } }`,
    { role },
  );
  expect(createApiToken.role).toBe(role);
  return createApiToken.token;
}

describe('API tokens and roles', () => {
  it('lets a VIEWER read but not start runs, and an OPERATOR start runs but not change policy', async () => {
    const viewer = await issue('VIEWER');
    const operator = await issue('OPERATOR');
    const read = await t.graphql(`{ employees { totalCount } }`, {}, viewer);
    expect(read.errors).toBeUndefined();

    const start = `mutation { startSync(input: { source: BAMBOOHR, dryRun: true }) { runId } }`;
    const refused = await t.graphql(start, {}, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const started = await t.graphql(start, {}, operator);
    expect(started.errors).toBeUndefined();
    await t.gateway.tenant.engine.idle();

    const policy = await t.graphql(`mutation { setBlocklist(input: { source: BAMBOOHR, statuses: ["Intern"] }) { blocklist } }`, {}, operator);
    expect(policy.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('revokes a token so it no longer authenticates', async () => {
    const { createApiToken } = await t.data<{ createApiToken: { id: string; token: string } }>(
      `mutation { createApiToken(role: VIEWER, label: "script") { id token } }`,
    );
    expect((await t.graphql(`{ employees { totalCount } }`, {}, createApiToken.token)).errors).toBeUndefined();
    const { revokeApiToken } = await t.data<{ revokeApiToken: boolean }>(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: createApiToken.id });
    expect(revokeApiToken).toBe(true);
    const after = await t.graphql(`{ employees { totalCount } }`, {}, createApiToken.token);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects malformed input with BAD_USER_INPUT and names the field', async () => {
    const bad = await t.graphql(
      `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 140, maxDeactivations: 5 } }) { source } }`,
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'safeguard.maxDeactivationPercent' });
    const page = await t.graphql(`{ employees(first: 0) { totalCount } }`);
    expect(page.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const cursor = await t.graphql(`{ employees(after: "garbage") { totalCount } }`);
    expect(cursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknownRun = await t.graphql(`mutation { approveSyncRun(id: "00000000-0000-0000-0000-000000000000") { status } }`);
    expect(unknownRun.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
