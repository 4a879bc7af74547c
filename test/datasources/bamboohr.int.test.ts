import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError } from '../../src/errors.js';
import { bambooHrAuthorize, createBambooHrClient, type BambooHrClient } from '../../src/datasources/bamboohr/client.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamRequest } from '../../src/datasources/http.js';
import {
  createBambooHrSimulator,
  generateCompany,
  NO_QUIRKS,
  startSimulator,
  type BambooHrQuirks,
  type RunningSimulator,
  type SeedPerson,
  type SimulatorStats,
} from '@rostergate/sandbox';
import { middayOf } from '../support/clock.js';
import { seedEmployee } from '../support/seed.js';

const TODAY = '2025-06-01';
const KEY = 'bamboo-key-0123456789';
const company = generateCompany({ seed: 11, size: 400, today: TODAY });

let sim: RunningSimulator;
const opened: UpstreamClient[] = [];

function connect(options: { key?: string; accessFlagFieldName?: () => string; seen?: UpstreamRequest[] } = {}): BambooHrClient {
  const http = createUpstreamClient({
    system: 'bamboohr',
    baseUrl: `${sim.url}/api/gateway.php/${company.domain}/v1`,
    authorize: bambooHrAuthorize(options.key ?? KEY),
    budget: { limit: 100, windowMs: 60_000 },
    retry: { baseDelayMs: 1, retries: 2 },
  });
  opened.push(http);
  const seen = options.seen;
  // Every request the client makes, as it made it, when the test wants to look at them.
  const spied: UpstreamClient = seen ? { ...http, request: (req) => (seen.push(req), http.request(req)) } : http;
  return createBambooHrClient({
    http: spied,
    companyDomain: company.domain,
    ...(options.accessFlagFieldName && { accessFlagFieldName: options.accessFlagFieldName }),
    clock: middayOf(TODAY),
  });
}

const control = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${sim.url}/__sandbox/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const stats = async () => (await (await control('stats')).json()) as SimulatorStats;
/** A write as an HR admin's tool makes it, straight to the simulator. */
async function write(path: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sim.url}/api/gateway.php/${company.domain}/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** What BambooHR's rules make of a seeded person on `TODAY`. */
beforeAll(async () => {
  sim = await startSimulator(createBambooHrSimulator({ company, apiKey: KEY }).spec);
});
afterAll(async () => {
  await Promise.all(opened.map((http) => http.close()));
  await sim.close();
});
beforeEach(async () => {
  await control('reset', 'POST');
  await control('quirks', 'PUT', NO_QUIRKS.bamboohr);
});

