/**
 * A learner's username is its employee's work email, and Litmos refuses a username anyone holds
 * (409). So when addresses move between people — two swap, three rotate, a new hire takes the one a
 * colleague gave up — one run must move every username in an order that frees each before it is
 * taken, and a username held by a Litmos user no HR system knows is never taken from them. Real
 * gateway, real sandbox with every quirk on, HTTP; transient 500s on the renames themselves.
 */
import type { SeedPerson } from '@rostergate/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { bamboohr, eligiblePeople, litmos, type LitmosUser } from '../support/upstreams.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const today = () => new Date().toISOString().slice(0, 10);

async function synced(): Promise<{ t: TestGateway; people: SeedPerson[] }> {
  t = await startTestGateway({ employees: 30, seed: 11 });
  await relaxSafeguard(t);
  expect((await sync(t)).status).toBe('SUCCEEDED');
  return { t, people: eligiblePeople(t.sandbox.companies.bamboohr, today()) };
}

/** The learner each of these users had before, now: found by id, since usernames are what moved. */
async function byId(t: TestGateway): Promise<Map<string, LitmosUser>> {
  return new Map((await litmos(t.sandbox).users()).map((user) => [user.Id, user]));
}

const usernameOf = (users: readonly LitmosUser[], email: string) => users.find((u) => u.UserName.toLowerCase() === email)?.Id;

describe('usernames that move between people, in one run', () => {
  it('swaps two and rotates three addresses, through transient 500s on the renames, keeping every learner', async () => {
    const { t, people } = await synced();
    const [a, b, c, d, e] = people as [SeedPerson, SeedPerson, SeedPerson, SeedPerson, SeedPerson];
    const before = await litmos(t.sandbox).users();
    const learnerOf = (person: SeedPerson) => usernameOf(before, person.workEmail!);
    const moves: [SeedPerson, SeedPerson][] = [
      [a, b],
      [b, a],
      [c, d],
      [d, e],
      [e, c],
    ];
    // BambooHR refuses an address another employee holds, so HR moves them through placeholders too.
    for (const [person] of moves) await bamboohr(t.sandbox).update(person.id, { workEmail: `moving.${person.workEmail}` });
    for (const [person, takes] of moves) await bamboohr(t.sandbox).update(person.id, { workEmail: takes.workEmail });
    const faults = [
      { route: 'PUT /v1.svc/users/:id', status: 500, afterEffect: true },
      { route: 'PUT /v1.svc/users/:id', drop: true },
    ];
    expect((await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(faults) })).status).toBe(200);

    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    const after = await byId(t);
    for (const [person, takes] of moves) {
      const learner = after.get(learnerOf(person)!);
      // The same learner (its training history), now under the new address, and still active.
      expect({ userName: learner?.UserName.toLowerCase(), active: learner?.Active }).toEqual({ userName: takes.workEmail, active: true });
    }
    const names = [...after.values()].map((u) => u.UserName.toLowerCase());
    expect(new Set(names).size, 'no username twice').toBe(names.length);
    expect(
      names.some((name) => name.endsWith('.invalid')),
      'nobody left aside',
    ).toBe(false);
    expect((await sync(t)).counts, 'the next run has nothing to do').toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('creates a new hire under the address a colleague gave up in the same interval', async () => {
    const { t, people } = await synced();
    const [leaver] = people as [SeedPerson];
    const old = leaver.workEmail!;
    const before = await litmos(t.sandbox).users();
    await bamboohr(t.sandbox).update(leaver.id, { workEmail: `renamed.${old}` });
    const hired = await bamboohr(t.sandbox).hire({
      firstName: 'Ann',
      lastName: "O'Neill",
      workEmail: old,
      hireDate: '2020-02-03',
      department: leaver.department,
      jobTitle: 'Analyst',
      customLitmosAccess: 'yes',
      employmentHistoryStatus: 'Full-Time',
    });
    expect(hired).toBeGreaterThan(0);

    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts).toMatchObject({ created: 1, skipped: expect.any(Number), failed: 0 });
    const users = await litmos(t.sandbox).users();
    expect(usernameOf(users, `renamed.${old}`)).toBe(usernameOf(before, old));
    const newcomer = users.find((u) => u.UserName.toLowerCase() === old);
    expect(newcomer && { id: newcomer.Id === usernameOf(before, old), first: newcomer.FirstName, last: newcomer.LastName }).toEqual({
      id: false,
      first: 'Ann',
      last: "O'Neill",
    });
  });
});
