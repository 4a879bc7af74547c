import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError } from '../../src/errors.js';
import { bambooHrAuthorize, createBambooHrClient, type BambooHrClient } from '../../src/datasources/bamboohr/client.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/datasources/http.js';
import type { Employee } from '../../src/model.js';
import { createBambooHrSimulator } from '../../src/sandbox/bamboohr/simulator.js';
import type { SeedPerson } from '../../src/sandbox/company.js';
import { generateCompany } from '../../src/sandbox/generate.js';
import { startSimulator, type RunningSimulator, type SimulatorStats } from '../../src/sandbox/kit.js';

const TODAY = '2025-06-01';
const KEY = 'bamboo-key-0123456789';
const company = generateCompany({ seed: 11, size: 400, today: TODAY });

let sim: RunningSimulator;
const opened: UpstreamClient[] = [];

function connect(options: { key?: string; accessFlagField?: string } = {}): BambooHrClient {
  const http = createUpstreamClient({
    system: 'bamboohr',
    baseUrl: `${sim.url}/api/gateway.php/${company.domain}/v1`,
    authorize: bambooHrAuthorize(options.key ?? KEY),
    budget: { limit: 100, windowMs: 60_000 },
    retry: { baseDelayMs: 1, retries: 2 },
  });
  opened.push(http);
  return createBambooHrClient({ http, companyDomain: company.domain, accessFlagField: options.accessFlagField, today: () => TODAY });
}

const control = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${sim.url}/__sandbox/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const stats = async () => (await (await control('stats')).json()) as SimulatorStats;

/** What BambooHR's rules make of a seeded person on `TODAY`. */
function expectedStatus(person: SeedPerson): Employee['status'] {
  if (person.terminationDate !== null && person.terminationDate <= TODAY) return 'INACTIVE';
  return person.hireDate > TODAY ? 'PENDING' : 'ACTIVE';
}

beforeAll(async () => {
  sim = await startSimulator(createBambooHrSimulator({ company, apiKey: KEY }).spec);
});
afterAll(async () => {
  await Promise.all(opened.map((http) => http.close()));
  await sim.close();
});
beforeEach(async () => {
  await control('reset', 'POST');
});

