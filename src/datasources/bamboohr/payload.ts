/**
 * The parts of BambooHR's JSON the gateway reads, checked at the boundary: a body that lacks what
 * the mapping relies on becomes an `UPSTREAM_BAD_RESPONSE` naming the key and the value received,
 * instead of an `undefined` somewhere in a sync plan.
 */
import { payloadChecks } from '../payload.js';

/** One row of a custom report: `id` plus one value per requested field that the account has. */
export interface BambooHrReportRow {
  id: string;
  /**
   * Values by field alias: strings (numbers arrive as their text), booleans (bool and checkbox fields)
   * or null (empty); `id` among them.
   */
  values: Readonly<Record<string, string | boolean | null>>;
}

export interface BambooHrReport {
  /** The requested fields the account knows, by the key they were asked for, with their current name when the report gives it; BambooHR silently leaves out the others. */
  fields: Map<string, { name: string | null }>;
  rows: BambooHrReportRow[];
}

export interface BambooHrStatusRow {
  employeeId: string;
  date: string;
  employmentStatus: string;
  /** Row ids order the rows of one day. */
  rowId: number;
}

/** A jobInfo row: where someone works from `date` on. */
export interface BambooHrJobRow {
  employeeId: string;
  date: string;
  /** Row ids order the rows of one day. */
  rowId: number;
  jobTitle: string | null;
  department: string | null;
  division: string | null;
  location: string | null;
}

export interface BambooHrField {
  id: string;
  name: string;
  type: string;
  alias: string | null;
}

export interface BambooHrChanges {
  latest: string;
  employeeIds: string[];
  /** Of `employeeIds`, those listed with action `Deleted`. */
  deleted: string[];
  /** Each listed employee's `lastChanged`, by id, when the feed gives it. */
  lastChanged: Record<string, string>;
}

const { bad, object, array, text, json } = payloadChecks('bamboohr');

/** Ids arrive as numeric strings in JSON payloads and as integers in a few (meta, filters). */
function id(value: unknown, what: string): string {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !/^\d+(\.\d+)?$/.test(s)) throw bad(what, value, 'a numeric id');
  return s;
}

export function parseReport(body: string): BambooHrReport {
  const raw = object(json(body, 'custom report'), 'custom report');
  const fields = new Map(
    array(raw.fields, 'custom report fields').map((f, i) => {
      const field = object(f, `report field ${i}`);
      // A field asked for by its numeric id (one without an alias) may come back as an integer.
      const fieldId = typeof field.id === 'number' ? String(field.id) : text(field.id, `report field ${i} id`);
      const name = field.name === undefined || field.name === null ? null : text(field.name, `report field ${i} name`);
      return [fieldId, { name }] as const;
    }),
  );
  const rows = array(raw.employees, 'custom report employees').map((entry, i) => {
    const row = object(entry, `report employee ${i}`);
    const rowId = id(row.id, `report employee ${i} id`);
    // Checked and normalised where JSON.parse left it, not copied: at 50,000 employees a copy of
    // every row (and the key/value pairs to make it) was the report's largest allocation.
    for (const key in row) {
      const value = row[key];
      // Ids and numbers come as strings or as integers depending on the field and the account.
      if (typeof value === 'number' && Number.isFinite(value)) row[key] = String(value);
      else if (value !== null && typeof value !== 'string' && typeof value !== 'boolean') {
        throw bad(`report employee ${rowId} ${key}`, value, 'a string, a number, a boolean or null');
      }
    }
    return { id: rowId, values: row as Record<string, string | boolean | null> };
  });
  return { fields, rows };
}

export function parseStatusRows(body: string): BambooHrStatusRow[] {
  return statusRowsOf(json(body, 'employmentStatus table'));
}

function statusRowsOf(value: unknown): BambooHrStatusRow[] {
  return array(value, 'employmentStatus table').map((entry, i) => {
    const row = object(entry, `employmentStatus row ${i}`);
    return {
      employeeId: id(row.employeeId, `employmentStatus row ${i} employeeId`),
      date: text(row.date, `employmentStatus row ${i} date`),
      employmentStatus: text(row.employmentStatus, `employmentStatus row ${i} employmentStatus`),
      rowId: Number(id(row.id, `employmentStatus row ${i} id`)),
    };
  });
}

