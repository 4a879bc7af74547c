/**
 * Litmos answers an occasional 500 on any request — sometimes after the request took effect — and
 * connections are cut mid-answer. A sync must settle every such write inside the run (look, adopt
 * what was made, repeat what was not) and end SUCCEEDED with exactly one learner per eligible
 * employee; only the vendor saying no (a 4xx) leaves a run PARTIAL. Real gateway, real sandbox, HTTP.
 */
import { QUIET_HEADER, SANDBOX_CREDENTIALS, type Fault } from '@rostergate/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_DEFAULTS } from '../../src/datasources/retry.js';
import { QUIET_FAULTS, startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';
import { importEmployees, relaxSafeguard, sync, writes } from '../support/sync.js';
import { activeUserNames, bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos, type LitmosUser } from '../support/upstreams.js';

const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
/** Every try the HTTP client makes of an idempotent request before it gives up: more faults than this reach apply. */
const CLIENT_TRIES = RETRY_DEFAULTS.retries + 1;

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Random faults off unless a test asks for them: the deterministic cases count the faults they inject. */
async function fresh(options: TestGatewayOptions = {}): Promise<TestGateway> {
  t = await startTestGateway({ employees: 80, seed: 5, quirks: QUIET_FAULTS, ...options });
  await relaxSafeguard(t);
  return t;
}

async function arm(t: TestGateway, faults: Fault[]): Promise<void> {
  const response = await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(faults) });
  expect(response.status).toBe(200);
}

/** Answers a route got, by status ("0" is a cut connection). */
async function statuses(t: TestGateway, route: string): Promise<Record<string, number>> {
  return (await t.stats('litmos')).routes[route]?.statuses ?? {};
}

