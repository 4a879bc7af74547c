import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAMBOOHR_RATE_DEFAULTS,
  createBambooHrSimulator,
  NO_QUIRKS,
  startSimulator,
  type BambooHrQuirks,
  type RunningSimulator,
  type SeedCompany,
  type SeedPerson,
} from '@rostergate/sandbox';

const TODAY = '2025-06-01';
const KEY = 'test-bamboohr-key';

function person(id: number, overrides: Partial<SeedPerson>): SeedPerson {
  return {
    id,
    employeeNumber: String(1000 + id),
    firstName: `First${id}`,
    lastName: `Last${id}`,
    preferredName: null,
    workEmail: `person${id}@acme.example`,
    jobTitle: 'Engineer',
    department: 'Engineering',
    division: 'Product',
    location: 'Paris',
    workPhone: null,
    mobilePhone: null,
    street1: '1 Main Street',
    city: 'Paris',
    state: 'Île-de-France',
    postalCode: '75001',
    country: 'France',
    managerId: 1,
    hireDate: '2020-01-06',
    terminationDate: null,
    statusHistory: [{ date: '2020-01-06', status: 'Full-Time' }],
    accessEnabled: true,
    ...overrides,
  };
}

const company: SeedCompany = {
  seed: 7,
  name: 'Acme Rockets',
  domain: 'acmerockets',
  emailDomain: 'acme.example',
  today: TODAY,
  divisions: ['Product', 'Corporate'],
  departments: ['Engineering', 'Executive'],
  locations: ['Paris'],
  employmentStatuses: ['Full-Time', 'Part-Time'],
  people: [
    person(1, {
      firstName: 'Zoë',
      lastName: "O'Brien-Łukasz",
      jobTitle: 'CEO',
      department: 'Executive',
      managerId: null,
      hireDate: '2015-01-05',
      statusHistory: [{ date: '2015-01-05', status: 'Full-Time' }],
    }),
    person(2, {
      firstName: 'André',
      lastName: 'Müller',
      preferredName: 'Andy',
      statusHistory: [
        { date: '2020-01-06', status: 'Part-Time' },
        { date: '2021-01-04', status: 'Full-Time' },
      ],
    }),
    person(3, {
      terminationDate: '2024-12-31',
      statusHistory: [
        { date: '2020-01-06', status: 'Full-Time' },
        { date: '2024-12-31', status: 'Terminated' },
      ],
    }),
    person(4, {
      terminationDate: '2025-07-15',
      statusHistory: [
        { date: '2020-01-06', status: 'Full-Time' },
        { date: '2025-07-15', status: 'Terminated' },
      ],
    }),
    person(5, { hireDate: '2025-07-01', statusHistory: [{ date: '2025-07-01', status: 'Full-Time' }], accessEnabled: false }),
    person(6, { statusHistory: [], workEmail: null }),
  ],
};

let sim: RunningSimulator;
let base: string;
const auth = (key = KEY) => `Basic ${Buffer.from(`${key}:x`).toString('base64')}`;

/** A call as a BambooHR client makes it: the key, JSON wanted, and a JSON body when there is one. */
function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { authorization: auth(), accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  return fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
}