describe('listEmployees', () => {
  it('maps every seeded person in exactly four upstream calls (fields, report, status and job tables)', async () => {
    const employees = await connect().listEmployees();
    expect((await stats()).total).toBe(4);
    expect(employees).toHaveLength(company.people.length);

    const byId = new Map(employees.map((e) => [e.sourceId, e]));
    for (const person of company.people) {
      expect(byId.get(String(person.id))).toEqual(seedEmployee(person, TODAY));
    }
  });

  it('covers the cases a sync must survive: pre-hires, past and future leavers, no status, accents', async () => {
    const employees = await connect().listEmployees();
    expect(employees.some((e) => e.status === 'PENDING' && e.hireDate !== null && e.hireDate > TODAY)).toBe(true);
    expect(employees.some((e) => e.status === 'INACTIVE' && e.employmentStatusHistory.at(-1)?.status === 'Terminated')).toBe(true);
    expect(employees.some((e) => e.status === 'ACTIVE' && e.terminationDate !== null && e.terminationDate > TODAY)).toBe(true);
    expect(employees.some((e) => e.employmentStatusHistory.length === 0)).toBe(true);
    // eslint-disable-next-line no-control-regex -- any character outside ASCII: \x00 only opens the range
    expect(employees.some((e) => /[^\x00-\x7F]/.test(e.firstName + e.lastName))).toBe(true);
    expect(employees.some((e) => !e.accessEnabled)).toBe(true);
  });

  it('reads the access flag named at each read: looked up once per name, then confirmed by each report', async () => {
    await control('fields', 'POST', { name: 'LMS Access' });
    const granted = company.people.filter((p) => !p.accessEnabled).slice(0, 3);
    for (const person of granted) await write(`/employees/${person.id}`, { customLMSAccess: 'Yes' });
    let name = 'Litmos Access';
    const client = connect({ accessFlagFieldName: () => name });
    const flags = async () => new Map((await client.listEmployees()).map((e) => [e.sourceId, e.accessEnabled]));

    const before = await flags();
    for (const person of company.people) expect(before.get(String(person.id))).toBe(person.accessEnabled);
    name = 'LMS Access';
    const after = await flags();
    const lms = new Set(granted.map((p) => String(p.id)));
    for (const person of company.people) expect(after.get(String(person.id))).toBe(lms.has(String(person.id)));
    await flags();
    expect((await stats()).routes['GET /api/gateway.php/:company/v1/meta/fields']?.count).toBe(2);
  });

  it('fails a read whose field has gone since with a configuration error listing the checkboxes there are', async () => {
    const client = connect();
    await client.listEmployees();
    await control('fields/customLitmosAccess', 'PUT', { name: 'Learning Access' });
    const error = await client.listEmployees().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      details: { field: 'accessFlag.fieldName', received: 'Litmos Access', candidates: ['Learning Access'] },
    });
    expect((error as Error).message).toBe(
      'BambooHR has no checkbox field named "Litmos Access" to read the access flag from; its checkbox fields are "Learning Access"',
    );
    // The report showed the field under its new name, so nothing was read from it; meta/fields said why.
    expect((await stats()).routes['GET /api/gateway.php/:company/v1/meta/fields']?.count).toBe(2);
  });

  it('repeats a report that hit a 503, since a report is a read', async () => {
    await control('faults', 'POST', { route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 503, retryAfter: '0' });
    expect(await connect().listEmployees()).toHaveLength(company.people.length);
    expect((await stats()).routes['POST /api/gateway.php/:company/v1/reports/custom']?.statuses).toEqual({ '503': 1, '200': 1 });
  });

  it('fails as unauthorised with a wrong key, and never shows the key', async () => {
    const wrongKey = 'wrong-key-9876543210';
    const error = await connect({ key: wrongKey })
      .listEmployees()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', status: 401 });
    expect((error as Error).message).toContain('API key not provided or invalid');
    expect((error as Error).message).not.toContain(wrongKey);
  });

  it('is a configuration error when the account has no field of that name', async () => {
    await expect(connect({ accessFlagFieldName: () => 'LMS Access' }).listEmployees()).rejects.toBeInstanceOf(ConfigError);
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
    const later = createBambooHrClient({ http, companyDomain: company.domain, clock: middayOf('2025-07-01') });
    expect((await later.getEmployees([String(person.id)]))[0]?.department).toBe(newDepartment);
  });
});

describe('vendor quirks (UPSTREAMS §1): the same employees whichever the account shows', () => {
  /** A person whose job moved twice on one day in the past, with a move still to come: only row order tells which is current. */
  async function busyJobHistory(): Promise<SeedPerson> {
    const person = company.people.find((p) => p.hireDate < '2024-01-01' && p.terminationDate === null)!;
    for (const [date, department] of [
      ['2024-06-01', 'Moved first'],
      ['2024-06-01', 'Moved second'],
      ['2025-09-01', 'Moving later'],
      ['2024-01-01', 'Earlier'],
    ]) {
      await write(`/employees/${person.id}/tables/jobInfo`, { date, department });
    }
    return person;
  }

  const cases: [string, Partial<BambooHrQuirks>][] = [
    ['zeroDates ("0000-00-00" is no date)', { zeroDates: true }],
    ['checkboxStrings ("true"/"Yes"/"1" and their opposites)', { checkboxStrings: true }],
    ['unorderedTableRows (current row = latest dated on or before today, ties by row id)', { unorderedTableRows: true }],
    ['all of them at once', { zeroDates: true, checkboxStrings: true, unorderedTableRows: true }],
  ];
  it.each(cases)('%s', async (_, quirks) => {
    const person = await busyJobHistory();
    const baseline = await connect().listEmployees();
    expect(baseline.find((e) => e.sourceId === String(person.id))?.department).toBe('Moved second');
    expect(baseline.filter((e) => e.terminationDate === null).length).toBeGreaterThan(0);

    await control('quirks', 'PUT', quirks);
    // Shuffled tables differ per request: several reads, every one the same.
    for (let read = 0; read < 3; read += 1) expect(await connect().listEmployees()).toEqual(baseline);
    expect(await connect().getEmployees([String(person.id)])).toEqual(baseline.filter((e) => e.sourceId === String(person.id)));
  });
});

