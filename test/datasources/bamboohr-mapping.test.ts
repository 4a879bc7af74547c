import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError } from '../../src/errors.js';
import { accessFlagKey, bambooDate, employeeStatus, isChecked, jobOn, statusHistory, toEmployee } from '../../src/datasources/bamboohr/mapping.js';
import {
  parseChanges,
  parseFields,
  parseJobRows,
  parseReport,
  parseStatusRows,
  type BambooHrJobRow,
  type BambooHrReportRow,
  type BambooHrStatusRow,
} from '../../src/datasources/bamboohr/payload.js';

const TODAY = '2025-06-01';
const context = { accessFlagKey: 'customLitmosAccess', today: TODAY };

function row(id: string, values: Record<string, string | boolean | null>): BambooHrReportRow {
  return {
    id,
    values: {
      firstName: 'Ann',
      lastName: 'Lee',
      status: 'Active',
      hireDate: '2020-01-06',
      terminationDate: '0000-00-00',
      customLitmosAccess: 'yes',
      ...values,
    },
  };
}

const statusRow = (employeeId: string, date: string, employmentStatus: string, rowId: number): BambooHrStatusRow => ({
  employeeId,
  date,
  employmentStatus,
  rowId,
});

describe('toEmployee', () => {
  it('keeps names exactly, lower-cases and trims the email, and reads 0000-00-00 as no date', () => {
    const employee = toEmployee(
      row('7', { firstName: 'Zoë', lastName: "O'Brien-Łukasz", preferredName: '', workEmail: '  Zoe.OBrien@Acme.Example ' }),
      [],
      context,
    );
    expect(employee).toMatchObject({
      source: 'BAMBOOHR',
      sourceId: '7',
      firstName: 'Zoë',
      lastName: "O'Brien-Łukasz",
      preferredName: null,
      displayName: "Zoë O'Brien-Łukasz",
      workEmail: 'zoe.obrien@acme.example',
      terminationDate: null,
      hireDate: '2020-01-06',
      status: 'ACTIVE',
    });
  });

  it('takes the manager from supervisorEId and the work address from the address fields', () => {
    const employee = toEmployee(
      row('8', { supervisorEId: '3', address1: '1 Main St', address2: '', city: 'Lyon', state: null, zipcode: '69001', country: 'France' }),
      [],
      context,
    );
    expect(employee.managerId).toBe('3');
    expect(employee.workAddress).toEqual({ street1: '1 Main St', street2: null, city: 'Lyon', state: null, postalCode: '69001', country: 'France' });
    const top = toEmployee(row('1', { supervisorEId: null }), [], context);
    expect(top.managerId).toBeNull();
    expect(top.workAddress).toBeNull();
  });

  it('reads the access flag from the checkbox value under the alias it was given', () => {
    expect(toEmployee(row('1', { customLitmosAccess: 'no' }), [], context).accessEnabled).toBe(false);
    expect(toEmployee(row('1', { custom4001: 'yes', customLitmosAccess: 'no' }), [], { ...context, accessFlagKey: 'custom4001' }).accessEnabled).toBe(true);
    for (const checked of ['yes', 'Yes', 'checkbox', true, '1', 'true', 'TRUE', ' on ']) expect(isChecked(checked)).toBe(true);
    for (const unchecked of ['no', 'No', '', null, undefined, false, '0', 'false', 'off']) expect(isChecked(unchecked)).toBe(false);
  });

  it('refuses a checkbox spelling it does not know rather than reading it as unchecked', () => {
    for (const unknown of ['maybe', 'Sí', '2', 'checked']) {
      expect(() => isChecked(unknown, '4', 'customLitmosAccess')).toThrow(UpstreamError);
      expect(() => isChecked(unknown, '4', 'customLitmosAccess')).toThrow(`employee 4 customLitmosAccess is ${JSON.stringify(unknown)}`);
    }
    const attempt = () => toEmployee(row('12', { customLitmosAccess: 'Maybe' }), [], context);
    expect(attempt).toThrow(expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE' }));
    expect(attempt).toThrow(/employee 12 customLitmosAccess is "Maybe", expected a checkbox value/);
  });

  it('orders the status history oldest first, rows of one day by creation', () => {
    const rows = [statusRow('1', '2024-02-01', 'Terminated', 9), statusRow('1', '2020-01-06', 'Part-Time', 5), statusRow('1', '2020-01-06', 'Full-Time', 6)];
    expect(statusHistory(rows, '1')).toEqual([
      { effectiveDate: '2020-01-06', status: 'Part-Time' },
      { effectiveDate: '2020-01-06', status: 'Full-Time' },
      { effectiveDate: '2024-02-01', status: 'Terminated' },
    ]);
  });

  it('refuses values the model cannot hold, naming what it received', () => {
    const attempt = () => toEmployee(row('9', { hireDate: '2025-13-01' }), [], context);
    expect(attempt).toThrow(UpstreamError);
    expect(attempt).toThrow(/employee 9 hireDate is "2025-13-01"/);
    expect(() => toEmployee(row('9', { lastName: '' }), [], context)).toThrow(/lastName/);
    expect(() => toEmployee(row('9', { status: 'Gone' }), [], context)).toThrow(/Active or Inactive/);
  });
});

describe('dates', () => {
  it('takes exactly the days the calendar has: leap days of leap years only, no 31st of a 30-day month, no month 13', () => {
    const exists = (date: string) => {
      const epoch = Date.parse(`${date}T00:00:00Z`);
      return !Number.isNaN(epoch) && new Date(epoch).toISOString().slice(0, 10) === date;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    for (const year of [1600, 1900, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          const read = () => bambooDate(date, '9', 'hireDate');
          if (exists(date)) expect(read(), date).toBe(date);
          else expect(read, date).toThrow(/employee 9 hireDate/);
        }
      }
    }
    expect(() => bambooDate('2024-2-01', '9', 'hireDate')).toThrow(UpstreamError);
  });
});

describe('jobOn (tables arrive in no particular order)', () => {
  const job = (date: string, rowId: number, department: string): BambooHrJobRow => ({
    employeeId: '1',
    date,
    rowId,
    department,
    jobTitle: null,
    division: null,
    location: null,
  });
  const rows = [job('2025-09-01', 4, 'Later'), job('2024-06-01', 3, 'Second that day'), job('2020-01-06', 1, 'Hired'), job('2024-06-01', 2, 'First that day')];

  it('is the latest row dated on or before today, rows of one day by row id, in whatever order they came', () => {
    for (const order of [rows, [...rows].reverse(), [rows[1], rows[3], rows[0], rows[2]] as BambooHrJobRow[]]) {
      expect(jobOn(order, TODAY)?.department).toBe('Second that day');
      expect(jobOn(order, '2025-09-01')?.department).toBe('Later');
    }
  });

  it("is no row before the first row's date", () => {
    expect(jobOn(rows, '2019-01-01')).toBeUndefined();
    expect(jobOn([], TODAY)).toBeUndefined();
  });
});

describe("an employee's job values", () => {
  const only = (date: string): BambooHrJobRow[] => [{ employeeId: '1', date, rowId: 1, department: 'Sales', jobTitle: 'Rep', division: null, location: null }];
  const reported = { department: 'Reported', jobTitle: 'Reported title', hireDate: '2020-01-06' };

  it('are, for a pre-hire, the row they start with on the hire day', () => {
    const employee = toEmployee(row('1', { ...reported, hireDate: '2025-07-01' }), [], context, only('2025-07-01'));
    expect(employee).toMatchObject({ status: 'PENDING', department: 'Sales', jobTitle: 'Rep' });
  });

  it('are none yet for someone hired whose only row starts later (the report already shows it)', () => {
    const employee = toEmployee(row('1', { ...reported, hireDate: TODAY }), [], context, only('2025-07-01'));
    expect(employee).toMatchObject({ status: 'ACTIVE', department: null, jobTitle: null });
  });

  it("are the report's own when the job table was not read", () => {
    expect(toEmployee(row('1', reported), [], context)).toMatchObject({ department: 'Reported', jobTitle: 'Reported title' });
  });
});

describe('employeeStatus', () => {
  const history = (...rows: [string, string][]) => rows.map(([effectiveDate, status]) => ({ effectiveDate, status }));

  it('is INACTIVE once a termination is in force, by its date or by its row', () => {
    expect(employeeStatus('Inactive', history(['2020-01-06', 'Full-Time'], ['2024-12-31', 'Terminated']), '2020-01-06', '2024-12-31', TODAY)).toBe('INACTIVE');
    expect(employeeStatus('Active', history(['2020-01-06', 'Full-Time'], ['2025-05-01', 'Terminated']), '2020-01-06', null, TODAY)).toBe('INACTIVE');
    expect(employeeStatus('Active', [], '2020-01-06', TODAY, TODAY)).toBe('INACTIVE');
  });

  it('is ACTIVE until a future termination, though onlyCurrent=false already reports it Inactive', () => {
    expect(employeeStatus('Inactive', history(['2020-01-06', 'Full-Time'], ['2025-07-15', 'Terminated']), '2020-01-06', '2025-07-15', TODAY)).toBe('ACTIVE');
  });

  it('is PENDING before the hire date, and ACTIVE for someone with no status rows at all', () => {
    expect(employeeStatus('Active', history(['2025-07-01', 'Full-Time']), '2025-07-01', null, TODAY)).toBe('PENDING');
    expect(employeeStatus('Active', [], '2020-01-06', null, TODAY)).toBe('ACTIVE');
  });

  it('keeps an Inactive that no termination explains', () => {
    expect(employeeStatus('Inactive', history(['2020-01-06', 'Full-Time']), '2020-01-06', null, TODAY)).toBe('INACTIVE');
  });
});

describe('accessFlagKey', () => {
  const fields = [
    { id: '1', name: 'First Name', type: 'text', alias: 'firstName' },
    { id: '4001', name: 'Litmos Access', type: 'checkbox', alias: 'customLitmosAccess' },
    { id: '4002', name: 'Badge Access', type: 'checkbox', alias: null },
  ];

  it('finds the alias by the field name, case aside, or falls back to the id', () => {
    expect(accessFlagKey(fields, 'Litmos Access')).toBe('customLitmosAccess');
    expect(accessFlagKey(fields, ' litmos access')).toBe('customLitmosAccess');
    expect(accessFlagKey(fields, 'Badge Access')).toBe('4002');
  });

  it('is a configuration error naming the checkboxes there are when the account has no such field', () => {
    const attempt = () => accessFlagKey(fields, 'LMS Access');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'BambooHR has no checkbox field named "LMS Access" to read the access flag from; its checkbox fields are "Litmos Access", "Badge Access"',
    );
    expect(attempt).toThrow(
      expect.objectContaining({ details: { field: 'accessFlag.fieldName', received: 'LMS Access', candidates: ['Litmos Access', 'Badge Access'] } }),
    );
    expect(() => accessFlagKey([], 'LMS Access')).toThrow(/it has no checkbox fields; create one/);
  });

  it('refuses a field that exists but cannot hold a yes/no flag', () => {
    expect(() => accessFlagKey(fields, 'first name')).toThrow(`BambooHR's field "First Name" is a text field, not a checkbox`);
    expect(() =>
      accessFlagKey([...fields, { id: '1612', name: 'Employee photo exists', type: 'bool', alias: 'photoUploaded' }], 'Employee photo exists'),
    ).toThrow(ConfigError);
  });
});