type Row = Record<string, string | boolean | null>;
async function report(fields: string[], query = 'format=json&onlyCurrent=true', filters: object = {}): Promise<{ fields: { id: string }[]; employees: Row[] }> {
  const response = await api(`/reports/custom?${query}`, { body: { title: 't', fields, filters } });
  expect(response.status).toBe(200);
  return (await response.json()) as { fields: { id: string }[]; employees: Row[] };
}
const byId = (rows: Row[]) => new Map(rows.map((row) => [row.id, row]));
const control = (path: string, method: string, body?: unknown) =>
  fetch(`${sim.url}/__sandbox/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

beforeAll(async () => {
  sim = await startSimulator(createBambooHrSimulator({ company, apiKey: KEY }).spec);
  base = `${sim.url}/api/gateway.php/${company.domain}/v1`;
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control('reset', 'POST');
  await control('limits', 'PUT', BAMBOOHR_RATE_DEFAULTS);
  await control('quirks', 'PUT', NO_QUIRKS.bamboohr);
});

describe('authentication and errors', () => {
  it('answers a bad key with 401, an empty body and the recorded headers', async () => {
    for (const authorization of [auth('wrong-key'), '']) {
      const response = await fetch(`${base}/employees/0`, { headers: { authorization, accept: 'application/json' } });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
      expect(response.headers.get('x-bamboohr-error-message')).toBe('API key not provided or invalid');
      expect(response.headers.get('www-authenticate')).toBe(`Basic realm="https://api.bamboohr.com/${company.domain}"`);
    }
  });

  it('answers an unknown company with 404', async () => {
    const response = await fetch(`${sim.url}/api/gateway.php/nosuchco/v1/employees/0`, { headers: { authorization: auth() } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-bamboohr-error-message')).toContain('nosuchco');
  });

  it('answers an unknown employee with 404, an empty body and the error header', async () => {
    const response = await api('/employees/999');
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
    expect(response.headers.get('x-bamboohr-error-message')).toBe('Employee not found, Employee not found');
  });

  it('resolves employee 0 to the key owner', async () => {
    expect(await (await api('/employees/0?fields=')).json()).toEqual({ id: '1' });
  });
});

describe('reads', () => {
  it('lists the directory: active people, pre-hires only with onlyCurrent=false, XML unless JSON is asked for', async () => {
    const ids = async (query: string) => ((await (await api(`/employees/directory${query}`)).json()) as { employees: Row[] }).employees.map((e) => e.id);
    const active = company.people.filter((p) => !(p.terminationDate && p.terminationDate <= TODAY));
    expect(await ids('')).toEqual(active.filter((p) => p.hireDate <= TODAY).map((p) => String(p.id)));
    expect(await ids('?onlyCurrent=false')).toEqual(active.map((p) => String(p.id)));
    const xml = await fetch(`${base}/employees/directory`, { headers: { authorization: auth() } });
    expect(xml.headers.get('content-type')).toContain('text/xml');
    expect(await xml.text()).toContain(`<employee id="1"><field id="displayName">Zoë O'Brien-Łukasz</field>`);
  });

  it('returns the requested fields of one employee, leaving unknown ones out', async () => {
    const body = await (await api('/employees/2?fields=firstName,lastName,workEmail,noSuchField,customLitmosAccess,supervisor')).json();
    expect(body).toEqual({
      id: '2',
      firstName: 'André',
      lastName: 'Müller',
      workEmail: 'person2@acme.example',
      customLitmosAccess: true,
      supervisor: "O'Brien-Łukasz, Zoë",
    });
  });

  it('shows future-dated values only with onlyCurrent=false', async () => {
    const fields = 'status,terminationDate,employmentHistoryStatus,department';
    expect(await (await api(`/employees/4?fields=${fields}`)).json()).toMatchObject({
      status: 'Active',
      terminationDate: null,
      employmentHistoryStatus: 'Full-Time',
    });
    expect(await (await api(`/employees/4?fields=${fields}&onlyCurrent=false`)).json()).toMatchObject({
      status: 'Inactive',
      terminationDate: '2025-07-15',
      employmentHistoryStatus: 'Terminated',
    });
    expect(await (await api(`/employees/5?fields=${fields}`)).json()).toMatchObject({ department: null, employmentHistoryStatus: null });
    expect(await (await api(`/employees/5?fields=${fields}&onlyCurrent=false`)).json()).toMatchObject({
      department: 'Engineering',
      employmentHistoryStatus: 'Full-Time',
    });
  });

  it('runs a custom report over everyone, with BambooHR value conventions', async () => {
    const fields = [
      'firstName',
      'status',
      'terminationDate',
      'employmentHistoryStatus',
      'supervisor',
      'supervisorEId',
      'customLitmosAccess',
      'workEmail',
      'noSuchField',
    ];
    const result = await report(fields);
    expect(result.fields.map((f) => f.id)).toEqual(fields.filter((f) => f !== 'noSuchField'));
    expect(result.employees).toHaveLength(company.people.length);
    const rows = byId(result.employees);
    expect(rows.get('1')).toMatchObject({ firstName: 'Zoë', status: 'Active', terminationDate: null, supervisor: null, supervisorEId: null });
    expect(rows.get('2')).toMatchObject({ supervisor: "O'Brien-Łukasz, Zoë", supervisorEId: '1', customLitmosAccess: true });
    expect(rows.get('3')).toMatchObject({ status: 'Inactive', terminationDate: '2024-12-31', employmentHistoryStatus: 'Terminated' });
    expect(rows.get('5')).toMatchObject({ status: 'Active', customLitmosAccess: false });
    expect(rows.get('6')).toMatchObject({ employmentHistoryStatus: null, workEmail: null });
    expect(rows.get('1')).not.toHaveProperty('noSuchField');

    const future = byId((await report(fields, 'format=json&onlyCurrent=false')).employees);
    expect(future.get('4')).toMatchObject({ status: 'Inactive', terminationDate: '2025-07-15' });
    const filtered = await report(['firstName'], 'format=json', { employeeIds: [2, 5] });
    expect(filtered.employees.map((e) => e.id)).toEqual(['2', '5']);
  });

  it('reads a report body as JSON only under exactly Content-Type: application/json', async () => {
    const body = { fields: ['firstName'] };
    const loose = await api('/reports/custom?format=json', { body, headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(loose.status).toBe(400);
    expect(loose.headers.get('x-bamboohr-error-message')).toBe('Malformed XML');
    const xml = await api('/reports/custom?format=json', {
      body: '<report><fields><field id="lastName"/></fields></report>',
      headers: { 'content-type': 'text/xml' },
    });
    expect(((await xml.json()) as { employees: Row[] }).employees[0]).toEqual({ id: '1', lastName: "O'Brien-Łukasz" });
    const noFormat = await api('/reports/custom', { body, headers: { accept: '*/*' } });
    expect(noFormat.status).toBe(404);
  });

  it('lists "Litmos Access" among the fields, as a checkbox with a custom alias', async () => {
    const fields = (await (await api('/meta/fields')).json()) as { name: string; type: string; alias?: string }[];
    const flag = fields.find((f) => f.name === 'Litmos Access');
    expect(flag?.type).toBe('checkbox');
    expect(flag?.alias).toMatch(/^custom[A-Z]/);
    expect(fields.map((f) => f.alias)).toEqual(expect.arrayContaining(['firstName', 'department', 'supervisorEId']));
  });

  it('returns effective-dated table rows for one employee or all, future rows included', async () => {
    const all = (await (await api('/employees/all/tables/employmentStatus')).json()) as Row[];
    expect(all).toHaveLength(company.people.reduce((n, p) => n + p.statusHistory.length, 0));
    expect(all).toContainEqual(expect.objectContaining({ employeeId: '4', date: '2025-07-15', employmentStatus: 'Terminated' }));
    const jobs = (await (await api('/employees/2/tables/jobInfo')).json()) as Row[];
    expect(jobs).toEqual([expect.objectContaining({ employeeId: '2', date: '2020-01-06', department: 'Engineering', reportsTo: "Zoë O'Brien-Łukasz" })]);
    expect((await api('/employees/2/tables/compensationX')).status).toBe(404);
    const xml = await (await fetch(`${base}/employees/6/tables/jobInfo`, { headers: { authorization: auth() } })).text();
    expect(xml).toMatch(/<table><row id="\d+" employeeId="6"><field id="date">2020-01-06<\/field>/);
  });
});

