/**
 * Explain (`Employee.provisioning`), `Learner.history` and holds, end to end: a real gateway over the
 * sandbox. Each explanation is checked against what the next sync then does, and each sync against
 * the oracle written from the rules (holds included).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/schema/node.js';
import { addDays } from '../../src/core/eligibility.js';
import type { RunningSandbox } from '@rostergate/sandbox';
import { calls, QUIET_FAULTS, startTestGateway, startTestSandbox, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync, type RunView } from '../support/sync.js';
import { bamboohr, expectEveryEligibleOnce, litmos, shouldBeProvisioned } from '../support/upstreams.js';

let t: TestGateway | undefined;
let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await t?.close();
  await sandbox?.close();
  t = undefined;
  sandbox = undefined;
});

/** Days the gateway's clock is moved on from the sandbox's day, for holds to lapse. */
let daysOn = 0;

async function fresh(): Promise<TestGateway> {
  daysOn = 0;
  // Counts upstream requests (explain must not read per employee), so injected faults are off; format quirks stay on.
  sandbox = await startTestSandbox({ employees: 60, seed: 23, quirks: QUIET_FAULTS });
  const day = sandbox.companies.bamboohr.today;
  const started = Date.now();
  // Noon of the sandbox's day (plus `daysOn`), running at real speed so run timestamps stay in order.
  const clock = () => new Date(Date.parse(`${addDays(day, daysOn)}T12:00:00Z`) + Date.now() - started);
  t = await startTestGateway({ sandbox, clock });
  await relaxSafeguard(t);
  return t;
}

interface Explained {
  sourceId: string;
  provisioning: {
    state: string;
    reasons: { code: string; since: string | null; field: string | null; value: string | null; message: string }[];
    learner: { litmosId: string; active: boolean } | null;
    lastRun: { id: string; runId: string; outcome: string; reason: string | null } | null;
  } | null;
}

const EXPLAIN = `query { employees(first: 1000, filter: { source: BAMBOOHR }) { nodes { sourceId provisioning {
  state reasons { code since field value message } learner { litmosId active } lastRun { id runId outcome reason } } } } }`;

async function explainEveryone(t: TestGateway): Promise<Map<string, NonNullable<Explained['provisioning']>>> {
  const { employees } = await t.data<{ employees: { nodes: Explained[] } }>(EXPLAIN);
  return new Map(employees.nodes.map((node) => [node.sourceId, node.provisioning!]));
}

/** What a run's report line must say of an employee explained in `state` just before it. */
const OUTCOMES_OF: Record<string, string[]> = {
  PROVISIONED: ['UNCHANGED'],
  DEACTIVATED: ['UNCHANGED'],
  TO_CREATE: ['CREATED', 'REACTIVATED'],
  TO_UPDATE: ['UPDATED', 'LINKED'],
  TO_DEACTIVATE: ['DEACTIVATED'],
  NOT_PROVISIONED: ['SKIPPED'],
  PRE_HIRE: ['SKIPPED'],
  CONFLICT: ['SKIPPED'],
  HELD: ['SKIPPED'],
};

function expectRunAsExplained(run: RunView, explained: Map<string, NonNullable<Explained['provisioning']>>): void {
  for (const record of run.records.nodes) {
    const state = explained.get(record.employeeSourceId)?.state ?? 'missing';
    expect(OUTCOMES_OF[state], `${record.employeeSourceId} explained ${state}, then ${record.outcome}`).toContain(record.outcome);
  }
  expect(run.records.nodes.length).toBe(explained.size);
}

