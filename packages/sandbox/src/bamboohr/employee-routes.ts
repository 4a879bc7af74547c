/**
 * The employee endpoints: directory, one employee by id, create and update, the effective-dated
 * tables and the changed-since feed. Paths are relative to `/api/gateway.php/{company}/v1`; the
 * company and the key were checked before any of these run.
 */
import type { Router, SimRequest, SimResponse } from '../kit.js';
import type { BambooHrQuirks } from '../quirks.js';
import { createRandom } from '../random.js';
import { standardField, type FieldValue } from './fields.js';
import { END_OF_TIME, viewAt, type EmployeeRecord, type EmployeeView } from './records.js';
import { isRefusal } from './patch.js';
import { TABLES, type BambooHrStore, type TableName } from './store.js';
import { element, employeeNotFound, failure, fieldElements, negotiate, noContent, readWriteBody, textOf, wireValue } from './wire.js';

export const API = '/api/gateway.php/:company/v1';
export const MAX_FIELDS = 400;

const DIRECTORY_FIELDS = [
  'displayName',
  'firstName',
  'lastName',
  'preferredName',
  'jobTitle',
  'workPhone',
  'mobilePhone',
  'workEmail',
  'department',
  'location',
  'division',
  'supervisor',
  'photoUploaded',
  'photoUrl',
].map(standardField);

/** BambooHR's boolean query parameters: anything but an explicit false keeps the default of true. */
export const onlyCurrent = (req: SimRequest): boolean => !['false', '0', 'no'].includes((req.query.get('onlyCurrent') ?? '').toLowerCase());

function employeeFromPath(store: BambooHrStore, raw: string | undefined): EmployeeRecord | undefined {
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  const id = Number(raw) === 0 ? store.selfId : Number(raw);
  return id === undefined ? undefined : store.employee(id);
}

const managerName = (store: BambooHrStore, id: number | null): string | null => {
  const boss = id === null ? undefined : store.employee(id);
  return boss ? `${boss.stored.firstName} ${boss.stored.lastName}` : null;
};

function tableRows(store: BambooHrStore, record: EmployeeRecord, table: TableName): Record<string, FieldValue>[] {
  const employeeId = String(record.id);
  if (table === 'jobInfo') {
    return record.jobInfo.map(({ id, reportsTo, ...row }) => ({ id: String(id), employeeId, ...row, reportsTo: managerName(store, reportsTo) }));
  }
  return record.employmentStatus.map(({ id, ...row }) => ({ id: String(id), employeeId, ...row }));
}

function directory(store: BambooHrStore, req: SimRequest, quirks: BambooHrQuirks): SimResponse {
  const current = onlyCurrent(req);
  const today = store.today;
  const people: EmployeeView[] = [];
  for (const record of store.all()) {
    // Only Active people; pre-hires only when future employees are asked for.
    if (viewAt(record, today).status !== 'Active') continue;
    if (current && (record.stored.hireDate ?? '') > today) continue;
    people.push(viewAt(record, current ? today : END_OF_TIME));
  }
  if (people.length === 0) return failure(404, 'The directory is empty');
  const rows = people.map((view) => ({
    id: String(view.record.id),
    values: DIRECTORY_FIELDS.map((field) => [field.alias, wireValue(field, field.read(view, store), view.record.id, quirks)] as [string, FieldValue]),
  }));
  return negotiate(
    req,
    {
      fields: DIRECTORY_FIELDS.map(({ alias, type, name }) => ({ id: alias, type, name })),
      employees: rows.map(({ id, values }) => ({ id, ...Object.fromEntries(values), canUploadPhoto: 0 })),
    },
    () =>
      element(
        'directory',
        {},
        element('fieldset', {}, DIRECTORY_FIELDS.map((f) => element('field', { id: f.alias }, textOf(f.name))).join('')) +
          element('employees', {}, rows.map(({ id, values }) => element('employee', { id }, fieldElements(values))).join('')),
      ),
  );
}

function getEmployee(store: BambooHrStore, req: SimRequest, quirks: BambooHrQuirks): SimResponse {
  const record = employeeFromPath(store, req.params.id);
  if (!record) return employeeNotFound();
  const keys = (req.query.get('fields') ?? 'firstName,lastName')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length > MAX_FIELDS) return failure(400, `Too many fields: ${keys.length}, the maximum is ${MAX_FIELDS}`);
  const view = viewAt(record, onlyCurrent(req) ? store.today : END_OF_TIME);
  const values: [string, FieldValue][] = [];
  for (const key of keys) {
    // Unknown fields are left out, not refused.
    const field = store.fields.field(key);
    if (field) values.push([key, wireValue(field, field.read(view, store), record.id, quirks)]);
  }
  const id = String(record.id);
  return negotiate(req, { id, ...Object.fromEntries(values) }, () => element('employee', { id }, fieldElements(values)));
}

