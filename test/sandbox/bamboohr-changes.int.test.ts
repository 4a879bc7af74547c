/**
 * BambooHR's change feeds as the sandbox simulates them (UPSTREAMS.md §1.3): `GET /employees/changed`
 * with deletions, and `GET /employees/changed/tables/{table}`, which lists ALL rows of every employee
 * changed (any field) since the timestamp; plus the stats' report variants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { QUIET_FAULTS, startTestSandbox } from '../support/gateway.js';

let sandbox: RunningSandbox;
let base: string;
const headers = { authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.bamboohr.apiKey}:x`).toString('base64')}`, accept: 'application/json' };
const get = async (path: string) => {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, body: response.status === 200 ? await response.json() : null };
};
const feed = async (path: string) => (await get(path)).body as TableFeed;
const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface TableFeed {
  table: string;
  employees: Record<string, { lastChanged: string; rows: { employeeId: string; date: string; department?: string }[] }>;
}

beforeAll(async () => {
  // Counts requests by variant, so the sandbox's random faults are off (format quirks stay on).
  sandbox = await startTestSandbox({ employees: 30, seed: 5, quirks: QUIET_FAULTS });
  base = `${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1`;
});
afterAll(async () => sandbox?.close());

describe('BambooHR change feeds', () => {
  it('lists every row of each employee changed since then, whichever field changed; 404 for another table, 400 without since', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const [first, second] = sandbox.companies.bamboohr.people;
    expect((await post(`/employees/${first!.id}`, { firstName: 'Changed' })).status).toBe(200);
    expect((await post(`/employees/${second!.id}/tables/jobInfo`, { date: '2020-02-01', department: 'Moved' })).status).toBe(200);

    const jobs = await feed(`/employees/changed/tables/jobInfo?since=${encodeURIComponent(since)}`);
    expect(jobs.table).toBe('jobInfo');
    expect(Object.keys(jobs.employees).sort()).toEqual([String(first!.id), String(second!.id)].sort());
    expect(jobs.employees[String(first!.id)]!.rows.length).toBeGreaterThanOrEqual(1);
    expect(jobs.employees[String(second!.id)]!.rows.some((row) => row.department === 'Moved')).toBe(true);
    const statuses = await feed(`/employees/changed/tables/employmentStatus?since=${encodeURIComponent(since)}`);
    expect(Object.keys(statuses.employees)).toHaveLength(2);
    expect((await get(`/employees/changed/tables/compensation?since=${encodeURIComponent(since)}`)).status).toBe(404);
    expect((await get('/employees/changed/tables/jobInfo')).status).toBe(400);
  });

  it('an employee deleted is named by the changed feed as Deleted, and by nothing else', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const person = sandbox.companies.bamboohr.people[3]!;
    expect((await fetch(`${sandbox.bamboohr.url}/__sandbox/employees/${person.id}`, { method: 'DELETE' })).status).toBe(200);
    const changed = (await get(`/employees/changed?since=${encodeURIComponent(since)}`)).body as { employees: Record<string, { action: string }> };
    expect(changed.employees[String(person.id)]?.action).toBe('Deleted');
    const tables = await feed(`/employees/changed/tables/jobInfo?since=${encodeURIComponent(since)}`);
    expect(tables.employees[String(person.id)]).toBeUndefined();
    expect((await get(`/employees/${person.id}`)).status).toBe(404);
  });

  it("counts a report over everyone apart from one filtered to employees in the route's variants", async () => {
    sandbox.bamboohr.resetStats();
    const report = (filters: unknown) =>
      fetch(`${base}/reports/custom?format=json`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'x', fields: ['firstName'], filters }),
      });
    expect((await report({})).status).toBe(200);
    expect((await report({ employeeIds: [1, 2] })).status).toBe(200);
    expect(sandbox.bamboohr.stats().routes['POST /api/gateway.php/:company/v1/reports/custom']?.variants).toEqual({ everyone: 1, employeeIds: 1 });
  });
});
