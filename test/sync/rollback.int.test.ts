/**
 * Undo over HTTP: a run that created, updated, deactivated and moved people is rolled back through
 * `rollbackSyncRun`, and Litmos — read through its own API, user by user (profile, active flag, teams) —
 * is as it was before that run, except that the learner it created is inactive, not deleted. Every
 * documented sandbox quirk is on, injected faults included: the rollback goes through apply's retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, QUIET_HEADER, type RunningSandbox, type SeedCompany } from '@rostergate/sandbox';
import { addDays } from '../../src/core/eligibility.js';
import { toGlobalId } from '../../src/schema/node.js';
import { startTestGateway, type GraphQLResult, type TestGateway } from '../support/gateway.js';
import { getRun, relaxSafeguard, sync, writes, type RunView } from '../support/sync.js';
import { litmosGet, litmosState, type LitmosState } from '../support/litmos-state.js';
import { makeHrChanges } from '../support/hr-changes.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

const gateways: TestGateway[] = [];
afterAll(async () => Promise.all(gateways.map((gateway) => gateway.close())));

const ROLLBACK = `mutation($id: ID!, $dryRun: Boolean) { rollbackSyncRun(id: $id, dryRun: $dryRun) { runId status dryRun rollbackOf { runId } } }`;

interface Rollback {
  runId: string;
  status: string;
  dryRun: boolean;
  rollbackOf: { runId: string } | null;
}

/** A gateway whose second run created, updated, deactivated and moved people: the run to roll back. */
interface Scenario {
  t: TestGateway;
  run: RunView;
  /** Litmos just before that run. */
  before: LitmosState;
  people: { mover: number; retitled: number; leaver: number; flagOff: number; hire: number; moverEmail: string; newDepartment: string };
  /** The company as HR says after the changes, for the oracle. */
  hrNow: SeedCompany;
}

async function scenario(): Promise<Scenario> {
  const t = await startTestGateway({ employees: 80, seed: 5 });
  gateways.push(t);
  await relaxSafeguard(t);
  await sync(t);
  const company = t.sandbox.companies.bamboohr;
  await expectEveryEligibleOnce(t.sandbox, company, t.today);

  const eligible = eligiblePeople(company, t.today);
  const { mover, retitled, leaver, flagOff, hire, newDepartment } = await makeHrChanges(t, eligible.slice(3, 7), { lastName: 'Married-Name' });

  const before = await litmosState(t.sandbox);
  const run = await sync(t);
  expect(run.counts).toMatchObject({ created: 1, deactivated: 2, updated: 2, failed: 0 });
  // The oracle, told what HR says now: the leaver terminated, the flag off, the hire in.
  const now: SeedCompany = {
    ...company,
    people: [
      ...company.people.map((person) =>
        person.id === leaver.id
          ? { ...person, terminationDate: addDays(t.today, -1) }
          : person.id === flagOff.id
            ? { ...person, accessEnabled: false }
            : person,
      ),
      { ...mover, id: hire, workEmail: 'zoe.oneill@acmerockets.example' },
    ],
  };
  await expectEveryEligibleOnce(t.sandbox, now, t.today);
  const people = { mover: mover.id, retitled: retitled.id, leaver: leaver.id, flagOff: flagOff.id, hire, moverEmail: mover.workEmail!, newDepartment };
  return { t, run, before, people, hrNow: now };
}

async function rollback(t: TestGateway, id: string, options: { dryRun?: boolean; token?: string } = {}) {
  const result = await t.graphql<{ rollbackSyncRun: Rollback }>(ROLLBACK, { id, dryRun: options.dryRun ?? null }, options.token);
  await t.gateway.tenant.engine.idle();
  return result;
}

async function rolledBack(t: TestGateway, id: string, options: { dryRun?: boolean } = {}): Promise<RunView & { rollbackOf: { runId: string } | null }> {
  const result = await rollback(t, id, options);
  if (!result.data) throw new Error(`rollbackSyncRun refused: ${JSON.stringify(result.errors)}`);
  return { ...(await getRun(t, result.data.rollbackSyncRun.runId)), rollbackOf: result.data.rollbackSyncRun.rollbackOf };
}