/** A Litmos user's full profile, as a Litmos admin would read it (the list carries no title). */
async function profile(t: TestGateway, id: string): Promise<{ JobTitle: string | null; Active: boolean }> {
  const response = await fetch(`${t.sandbox.litmos.baseUrl}/users/${id}?source=tests&format=json`, {
    headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey, [QUIET_HEADER]: '1' },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { JobTitle: string | null; Active: boolean };
}

interface FailedRecord {
  employeeSourceId: string;
  outcome: string;
  error: string | null;
}

async function records(t: TestGateway, runId: string): Promise<FailedRecord[]> {
  const { syncRun } = await t.data<{ syncRun: { records: { nodes: FailedRecord[] } } }>(
    `query($id: ID!) { syncRun(id: $id) { records(first: 1000) { nodes { employeeSourceId outcome error } } } }`,
    { id: runId },
  );
  return syncRun.records.nodes;
}

/** Each eligible employee is a member of their department's team, and no team name is there twice. */
async function expectTeams(t: TestGateway): Promise<void> {
  const teams = await litmos(t.sandbox).teams();
  const keys = teams.map((team) => team.Name.trim().toLowerCase());
  expect(new Set(keys).size, 'no team twice').toBe(keys.length);
  const eligible = eligiblePeople(t.sandbox.companies.bamboohr, today);
  for (const department of new Set(eligible.map((p) => p.department))) {
    const team = teams.find((x) => x.Name.trim().toLowerCase() === department.toLowerCase());
    expect(team, `a team for ${department}`).toBeDefined();
    const members = new Set((await litmos(t.sandbox).teamMembers(team!.Id)).map((m) => m.UserName.toLowerCase()));
    for (const person of eligible.filter((p) => p.department === department)) {
      expect(members.has(person.workEmail!), `${person.workEmail} in ${department}`).toBe(true);
    }
  }
}

/** Litmos's active learners among the company's people are exactly the eligible ones, each once. */
async function expectExactLearners(t: TestGateway): Promise<LitmosUser[]> {
  const company = t.sandbox.companies.bamboohr;
  const users = await expectEveryEligibleOnce(t.sandbox, company, today);
  const active = activeUserNames(users);
  const eligible = new Set(eligiblePeople(company, today).map((p) => p.workEmail));
  for (const person of company.people.filter((p) => p.workEmail && !eligible.has(p.workEmail))) {
    expect(active.has(person.workEmail!), `${person.workEmail} must not be an active learner`).toBe(false);
  }
  return users;
}

describe('transient Litmos failures during a sync', () => {
  it('a create or a write answered 500 (or cut) after it took effect is verified, adopted or repeated: SUCCEEDED, nobody twice', async () => {
    const t = await fresh();
    // Creates are sent once by the HTTP client (a repeat could duplicate), so each of these reaches apply.
    await arm(t, [
      { route: 'POST /v1.svc/users', status: 500 },
      { route: 'POST /v1.svc/users', status: 500, afterEffect: true },
      { route: 'POST /v1.svc/users', drop: true, afterEffect: true },
      { route: 'POST /v1.svc/teams', status: 500, afterEffect: true },
      { route: 'POST /v1.svc/teams/:id/users', status: 500, afterEffect: true },
    ]);
    const first = await sync(t);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.counts.failed).toBe(0);
    expect(await statuses(t, 'POST /v1.svc/users')).toMatchObject({ '0': 1, '500': 2 });
    expect((await statuses(t, 'POST /v1.svc/teams'))['500']).toBe(1);
    await expectExactLearners(t);
    await expectTeams(t);

    // A retitle, a leaver and a hire; every write of theirs fails more often than the HTTP client retries.
    const company = t.sandbox.companies.bamboohr;
    const [retitled, leaver] = eligiblePeople(company, today).slice(3, 5) as [(typeof company.people)[0], (typeof company.people)[0]];
    const hr = bamboohr(t.sandbox);
    await hr.update(retitled.id, { jobTitle: 'Chief Retry Officer' });
    await hr.addRow(leaver.id, 'employmentStatus', {
      date: yesterday,
      employmentStatus: 'Terminated',
      terminationTypeId: '1',
      terminationReasonId: '1',
      terminationRehireId: '1',
    });
    const hireId = await hr.hire({
      firstName: 'Ada',
      lastName: 'Retry',
      workEmail: 'ada.retry@acmerockets.example',
      hireDate: '2020-01-06',
      department: retitled.department,
      jobTitle: 'Analyst',
      customLitmosAccess: 'yes',
      employmentHistoryStatus: 'Full-Time',
    });
    await t.resetStats();
    await arm(t, [
      { route: 'POST /v1.svc/users', status: 500, afterEffect: true },
      // The update's PUT, then the deactivation's: each outlasts the client's retries (kinds run one after another).
      { route: 'PUT /v1.svc/users/:id', status: 500, afterEffect: true, count: 2 * CLIENT_TRIES },
      { route: 'POST /v1.svc/teams/:id/users', status: 500, afterEffect: true, count: CLIENT_TRIES },
    ]);
    const second = await sync(t);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.counts).toMatchObject({ created: 1, updated: 1, deactivated: 1, failed: 0 });
    expect((await statuses(t, 'PUT /v1.svc/users/:id'))['500']).toBe(2 * CLIENT_TRIES);
    expect((await statuses(t, 'POST /v1.svc/teams/:id/users'))['500']).toBe(CLIENT_TRIES);

    const users = await litmos(t.sandbox).users();
    const byName = (name: string) => users.filter((u) => u.UserName.toLowerCase() === name);
    expect(byName('ada.retry@acmerockets.example')).toEqual([expect.objectContaining({ Active: true })]);
    expect(byName(leaver.workEmail!)).toEqual([expect.objectContaining({ Active: false })]);
    expect((await profile(t, byName(retitled.workEmail!)[0]!.Id)).JobTitle).toBe('Chief Retry Officer');
    const team = (await litmos(t.sandbox).teams()).find((x) => x.Name.toLowerCase() === retitled.department.toLowerCase())!;
    expect((await litmos(t.sandbox).teamMembers(team.Id)).map((m) => m.UserName.toLowerCase())).toContain('ada.retry@acmerockets.example');
    expect(second.records.nodes.find((r) => r.employeeSourceId === String(hireId))?.outcome).toBe('CREATED');
  }, 60_000);

  it('transient 500s on 1 request in 40 (and cuts on 1 in 200): SUCCEEDED, one learner per eligible employee, the counts the plan predicted', async () => {
    const started = Date.now();
    const t = await fresh({ employees: 250, seed: 7, quirks: { common: { transientErrorRate: 1 / 40, dropRate: 1 / 200 } } });
    const predicted = await sync(t, { dryRun: true });
    expect(predicted.status).toBe('SUCCEEDED');
    expect(predicted.counts.created).toBeGreaterThan(100);

    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts).toEqual(predicted.counts);
    const faults = Object.values((await t.stats('litmos')).routes).reduce((sum, route) => sum + (route.statuses['500'] ?? 0) + (route.statuses['0'] ?? 0), 0);
    expect(faults, 'the run met faults').toBeGreaterThan(3);
    const creates = await statuses(t, 'POST /v1.svc/users');
    expect((creates['500'] ?? 0) + (creates['0'] ?? 0), 'some creates met a 500 or a cut').toBeGreaterThan(0);

    // The test's own reads go straight to Litmos without the gateway's retries: they need a quiet upstream.
    t.sandbox.setQuirks({ common: { transientErrorRate: 0, dropRate: 0 } });
    await expectExactLearners(t);
    await expectTeams(t);
    t.sandbox.setQuirks({ common: { transientErrorRate: 1 / 40, dropRate: 1 / 200 } });

    await t.resetStats();
    const again = await sync(t);
    expect(again.status).toBe('SUCCEEDED');
    expect(writes(await t.stats('litmos'))).toEqual({});
    expect(again.counts).toMatchObject({ created: 0, linked: 0, updated: 0, deactivated: 0, reactivated: 0, failed: 0 });
    console.info(`transient 1/40 acceptance: ${Date.now() - started} ms, ${faults} Litmos faults met in the applying run`);
  }, 120_000);

  it("a permanent 4xx still ends the run PARTIAL, with the vendor's answer on that employee's record", async () => {
    const t = await fresh();
    await sync(t);
    const company = t.sandbox.companies.bamboohr;
    const pair = eligiblePeople(company, today).slice(10, 12);
    for (const person of pair) await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Permanent Failure Analyst' });
    await arm(t, [{ route: 'PUT /v1.svc/users/:id', status: 400 }]);
    const run = await sync(t);
    expect(run.status).toBe('PARTIAL');
    expect(run.counts).toMatchObject({ updated: 1, failed: 1 });
    const failed = (await records(t, run.runId)).filter((r) => r.outcome === 'FAILED');
    expect(failed).toHaveLength(1);
    expect(pair.map((p) => String(p.id))).toContain(failed[0]!.employeeSourceId);
    expect(failed[0]!.error).toMatch(/UPDATE_LEARNER: .*PUT .*→ 400/);
    // Refused once, never repeated: a 400 is the vendor saying no.
    expect((await statuses(t, 'PUT /v1.svc/users/:id'))['400']).toBe(1);
  }, 60_000);
});

