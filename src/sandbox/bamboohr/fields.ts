/**
 * The simulated account's field catalogue: what `GET /meta/fields` lists and what reports, the
 * employee endpoint and webhooks can read, each field by its alias or its numeric id. Field ids are
 * the simulator's own; only aliases, names and types follow BambooHR.
 */
import { viewAt, type EmployeeRecord, type EmployeeView, type StoredField } from './records.js';

export type FieldValue = string | boolean | null;

export interface FieldContext {
  employee(id: number): EmployeeRecord | undefined;
}

export interface FieldDef {
  id: number;
  alias: string;
  name: string;
  type: string;
  read(view: EmployeeView, ctx: FieldContext): FieldValue;
}

/** BambooHR's "no date" in reports and the directory. */
export const NO_DATE = '0000-00-00';

/**
 * BambooHR prefixes the aliases of custom (non-table) fields with `custom`; clients must find the
 * alias by the field's *name*, because every account names its own.
 */
export const ACCESS_FLAG = { id: 4001, name: 'Litmos Access', alias: 'customLitmosAccess', type: 'checkbox' } as const;

/** Checkbox input: "yes" or "checkbox" checks it, anything else unchecks it (BambooHR field types doc). */
export const checkboxInput = (value: unknown): boolean =>
  value === true || (typeof value === 'string' && ['yes', 'checkbox'].includes(value.trim().toLowerCase()));

const stored = (id: number, alias: StoredField, name: string, type = 'text'): FieldDef => ({
  id,
  alias,
  name,
  type,
  read: (view) => view.record.stored[alias],
});

const job = (id: number, alias: 'location' | 'division' | 'department' | 'jobTitle', name: string): FieldDef => ({
  id,
  alias,
  name,
  type: 'list',
  read: (view) => view.job?.[alias] ?? null,
});

const manager = (view: EmployeeView, ctx: FieldContext): EmployeeRecord | undefined =>
  view.job?.reportsTo == null ? undefined : ctx.employee(view.job.reportsTo);

export const FIELDS: readonly FieldDef[] = [
  {
    id: 1001,
    alias: 'displayName',
    name: 'Display Name',
    type: 'text',
    read: ({ record }) => `${record.stored.preferredName || record.stored.firstName} ${record.stored.lastName}`,
  },
  stored(1, 'firstName', 'First Name'),
  stored(2, 'lastName', 'Last Name'),
  stored(1358, 'preferredName', 'Preferred Name'),
  stored(17, 'employeeNumber', 'Employee #', 'employee_number'),
  stored(15, 'workEmail', 'Work Email', 'email'),
  stored(18, 'workPhone', 'Work Phone', 'phone'),
  stored(13, 'mobilePhone', 'Mobile Phone', 'phone'),
  stored(7, 'address1', 'Address Line 1'),
  stored(8, 'address2', 'Address Line 2'),
  stored(9, 'city', 'City'),
  stored(10, 'state', 'State', 'state'),
  stored(11, 'zipcode', 'Zip Code'),
  stored(12, 'country', 'Country', 'country'),
  { id: 3, alias: 'hireDate', name: 'Hire Date', type: 'date', read: ({ record }) => record.stored.hireDate ?? NO_DATE },
  { id: 4, alias: 'terminationDate', name: 'Termination Date', type: 'date', read: (view) => view.terminationDate ?? NO_DATE },
  { id: 5, alias: 'status', name: 'Status', type: 'status', read: (view) => view.status },
  {
    id: 1360,
    alias: 'employmentHistoryStatus',
    name: 'Employment Status',
    type: 'list',
    read: (view) => view.employment?.employmentStatus ?? null,
  },
  job(14, 'location', 'Location'),
  job(1355, 'division', 'Division'),
  job(1356, 'department', 'Department'),
  job(1357, 'jobTitle', 'Job Title'),
  {
    id: 1610,
    alias: 'supervisor',
    name: 'Supervisor name',
    type: 'text',
    // "Last, First", as the recorded report shows it.
    read: (view, ctx) => {
      const boss = manager(view, ctx);
      return boss ? `${boss.stored.lastName}, ${boss.stored.firstName}` : null;
    },
  },
  {
    id: 1611,
    alias: 'supervisorEId',
    name: 'Supervisor EID',
    type: 'text',
    read: (view) => (view.job?.reportsTo == null ? null : String(view.job.reportsTo)),
  },
  { id: 1612, alias: 'photoUploaded', name: 'Employee photo exists', type: 'bool', read: () => false },
  {
    id: 1613,
    alias: 'photoUrl',
    name: 'Employee photo url',
    type: 'url',
    read: () => 'https://resources.bamboohr.com/images/photo_person_150x150.png',
  },
  { id: 1614, alias: 'lastChanged', name: 'Last Changed', type: 'timestamp', read: ({ record }) => record.lastChanged },
  { ...ACCESS_FLAG, read: ({ record }) => (record.accessFlag ? 'yes' : 'no') },
];

const BY_KEY = new Map<string, FieldDef>();
for (const field of FIELDS) {
  BY_KEY.set(field.alias, field);
  BY_KEY.set(String(field.id), field);
}

/** A field by alias or numeric id; undefined for fields the account does not have. */
export const fieldByKey = (key: string): FieldDef | undefined => BY_KEY.get(key.trim());

/** Fields whose change is an update a webhook can monitor; photo and timestamp fields are not. */
const MONITORED = FIELDS.filter((field) => !['photoUploaded', 'photoUrl', 'lastChanged'].includes(field.alias));

/** The values a record shows today, for diffing before and after a write or a change of day. */
export function currentValues(record: EmployeeRecord, today: string, ctx: FieldContext): Map<string, FieldValue> {
  const view = viewAt(record, today);
  return new Map(MONITORED.map((field) => [field.alias, field.read(view, ctx)]));
}

/** Aliases whose value differs; a missing `before` (a new employee) compares against empty fields. */
export function changedAliases(before: Map<string, FieldValue> | undefined, after: Map<string, FieldValue>): string[] {
  const changed: string[] = [];
  for (const [alias, value] of after) {
    const old = before ? before.get(alias) : null;
    if (before ? old !== value : value !== null && value !== NO_DATE) changed.push(alias);
  }
  return changed;
}