describe('explain: Employee.provisioning', () => {
  it('says what the next sync does for every employee, with the rules and values that decided it', async () => {
    const t = await fresh();
    const company = t.sandbox.companies.bamboohr;
    const before = await explainEveryone(t);
    expectRunAsExplained(await sync(t), before);

    const after = await explainEveryone(t);
    for (const person of company.people) {
      const explained = after.get(String(person.id))!;
      if (shouldBeProvisioned(person, t.today)) {
        expect(explained.state, `${person.id} is eligible`).toBe('PROVISIONED');
        expect(explained.learner?.active).toBe(true);
        expect(explained.lastRun?.outcome).toMatch(/CREATED|LINKED|UPDATED|REACTIVATED|UNCHANGED/);
      }
      if (person.hireDate > t.today && person.accessEnabled && person.workEmail) {
        expect(explained.state).toBe('PRE_HIRE');
        expect(explained.reasons).toContainEqual(expect.objectContaining({ code: 'PRE_HIRE', since: person.hireDate, field: 'hireDate' }));
      }
      if (!person.accessEnabled) {
        expect(explained.reasons).toContainEqual(expect.objectContaining({ code: 'ACCESS_FLAG_OFF', field: 'Litmos Access', value: 'false' }));
        expect(['NOT_PROVISIONED', 'DEACTIVATED', 'PRE_HIRE']).toContain(explained.state);
      }
    }

    // A blocklist: each person now on it is explained TO_DEACTIVATE by their status and its date, and the sync agrees.
    const status = company.people
      .filter((p) => shouldBeProvisioned(p, t.today))
      .map((p) => p.statusHistory.filter((row) => row.date <= t.today).at(-1)!.status)[0]!;
    await t.data(`mutation($s: [String!]!) { setBlocklist(input: { source: BAMBOOHR, statuses: $s }) { blocklist } }`, { s: [status] });
    const blocked = await explainEveryone(t);
    const onIt = company.people.filter((p) => shouldBeProvisioned(p, t.today) && !shouldBeProvisioned(p, t.today, [status]));
    expect(onIt.length).toBeGreaterThan(0);
    for (const person of onIt) {
      const explained = blocked.get(String(person.id))!;
      const row = person.statusHistory.filter((each) => each.date <= t.today).at(-1)!;
      expect(explained.state).toBe('TO_DEACTIVATE');
      expect(explained.reasons[0]).toMatchObject({ code: 'BLOCKLISTED_STATUS', field: 'employmentStatus', value: row.status, since: row.date });
    }
    const run = await sync(t);
    expectRunAsExplained(run, blocked);
    expect(run.counts.deactivated).toBe(onIt.length);
    await expectEveryEligibleOnce(t.sandbox, { ...company, people: company.people.filter((p) => !onIt.includes(p)) }, t.today);
  });

  it('explains a whole roster from one roster read and the bulk Litmos reads, never one call per employee', async () => {
    const t = await fresh();
    const roster = `query { employees(first: 1000) { nodes { sourceId } } }`;
    const cold = async (query: string) => {
      await t.gateway.tenant.readModel.invalidate({ everything: true });
      await t.resetStats();
      await t.data(query);
      return { bamboohr: calls(await t.stats('bamboohr')), litmos: await t.stats('litmos') };
    };
    await cold(roster); // once, so the client's one-time lookups (the access flag field's key) are out of the count
    const listOnly = await cold(roster);
    const explained = await cold(`query { employees(first: 1000) { nodes { sourceId provisioning { state learner { id } } } } }`);
    expect(explained.bamboohr).toBe(listOnly.bamboohr);
    // The users list and the team lists, not a profile per learner.
    expect(calls(explained.litmos, 'GET /users/')).toBe(0);
    expect(calls(explained.litmos)).toBeLessThan(t.sandbox.companies.bamboohr.departments.length + 10);
  });
});

describe('Learner.history', () => {
  it('lists what each applied run did to a learner, newest first, with before and after', async () => {
    const t = await fresh();
    const company = t.sandbox.companies.bamboohr;
    const person = company.people.find((p) => shouldBeProvisioned(p, t.today))!;
    const first = await sync(t);
    await bamboohr(t.sandbox).update(person.id, { lastName: 'Historia' });
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    await sync(t, { dryRun: true });
    const second = await sync(t);
    const { employee } = await t.data<{
      employee: { learner: { history: { runId: string; outcome: string; changes: { field: string; before: string | null; after: string | null }[] }[] } };
    }>(`query($id: ID!) { employee(id: $id) { learner { history { runId outcome changes { field before after } } } } }`, {
      id: toGlobalId('Employee', `BAMBOOHR:${person.id}`),
    });
    const history = employee.learner.history;
    // The dry run did nothing to anyone, so it is not history.
    expect(history.map((line) => line.runId)).toEqual([second.runId, first.runId]);
    expect(history[0]).toMatchObject({ outcome: 'UPDATED', changes: [{ field: 'lastName', before: person.lastName, after: 'Historia' }] });
    expect(['CREATED', 'LINKED', 'UPDATED']).toContain(history[1]?.outcome);
  });
});

