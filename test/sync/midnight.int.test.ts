/**
 * The day HR dates are judged on is the gateway's clock's, and nothing else's: a termination dated
 * tomorrow is no evidence at 23:59:59.999 UTC and is at 00:00:00.000, whatever the machine's clock
 * says while the test runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync, type RunView } from '../support/sync.js';
import { bamboohr, eligiblePeople } from '../support/upstreams.js';

const DAY = '2025-03-14';
const NEXT_DAY = '2025-03-15';
let now = `${DAY}T12:00:00.000Z`;
let t: TestGateway;

beforeAll(async () => {
  // Counts one person's actions, so the sandbox's random faults are off (format quirks stay on).
  t = await startTestGateway({ employees: 40, seed: 37, today: DAY, quirks: QUIET_FAULTS, clock: () => new Date(now) });
  await relaxSafeguard(t);
  expect((await sync(t)).status).toBe('SUCCEEDED');
});
afterAll(async () => t?.close());

const deactivationsOf = (run: RunView, sourceId: string) =>
  run.plan?.actions.filter((action) => action.kind === 'DEACTIVATE_LEARNER' && action.employeeSourceId === sourceId) ?? [];

async function employmentStatusOf(workEmail: string): Promise<string | null> {
  const { employees } = await t.data<{ employees: { nodes: { employmentStatus: string | null }[] } }>(
    `query($search: String) { employees(filter: { source: BAMBOOHR, search: $search }) { nodes { employmentStatus } } }`,
    { search: workEmail },
  );
  return employees.nodes[0]!.employmentStatus;
}

describe('a termination dated tomorrow', () => {
  it('takes effect at midnight UTC of the gateway clock, in the plan and in the employee read alike', async () => {
    const leaver = eligiblePeople(t.sandbox.companies.bamboohr, DAY)[0]!;
    const sourceId = String(leaver.id);
    await bamboohr(t.sandbox).addRow(leaver.id, 'employmentStatus', {
      date: NEXT_DAY,
      employmentStatus: 'Terminated',
      terminationTypeId: '1',
      terminationReasonId: '1',
      terminationRehireId: '1',
    });
    await t.gateway.tenant.readModel.invalidate({ everything: true });

    now = `${DAY}T23:59:59.999Z`;
    expect(deactivationsOf(await sync(t, { dryRun: true }), sourceId)).toEqual([]);
    expect(await employmentStatusOf(leaver.workEmail!)).not.toBe('Terminated');

    now = `${NEXT_DAY}T00:00:00.000Z`;
    expect(deactivationsOf(await sync(t, { dryRun: true }), sourceId)).toEqual([expect.objectContaining({ reason: expect.any(String) })]);
    expect(await employmentStatusOf(leaver.workEmail!)).toBe('Terminated');
  });
});
