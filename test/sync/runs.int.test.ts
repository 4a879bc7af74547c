import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { ADMIN_TOKEN, QUIET_FAULTS, startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function fresh(options: TestGatewayOptions = {}): Promise<TestGateway> {
  t = await startTestGateway({ employees: 60, seed: 29, ...options });
  await relaxSafeguard(t);
  return t;
}

describe('runs that go wrong, and the ways runs start', () => {
  it('one learner failing ends the run PARTIAL with that record, and a re-run finishes the job without duplicates', async () => {
    const t = await fresh();
    await sync(t);
    const person = eligiblePeople(t.sandbox.companies.bamboohr, t.today)[4]!;
    await bamboohr(t.sandbox).update(person.id, { jobTitle: 'Chief Retry Officer' });
    // A 400 is not retried: the update fails for good in this run.
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'PUT /v1.svc/users/:id', status: 400, count: 1 }),
    });
    const partial = await sync(t);
    expect(partial.status).toBe('PARTIAL');
    const failed = partial.records.nodes.filter((r) => r.outcome === 'FAILED');
    expect(failed.map((r) => r.employeeSourceId)).toEqual([String(person.id)]);
    expect(partial.counts.failed).toBe(1);

    const rerun = await sync(t);
    expect(rerun.status).toBe('SUCCEEDED');
    expect(rerun.records.nodes.find((r) => r.employeeSourceId === String(person.id))).toMatchObject({ outcome: 'UPDATED' });
    expect(rerun.counts.created).toBe(0);
  });

  it('cancelling a run while it applies stops it; what it wrote stays, and the next run finishes the job', async () => {
    t = await startTestGateway({ employees: 80, seed: 29, latencyMs: 10 });
    await relaxSafeguard(t);
    const { startSync } = await t.data<{ startSync: { runId: string } }>(`mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    const abort = new AbortController();
    for await (const event of await t.gateway.tenant.bus.subscribe(startSync.runId, abort.signal)) {
      if (event.status === 'APPLYING' && event.done > 5) break;
    }
    abort.abort();
    const { cancelSyncRun } = await t.data<{ cancelSyncRun: { status: string; progress: { done: number; total: number } } }>(
      `mutation($id: ID!) { cancelSyncRun(id: $id) { status progress { done total } } }`,
      { id: startSync.runId },
    );
    expect(cancelSyncRun.status).toBe('CANCELLED');
    expect(cancelSyncRun.progress.done).toBeLessThan(cancelSyncRun.progress.total);

    const next = await sync(t);
    expect(next.status).toBe('SUCCEEDED');
    await expectEveryEligibleOnce(t.sandbox, t.sandbox.companies.bamboohr, t.today);
  });

  it('a create whose connection drops is checked for, then made again: nobody missing, nobody twice', async () => {
    // Counts the drops it injects, so the sandbox's random faults are off here (format quirks stay on).
    const t = await fresh({ quirks: QUIET_FAULTS });
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify([
        { route: 'POST /v1.svc/teams', drop: true, count: 1 },
        { route: 'POST /v1.svc/users', drop: true, count: 2 },
      ]),
    });
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    const stats = await t.stats('litmos');
    expect(stats.routes['POST /v1.svc/users']!.statuses['0']).toBe(2);
    expect(stats.routes['POST /v1.svc/teams']!.statuses['0']).toBe(1);
    await expectEveryEligibleOnce(t.sandbox, t.sandbox.companies.bamboohr, t.today);
    const teams = (await litmos(t.sandbox).teams()).map((team) => team.Name.toLowerCase());
    expect(new Set(teams).size).toBe(teams.length);
  });

  it('the CLI starts a run through the API and follows it to the end', async () => {
    const t = await fresh();
    const dry = await cli(['sync', 'start', '--source', 'bamboohr', '--dry-run', '--wait', '--url', t.url, '--token', ADMIN_TOKEN]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/run [0-9a-f-]{36} SUCCEEDED/);
    expect(dry.stdout).toContain('dry run: nothing was written');

    const bad = await cli(['sync', 'start', '--source', 'bamboohr', '--url', t.url, '--token', 'nope']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('UNAUTHENTICATED');
    expect(bad.stderr).not.toContain('    at ');
  });
});
