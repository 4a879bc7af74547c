import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDelivery as signWebhook } from '../../src/datasources/bamboohr/delivery.js';
import { QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { getRun, relaxSafeguard, sync, writes, type RunView } from '../support/sync.js';
import { bamboohr, eligiblePeople, litmos } from '../support/upstreams.js';

let t: TestGateway;

let registration: Record<string, unknown>;
beforeAll(async () => {
  // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
  t = await startTestGateway({ employees: 60, seed: 13, quirks: QUIET_FAULTS });
  await relaxSafeguard(t);
  await sync(t);
  const result = await t.graphql<{ connectBambooHrWebhook: Record<string, unknown> }>(
    `mutation($url: String!) { connectBambooHrWebhook(url: $url) { id url } }`,
    {
      url: `${t.url}/webhooks/bamboohr`,
    },
  );
  expect(result.errors).toBeUndefined();
  registration = result.data!.connectBambooHrWebhook;
});

/** BambooHR delivers what the change set off; the gateway gathers it into a targeted run. */
async function deliverAndSync(): Promise<RunView> {
  const flushed = await fetch(`${t.sandbox.bamboohr.url}/__sandbox/webhooks/flush`, { method: 'POST' });
  expect(flushed.status).toBe(200);
  await t.gateway.tenant.webhooks.drain();
  const { syncRuns } = await t.data<{ syncRuns: { nodes: { runId: string }[] } }>(`{ syncRuns(first: 1) { nodes { runId } } }`);
  return getRun(t, syncRuns.nodes[0]!.runId);
}
afterAll(async () => t?.close());

const deliver = (body: string, timestamp: string, signature: string) =>
  fetch(`${t.url}/webhooks/bamboohr`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signature },
    body,
  });

describe('BambooHR webhooks', () => {
  it('registers with BambooHR and turns a delivered change into a targeted sync', async () => {
    expect(Object.keys(registration)).toEqual(['id', 'url']);

    const person = eligiblePeople(t.sandbox.companies.bamboohr, t.today)[3]!;
    await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Head of Webhooks' });
    await t.resetStats();
    const flushed = await fetch(`${t.sandbox.bamboohr.url}/__sandbox/webhooks/flush`, { method: 'POST' });
    expect(flushed.status).toBe(200);
    await t.gateway.tenant.webhooks.drain();

    const { syncRuns } = await t.data<{ syncRuns: { nodes: { runId: string; trigger: string; scope: string[] }[] } }>(
      `{ syncRuns(first: 1) { nodes { runId trigger scope } } }`,
    );
    expect(syncRuns.nodes[0]).toMatchObject({ trigger: 'WEBHOOK', scope: [String(person.id)] });
    const run = await getRun(t, syncRuns.nodes[0]!.runId);
    expect(run.records.nodes).toEqual([expect.objectContaining({ employeeSourceId: String(person.id), outcome: 'UPDATED' })]);
    // A targeted read: the changed employee only, not the whole company's report.
    expect(writes(await t.stats('litmos'))).toEqual({ 'PUT /v1.svc/users/:id': 1 });
  });

  it('moves a learner between department teams on a webhook, though the read holds only the mover', async () => {
    const company = t.sandbox.companies.bamboohr;
    const person = eligiblePeople(company, t.today)[6]!;
    const newDepartment = company.departments.find((d) => d !== person.department)!;
    await bamboohr(t.sandbox).addRow(person.id, 'jobInfo', { date: t.today, department: newDepartment });
    await t.resetStats();
    const run = await deliverAndSync();
    // One learner's teams, not every department team's members.
    const reads = (await t.stats('litmos')).routes;
    expect(reads['GET /v1.svc/users/:id/teams']?.count).toBe(1);
    expect(reads['GET /v1.svc/teams/:id/users']).toBeUndefined();
    expect(run.records.nodes).toHaveLength(1);
    expect(run.records.nodes[0]!.changes).toEqual(
      expect.arrayContaining([
        { field: 'team', after: newDepartment },
        { field: 'team', after: null },
      ]),
    );
    const teams = await litmos(t.sandbox).teams();
    const oldTeam = teams.find((team) => team.Name.toLowerCase() === person.department.toLowerCase())!;
    const members = await litmos(t.sandbox).teamMembers(oldTeam.Id);
    expect(members.map((m) => m.UserName.toLowerCase())).not.toContain(person.workEmail);
  });

  it('refuses a delivery whose signature does not match, and ignores a replay', async () => {
    const body = JSON.stringify({
      type: 'employee.updated',
      timestamp: new Date().toISOString(),
      data: { companyId: '1', employeeId: '5', changedFields: ['jobTitle'] },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forged = await deliver(body, timestamp, signWebhook('not-the-key', body, timestamp));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const unsigned = await deliver(body, timestamp, '');
    expect(unsigned.status).toBe(401);
  });
});

describe('the gateway never leaks credentials', () => {
  it('keeps upstream keys out of the API and out of errors', async () => {
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /v1.svc/users', status: 401, count: 5 }) });
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    const result = await t.graphql(`{ learners { totalCount } }`);
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAUTHORIZED');
    const text = JSON.stringify(result);
    expect(text).not.toContain('sandbox-litmos-key');
    expect(text).not.toContain('sandbox-bamboohr-key');
    const { syncRuns } = await t.data<{ syncRuns: unknown }>(`{ syncRuns { nodes { error scope } } }`);
    expect(JSON.stringify(syncRuns)).not.toContain('sandbox-');
  });
});