export function parseJobRows(body: string): BambooHrJobRow[] {
  return jobRowsOf(json(body, 'jobInfo table'));
}

function jobRowsOf(value: unknown): BambooHrJobRow[] {
  const optional = (value: unknown, what: string) => (value === null || value === undefined ? null : text(value, what));
  return array(value, 'jobInfo table').map((entry, i) => {
    const row = object(entry, `jobInfo row ${i}`);
    return {
      employeeId: id(row.employeeId, `jobInfo row ${i} employeeId`),
      date: text(row.date, `jobInfo row ${i} date`),
      rowId: Number(id(row.id, `jobInfo row ${i} id`)),
      jobTitle: optional(row.jobTitle, `jobInfo row ${i} jobTitle`),
      department: optional(row.department, `jobInfo row ${i} department`),
      division: optional(row.division, `jobInfo row ${i} division`),
      location: optional(row.location, `jobInfo row ${i} location`),
    };
  });
}

export function parseFields(body: string): BambooHrField[] {
  return array(json(body, 'meta/fields'), 'meta/fields').map((entry, i) => {
    const field = object(entry, `meta field ${i}`);
    const alias = field.alias === undefined || field.alias === null ? null : text(field.alias, `meta field ${i} alias`);
    return {
      id: typeof field.id === 'number' ? String(field.id) : text(field.id, `meta field ${i} id`),
      name: text(field.name, `meta field ${i} name`),
      type: text(field.type, `meta field ${i} type`),
      alias,
    };
  });
}

export function parseChanges(body: string): BambooHrChanges {
  const raw = object(json(body, 'changed employees'), 'changed employees');
  // PHP serialises an empty map as `[]`, so "nobody changed" can arrive as an empty array.
  const employees = Array.isArray(raw.employees) && raw.employees.length === 0 ? {} : object(raw.employees, 'changed employees.employees');
  const entries = Object.entries(employees).map(([key, value]) => {
    const entry = object(value, `changed employee ${key}`);
    return {
      id: id(entry.id ?? key, `changed employee ${key} id`),
      deleted: entry.action === 'Deleted',
      lastChanged: typeof entry.lastChanged === 'string' ? entry.lastChanged : null,
    };
  });
  return {
    latest: text(raw.latest, 'changed employees.latest'),
    employeeIds: entries.map((entry) => entry.id),
    deleted: entries.filter((entry) => entry.deleted).map((entry) => entry.id),
    lastChanged: Object.fromEntries(entries.flatMap((entry) => (entry.lastChanged === null ? [] : [[entry.id, entry.lastChanged]]))),
  };
}

/**
 * `GET /employees/changed/tables/{table}`: `{ table, employees: { "<id>": { lastChanged, rows } } }`,
 * every row of each employee changed since then, by employee id. Rows may leave out `employeeId`
 * (the key says whose they are), so it is filled in before the table's own rows are read.
 */
export function parseChangedTable<Row>(body: string, table: 'employmentStatus' | 'jobInfo'): Map<string, Row[]> {
  const what = `changed ${table} table`;
  const raw = object(json(body, what), what);
  const employees = Array.isArray(raw.employees) && raw.employees.length === 0 ? {} : object(raw.employees, `${what}.employees`);
  const rowsOf = (table === 'employmentStatus' ? statusRowsOf : jobRowsOf) as (value: unknown) => Row[];
  return new Map(
    Object.entries(employees).map(([key, value]) => {
      const employeeId = id(key, `${what} employee id`);
      const rows = array(object(value, `${what} employee ${key}`).rows, `${what} employee ${key} rows`);
      return [employeeId, rowsOf(rows.map((row) => ({ employeeId, ...object(row, `${what} employee ${key} row`) })))] as const;
    }),
  );
}
