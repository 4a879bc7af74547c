/**
 * Incremental runs (issue 13) against the sandbox with every documented quirk on, faults included:
 * after a full run, an INCREMENTAL run reads BambooHR's change feeds and only the changed employees,
 * looks their learners up one by one, and plans exactly the changes made. The end state is checked in
 * Litmos (the oracle), the reads in the simulators' stats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_HEADER, SANDBOX_CREDENTIALS, type SimulatorStats } from '@rostergate/sandbox';
import { clockOn } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { getRun, relaxSafeguard, sync, type RunView } from '../support/sync.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

let t: TestGateway;
/** The gateway's clock runs on the sandbox's day, moved ahead by this much (the periodic full run). */
let aheadMs = 0;
beforeAll(async () => {
  const onDay = clockOn(new Date().toISOString().slice(0, 10));
  t = await startTestGateway({ employees: 200, seed: 31, clock: () => new Date(onDay().getTime() + aheadMs) });
  await relaxSafeguard(t);
  expect((await sync(t)).status).toBe('SUCCEEDED');
});
afterAll(async () => t?.close());

interface ModeView {
  runId: string;
  status: string;
  mode: string | null;
  modeReason: string | null;
}

async function incremental(source = 'BAMBOOHR'): Promise<ModeView & RunView> {
  const { startSync } = await t.data<{ startSync: { runId: string } }>(`mutation($input: StartSyncInput!) { startSync(input: $input) { runId } }`, {
    input: { source, mode: 'INCREMENTAL' },
  });
  await t.gateway.tenant.engine.idle();
  const { syncRun } = await t.data<{ syncRun: ModeView }>(`query($id: ID!) { syncRun(id: $id) { runId status mode modeReason } }`, { id: startSync.runId });
  return { ...(await getRun(t, startSync.runId)), ...syncRun };
}

/** The route of `stats` whose pattern ends with `suffix`. */
const route = (stats: SimulatorStats, method: string, suffix: string) =>
  Object.entries(stats.routes).find(([key]) => key.startsWith(`${method} `) && key.endsWith(suffix))?.[1];

const actedOn = (run: RunView) => new Set(run.plan?.actions.flatMap((action) => (action.employeeSourceId ? [action.employeeSourceId] : [])));

