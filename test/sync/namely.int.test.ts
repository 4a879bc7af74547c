import { QUIET_HEADER, SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { activeUserNames, eligiblePeople, litmos } from '../support/upstreams.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ employees: 250, seed: 23 });
  await relaxSafeguard(t);
  await t.data(`mutation { setSyncPolicy(input: { source: NAMELY, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`);
});
afterAll(async () => t?.close());

describe('Namely → Litmos', () => {
  it('provisions the Namely employees whose "Litmos Activated" is Yes', async () => {
    const run = await sync(t, { source: 'NAMELY' });
    expect(run.status).toBe('SUCCEEDED');
    const company = t.sandbox.companies.namely;
    const active = activeUserNames(await litmos(t.sandbox).users());
    const eligible = eligiblePeople(company, t.today);
    expect(eligible.length).toBeGreaterThan(10);
    for (const person of eligible) expect(active.has(person.workEmail!), `${person.workEmail}`).toBe(true);
    const eligibleEmails = new Set(eligible.map((p) => p.workEmail));
    for (const person of company.people.filter((p) => p.workEmail && !eligibleEmails.has(p.workEmail))) {
      expect(active.has(person.workEmail!), `${person.workEmail} must not be active`).toBe(false);
    }
  });

  it('turning "Litmos Activated" to No deactivates the learner on the next sync', async () => {
    await sync(t, { source: 'NAMELY' });
    const person = eligiblePeople(t.sandbox.companies.namely, t.today)[2]!;
    const profiles = (await (
      await fetch(`${t.sandbox.namely.baseUrl}/profiles?filter[email]=${encodeURIComponent(person.workEmail!)}`, {
        headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.namely.token}`, accept: 'application/json', [QUIET_HEADER]: '1' },
      })
    ).json()) as { profiles: { id: string }[] };
    const id = profiles.profiles[0]!.id;
    const put = await fetch(`${t.sandbox.namely.baseUrl}/profiles/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.namely.token}`, 'content-type': 'application/json', [QUIET_HEADER]: '1' },
      body: JSON.stringify({ profiles: [{ litmos_activated: 'No' }] }),
    });
    expect(put.status).toBe(200);
    const run = await sync(t, { source: 'NAMELY' });
    expect(run.records.nodes.find((r) => r.employeeSourceId === id)).toMatchObject({ outcome: 'DEACTIVATED', reason: 'ACCESS_FLAG_OFF' });
    expect(run.counts.deactivated).toBe(1);
  });
});
