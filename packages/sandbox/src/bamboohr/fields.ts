/**
 * The simulated account's field catalogue: what `GET /meta/fields` lists and what reports, the
 * employee endpoint and webhooks can read, each field by its alias or its numeric id. Field ids are
 * the simulator's own; only aliases, names and types follow BambooHR.
 *
 * The standard fields are fixed; custom checkbox fields belong to the account (a catalogue per
 * store), because a client must find its access flag by the *name* an HR admin gave it, and tests
 * need to add, rename and delete such a field the way an admin would.
 */
import { ACCESS_FLAG_ALIAS, viewAt, type EmployeeRecord, type EmployeeView, type StoredField } from './records.js';

/** A value as the simulator holds it: no-date is `null` and a checkbox a boolean; the wire encodes both (see wire.ts). */
export type FieldValue = string | boolean | null;

export interface FieldContext {
  employee(id: number): EmployeeRecord | undefined;
  readonly fields: FieldCatalogue;
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
export const ACCESS_FLAG = { id: 4001, name: 'Litmos Access', alias: ACCESS_FLAG_ALIAS, type: 'checkbox' } as const;

/** A custom checkbox field of the account. */
export interface CheckboxField {
  id: number;
  name: string;
  alias: string;
}

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

/** The fields every account has. */
export const STANDARD_FIELDS: readonly FieldDef[] = [
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
  stored(3, 'hireDate', 'Hire Date', 'date'),
  { id: 4, alias: 'terminationDate', name: 'Termination Date', type: 'date', read: (view) => view.terminationDate },
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
];

const STANDARD_BY_ALIAS = new Map(STANDARD_FIELDS.map((field) => [field.alias, field]));

/** A standard field by alias; for fixed field lists such as the directory's. */
export const standardField = (alias: string): FieldDef => {
  const field = STANDARD_BY_ALIAS.get(alias);
  if (!field) throw new Error(`no standard BambooHR field ${alias}`);
  return field;
};

const checkboxDef = ({ id, name, alias }: CheckboxField): FieldDef => ({
  id,
  alias,
  name,
  type: 'checkbox',
  read: ({ record }) => record.checkboxes[alias] === true,
});

/** `"LMS Access"` → `customLMSAccess`: BambooHR's custom prefix and the name's words run together. */
const customAlias = (name: string): string =>
  `custom${name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;

/** The account's fields: the standard ones plus its custom checkboxes, which can be added, renamed and deleted. */
export class FieldCatalogue {
  private custom: CheckboxField[] = [];
  private byKey = new Map<string, FieldDef>();
  private nextId: number = ACCESS_FLAG.id;

  constructor() {
    this.reset();
  }

  /** Back to the seeded account: the standard fields and "Litmos Access". */
  reset(): void {
    this.custom = [{ id: ACCESS_FLAG.id, name: ACCESS_FLAG.name, alias: ACCESS_FLAG.alias }];
    this.nextId = ACCESS_FLAG.id + 1;
    this.index();
  }

  /** Every field, as `GET /meta/fields` lists them. */
  all(): FieldDef[] {
    return [...STANDARD_FIELDS, ...this.custom.map(checkboxDef)];
  }

  /** A field by alias or numeric id; undefined for fields the account does not have. */
  field(key: string): FieldDef | undefined {
    return this.byKey.get(key.trim());
  }

  /** A custom checkbox by alias or id. */
  checkbox(key: string): CheckboxField | undefined {
    const field = this.field(key);
    return this.custom.find((candidate) => candidate.alias === field?.alias);
  }

  /** Adds an unchecked-for-everyone checkbox; a name already in use is refused, as BambooHR's settings page does. */
  addCheckbox(name: string): CheckboxField | { refused: string } {
    const trimmed = name.trim();
    if (trimmed === '') return { refused: 'name is required' };
    if (this.all().some((field) => field.name.toLowerCase() === trimmed.toLowerCase())) return { refused: `a field named ${JSON.stringify(trimmed)} exists` };
    let alias = customAlias(trimmed);
    for (let n = 2; this.byKey.has(alias); n += 1) alias = `${customAlias(trimmed)}${n}`;
    const field = { id: this.nextId++, name: trimmed, alias };
    this.custom.push(field);
    this.index();
    return field;
  }

  /** Renames a custom checkbox; its alias and id stay, as they do in BambooHR. */
  rename(key: string, name: string): CheckboxField | undefined {
    const field = this.checkbox(key);
    if (field) field.name = name.trim();
    this.index();
    return field;
  }

  /** Deletes a custom checkbox; reports then leave its alias out, like any unknown field. */
  remove(key: string): boolean {
    const field = this.checkbox(key);
    this.custom = this.custom.filter((candidate) => candidate !== field);
    this.index();
    return field !== undefined;
  }

  private index(): void {
    this.byKey = new Map();
    for (const field of this.all()) {
      this.byKey.set(field.alias, field);
      this.byKey.set(String(field.id), field);
    }
  }
}

/** Fields whose change is an update a webhook can monitor; photo and timestamp fields are not. */
const UNMONITORED = new Set(['photoUploaded', 'photoUrl', 'lastChanged']);

/** The values a record shows today, for diffing before and after a write or a change of day. */
export function currentValues(record: EmployeeRecord, today: string, ctx: FieldContext): Map<string, FieldValue> {
  const view = viewAt(record, today);
  return new Map(
    ctx.fields
      .all()
      .filter((field) => !UNMONITORED.has(field.alias))
      .map((field) => [field.alias, field.read(view, ctx)]),
  );
}

/** Aliases whose value differs; a missing `before` (a new employee) compares against empty fields. */
export function changedAliases(before: Map<string, FieldValue> | undefined, after: Map<string, FieldValue>): string[] {
  const changed: string[] = [];
  for (const [alias, value] of after) {
    const old = before ? before.get(alias) : null;
    if (before ? old !== value : value !== null && value !== false) changed.push(alias);
  }
  return changed;
}