describe('incremental runs', () => {
  it('after 1% changed, plans exactly those changes from the feeds, with no full report and no Litmos user listing', async () => {
    const company = t.sandbox.companies.bamboohr;
    const [renamed, mover, leaver, deleted] = eligiblePeople(company, t.today).slice(5, 9);
    const hr = bamboohr(t.sandbox);
    await hr.update(renamed!.id, { firstName: 'Incrementa' });
    const department = company.departments.find((name) => name !== mover!.department)!;
    await hr.addRow(mover!.id, 'jobInfo', { date: t.today, department });
    await hr.addRow(leaver!.id, 'employmentStatus', {
      date: t.today,
      employmentStatus: 'Terminated',
      terminationTypeId: '1',
      terminationReasonId: '1',
      terminationRehireId: '1',
    });
    // Deleted in BambooHR: the feed names them (Deleted), HR no longer returns them — not evidence of anything.
    expect((await fetch(`${t.sandbox.bamboohr.url}/__sandbox/employees/${deleted!.id}`, { method: 'DELETE' })).status).toBe(200);
    await t.resetStats();

    const run = await incremental();
    expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL', modeReason: null });
    expect(actedOn(run)).toEqual(new Set([renamed, mover, leaver].map((person) => String(person!.id))));
    const outcome = (id: number) => run.records.nodes.find((record) => record.employeeSourceId === String(id));
    expect(outcome(leaver!.id)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'TERMINATED' });
    expect(outcome(renamed!.id)?.changes).toEqual([{ field: 'firstName', after: 'Incrementa' }]);
    expect(outcome(deleted!.id)?.outcome).toBe('SKIPPED');

    const [hrStats, litmosStats] = [await t.stats('bamboohr'), await t.stats('litmos')];
    expect(route(hrStats, 'POST', '/reports/custom')?.variants).toEqual({ employeeIds: expect.any(Number) as number });
    expect(route(hrStats, 'GET', '/employees/changed')?.count).toBeGreaterThanOrEqual(1);
    expect(route(hrStats, 'GET', '/employees/changed/tables/:table')?.count).toBeGreaterThanOrEqual(2);
    expect(route(hrStats, 'GET', '/employees/:id/tables/:table')).toBeUndefined();
    expect(route(litmosStats, 'GET', '/v1.svc/users')?.variants?.page).toBeUndefined();

    // Litmos as the oracle: everyone eligible still once and active, the leaver's learner inactive, the deleted one's untouched.
    const users = await expectEveryEligibleOnce(t.sandbox, { ...company, people: company.people.filter((person) => person !== leaver) }, t.today);
    const learner = (email: string | null) => users.find((user) => user.UserName.toLowerCase() === email);
    expect(learner(leaver!.workEmail)?.Active).toBe(false);
    expect(learner(deleted!.workEmail)?.Active).toBe(true);
    expect(learner(renamed!.workEmail)?.FirstName).toBe('Incrementa');
  });

  it('an employee missing from the feeds deactivates nobody, and nothing changed plans nothing', async () => {
    await t.resetStats();
    const run = await incremental();
    expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL' });
    expect(run.plan?.actions.filter((action) => action.kind === 'DEACTIVATE_LEARNER')).toEqual([]);
    expect(route(await t.stats('litmos'), 'GET', '/v1.svc/users')?.variants?.page).toBeUndefined();
  });

  it('does not move the checkpoint past a FAILED run: the next incremental run still sees the change', async () => {
    const person = eligiblePeople(t.sandbox.companies.bamboohr, t.today)[12]!;
    await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Checkpoint Keeper' });
    // Every Litmos lookup refused for a while: the run fails after its read.
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'GET /v1.svc/users/:id', status: 401, count: 1000 }),
    });
    const failed = await incremental();
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    expect(failed.status).toBe('FAILED');

    const next = await incremental();
    expect(next.status).toBe('SUCCEEDED');
    expect(next.records.nodes.find((record) => record.employeeSourceId === String(person.id))?.changes).toEqual([
      { field: 'title', after: 'Checkpoint Keeper' },
    ]);
  });

  it('a webhook-triggered run takes the same targeted path: no Litmos user listing', async () => {
    // Setup, not under test: a registration lost to an injected fault (a POST, never repeated blindly) is asked for again.
    let connected: { errors?: unknown[] } = { errors: [] };
    for (let attempt = 0; attempt < 5 && connected.errors; attempt += 1) {
      connected = await t.graphql(`mutation($url: String!) { connectBambooHrWebhook(url: $url) { id } }`, { url: `${t.url}/webhooks/bamboohr` });
    }
    expect(connected.errors).toBeUndefined();
    const person = eligiblePeople(t.sandbox.companies.bamboohr, t.today)[20]!;
    await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Hooked' });
    await t.resetStats();
    expect((await fetch(`${t.sandbox.bamboohr.url}/__sandbox/webhooks/flush`, { method: 'POST' })).status).toBe(200);
    await t.gateway.tenant.webhooks.drain();
    const { syncRuns } = await t.data<{ syncRuns: { nodes: { runId: string; trigger: string; mode: string | null }[] } }>(
      `{ syncRuns(first: 1) { nodes { runId trigger mode } } }`,
    );
    expect(syncRuns.nodes[0]).toMatchObject({ trigger: 'WEBHOOK', mode: null });
    const run = await getRun(t, syncRuns.nodes[0]!.runId);
    expect(run.records.nodes.find((record) => record.employeeSourceId === String(person.id))?.outcome).toBe('UPDATED');
    expect(route(await t.stats('litmos'), 'GET', '/v1.svc/users')?.variants?.page).toBeUndefined();
  });

  it('reads Namely by -updated_at down to its checkpoint, once a first INCREMENTAL run has run FULL and recorded one', async () => {
    const first = await incremental('NAMELY');
    expect(first).toMatchObject({ status: 'SUCCEEDED', mode: 'FULL', modeReason: expect.stringContaining('no checkpoint') as string });
    const person = eligiblePeople(t.sandbox.companies.namely, t.today)[4]!;
    const id = await namelyProfileId(person.workEmail!);
    await namelyPut(id, { first_name: 'Namelyn' });
    await t.resetStats();

    const run = await incremental('NAMELY');
    expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL' });
    expect(actedOn(run)).toEqual(new Set([id]));
    const stats = await t.stats('namely');
    expect(route(stats, 'GET', '/profiles')?.count).toBeLessThanOrEqual(4);
    expect(route(await t.stats('litmos'), 'GET', '/v1.svc/users')?.variants?.page).toBeUndefined();
    const users = await litmos(t.sandbox).users();
    expect(users.find((user) => user.UserName.toLowerCase() === person.workEmail)?.FirstName).toBe('Namelyn');
  });

  // Last: the gateway's day moves on, and with it whom HR's dated rows make eligible.
  it('runs FULL when the last full run is older than the policy says (fullRunEveryDays, settable)', async () => {
    await t.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, fullRunEveryDays: 2 }) { fullRunEveryDays } }`);
    aheadMs = 1 * 86_400_000;
    expect(await incremental()).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL' });
    aheadMs = 3 * 86_400_000;
    await t.resetStats();
    const due = await incremental();
    expect(due).toMatchObject({ status: 'SUCCEEDED', mode: 'FULL', modeReason: expect.stringContaining('no full run in 2 days') as string });
    expect(route(await t.stats('bamboohr'), 'POST', '/reports/custom')?.variants?.everyone).toBe(1);
    expect(route(await t.stats('litmos'), 'GET', '/v1.svc/users')?.variants?.page).toBeGreaterThanOrEqual(1);
    // The full run is the newest now: the next one is incremental again.
    expect(await incremental()).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL' });
  });
});

const namelyHeaders = { authorization: `Bearer ${SANDBOX_CREDENTIALS.namely.token}`, 'content-type': 'application/json', [QUIET_HEADER]: '1' };

async function namelyProfileId(email: string): Promise<string> {
  const response = await fetch(`${t.sandbox.namely.baseUrl}/profiles?filter[email]=${encodeURIComponent(email)}`, { headers: namelyHeaders });
  return ((await response.json()) as { profiles: { id: string }[] }).profiles[0]!.id;
}

async function namelyPut(id: string, changes: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${t.sandbox.namely.baseUrl}/profiles/${id}`, {
    method: 'PUT',
    headers: namelyHeaders,
    body: JSON.stringify({ profiles: [changes] }),
  });
  expect(response.status).toBe(200);
}