describe('writes', () => {
  it('creates an employee: 201, empty body, Location with the new id', async () => {
    const response = await api('/employees', {
      body: { firstName: 'Siân', lastName: 'Ní Bhriain', workEmail: 'sian@acme.example', hireDate: '2025-05-01', department: 'Engineering' },
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('');
    const id = response.headers.get('location')?.match(/\/v1\/employees\/(\d+)$/)?.[1];
    expect(id).toBe(String(company.people.length + 1));
    expect(await (await api(`/employees/${id}?fields=firstName,lastName,department,status`)).json()).toEqual({
      id,
      firstName: 'Siân',
      lastName: 'Ní Bhriain',
      department: 'Engineering',
      status: 'Active',
    });
    expect((await api('/employees', { body: { firstName: 'Only' } })).status).toBe(400);
  });

  it('updates fields, the access flag included, and refuses a duplicate email with 409', async () => {
    const update = await api('/employees/2', { body: { customLitmosAccess: 'no', mobilePhone: '+33 6 00 00 00 00' } });
    expect(update.status).toBe(200);
    expect(await update.text()).toBe('');
    expect(await (await api('/employees/2?fields=customLitmosAccess,mobilePhone')).json()).toMatchObject({
      customLitmosAccess: false,
      mobilePhone: '+33 6 00 00 00 00',
    });
    const duplicate = await api('/employees/2', { body: { workEmail: 'PERSON3@acme.example' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('x-bamboohr-error-message')).toContain('PERSON3@acme.example');
  });

  it('terminates through an employmentStatus row; status and termination date follow once the day comes', async () => {
    const terminate = (date: string) => api('/employees/2/tables/employmentStatus', { body: { date, employmentStatus: 'Terminated', terminationTypeId: '1' } });
    expect((await terminate('2025-06-20')).status).toBe(200);
    const fields = 'status,terminationDate,employmentHistoryStatus';
    expect(await (await api(`/employees/2?fields=${fields}`)).json()).toMatchObject({ status: 'Active', terminationDate: null });
    expect(await (await control('today', 'PUT', { today: '2025-06-20' })).json()).toMatchObject({ today: '2025-06-20' });
    expect(await (await api(`/employees/2?fields=${fields}`)).json()).toMatchObject({
      status: 'Inactive',
      terminationDate: '2025-06-20',
      employmentHistoryStatus: 'Terminated',
    });
    expect((await api('/employees/2/tables/employmentStatus', { body: { employmentStatus: 'Terminated' } })).status).toBe(400);
  });

  it('moves department and manager with a jobInfo row when its date is reached', async () => {
    expect((await api('/employees/6/tables/jobInfo', { body: { date: '2025-06-10', department: 'Executive', reportsTo: '2' } })).status).toBe(200);
    const fields = '/employees/6?fields=department,jobTitle,supervisorEId';
    expect(await (await api(fields)).json()).toMatchObject({ department: 'Engineering', supervisorEId: '1' });
    await control('today', 'PUT', { today: '2025-06-10' });
    // Columns the row leaves out carry over from the row before it.
    expect(await (await api(fields)).json()).toMatchObject({ department: 'Executive', jobTitle: 'Engineer', supervisorEId: '2' });
  });

  it('feeds the ids changed since a timestamp, keyed by id, with the latest change', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    expect(await (await api(`/employees/changed?since=${encodeURIComponent(since)}`)).json()).toMatchObject({ employees: {} });
    await api('/employees/3', { body: { workPhone: '+1 555 0100' } });
    const changed = (await (await api(`/employees/changed?since=${encodeURIComponent(since)}`)).json()) as { latest: string; employees: Record<string, Row> };
    expect(Object.keys(changed.employees)).toEqual(['3']);
    expect(changed.employees['3']).toMatchObject({ id: '3', action: 'Updated', lastChanged: changed.latest });
    expect((await api('/employees/changed')).status).toBe(400);
  });
});

describe('throttling', () => {
  it('refuses over the limit with 503 and Retry-After, or 429 once switched', async () => {
    await control('limits', 'PUT', { limit: 2, windowMs: 60_000 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api('/employees/1')).status);
    expect(statuses).toEqual([200, 200, 503]);
    const refused = await api('/employees/1');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    await control('limits', 'PUT', { status: 429 });
    for (let i = 0; i < 2; i += 1) expect((await api('/employees/1')).status).toBe(200);
    expect((await api('/employees/1')).status).toBe(429);
  });
});

describe('vendor quirks, each read per request', () => {
  const quirks = (patch: Partial<BambooHrQuirks>) => control('quirks', 'PUT', patch);
  const REPORT_FIELDS = ['hireDate', 'terminationDate', 'customLitmosAccess', 'photoUploaded'];

  it('zeroDates: "no date" is null when off and "0000-00-00" when on, in reports and on the employee; real dates untouched', async () => {
    const off = byId((await report(REPORT_FIELDS)).employees);
    expect(off.get('1')).toMatchObject({ terminationDate: null, hireDate: '2015-01-05' });
    expect(await (await api('/employees/1?fields=terminationDate')).json()).toEqual({ id: '1', terminationDate: null });

    await quirks({ zeroDates: true });
    const on = byId((await report(REPORT_FIELDS)).employees);
    expect(on.get('1')).toMatchObject({ terminationDate: '0000-00-00', hireDate: '2015-01-05' });
    expect(on.get('3')).toMatchObject({ terminationDate: '2024-12-31' });
    expect(await (await api('/employees/1?fields=terminationDate')).json()).toEqual({ id: '1', terminationDate: '0000-00-00' });
    // Switched back, the next report shows it at once (the report cache knows the switches).
    await quirks({ zeroDates: false });
    expect(byId((await report(REPORT_FIELDS)).employees).get('1')).toMatchObject({ terminationDate: null });
  });

  it('checkboxStrings: checkboxes are JSON booleans when off, strings of several spellings when on; bool fields stay booleans', async () => {
    const values = async () => (await report(REPORT_FIELDS)).employees.map((row) => [row.id, row.customLitmosAccess, row.photoUploaded] as const);
    const expected = new Map(company.people.map((p) => [String(p.id), p.accessEnabled]));
    for (const [id, flag, photo] of await values()) {
      expect(flag).toBe(expected.get(String(id)));
      expect(photo).toBe(false);
    }

    await quirks({ checkboxStrings: true });
    const spellings = new Set<string>();
    for (const [id, flag, photo] of await values()) {
      expect(typeof flag).toBe('string');
      spellings.add(flag as string);
      expect(expected.get(String(id)) ? ['true', 'Yes', '1'] : ['false', 'No', '0']).toContain(flag);
      expect(photo).toBe(false);
    }
    expect(spellings.size).toBeGreaterThan(2);
    expect(((await (await api('/employees/2?fields=customLitmosAccess')).json()) as Row).customLitmosAccess).toEqual(expect.any(String));
  });

  it('unorderedTableRows: rows come in stored order when off, in a different order per request when on, the same rows either way', async () => {
    const read = async () => (await (await api('/employees/all/tables/employmentStatus')).json()) as Row[];
    const ordered = await read();
    expect(await read()).toEqual(ordered);
    for (const id of new Set(ordered.map((row) => row.employeeId))) {
      const dates = ordered.filter((row) => row.employeeId === id).map((row) => String(row.date));
      expect(dates).toEqual([...dates].sort());
    }

    await quirks({ unorderedTableRows: true });
    const reads = [await read(), await read(), await read()];
    const key = (rows: Row[]) => rows.map((row) => JSON.stringify(row)).sort();
    for (const rows of reads) expect(key(rows)).toEqual(key(ordered));
    expect(reads.some((rows) => JSON.stringify(rows) !== JSON.stringify(ordered))).toBe(true);
    expect(new Set(reads.map((rows) => JSON.stringify(rows))).size).toBeGreaterThan(1);
  });

  it('throttleAs429: on, the default throttle is 429 with Retry-After (the 2026 behaviour); off it is 503 (see "throttling")', async () => {
    const vendor = { ...NO_QUIRKS.bamboohr, throttleAs429: true };
    const throttled = await startSimulator(
      createBambooHrSimulator({ company, apiKey: KEY, quirks: { common: { ...NO_QUIRKS.common }, vendor }, rate: { limit: 1 } }).spec,
    );
    try {
      const get = () =>
        fetch(`${throttled.url}/api/gateway.php/${company.domain}/v1/employees/1`, { headers: { authorization: auth(), accept: 'application/json' } });
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await throttled.close();
    }
  });
});

describe('custom checkbox fields (control routes)', () => {
  interface Field {
    id: number | string;
    name: string;
    type: string;
    alias?: string;
  }
  const metaFields = async () => (await (await api('/meta/fields')).json()) as Field[];

  it('adds a checkbox an admin named, unchecked for everyone, writable through the API', async () => {
    const added = await control('fields', 'POST', { name: 'LMS Access' });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ name: 'LMS Access', alias: 'customLMSAccess', type: 'checkbox' });
    expect(await metaFields()).toContainEqual(expect.objectContaining({ name: 'LMS Access', alias: 'customLMSAccess', type: 'checkbox' }));
    expect((await api('/employees/3', { body: { customLMSAccess: 'yes' } })).status).toBe(200);
    const rows = byId((await report(['customLMSAccess', 'customLitmosAccess'])).employees);
    expect(rows.get('3')).toMatchObject({ customLMSAccess: true });
    expect(rows.get('2')).toMatchObject({ customLMSAccess: false, customLitmosAccess: true });
    expect((await control('fields', 'POST', { name: 'lms access' })).status).toBe(400);
    // Deleted, its values go with it: created again, it starts unchecked for everyone.
    expect((await control('fields/customLMSAccess', 'DELETE')).status).toBe(200);
    await control('fields', 'POST', { name: 'LMS Access' });
    expect(byId((await report(['customLMSAccess'])).employees).get('3')).toMatchObject({ customLMSAccess: false });
  });

  it('renames a checkbox (alias kept) and deletes one (reports then leave it out); a reset restores "Litmos Access"', async () => {
    expect(await (await control('fields/customLitmosAccess', 'PUT', { name: 'Learning Access' })).json()).toMatchObject({
      alias: 'customLitmosAccess',
      name: 'Learning Access',
    });
    expect((await metaFields()).map((f) => f.name)).not.toContain('Litmos Access');
    expect((await control('fields/4001', 'DELETE')).status).toBe(200);
    expect((await report(['firstName', 'customLitmosAccess'])).fields.map((f) => f.id)).toEqual(['firstName']);
    expect((await control('fields/firstName', 'DELETE')).status).toBe(404);
    await control('reset', 'POST');
    expect(await metaFields()).toContainEqual(expect.objectContaining({ name: 'Litmos Access', alias: 'customLitmosAccess' }));
  });
});
