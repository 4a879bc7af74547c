/**
 * Direct access to the sandbox's vendor APIs, as an HR admin or a Litmos admin would have it: tests
 * make HR changes through BambooHR's write API and check Litmos through its read API, never through
 * the gateway they are testing.
 */
import { expect } from 'vitest';
import { QUIET_HEADER, SANDBOX_CREDENTIALS, type RunningSandbox, type SeedCompany, type SeedPerson } from '@rostergate/sandbox';
import { decodeEntities } from '../../src/datasources/litmos/mapping.js';

export interface LitmosUser {
  Id: string;
  UserName: string;
  FirstName: string;
  LastName: string;
  Active: boolean;
  Email: string | null;
}

export interface LitmosTeam {
  Id: string;
  Name: string;
}

export function bamboohr(sandbox: RunningSandbox) {
  const base = `${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1`;
  const auth = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.bamboohr.apiKey}:x`).toString('base64')}`;
  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json', [QUIET_HEADER]: '1' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`BambooHR ${path}: ${response.status} ${response.headers.get('x-bamboohr-error-message')}`);
    return response;
  };
  return {
    update: (id: number, fields: Record<string, unknown>) => post(`/employees/${id}`, fields),
    addRow: (id: number, table: 'jobInfo' | 'employmentStatus', row: Record<string, unknown>) => post(`/employees/${id}/tables/${table}`, row),
    async hire(fields: Record<string, unknown>): Promise<number> {
      const response = await post('/employees', fields);
      return Number(response.headers.get('location')?.split('/').pop());
    },
  };
}

export function litmos(sandbox: RunningSandbox) {
  const get = async <T>(path: string, query: Record<string, string> = {}): Promise<T> => {
    const params = new URLSearchParams({ source: 'tests', format: 'json', ...query });
    // The test shares the gateway's API key, and so its rate budget: a throttled read waits for the
    // (short, test-sized) window to roll, as any Litmos client must.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const response = await fetch(`${sandbox.litmos.baseUrl}${path}?${params.toString()}`, {
        headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey, [QUIET_HEADER]: '1' },
      });
      // Litmos HTML-encodes names in JSON (the encodedNames quirk): decode each string once, as any client must.
      if (response.status === 200)
        return JSON.parse(await response.text(), (_key, value: unknown) => (typeof value === 'string' ? decodeEntities(value) : value)) as T;
      if (response.status !== 503) throw new Error(`Litmos ${path}: ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Litmos ${path}: still throttled`);
  };
  return {
    async users(): Promise<LitmosUser[]> {
      const all: LitmosUser[] = [];
      // Advance by what came back: Litmos may send more than the limit (the overfullPages quirk).
      for (let start = 0; ;) {
        const page = await get<LitmosUser[]>('/users', { limit: '1000', start: String(start) });
        if (page.length === 0) return all;
        all.push(...page);
        start += page.length;
      }
    },
    teams: () => get<LitmosTeam[]>('/teams', { limit: '1000' }),
    teamMembers: (teamId: string) => get<LitmosUser[]>(`/teams/${teamId}/users`, { limit: '1000' }),
  };
}

/** The test's own reading of the provisioning rules, independent of the planner: who should be an active learner today. */
export function shouldBeProvisioned(person: SeedPerson, today: string, blocklist: readonly string[] = []): boolean {
  if (!person.accessEnabled || !person.workEmail || person.hireDate > today) return false;
  if (person.terminationDate && person.terminationDate <= today) return false;
  const current = person.statusHistory.filter((row) => row.date <= today).at(-1);
  if (!current || current.status === 'Terminated') return false;
  return !blocklist.map((s) => s.toLowerCase()).includes(current.status.toLowerCase());
}

export function activeUserNames(users: readonly LitmosUser[]): Set<string> {
  return new Set(users.filter((u) => u.Active).map((u) => u.UserName.toLowerCase()));
}

/** A person an admin held, with their learner as it was when the hold was placed (null: they had none). */
export interface HeldPerson {
  person: SeedPerson;
  learner: LitmosUser | null;
}

/**
 * Litmos holds every eligible employee of `company` as an active learner (by username, or by email for
 * the seeded users with another username) and no username twice. Returns the users read.
 *
 * A hold keeps a learner exactly as it was, whatever HR says: each held person's learner is as it was
 * when held (active or not, same names), and one who had none still has none — eligible or not.
 */
export async function expectEveryEligibleOnce(
  sandbox: RunningSandbox,
  company: SeedCompany,
  today: string,
  held: readonly HeldPerson[] = [],
): Promise<LitmosUser[]> {
  const users = await litmos(sandbox).users();
  const names = users.map((u) => u.UserName.toLowerCase());
  expect(new Set(names).size, 'no username twice').toBe(names.length);
  const active = activeUserNames(users);
  const heldIds = new Set(held.map(({ person }) => person.id));
  for (const person of eligiblePeople(company, today).filter((each) => !heldIds.has(each.id))) {
    const byEmail = users.some((u) => u.Active && u.Email?.toLowerCase() === person.workEmail);
    expect(active.has(person.workEmail!) || byEmail, `${person.workEmail} should be an active learner`).toBe(true);
  }
  for (const { person, learner } of held) {
    const now = learner && users.find((u) => u.Id === learner.Id);
    if (learner) expect(now, `${person.workEmail}'s held learner, as it was`).toEqual(learner);
    else
      expect(
        users.some((u) => u.Email?.toLowerCase() === person.workEmail),
        `${person.workEmail} is held without a learner`,
      ).toBe(false);
  }
  return users;
}

export function eligiblePeople(company: SeedCompany, today: string, blocklist: readonly string[] = []): SeedPerson[] {
  return company.people.filter((person) => shouldBeProvisioned(person, today, blocklist));
}
