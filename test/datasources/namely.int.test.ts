import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreamClient, type UpstreamClient, type UpstreamRequest } from '../../src/datasources/http.js';
import { createNamelyClient } from '../../src/datasources/namely/client.js';
import type { Employee } from '../../src/model.js';
import {
  createNamelySimulator,
  generateCompany,
  NO_QUIRKS,
  startSimulator,
  type Fault,
  type NamelyQuirks,
  type NamelySimulator,
  type RunningSimulator,
  type SeedCompany,
  type SeedPerson,
  type SimulatorStats,
} from '@rostergate/sandbox';

const TOKEN = 'sandbox-namely-token';
const TODAY = '2025-06-01';
const SIZE = 173;

/** Requests to read a list of `count` profiles by pages of 50 when every page but the last is full: the last one is empty. */
const pagesFor = (count: number) => Math.ceil(count / 50) + 1;
const isPending = (person: SeedPerson) => person.hireDate > TODAY && !(person.terminationDate !== null && person.terminationDate <= TODAY);

let company: SeedCompany;
let namely: NamelySimulator;
let server: RunningSimulator;
const clients: UpstreamClient[] = [];
/** The shared simulator's live switches; each test starts with none. */
const quirks: NamelyQuirks = { ...NO_QUIRKS.namely };

