import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHrChanges } from '../support/hr-changes.js';
import { QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { importEmployees, relaxSafeguard, sync, writes } from '../support/sync.js';
import { activeUserNames, bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function fresh(employees = 80): Promise<TestGateway> {
  // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
  t = await startTestGateway({ employees, seed: 5, quirks: QUIET_FAULTS });
  await relaxSafeguard(t);
  return t;
}

describe('reconciliation end to end (gateway ↔ sandbox over HTTP)', () => {
  it('an initial sync provisions exactly the eligible employees, reusing existing users and teams', async () => {
    const t = await fresh();
    const company = t.sandbox.companies.bamboohr;
    const before = await litmos(t.sandbox).users();
    const orphans = before.filter((u) => !company.people.some((p) => p.workEmail === u.UserName.toLowerCase() || p.workEmail === u.Email?.toLowerCase()));

    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');

    const after = await expectEveryEligibleOnce(t.sandbox, company, t.today);
    const active = activeUserNames(after);
    const eligible = eligiblePeople(company, t.today);
    const eligibleEmails = new Set(eligible.map((p) => p.workEmail));
    for (const person of company.people.filter((p) => p.workEmail && !eligibleEmails.has(p.workEmail))) {
      expect(active.has(person.workEmail!), `${person.workEmail} must not be an active learner`).toBe(false);
    }
    // Litmos users no HR system knows are left exactly as they were.
    for (const orphan of orphans) expect(after.find((u) => u.Id === orphan.Id)?.Active).toBe(orphan.Active);

    // One team per department, matched without case (the seeded "sales" team is reused).
    const teams = await litmos(t.sandbox).teams();
    const keys = teams.map((team) => team.Name.trim().toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
    for (const department of new Set(eligible.map((p) => p.department))) expect(keys).toContain(department.toLowerCase());
    const person = eligible[0]!;
    const team = teams.find((x) => x.Name.toLowerCase() === person.department.toLowerCase())!;
    const members = await litmos(t.sandbox).teamMembers(team.Id);
    expect(members.map((m) => m.UserName.toLowerCase())).toContain(person.workEmail);
  });

  it('a re-sync with no HR change writes nothing', async () => {
    const t = await fresh();
    await sync(t);
    await t.resetStats();
    const second = await sync(t);
    expect(second.status).toBe('SUCCEEDED');
    expect(writes(await t.stats('litmos'))).toEqual({});
    expect(second.counts).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0, failed: 0 });
  });

  it('after HR changes the next sync makes exactly the matching Litmos writes', async () => {
    const t = await fresh();
    await sync(t);
    const company = t.sandbox.companies.bamboohr;
    const eligible = eligiblePeople(company, t.today);
    const { mover, retitled, leaver, flagOff, hire: newHireId, newDepartment } = await makeHrChanges(t, eligible.slice(5, 9));

    await t.resetStats();
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    const outcome = (id: number) => run.records.nodes.find((r) => r.employeeSourceId === String(id));
    expect(outcome(newHireId)?.outcome).toBe('CREATED');
    expect(outcome(leaver.id)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'TERMINATED' });
    expect(outcome(flagOff.id)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'ACCESS_FLAG_OFF' });
    expect(outcome(retitled.id)?.changes).toEqual([{ field: 'title', after: 'Principal Rocket Scientist' }]);
    expect(outcome(mover.id)?.changes).toEqual(
      expect.arrayContaining([
        { field: 'team', after: newDepartment },
        { field: 'team', after: null },
      ]),
    );
    expect(run.counts).toMatchObject({ created: 1, deactivated: 2, updated: 2, reactivated: 0, failed: 0 });
    const litmosWrites = writes(await t.stats('litmos'));
    expect(litmosWrites['POST /v1.svc/users']).toBe(1);

    const users = await litmos(t.sandbox).users();
    const byName = new Map(users.map((u) => [u.UserName.toLowerCase(), u]));
    expect(byName.get('zoe.oneill@acmerockets.example')).toMatchObject({ FirstName: 'Zoë', LastName: "O'Neill", Active: true });
    expect(byName.get(leaver.workEmail!)?.Active).toBe(false);
    expect(byName.get(flagOff.workEmail!)?.Active).toBe(false);

    // Rehire and flag back on: the same learners come back, never new ones.
    const hr = bamboohr(t.sandbox);
    await hr.addRow(leaver.id, 'employmentStatus', { date: t.today, employmentStatus: 'Full-Time' });
    await hr.update(flagOff.id, { customLitmosAccess: 'yes' });
    const back = await sync(t);
    expect(back.counts).toMatchObject({ reactivated: 2, created: 0 });
    const again = await litmos(t.sandbox).users();
    expect(again.filter((u) => u.UserName.toLowerCase() === leaver.workEmail)).toEqual([
      expect.objectContaining({ Id: byName.get(leaver.workEmail!)!.Id, Active: true }),
    ]);
  });

  it('setBlocklist deactivates learners whose current status is blocklisted', async () => {
    const t = await fresh();
    await sync(t);
    const company = t.sandbox.companies.bamboohr;
    const status = eligiblePeople(company, t.today)
      .map((p) => p.statusHistory.filter((r) => r.date <= t.today).at(-1)!.status)
      .find((s) => s !== 'Full-Time')!;
    const blocked = eligiblePeople(company, t.today).filter((p) => !eligiblePeople(company, t.today, [status]).includes(p));
    expect(blocked.length).toBeGreaterThan(0);

    const { setBlocklist } = await t.data<{ setBlocklist: { blocklist: string[] } }>(
      `mutation($s: [String!]!) { setBlocklist(input: { source: BAMBOOHR, statuses: $s }) { blocklist } }`,
      { s: [` ${status.toUpperCase()} `] },
    );
    expect(setBlocklist.blocklist).toEqual([status.toUpperCase()]);
    const run = await sync(t);
    expect(run.counts.deactivated).toBe(blocked.length);
    expect(
      run.records.nodes
        .filter((r) => r.reason === 'BLOCKLISTED_STATUS')
        .map((r) => r.employeeSourceId)
        .sort(),
    ).toEqual(blocked.map((p) => String(p.id)).sort());
  });

  it('a dry run writes nothing and returns the plan', async () => {
    const t = await fresh();
    await t.resetStats();
    const run = await sync(t, { dryRun: true });
    expect(run).toMatchObject({ status: 'SUCCEEDED', dryRun: true });
    expect(writes(await t.stats('litmos'))).toEqual({});
    const creates = run.plan!.actions.filter((a) => a.kind === 'CREATE_LEARNER').length;
    expect(creates).toBeGreaterThan(0);
    expect(run.counts.created).toBe(creates);
    expect(run.plan!.summary.find((s) => s.kind === 'CREATE_LEARNER')?.count).toBe(creates);
  });

  it('the safeguard stops a mass deactivation until an admin approves it', async () => {
    const t = await fresh();
    await sync(t);
    await t.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 20, maxDeactivations: 3 } }) { source } }`);
    const hr = bamboohr(t.sandbox);
    const victims = eligiblePeople(t.sandbox.companies.bamboohr, t.today).slice(0, 6);
    for (const person of victims) await hr.update(person.id, { customLitmosAccess: 'no' });

    await t.resetStats();
    const held = await sync(t);
    expect(held.status).toBe('AWAITING_APPROVAL');
    expect(held.safeguard).toEqual({ deactivations: 6, threshold: 3 });
    expect(writes(await t.stats('litmos'))).toEqual({});

    const viewer = await t.graphql(`mutation($id: ID!) { cancelSyncRun(id: $id) { status } }`, { id: 'bogus' });
    expect(viewer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await t.data(`mutation($id: ID!) { approveSyncRun(id: $id) { status } }`, { id: held.runId });
    await t.gateway.tenant.engine.idle();
    const users = await litmos(t.sandbox).users();
    for (const person of victims) expect(users.find((u) => u.UserName.toLowerCase() === person.workEmail)?.Active).toBe(false);
    const again = await t.graphql(`mutation($id: ID!) { approveSyncRun(id: $id) { status } }`, { id: held.runId });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('importEmployees provisions only the selected employees', async () => {
    const t = await fresh();
    const chosen = eligiblePeople(t.sandbox.companies.bamboohr, t.today).slice(0, 3);
    const before = await litmos(t.sandbox).users();
    const run = await importEmployees(
      t,
      chosen.map((p) => String(p.id)),
    );
    expect(run.status).toBe('SUCCEEDED');
    const after = await litmos(t.sandbox).users();
    const added = after.filter((u) => !before.some((b) => b.Id === u.Id));
    const chosenEmails = new Set(chosen.map((p) => p.workEmail));
    expect(added.every((u) => chosenEmails.has(u.UserName.toLowerCase()))).toBe(true);
    for (const user of before) expect(after.find((u) => u.Id === user.Id)?.Active).toBe(user.Active);
    expect(run.records.nodes.map((r) => r.employeeSourceId).sort()).toEqual(chosen.map((p) => String(p.id)).sort());

    const bad = await t.graphql(`mutation { importEmployees(input: { source: BAMBOOHR, employeeIds: [] }) { runId } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a second startSync while one runs returns the running one', async () => {
    const t = await fresh();
    const start = `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`;
    const [a, b] = await Promise.all([t.data<{ startSync: { runId: string } }>(start), t.data<{ startSync: { runId: string } }>(start)]);
    expect(a.startSync.runId).toBe(b.startSync.runId);
    await t.gateway.tenant.engine.idle();
  });

  it('serves the run report as CSV with the same token, formula-guarded, with a BOM only on ?bom=1', async () => {
    const t = await fresh();
    // Anyone who can edit an HR profile writes these cells: a formula must arrive as text.
    const hostileId = await bamboohr(t.sandbox).hire({
      firstName: '=HYPERLINK("x")',
      lastName: 'Smith, "Jr."',
      workEmail: 'hyperlink.smith@acmerockets.example',
      hireDate: '2020-01-06',
      department: t.sandbox.companies.bamboohr.departments[0],
      jobTitle: 'Analyst',
      customLitmosAccess: 'yes',
      employmentHistoryStatus: 'Full-Time',
    });
    const run = await sync(t);
    const auth = { authorization: 'Bearer test-admin-token-0123456789abcdef' };
    const response = await fetch(`${t.url}/reports/${run.runId}.csv`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const rows = parse(text);
    expect(rows[0]?.join(',')).toBe('run_id,source,employee_id,name,email,outcome,reason,learner_id,changes,error');
    expect(rows.length - 1).toBe(run.records.nodes.length);
    const hostile = rows.find((row) => row[2] === String(hostileId));
    expect(hostile?.[3]).toBe(`'=HYPERLINK("x") Smith, "Jr."`);
    // Nothing in the whole report starts as a formula.
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);

    // fetch's text() drops a leading BOM, so the bytes are read.
    const withBom = new Uint8Array(await (await fetch(`${t.url}/reports/${run.runId}.csv?bom=1`, { headers: auth })).arrayBuffer());
    expect([...withBom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(withBom)).toBe(`\uFEFF${text}`);
    expect((await fetch(`${t.url}/reports/${run.runId}.csv`)).status).toBe(401);
  });
});