const strictSafeguard = (t: TestGateway) =>
  t.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 0 } }) { source } }`);

/** Litmos's own API, as an admin would change a team by hand. */
async function removeFromTeamByHand(sandbox: RunningSandbox, teamId: string, userId: string): Promise<void> {
  const response = await fetch(`${sandbox.litmos.baseUrl}/teams/${teamId}/users/${userId}?source=tests`, {
    method: 'DELETE',
    headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey, [QUIET_HEADER]: '1' },
  });
  expect(response.status).toBeLessThan(300);
}

let shared: Scenario;
beforeAll(async () => {
  shared = await scenario();
});

describe('rollbackSyncRun', () => {
  it('puts Litmos back as it was before the run (the learner it created inactive, not deleted); a second rollback changes nothing', async () => {
    const { t, run: target, before, people } = shared;
    await t.resetStats();
    const dry = await rolledBack(t, target.runId, { dryRun: true });
    expect(dry).toMatchObject({ status: 'SUCCEEDED', dryRun: true, rollbackOf: { runId: target.runId } });
    expect(dry.plan?.summary).toEqual(
      expect.arrayContaining([
        { kind: 'REACTIVATE_LEARNER', count: 2 },
        { kind: 'DEACTIVATE_LEARNER', count: 1 },
        { kind: 'UPDATE_LEARNER', count: 1 },
        { kind: 'ADD_TO_TEAM', count: 1 },
        { kind: 'REMOVE_FROM_TEAM', count: 1 },
      ]),
    );
    expect(writes(await t.stats('litmos')), 'a dry run writes nothing').toEqual({});

    // Held like any run that deactivates more than the safeguard allows, then approved.
    await strictSafeguard(t);
    const held = await rollback(t, target.runId);
    const heldRun = await getRun(t, held.data!.rollbackSyncRun.runId);
    expect(heldRun).toMatchObject({ status: 'AWAITING_APPROVAL', safeguard: { deactivations: 1, threshold: 0 } });
    await relaxSafeguard(t);
    await t.data(`mutation($id: ID!) { approveSyncRun(id: $id) { status } }`, { id: heldRun.runId });
    await t.gateway.tenant.engine.idle();

    const run = await getRun(t, heldRun.runId);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts).toMatchObject({ reactivated: 2, deactivated: 1, updated: 2, failed: 0, skipped: 0 });
    const record = (id: number) => run.records.nodes.find((r) => r.employeeSourceId === String(id));
    expect(record(people.hire)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'ROLLED_BACK' });
    expect(record(people.leaver)?.outcome).toBe('REACTIVATED');

    const after = await litmosState(t.sandbox);
    const created = [...after.keys()].filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    expect(after.get(created[0]!)?.profile).toMatchObject({ UserName: 'zoe.oneill@acmerockets.example', Active: false });
    after.delete(created[0]!);
    expect(after).toEqual(before);

    await t.resetStats();
    const again = await rolledBack(t, target.runId);
    expect(again.status).toBe('SUCCEEDED');
    expect(writes(await t.stats('litmos')), 'a second rollback writes nothing').toEqual({});
    expect(again.records.nodes).toHaveLength(5);
    for (const line of again.records.nodes) expect(line).toMatchObject({ outcome: 'SKIPPED', reason: 'TOUCHED_BY_LATER_RUN' });
  });

  it('refuses what cannot be rolled back, with a clear code', async () => {
    const { t, run: target } = shared;
    const refusal = (result: GraphQLResult<unknown>) => [result.errors?.[0]?.extensions?.code, result.errors?.[0]?.extensions?.refusal];
    expect(refusal(await rollback(t, '00000000-0000-4000-8000-000000000000'))).toEqual(['NOT_FOUND', undefined]);

    const aRollback = await rolledBack(t, target.runId, { dryRun: true });
    const ofRollback = await rollback(t, aRollback.runId);
    expect(refusal(ofRollback)).toEqual(['CONFLICT', 'ROLLBACK_OF_ROLLBACK']);
    expect(ofRollback.errors?.[0]?.message).toContain('sync again');
    expect(refusal(await rollback(t, (await sync(t, { dryRun: true })).runId))).toEqual(['CONFLICT', 'DRY_RUN']);

    await strictSafeguard(t);
    await t.data(`mutation { setBlocklist(input: { source: BAMBOOHR, statuses: ["Full-Time"] }) { source } }`);
    const active = await sync(t);
    expect(active.status).toBe('AWAITING_APPROVAL');
    expect(refusal(await rollback(t, active.runId))).toEqual(['CONFLICT', 'RUN_ACTIVE']);
    // The source is busy with that run: rolling back another waits for it to end.
    expect(refusal(await rollback(t, target.runId))).toEqual(['CONFLICT', 'SOURCE_BUSY']);
    await t.data(`mutation($id: ID!) { cancelSyncRun(id: $id) { status } }`, { id: active.runId });
    await t.data(`mutation { setBlocklist(input: { source: BAMBOOHR, statuses: [] }) { source } }`);
    await relaxSafeguard(t);
  });

  it('is for an OPERATOR: a VIEWER is refused', async () => {
    const { t, run: target } = shared;
    const token = async (role: string) =>
      (await t.data<{ createApiToken: { token: string } }>(`mutation($role: Role!) { createApiToken(role: $role, label: "rollback") { token } }`, { role }))
        .createApiToken.token;
    const viewer = await rollback(t, target.runId, { token: await token('VIEWER') });
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const operator = await rollback(t, target.runId, { token: await token('OPERATOR'), dryRun: true });
    expect(operator.errors).toBeUndefined();
  });

  it('skips, with its reason, whoever changed since (by hand in Litmos, by a later run) or is held', async () => {
    const { t, run: target, people, hrNow } = await scenario();
    // A later run changes the retitled person again; an admin takes the mover out of their new team by hand.
    await bamboohr(t.sandbox).update(people.retitled, { jobTitle: 'Chief Rocket Scientist' });
    expect((await sync(t)).counts).toMatchObject({ updated: 1, created: 0, deactivated: 0 });
    const team = (await litmos(t.sandbox).teams()).find((x) => x.Name.toLowerCase() === people.newDepartment.toLowerCase())!;
    const mover = (await litmos(t.sandbox).users()).find((u) => u.UserName.toLowerCase() === people.moverEmail)!;
    await removeFromTeamByHand(t.sandbox, team.Id, mover.Id);
    // The person whose flag went off disputes it: an admin holds them, and a hold holds against an undo too.
    await t.data(`mutation($input: HoldEmployeeInput!) { holdEmployee(input: $input) { until } }`, {
      input: { employeeId: toGlobalId('Employee', `BAMBOOHR:${people.flagOff}`), until: t.today, reason: 'disputed' },
    });

    const undo = await rolledBack(t, target.runId);
    expect(undo.status).toBe('SUCCEEDED');
    const record = (id: number) => undo.records.nodes.find((r) => r.employeeSourceId === String(id));
    expect(record(people.retitled)).toMatchObject({ outcome: 'SKIPPED', reason: 'TOUCHED_BY_LATER_RUN' });
    expect(record(people.mover)).toMatchObject({ outcome: 'SKIPPED', reason: 'CHANGED_SINCE' });
    expect(record(people.leaver)?.outcome).toBe('REACTIVATED');
    expect(record(people.hire)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'ROLLED_BACK' });
    expect(record(people.flagOff)).toMatchObject({ outcome: 'SKIPPED', reason: 'HELD' });
    const teams = await litmosGet<{ Id: string }[]>(t.sandbox, `/users/${mover.Id}/teams`);
    expect(
      teams.map((x) => x.Id),
      'the mover is left as the admin put them',
    ).not.toContain(team.Id);

    // The next ordinary sync redoes what HR still says (the documented consequence of a rollback).
    const redo = await sync(t);
    expect(redo.counts).toMatchObject({ created: 0, reactivated: 1, deactivated: 1, failed: 0 });
    await expectEveryEligibleOnce(t.sandbox, hrNow, t.today);
  });
});