describe('listEmployees', () => {
  it('maps every seeded person in exactly four upstream calls (fields, report, status and job tables)', async () => {
    const employees = await connect().listEmployees();
    expect((await stats()).total).toBe(4);
    expect(employees).toHaveLength(company.people.length);

    const byId = new Map(employees.map((e) => [e.sourceId, e]));
    for (const person of company.people) {
      expect(byId.get(String(person.id))).toEqual({
        source: 'BAMBOOHR',
        sourceId: String(person.id),
        employeeNumber: person.employeeNumber,
        firstName: person.firstName,
        lastName: person.lastName,
        preferredName: person.preferredName,
        displayName: `${person.preferredName ?? person.firstName} ${person.lastName}`,
        workEmail: person.workEmail,
        jobTitle: person.jobTitle,
        department: person.department,
        division: person.division,
        location: person.location,
        workPhone: person.workPhone,
        mobilePhone: person.mobilePhone,
        workAddress: { street1: person.street1, street2: null, city: person.city, state: person.state, postalCode: person.postalCode, country: person.country },
        employmentStatusHistory: person.statusHistory.map((row) => ({ effectiveDate: row.date, status: row.status })),
        status: expectedStatus(person),
        hireDate: person.hireDate,
        terminationDate: person.terminationDate,
        accessEnabled: person.accessEnabled,
        managerId: person.managerId === null ? null : String(person.managerId),
      });
    }
  });

  it('covers the cases a sync must survive: pre-hires, past and future leavers, no status, accents', async () => {
    const employees = await connect().listEmployees();
    expect(employees.some((e) => e.status === 'PENDING' && e.hireDate !== null && e.hireDate > TODAY)).toBe(true);
    expect(employees.some((e) => e.status === 'INACTIVE' && e.employmentStatusHistory.at(-1)?.status === 'Terminated')).toBe(true);
    expect(employees.some((e) => e.status === 'ACTIVE' && e.terminationDate !== null && e.terminationDate > TODAY)).toBe(true);
    expect(employees.some((e) => e.employmentStatusHistory.length === 0)).toBe(true);
    expect(employees.some((e) => /[^\x00-\x7F]/.test(e.firstName + e.lastName))).toBe(true);
    expect(employees.some((e) => !e.accessEnabled)).toBe(true);
  });

  it('looks the access flag up once per client', async () => {
    const client = connect();
    await client.listEmployees();
    await client.listEmployees();
    expect((await stats()).routes['GET /api/gateway.php/:company/v1/meta/fields']?.count).toBe(1);
  });

  it('repeats a report that hit a 503, since a report is a read', async () => {
    await control('faults', 'POST', { route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 503, retryAfter: '0' });
    expect(await connect().listEmployees()).toHaveLength(company.people.length);
    expect((await stats()).routes['POST /api/gateway.php/:company/v1/reports/custom']?.statuses).toEqual({ '503': 1, '200': 1 });
  });

  it('fails as unauthorised with a wrong key, and never shows the key', async () => {
    const wrongKey = 'wrong-key-9876543210';
    const error = await connect({ key: wrongKey }).listEmployees().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', status: 401 });
    expect((error as Error).message).toContain('API key not provided or invalid');
    expect((error as Error).message).not.toContain(wrongKey);
  });

  it('is a configuration error when the account has no field of that name', async () => {
    await expect(connect({ accessFlagField: 'LMS Access' }).listEmployees()).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('getEmployees', () => {
  const routeCount = async (route: string) => (await stats()).routes[route]?.count;

  it('reads the given ids in one report, with their status history, leaving unknown ones out', async () => {
    const client = connect();
    const everyone = new Map((await client.listEmployees()).map((e) => [e.sourceId, e]));
    await control('reset', 'POST');
    const wanted = company.people.filter((p) => p.id % 97 === 0).map((p) => String(p.id));
    const employees = await client.getEmployees([...wanted, '999999', 'not-an-id']);
    expect(employees).toEqual(wanted.map((id) => everyone.get(id)));
    expect(await routeCount('POST /api/gateway.php/:company/v1/reports/custom')).toBe(1);
    expect(await routeCount('GET /api/gateway.php/:company/v1/employees/:id/tables/:table')).toBe(2);
    expect(await client.getEmployees([])).toEqual([]);
  });

  it("reads one employee's own status rows, not the whole company's", async () => {
    const client = connect();
    const leaver = company.people.find((p) => p.terminationDate !== null && p.terminationDate <= TODAY);
    const [employee] = await client.getEmployees([String(leaver?.id)]);
    expect(employee?.employmentStatusHistory).toEqual(leaver?.statusHistory.map((row) => ({ effectiveDate: row.date, status: row.status })));
    expect(employee?.status).toBe('INACTIVE');
    expect(await client.getEmployees(['999999'])).toEqual([]);
    expect((await stats()).routes['GET /api/gateway.php/:company/v1/employees/:id/tables/:table']?.statuses).toEqual({ '200': 2, '404': 2 });
  });
});

describe('changedSince', () => {
  it('returns the ids changed since a moment, and the latest change to continue from', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const client = connect();
    expect((await client.changedSince(since)).employeeIds).toEqual([]);
    const auth = `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`;
    await fetch(`${sim.url}/api/gateway.php/${company.domain}/v1/employees/5`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ customLitmosAccess: 'no' }),
    });
    const changes = await client.changedSince(since);
    expect(changes.employeeIds).toEqual(['5']);
    expect(Date.parse(changes.latest)).toBeGreaterThanOrEqual(Date.parse(since));
  });
});

describe('effective-dated job changes', () => {
  it('shows a department move from its date on, not before', async () => {
    const person = company.people.find((p) => p.hireDate < TODAY && !p.terminationDate)!;
    const newDepartment = company.departments.find((d) => d !== person.department)!;
    const response = await fetch(`${sim.url}/api/gateway.php/${company.domain}/v1/employees/${person.id}/tables/jobInfo`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ date: '2025-07-01', department: newDepartment }),
    });
    expect(response.status).toBe(200);
    const before = (await connect().getEmployees([String(person.id)]))[0];
    expect(before?.department).toBe(person.department);
    const http = createUpstreamClient({
      system: 'bamboohr',
      baseUrl: `${sim.url}/api/gateway.php/${company.domain}/v1`,
      authorize: bambooHrAuthorize(KEY),
      budget: { limit: 1000, windowMs: 60_000 },
    });
    opened.push(http);
    const later = createBambooHrClient({ http, companyDomain: company.domain, today: () => '2025-07-01' });
    expect((await later.getEmployees([String(person.id)]))[0]?.department).toBe(newDepartment);
  });
});
