/**
 * What if (`previewSync`), end to end over the sandbox: a draft blocklist shows exactly the
 * deactivations it would make, a later day shows a pre-hire's creation, nothing is ever written or
 * saved, and bad drafts are refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/eligibility.js';
import { QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync, writes } from '../support/sync.js';
import { litmos, shouldBeProvisioned } from '../support/upstreams.js';

let t: TestGateway;
beforeAll(async () => {
  // Counts writes, which must stay at zero: no injected faults (their retries are not writes, but keep the counts plain).
  t = await startTestGateway({ employees: 80, seed: 41, quirks: QUIET_FAULTS });
  await relaxSafeguard(t);
  expect((await sync(t)).status).toBe('SUCCEEDED');
});
afterAll(async () => {
  await t.close();
});

interface Entry {
  employeeSourceId: string;
  before: string;
  after: string;
  reasons: { code: string; value: string | null; since: string | null }[];
}
interface Preview {
  asOf: string;
  policy: { blocklist: string[] };
  plan: { summary: { kind: string; count: number }[] };
  safeguard: { deactivations: number; tripped: boolean };
  diff: { created: Entry[]; deactivated: Entry[]; moved: Entry[]; updated: Entry[]; changed: Entry[] };
}

const PREVIEW = `query($input: PreviewSyncInput!) { previewSync(input: $input) {
  asOf policy { blocklist } plan { summary { kind count } } safeguard { deactivations tripped }
  diff {
    created { employeeSourceId before after reasons { code value since } }
    deactivated { employeeSourceId before after reasons { code value since } }
    moved { employeeSourceId } updated { employeeSourceId }
    changed { employeeSourceId before after reasons { code value since } }
  } } }`;

const preview = async (input: Record<string, unknown>) =>
  (await t.data<{ previewSync: Preview }>(PREVIEW, { input: { source: 'BAMBOOHR', ...input } })).previewSync;

/** Everything the preview must leave as it was: Litmos's users, the policy, the run history. */
async function world() {
  const users = await litmos(t.sandbox).users();
  const { syncPolicy, syncRuns } = await t.data<{ syncPolicy: unknown; syncRuns: { totalCount: number } }>(
    `{ syncPolicy(source: BAMBOOHR) { blocklist prehireLeadDays } syncRuns { totalCount } }`,
  );
  return { users, syncPolicy, runs: syncRuns.totalCount };
}

describe('previewSync', () => {
  it('a draft blocklist shows exactly the deactivations it would make, and writes nothing', async () => {
    const company = t.sandbox.companies.bamboohr;
    const statusOf = (p: (typeof company.people)[number]) => p.statusHistory.filter((row) => row.date <= t.today).at(-1)?.status;
    const status = statusOf(company.people.filter((p) => shouldBeProvisioned(p, t.today)).at(-1)!)!;
    const blocked = company.people.filter((p) => shouldBeProvisioned(p, t.today) && !shouldBeProvisioned(p, t.today, [status]));
    const before = await world();
    await t.resetStats();

    const result = await preview({ policy: { blocklist: [` ${status} `] } });

    expect(result.policy.blocklist).toEqual([status]);
    expect(result.diff.deactivated.map((entry) => entry.employeeSourceId).sort()).toEqual(blocked.map((p) => String(p.id)).sort());
    for (const entry of result.diff.deactivated) {
      expect(entry).toMatchObject({ before: 'PROVISIONED', after: 'TO_DEACTIVATE' });
      expect(entry.reasons[0]).toMatchObject({ code: 'BLOCKLISTED_STATUS', value: status });
    }
    expect(result.diff.created).toEqual([]);
    expect(result.safeguard.deactivations).toBe(blocked.length);
    expect(result.plan.summary.find((kind) => kind.kind === 'DEACTIVATE_LEARNER')?.count).toBe(blocked.length);
    // Nothing written to any upstream (BambooHR's custom report is a read sent as a POST), nothing saved.
    expect(writes(await t.stats('litmos'))).toEqual({});
    const hrWrites = Object.keys(writes(await t.stats('bamboohr'))).filter((route) => !route.endsWith('/reports/custom'));
    expect(hrWrites).toEqual([]);
    expect(await world()).toEqual(before);
  });

  it("as of a pre-hire's first day, shows their creation", async () => {
    const company = t.sandbox.companies.bamboohr;
    const prehire = company.people.find((p) => p.hireDate > t.today && shouldBeProvisioned(p, p.hireDate))!;
    expect(prehire, 'the seeded company has a pre-hire who will be eligible').toBeDefined();
    const today = await preview({});
    expect(today.asOf).toBe(t.today);
    expect(today.diff.changed).toEqual([]);

    const result = await preview({ asOf: prehire.hireDate });
    expect(result.asOf).toBe(prehire.hireDate);
    expect(result.diff.created).toContainEqual(expect.objectContaining({ employeeSourceId: String(prehire.id), before: 'PRE_HIRE', after: 'TO_CREATE' }));
    // Everyone the test's own rules provision on that day and not today is created, and no one else.
    const starting = company.people.filter((p) => !shouldBeProvisioned(p, t.today) && shouldBeProvisioned(p, prehire.hireDate) && p.hireDate > t.today);
    const created = new Set(result.diff.created.map((entry) => entry.employeeSourceId));
    for (const person of starting) expect(created.has(String(person.id)), `${person.id} starts by then`).toBe(true);
  });

  it('refuses bad drafts and days by name, and callers below OPERATOR', async () => {
    const refused = async (input: Record<string, unknown>) => (await t.graphql(PREVIEW, { input: { source: 'BAMBOOHR', ...input } })).errors?.[0];
    expect(await refused({ policy: { prehireLeadDays: -1 } })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'prehireLeadDays' } });
    expect(await refused({ policy: { safeguard: { maxDeactivationPercent: 120, maxDeactivations: 5 } } })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'safeguard.maxDeactivationPercent' },
    });
    expect(await refused({ policy: { accessFlag: { mode: 'FIELD', fieldName: 'Other Flag' } } })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'accessFlag.fieldName' },
    });
    expect(await refused({ asOf: addDays(t.today, -1) })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } });
    expect(await refused({ asOf: addDays(t.today, 731) })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } });
    expect(await refused({ asOf: 'next monday' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });

    const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(role: VIEWER, label: "dashboard") { token } }`);
    const asViewer = await t.graphql(PREVIEW, { input: { source: 'BAMBOOHR' } }, createApiToken.token);
    expect(asViewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