function upstream(options: { token?: string; url?: string } = {}): UpstreamClient {
  const client = createUpstreamClient({
    system: 'namely',
    baseUrl: `${options.url ?? server.url}/api/v1`,
    authorize: ({ headers }) => {
      headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    },
    budget: { limit: 300, windowMs: 60_000, marginMs: 0 },
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  clients.push(client);
  return client;
}

/** Runs `after` once, when the first page of the default list has come back and before the client sees it. */
function onFirstPage(http: UpstreamClient, after: () => Promise<unknown>): UpstreamClient {
  let fired = false;
  return {
    ...http,
    request: async (req: UpstreamRequest) => {
      const response = await http.request(req);
      if (!fired && req.path === '/profiles' && req.query?.page === 1 && req.query['filter[user_status]'] === undefined) {
        fired = true;
        await after();
      }
      return response;
    },
  };
}

const control = (path: string, body?: unknown) =>
  fetch(`${server.url}/__sandbox/${path}`, body === undefined ? {} : { method: path === 'limits' ? 'PUT' : 'POST', body: JSON.stringify(body) });
const stats = async () => (await (await control('stats')).json()) as SimulatorStats;
const calls = (s: SimulatorStats, route: string) => s.routes[route]?.count ?? 0;
const addFault = (fault: Fault) => control('faults', fault);

beforeAll(async () => {
  company = generateCompany({ seed: 5, size: SIZE, today: TODAY, name: 'Nimbus Labs' });
  namely = createNamelySimulator({ company, quirks: { common: { ...NO_QUIRKS.common }, vendor: quirks } });
  server = await startSimulator(namely.spec);
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  // Reset leaves the rate limit alone, so the throttling test's lower limit is undone here too.
  await control('limits', { limit: 300, windowMs: 60_000 });
  await fetch(`${server.url}/__sandbox/reset`, { method: 'POST' });
  Object.assign(quirks, NO_QUIRKS.namely);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function expectMapped(employee: Employee | undefined, person: SeedPerson): void {
  const left = person.terminationDate !== null && person.terminationDate <= TODAY;
  expect(employee).toMatchObject({
    source: 'NAMELY',
    sourceId: namely.state.profileId(person.id),
    employeeNumber: person.employeeNumber,
    firstName: person.firstName,
    lastName: person.lastName,
    workEmail: person.workEmail,
    jobTitle: person.jobTitle,
    department: person.department,
    division: person.division,
    location: person.location,
    workPhone: person.workPhone,
    mobilePhone: person.mobilePhone,
    status: left ? 'INACTIVE' : person.hireDate > TODAY ? 'PENDING' : 'ACTIVE',
    hireDate: person.hireDate,
    terminationDate: person.terminationDate,
    accessEnabled: person.accessEnabled,
    managerId: person.managerId === null ? null : namely.state.profileId(person.managerId),
  });
  if (person.statusHistory.length === 0 && !left) expect(employee?.employmentStatusHistory).toEqual([]);
  if (left) expect(employee?.employmentStatusHistory.at(-1)).toEqual({ effectiveDate: person.terminationDate, status: 'Terminated' });
}

describe('listEmployees', () => {
  it('reads every page of 50 of both lists and maps every person, in pages + fields + groups calls', async () => {
    const employees = await createNamelyClient({ http: upstream() }).listEmployees();
    expect(employees).toHaveLength(SIZE);
    const bySourceId = new Map(employees.map((e) => [e.sourceId, e]));
    for (const person of company.people) expectMapped(bySourceId.get(namely.state.profileId(person.id)), person);

    // The default list (active and inactive) to its empty page, then the pending list to its own.
    const pending = company.people.filter(isPending).length;
    const pages = pagesFor(SIZE - pending) + pagesFor(pending);
    const after = await stats();
    expect(calls(after, 'GET /api/v1/profiles')).toBe(pages);
    expect(calls(after, 'GET /api/v1/profiles/fields')).toBe(1);
    expect(calls(after, 'GET /api/v1/groups')).toBe(1);
    expect(after.total).toBe(pages + 2);
  });

  it('reads the pending profiles the default list leaves out, as PENDING employees', async () => {
    const pending = company.people.filter(isPending);
    expect(pending.length).toBeGreaterThan(0);
    const listed = (await (await fetch(`${server.url}/api/v1/profiles?per_page=50`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      meta: { total_count: number };
    };
    expect(listed.meta.total_count).toBe(SIZE - pending.length);
    const employees = await createNamelyClient({ http: upstream() }).listEmployees();
    const ids = new Set(employees.filter((e) => e.status === 'PENDING').map((e) => e.sourceId));
    expect(ids).toEqual(new Set(pending.map((person) => namely.state.profileId(person.id))));
  });

  it('reads every profile exactly once when pages come short before the end', async () => {
    quirks.shortPages = true;
    const sizes = new Map<number, number>();
    const base = upstream();
    const http: UpstreamClient = {
      ...base,
      request: async (req) => {
        const response = await base.request(req);
        if (req.path === '/profiles' && req.query?.['filter[user_status]'] === undefined) {
          sizes.set(Number(req.query?.page), (JSON.parse(response.body) as { profiles: unknown[] }).profiles.length);
        }
        return response;
      },
    };
    const employees = await createNamelyClient({ http }).listEmployees();
    expect(employees).toHaveLength(SIZE);
    expect(new Set(employees.map((e) => e.sourceId)).size).toBe(SIZE);
    // Page 2 came short although more followed: a client stopping there, or counting on full pages, would have missed people.
    expect(sizes.get(2)).toBeLessThan(50);
    expect(sizes.get(3)).toBeGreaterThan(0);
  });

  it('tells departments, divisions and offices apart by group type name when /groups omits linked.group_types', async () => {
    quirks.omitGroupTypes = true;
    const employees = await createNamelyClient({ http: upstream() }).listEmployees();
    const bySourceId = new Map(employees.map((e) => [e.sourceId, e]));
    for (const person of company.people) expectMapped(bySourceId.get(namely.state.profileId(person.id)), person);
  });

  it('confirms the end with an empty page when a list is a whole number of pages', async () => {
    // The smallest company from 100 up whose default list (everyone not pending) fills pages of 50 exactly.
    const sized = (size: number) => generateCompany({ seed: 6, size, today: TODAY });
    let exactCompany = sized(100);
    while (exactCompany.people.filter((p) => !isPending(p)).length % 50 !== 0) exactCompany = sized(exactCompany.people.length + 1);
    const pending = exactCompany.people.filter(isPending).length;
    const running = await startSimulator(createNamelySimulator({ company: exactCompany }).spec);
    try {
      const employees = await createNamelyClient({ http: upstream({ url: running.url }) }).listEmployees();
      expect(employees).toHaveLength(exactCompany.people.length);
      const listed = exactCompany.people.length - pending;
      expect(running.stats().routes['GET /api/v1/profiles']?.count).toBe(listed / 50 + 1 + pagesFor(pending));
    } finally {
      await running.close();
    }
  });

  it('throws instead of returning a partial roster when a page is refused mid-read', async () => {
    const http = onFirstPage(upstream(), () => addFault({ route: 'GET /api/v1/profiles', status: 401, count: 1 }));
    await expect(createNamelyClient({ http }).listEmployees()).rejects.toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', status: 401 });
  });

  it('asks for no further page once one has failed', async () => {
    // Page 3 is held back until page 2 has been refused, so the worker reading page 3 is still busy
    // when the failure lands; once page 3 is back, that worker must stop rather than ask for page 4.
    let page2Settled!: () => void;
    let page3Settled!: () => void;
    const page2Done = new Promise<void>((resolve) => (page2Settled = resolve));
    const page3Done = new Promise<void>((resolve) => (page3Settled = resolve));
    const requested: unknown[] = [];
    const base = onFirstPage(upstream(), () => addFault({ route: 'GET /api/v1/profiles', status: 401, count: 1 }));
    const http: UpstreamClient = {
      ...base,
      request: async (req) => {
        requested.push(req.query?.page);
        if (req.query?.page === 3) await page2Done;
        try {
          return await base.request(req);
        } finally {
          if (req.query?.page === 2) page2Settled();
          if (req.query?.page === 3) page3Settled();
        }
      },
    };
    await expect(createNamelyClient({ http, concurrency: 2 }).listEmployees()).rejects.toMatchObject({ status: 401 });
    await page3Done;
    // A worker asks for its next page within microtasks of the last one; setImmediate runs after them all.
    await new Promise((resolve) => setImmediate(resolve));
    expect(requested.filter((page) => page !== undefined).sort()).toEqual([1, 2, 3]);
  });

  it('throws when a page keeps failing with 500 after the retries', async () => {
    const http = onFirstPage(upstream(), () => addFault({ route: 'GET /api/v1/profiles', status: 500, count: 100 }));
    const client = createNamelyClient({ http, concurrency: 1 });
    await expect(client.listEmployees()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500 });
    // Page 1, then page 2's three attempts (two retries); the pending list is never asked for.
    expect(calls(await stats(), 'GET /api/v1/profiles')).toBe(1 + 3);
  });

  it('throws a retryable conflict when someone is added while the pages are read', async () => {
    const hire = () =>
      fetch(`${server.url}/api/v1/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ profiles: [{ first_name: 'Late', last_name: 'Hire', email: 'late.hire@nimbuslabs.example' }] }),
      });
    const http = onFirstPage(upstream(), hire);
    await expect(createNamelyClient({ http }).listEmployees()).rejects.toMatchObject({ code: 'UPSTREAM_CONFLICT', retryable: true });
  });

  it('completes through 429s by waiting out Retry-After', async () => {
    await control('limits', { limit: 3, windowMs: 1_000 });
    const employees = await createNamelyClient({ http: upstream() }).listEmployees();
    expect(employees).toHaveLength(SIZE);
    const after = await stats();
    expect(after.throttled).toBeGreaterThan(0);
    expect(after.routes['GET /api/v1/profiles']?.statuses['429']).toBeGreaterThan(0);
  });

  it('fails with UPSTREAM_UNAUTHORIZED on a wrong token', async () => {
    await expect(createNamelyClient({ http: upstream({ token: 'wrong-token' }) }).listEmployees()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
    });
  });

  it('refuses to read when the access flag field does not exist', async () => {
    const client = createNamelyClient({ http: upstream(), accessFlagFieldName: 'LMS Access' });
    await expect(client.listEmployees()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('getEmployees', () => {
  it('shows each profile once, in the order asked, leaving unknown ids out', async () => {
    const ids = [3, 1, 42].map((id) => namely.state.profileId(id));
    const employees = await createNamelyClient({ http: upstream() }).getEmployees([...ids, 'not-a-profile', ids[0] ?? '']);
    expect(employees.map((e) => e.sourceId)).toEqual(ids);
    expectMapped(employees[2], company.people[41]!);
    const after = await stats();
    expect(after.routes['GET /api/v1/profiles/:id']?.statuses).toEqual({ '200': 3, '404': 1 });
  });

  it('sees a department move made through PUT', async () => {
    const person = company.people[9]!;
    const target = company.departments.find((d) => d !== person.department) ?? '';
    const id = namely.state.profileId(person.id);
    const moved = await fetch(`${server.url}/api/v1/profiles/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profiles: [{ links: { groups: [{ id: namely.state.group(target)?.id }] } }] }),
    });
    expect(moved.status).toBe(200);
    const [employee] = await createNamelyClient({ http: upstream() }).getEmployees([id]);
    expect(employee?.department).toBe(target);
    expect(employee?.location).toBe(person.location);
  });

  it('makes no call for no ids', async () => {
    expect(await createNamelyClient({ http: upstream() }).getEmployees([])).toEqual([]);
    expect((await stats()).total).toBe(0);
  });
});