function changed(store: BambooHrStore, req: SimRequest): SimResponse {
  const since = req.query.get('since') ?? '';
  const sinceMs = Date.parse(since);
  if (!since || Number.isNaN(sinceMs)) return failure(400, `since must be an ISO 8601 timestamp, got ${JSON.stringify(since)}`);
  const type = (req.query.get('type') ?? 'all').toLowerCase();
  if (!['inserted', 'updated', 'deleted', 'all'].includes(type)) return failure(400, `Invalid type: ${type}`);
  // Nothing is ever deleted in the sandbox, so a "deleted" feed is always empty.
  const records = type === 'deleted' ? [] : store.changedSince(sinceMs, type === 'inserted' ? 'Inserted' : type === 'updated' ? 'Updated' : undefined);
  const latest = records.reduce((max, r) => (Date.parse(r.lastChanged) > Date.parse(max) ? r.lastChanged : max), records[0]?.lastChanged ?? since);
  const employees = Object.fromEntries(records.map((r) => [String(r.id), { id: String(r.id), action: r.action, lastChanged: r.lastChanged }]));
  return negotiate(req, { latest, employees }, () =>
    element('employees', { latest }, records.map((r) => element('employee', { id: String(r.id), action: r.action, lastChanged: r.lastChanged })).join('')),
  );
}

/**
 * `GET /employees/changed/tables/{table}?since=`: the rows of every employee changed since then — on
 * BambooHR's employee-last-changed timestamp, so a change to ANY field brings ALL of that employee's
 * rows, not only a changed table's. Deleted employees have no rows to give.
 */
function changedTable(store: BambooHrStore, req: SimRequest): SimResponse {
  const table = req.params.table as TableName;
  if (!TABLES.includes(table)) return failure(404, `Table not found: ${req.params.table}`);
  const since = req.query.get('since') ?? '';
  const sinceMs = Date.parse(since);
  if (!since || Number.isNaN(sinceMs)) return failure(400, `since must be an ISO 8601 timestamp, got ${JSON.stringify(since)}`);
  const records = store.changedSince(sinceMs).filter((r) => r.action !== 'Deleted');
  const employees = Object.fromEntries(records.map((r) => [String(r.id), { lastChanged: r.lastChanged, rows: tableRows(store, r, table) }]));
  return negotiate(req, { table, employees }, () =>
    element(
      'table',
      { id: table },
      records
        .map((r) =>
          element(
            'employee',
            { id: String(r.id), lastChanged: r.lastChanged },
            tableRows(store, r, table)
              .map(({ id, employeeId, ...fields }) => element('row', { id: String(id), employeeId: String(employeeId) }, fieldElements(Object.entries(fields))))
              .join(''),
          ),
        )
        .join(''),
    ),
  );
}

/** Fisher–Yates with a seeded source: each request its own order, a failing test replayable. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function getTable(store: BambooHrStore, req: SimRequest, quirks: BambooHrQuirks, seed: number): SimResponse {
  const table = req.params.table as TableName;
  if (!TABLES.includes(table)) return failure(404, `Table not found: ${req.params.table}`);
  let records: readonly EmployeeRecord[];
  if (req.params.id === 'all') records = store.all();
  else {
    const record = employeeFromPath(store, req.params.id);
    if (!record) return employeeNotFound();
    records = [record];
  }
  const stored = records.flatMap((record) => tableRows(store, record, table));
  // BambooHR documents the rows as unordered; the simulator keeps them by date, so the quirk shuffles.
  const rows = quirks.unorderedTableRows ? shuffled(stored, seed) : stored;
  return negotiate(req, rows, () =>
    element(
      'table',
      {},
      rows
        .map(({ id, employeeId, ...fields }) => element('row', { id: String(id), employeeId: String(employeeId) }, fieldElements(Object.entries(fields))))
        .join(''),
    ),
  );
}

/** `quirks` is the live switch object: each request reads it afresh. */
export function employeeRoutes(router: Router, store: BambooHrStore, quirks: BambooHrQuirks): Router {
  let tableReads = 0;
  return (
    router
      .on('GET', `${API}/employees/directory`, (req) => directory(store, req, quirks))
      .on('GET', `${API}/employees/changed`, (req) => changed(store, req))
      // Before `/employees/:id/tables/:table`, which would take "changed" for an id.
      .on('GET', `${API}/employees/changed/tables/:table`, (req) => changedTable(store, req))
      .on('GET', `${API}/employees/:id/tables/:table`, (req) => getTable(store, req, quirks, (tableReads += 1)))
      .on('POST', `${API}/employees/:id/tables/:table`, (req) => {
        const record = employeeFromPath(store, req.params.id);
        if (!record) return employeeNotFound();
        const read = readWriteBody(req);
        if ('refused' in read) return read.refused;
        const refusal = store.addRow(record.id, req.params.table ?? '', read.body);
        return refusal ? failure(refusal.status, refusal.message) : noContent(200);
      })
      .on('GET', `${API}/employees/:id`, (req) => getEmployee(store, req, quirks))
      .on('POST', `${API}/employees`, (req) => {
        const read = readWriteBody(req);
        if ('refused' in read) return read.refused;
        const created = store.create(read.body);
        if (isRefusal(created)) return failure(created.status, created.message);
        const location = `http://${req.headers.host ?? 'localhost'}/api/gateway.php/${req.params.company ?? ''}/v1/employees/${created.id}`;
        return noContent(201, { Location: location });
      })
      .on('POST', `${API}/employees/:id`, (req) => {
        const record = employeeFromPath(store, req.params.id);
        if (!record) return employeeNotFound();
        const read = readWriteBody(req);
        if ('refused' in read) return read.refused;
        const refusal = store.update(record.id, read.body);
        return refusal ? failure(refusal.status, refusal.message) : noContent(200);
      })
  );
}