describe('the wire, as UPSTREAMS §1 describes it', () => {
  const REPORT = 'POST /api/gateway.php/:company/v1/reports/custom';

  it('posts the report as exactly application/json (a charset makes it XML), employee ids as integers, JSON asked for everywhere', async () => {
    const seen: UpstreamRequest[] = [];
    const ids = company.people.slice(0, 2).map((p) => String(p.id));
    await connect({ seen }).getEmployees(ids);
    const report = seen.find((req) => req.path === '/reports/custom')!;
    expect(report.headers?.['Content-Type']).toBe('application/json');
    expect(report.query).toMatchObject({ format: 'json', onlyCurrent: false });
    expect((JSON.parse(report.body!) as { filters: unknown }).filters).toEqual({ employeeIds: ids.map(Number) });
    for (const req of seen) expect(req.headers?.Accept).toBe('application/json');
  });

  it('waits out throttles, 429 with Retry-After in either form, and reads', async () => {
    await control('faults', 'POST', [
      { route: REPORT, status: 429, retryAfter: '0' },
      { route: REPORT, status: 429, retryAfter: new Date().toUTCString() },
    ]);
    expect(await connect().listEmployees()).toHaveLength(company.people.length);
    expect((await stats()).routes[REPORT]?.statuses).toEqual({ '429': 2, '200': 1 });
  });

  it('gives up on a throttle as UPSTREAM_RATE_LIMITED and on a 503 as UPSTREAM_UNAVAILABLE, both retryable later', async () => {
    await control('faults', 'POST', { route: REPORT, status: 429, retryAfter: '0', count: 3 });
    await expect(connect().listEmployees()).rejects.toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', status: 429, retryable: true });
    await control('faults', 'POST', { route: REPORT, status: 503, count: 3 });
    await expect(connect().listEmployees()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, retryable: true });
  });

  /** Serves one recorded interaction's status and headers (its body is empty) to every request. */
  async function replay(name: string): Promise<{ baseUrl: string; close: () => Promise<void> }> {
    const recorded = JSON.parse(readFileSync(new URL(`../fixtures/recorded/bamboohr/${name}.http.json`, import.meta.url), 'utf8')) as {
      response: { status: number; statusText: string; headers: Record<string, string> };
    };
    const { status, statusText, headers } = recorded.response;
    const kept = Object.fromEntries(Object.entries(headers).filter(([header]) => !['transfer-encoding', 'connection'].includes(header)));
    const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(status, statusText, kept).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}/api/gateway.php/collegeeat/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it.each([
    ['employee_0_401_invalid_key', 'UPSTREAM_UNAUTHORIZED', 'API key not provided or invalid'],
    ['employee_404_not_found', 'UPSTREAM_NOT_FOUND', 'Employee not found, Employee not found'],
  ])('reports the reason BambooHR gives in X-BambooHR-Error-Message (recorded %s)', async (name, code, reason) => {
    const server = await replay(name);
    const http = createUpstreamClient({
      system: 'bamboohr',
      baseUrl: server.baseUrl,
      authorize: bambooHrAuthorize(KEY),
      budget: { limit: 100, windowMs: 60_000 },
    });
    try {
      const error = await createBambooHrClient({ http, companyDomain: 'collegeeat', clock: middayOf(TODAY) })
        .listEmployees()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toContain(reason);
    } finally {
      await http.close();
      await server.close();
    }
  });
});
