/**
 * The parts of BambooHR's JSON the gateway reads, checked at the boundary: a body that lacks what
 * the mapping relies on becomes an `UPSTREAM_BAD_RESPONSE` naming the key and the value received,
 * instead of an `undefined` somewhere in a sync plan.
 */
import { isObject, payloadChecks, type Json } from '../payload.js';

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

const NUMERIC_ID = /^\d+(\.\d+)?$/;

/** Ids arrive as numeric strings in JSON payloads and as integers in a few (meta, filters). */
function id(value: unknown, what: string): string {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !NUMERIC_ID.test(s)) throw bad(what, value, 'a numeric id');
  return s;
}

/*
 * The checks of the roster's rows (a report's employees, the tables' rows) name the row and key only
 * when one fails: a label built up front for every field of every row was a million strings in a
 * 50,000-employee read. `rows` says which rows they are ("jobInfo row"), `i` which one.
 */
function rowAt(entry: unknown, rows: string, i: number): Json {
  return isObject(entry) ? entry : object(entry, `${rows} ${i}`);
}

function idAt(row: Json, key: string, rows: string, i: number): string {
  const value = row[key];
  return typeof value === 'string' && NUMERIC_ID.test(value) ? value : id(value, `${rows} ${i} ${key}`);
}

function textAt(row: Json, key: string, rows: string, i: number): string {
  const value = row[key];
  return typeof value === 'string' ? value : text(value, `${rows} ${i} ${key}`);
}

function optionalTextAt(row: Json, key: string, rows: string, i: number): string | null {
  const value = row[key];
  return value === null || value === undefined ? null : textAt(row, key, rows, i);
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
    const row = rowAt(entry, 'report employee', i);
    const rowId = idAt(row, 'id', 'report employee', i);
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
  const rows = 'employmentStatus row';
  return array(value, 'employmentStatus table').map((entry, i) => {
    const row = rowAt(entry, rows, i);
    return {
      employeeId: idAt(row, 'employeeId', rows, i),
      date: textAt(row, 'date', rows, i),
      employmentStatus: textAt(row, 'employmentStatus', rows, i),
      rowId: Number(idAt(row, 'id', rows, i)),
    };
  });
}

export function parseJobRows(body: string): BambooHrJobRow[] {
  return jobRowsOf(json(body, 'jobInfo table'));
}

function jobRowsOf(value: unknown): BambooHrJobRow[] {
  const rows = 'jobInfo row';
  return array(value, 'jobInfo table').map((entry, i) => {
    const row = rowAt(entry, rows, i);
    return {
      employeeId: idAt(row, 'employeeId', rows, i),
      date: textAt(row, 'date', rows, i),
      rowId: Number(idAt(row, 'id', rows, i)),
      jobTitle: optionalTextAt(row, 'jobTitle', rows, i),
      department: optionalTextAt(row, 'department', rows, i),
      division: optionalTextAt(row, 'division', rows, i),
      location: optionalTextAt(row, 'location', rows, i),
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