describe('payloads', () => {
  it('takes ids as strings or integers wherever BambooHR uses either', () => {
    const report = parseReport(
      JSON.stringify({ fields: [{ id: 'firstName' }, { id: 4002 }], employees: [{ id: 5, firstName: 'Ann', 4002: 'Yes', employeeNumber: 12 }] }),
    );
    expect([...report.fields.keys()]).toEqual(['firstName', '4002']);
    expect(report.rows).toEqual([{ id: '5', values: { id: '5', firstName: 'Ann', 4002: 'Yes', employeeNumber: '12' } }]);
    expect(parseStatusRows(JSON.stringify([{ id: 7, employeeId: 5, date: '2020-01-06', employmentStatus: 'Full-Time' }]))).toEqual([
      { employeeId: '5', date: '2020-01-06', employmentStatus: 'Full-Time', rowId: 7 },
    ]);
    expect(parseJobRows(JSON.stringify([{ id: '8', employeeId: '5', date: '2020-01-06', department: 'Sales' }]))[0]).toMatchObject({
      employeeId: '5',
      rowId: 8,
      department: 'Sales',
      jobTitle: null,
    });
    expect(
      parseFields(
        JSON.stringify([
          { id: 4340, name: 'A', type: 'text' },
          { id: '4340.4', name: 'B', type: 'text', alias: 'b' },
        ]),
      ),
    ).toEqual([
      { id: '4340', name: 'A', type: 'text', alias: null },
      { id: '4340.4', name: 'B', type: 'text', alias: 'b' },
    ]);
    expect(() => parseStatusRows(JSON.stringify([{ id: 'x', employeeId: 5, date: '2020-01-06', employmentStatus: 'Full-Time' }]))).toThrow(/numeric id/);
    // A bad row is named by its place and key, as is a row that is no object at all.
    const good = { id: '7', employeeId: '5', date: '2020-01-06', employmentStatus: 'Full-Time' };
    expect(() => parseStatusRows(JSON.stringify([good, 5]))).toThrow(/employmentStatus row 1 is 5, expected an object/);
    expect(() => parseJobRows(JSON.stringify([{ id: '8', employeeId: '5', department: 'Sales' }]))).toThrow(
      /jobInfo row 0 date is undefined, expected a string/,
    );
    expect(() => parseJobRows(JSON.stringify([{ id: '8', employeeId: '5', date: '2020-01-06', department: 7 }]))).toThrow(/jobInfo row 0 department is 7/);
    expect(() => parseReport(JSON.stringify({ fields: [], employees: [{ id: 'five' }] }))).toThrow(/report employee 0 id is "five", expected a numeric id/);
  });

  it('maps every employee of the recorded report (JupiterOne, 2022): "0000-00-00" as no date, JSON booleans, string ids', () => {
    const body = readFileSync(new URL('../fixtures/recorded/bamboohr/reports_custom_post.body.json', import.meta.url), 'utf8');
    const report = parseReport(body);
    expect(report.rows).toHaveLength(103);
    const recordedOn = '2022-02-15';
    // The recording has no custom checkbox; its one boolean field stands in for the flag.
    const employees = report.rows.map((r) => toEmployee(r, [], { accessFlagKey: 'photoUploaded', today: recordedOn }));
    const zero = report.rows.filter((r) => r.values.terminationDate === '0000-00-00').map((r) => r.id);
    expect(zero.length).toBeGreaterThan(50);
    expect(employees.filter((e) => e.terminationDate === null).map((e) => e.sourceId)).toEqual(zero);
    expect(employees.every((e) => /^\d+$/.test(e.sourceId) && typeof e.accessEnabled === 'boolean')).toBe(true);
    for (const employee of employees) {
      const left = employee.terminationDate !== null && employee.terminationDate <= recordedOn;
      expect(employee.status === 'INACTIVE', employee.sourceId).toBe(left);
    }
  });

  it('rejects a report value that is neither text, boolean nor null', () => {
    const body = JSON.stringify({ fields: [{ id: 'firstName' }], employees: [{ id: '5', firstName: { first: 'Ann' } }] });
    expect(() => parseReport(body)).toThrow(/employee 5 firstName is \{"first":"Ann"\}/);
    expect(() => parseReport('<report/>')).toThrow(/JSON/);
  });

  it('reads a changed-since feed, including the empty one PHP sends as []', () => {
    expect(parseChanges(JSON.stringify({ latest: '2025-06-01T10:00:00+00:00', employees: [] }))).toEqual({
      latest: '2025-06-01T10:00:00+00:00',
      employeeIds: [],
      deleted: [],
      lastChanged: {},
    });
    const feed = {
      latest: 'x',
      employees: {
        '4': { id: '4', action: 'Updated', lastChanged: 'x' },
        '9': { id: '9', action: 'Inserted', lastChanged: 'x' },
        '12': { id: '12', action: 'Deleted', lastChanged: 'x' },
      },
    };
    expect(parseChanges(JSON.stringify(feed))).toMatchObject({ employeeIds: ['4', '9', '12'], deleted: ['12'], lastChanged: { '4': 'x' } });
  });
});