describe('reads that keep failing', () => {
  /** Every Litmos user with whether it is active: what a failed read must leave exactly as it was. */
  const users = async (t: TestGateway) => (await litmos(t.sandbox).users()).map((user) => `${user.Id}:${String(user.Active)}`).sort();

  it('a team member list that keeps failing (read beside the user list) fails the run, writing nothing; the next run has nothing left to do', async () => {
    const t = await fresh();
    await sync(t);
    const before = await users(t);
    const writesBefore = writes(await t.stats('litmos'));
    await arm(t, [{ route: 'GET /v1.svc/teams/:id/users', status: 500, count: 1000 }]);
    expect((await sync(t)).status).toBe('FAILED');
    expect(writes(await t.stats('litmos'))).toEqual(writesBefore);
    expect(await users(t)).toEqual(before);
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
    const again = await sync(t);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.plan?.actions).toEqual([]);
  }, 60_000);

  it('an import whose roster and team list both fail ends FAILED, and nothing is left unhandled', async () => {
    const t = await fresh();
    await sync(t);
    const before = await users(t);
    await arm(t, [{ route: 'GET /v1.svc/teams', status: 500, count: 1000 }]);
    const faults = await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify([{ route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 500, count: 1000 }]),
    });
    expect(faults.status).toBe(200);
    const person = eligiblePeople(t.sandbox.companies.bamboohr, today)[0];
    expect((await importEmployees(t, [String(person?.id)])).status).toBe('FAILED');
    expect(await users(t)).toEqual(before);
  }, 60_000);
});