describe('holds', () => {
  const HOLD = `mutation($input: HoldEmployeeInput!) { holdEmployee(input: $input) { employeeId employeeSourceId until reason heldAt } }`;

  it('keeps a held terminated employee active in Litmos through the hold, explained HELD, then lets it lapse', async () => {
    const t = await fresh();
    const company = t.sandbox.companies.bamboohr;
    await sync(t);
    const person = company.people.find((p) => shouldBeProvisioned(p, t.today) && p.department)!;
    const learner = (await litmos(t.sandbox).users()).find((u) => u.UserName.toLowerCase() === person.workEmail)!;
    expect(learner.Active).toBe(true);

    // HR terminates them today; an admin holds them for the dispute until tomorrow, and HR also renames them.
    await bamboohr(t.sandbox).addRow(person.id, 'employmentStatus', {
      date: t.today,
      employmentStatus: 'Terminated',
      terminationTypeId: '1',
      terminationReasonId: '1',
      terminationRehireId: '1',
    });
    await bamboohr(t.sandbox).update(person.id, { lastName: 'Disputed' });
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    const employeeId = toGlobalId('Employee', `BAMBOOHR:${person.id}`);
    const until = addDays(t.today, 1);
    const { holdEmployee } = await t.data<{ holdEmployee: { until: string; employeeSourceId: string } }>(HOLD, {
      input: { employeeId, until, reason: 'termination disputed' },
    });
    expect(holdEmployee).toMatchObject({ until, employeeSourceId: String(person.id) });

    const explained = (await explainEveryone(t)).get(String(person.id))!;
    expect(explained.state).toBe('HELD');
    expect(explained.reasons.map((r) => r.code)).toEqual(['HELD', 'TERMINATED']);
    expect(explained.reasons[0]).toMatchObject({ field: 'until', value: until });

    const run = await sync(t);
    expect(run.records.nodes.find((r) => r.employeeSourceId === String(person.id))).toMatchObject({ outcome: 'SKIPPED', reason: 'HELD' });
    expect(run.plan?.actions.filter((action) => action.employeeSourceId === String(person.id))).toEqual([]);
    await expectEveryEligibleOnce(t.sandbox, company, t.today, [{ person, learner }]);
    const { holds } = await t.data<{ holds: { employeeSourceId: string; employee: { lastName: string } }[] }>(
      `{ holds(source: BAMBOOHR) { employeeSourceId employee { lastName } } }`,
    );
    expect(holds).toEqual([{ employeeSourceId: String(person.id), employee: { lastName: 'Disputed' } }]);

    // After `until` the hold lapses by itself: two days on, nothing holds them, and the next sync deactivates them.
    daysOn = 2;
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    expect((await t.data<{ holds: unknown[] }>(`{ holds { employeeSourceId } }`)).holds).toEqual([]);
    expect((await explainEveryone(t)).get(String(person.id))?.state).toBe('TO_DEACTIVATE');
    const lapsed = await sync(t);
    expect(lapsed.records.nodes.find((r) => r.employeeSourceId === String(person.id))).toMatchObject({ outcome: 'DEACTIVATED', reason: 'TERMINATED' });
  });

  it('refuses a hold in the past, beyond two years, without a reason, on an unknown employee, and to non-admins', async () => {
    const t = await fresh();
    const person = t.sandbox.companies.bamboohr.people[0]!;
    const employeeId = toGlobalId('Employee', `BAMBOOHR:${person.id}`);
    const refused = async (input: Record<string, unknown>) =>
      (await t.graphql(HOLD, { input: { employeeId, until: t.today, reason: 'leave', ...input } })).errors?.[0];
    expect(await refused({ until: addDays(t.today, -1) })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'until' } });
    expect(await refused({ until: addDays(t.today, 731) })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'until' } });
    expect(await refused({ until: '2025-02-30' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await refused({ reason: '   ' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    expect(await refused({ employeeId: toGlobalId('Employee', 'BAMBOOHR:999999') })).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const release = await t.graphql(`mutation($id: ID!) { releaseHold(employeeId: $id) { until } }`, { id: employeeId });
    expect(release.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(role: OPERATOR, label: "ops") { token } }`);
    const asOperator = await t.graphql(HOLD, { input: { employeeId, until: t.today, reason: 'leave' } }, createApiToken.token);
    expect(asOperator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await t.data(HOLD, { input: { employeeId, until: t.today, reason: 'leave' } });
    // Explain and holds are read like any employee data: a VIEWER sees them.
    const viewer = (await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(role: VIEWER, label: "dashboard") { token } }`))
      .createApiToken.token;
    const seen = await t.graphql<{ holds: unknown[]; employee: { provisioning: { state: string } } }>(
      `query($id: ID!) { holds { employeeSourceId } employee(id: $id) { provisioning { state } } }`,
      { id: employeeId },
      viewer,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.holds).toHaveLength(1);
    expect(seen.data?.employee.provisioning.state).toBe('HELD');
    const released = await t.data<{ releaseHold: { until: string } }>(`mutation($id: ID!) { releaseHold(employeeId: $id) { until } }`, { id: employeeId });
    expect(released.releaseHold.until).toBe(t.today);
    expect((await t.data<{ holds: unknown[] }>(`{ holds { employeeSourceId } }`)).holds).toEqual([]);
  });
});
