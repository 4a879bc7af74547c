/**
 * The sync policy: per tenant and source, stored as plain data and read by the pure planner. Every
 * behaviour the vendors' guides describe as a setting (access flag, activation blocklist, field
 * map, protected fields, teams, safeguards) is a value here rather than a code path.
 */
import { BadUserInputError } from '../errors.js';
import { LEARNER_FIELDS, type LearnerField } from '../model.js';

export { LEARNER_FIELDS, type LearnerField } from '../model.js';
export type LearnerFields = Partial<Record<LearnerField, string | null>>;

/** Litmos refuses a user without these, so a field map must fill them and a sync never blanks them. */
export const REQUIRED_LEARNER_FIELDS: readonly LearnerField[] = ['userName', 'firstName', 'lastName'];

/** The HR-side fields a field map can read; address parts come from the employee's work address. */
export const EMPLOYEE_FIELDS = [
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'employeeNumber',
  'workEmail',
  'jobTitle',
  'department',
  'division',
  'location',
  'workPhone',
  'mobilePhone',
  'workAddress.street1',
  'workAddress.street2',
  'workAddress.city',
  'workAddress.state',
  'workAddress.postalCode',
  'workAddress.country',
] as const;
export type EmployeeField = (typeof EMPLOYEE_FIELDS)[number];

export interface FieldMapping {
  employee: EmployeeField;
  learner: LearnerField;
}

export interface AccessFlagPolicy {
  /** FIELD: only employees whose flag is set are provisioned; EVERYONE: the flag is ignored. @default 'FIELD' */
  mode: 'FIELD' | 'EVERYONE';
  /**
   * The HR field that holds the flag, by its name (a BambooHR checkbox, a Namely Yes/No select). The
   * HR clients read it at every read; setting it checks HR has it, and a run whose field has gone
   * fails. @default the field the source's vendor names (`SourceDefaults`)
   */
  fieldName: string;
}

export interface TeamPolicy {
  /** Keep each learner in a team named after their HR department. @default true */
  fromDepartment: boolean;
  /** Create department teams as sub-teams of a team named after the division. @default false */
  divisionAsParent: boolean;
  /** Make each employee's manager a leader of the employee's department team. @default false */
  managerAsLeader: boolean;
}

export interface SafeguardPolicy {
  /** Share of active learners a run may deactivate without approval, percent (0–100, to 0.01). @default 20 */
  maxDeactivationPercent: number;
  /** Absolute cap on deactivations without approval, learners. @default 50 */
  maxDeactivations: number;
}

export interface Policy {
  accessFlag: AccessFlagPolicy;
  /** Employment statuses that are not provisioned, compared ignoring case and whitespace. @default [] */
  blocklist: string[];
  /** An employee with no current employment status is not provisioned (the Betterworks rule). @default true */
  blockMissingStatus: boolean;
  /** How early a pre-hire is provisioned before the hire date, days. @default 0 (on the hire day) */
  prehireLeadDays: number;
  /** HR field → Litmos field. @default the Namely guide's list (names, work email as username, address, phones) */
  fieldMap: FieldMapping[];
  /** Litmos fields whose manual edits a sync keeps; HR wins on every other mapped field. @default [] */
  protectedFields: LearnerField[];
  teams: TeamPolicy;
  safeguard: SafeguardPolicy;
  /**
   * An INCREMENTAL run of a source with no SUCCEEDED FULL run in this many days runs FULL instead: the
   * full read catches drift and whatever the change feeds missed (a row that took effect by date, a
   * hand edit in Litmos). @default 7 (weekly)
   */
  fullRunEveryDays: number;
}

/** What a source's vendor settles of its default policy; each vendor's folder in datasources/ declares its own. */
export interface SourceDefaults {
  /** The HR field the vendor's Litmos connector documents as the access flag. */
  accessFlagFieldName: string;
}

/** The field list Litmos's Namely connector syncs, which is also the BambooHR connector's. */
const DEFAULT_FIELD_MAP: readonly FieldMapping[] = [
  { employee: 'firstName', learner: 'firstName' },
  { employee: 'lastName', learner: 'lastName' },
  { employee: 'workEmail', learner: 'userName' },
  { employee: 'jobTitle', learner: 'title' },
  { employee: 'workEmail', learner: 'email' },
  { employee: 'workAddress.street1', learner: 'street1' },
  { employee: 'workAddress.street2', learner: 'street2' },
  { employee: 'workAddress.city', learner: 'city' },
  { employee: 'workAddress.state', learner: 'state' },
  { employee: 'workAddress.postalCode', learner: 'postalCode' },
  { employee: 'workAddress.country', learner: 'country' },
  { employee: 'workPhone', learner: 'phoneWork' },
  { employee: 'mobilePhone', learner: 'phoneMobile' },
];

/** The policy of a source no admin has set one for. */
export function defaultPolicy(source: SourceDefaults): Policy {
  return {
    accessFlag: { mode: 'FIELD', fieldName: source.accessFlagFieldName },
    blocklist: [],
    blockMissingStatus: true,
    prehireLeadDays: 0,
    fieldMap: DEFAULT_FIELD_MAP.map((mapping) => ({ ...mapping })),
    protectedFields: [],
    teams: { fromDepartment: true, divisionAsParent: false, managerAsLeader: false },
    safeguard: { maxDeactivationPercent: 20, maxDeactivations: 50 },
    fullRunEveryDays: DEFAULT_FULL_RUN_EVERY_DAYS,
  };
}

/** The periodic full run's default interval, days: weekly. */
export const DEFAULT_FULL_RUN_EVERY_DAYS = 7;

/** A policy as the store may hold it: those stored before `fullRunEveryDays` existed lack it. */
export type StoredPolicy = Omit<Policy, 'fullRunEveryDays'> & Partial<Pick<Policy, 'fullRunEveryDays'>>;

/** A stored policy in today's shape, settings added since filled with their defaults. */
export const upgradePolicy = (stored: StoredPolicy): Policy => ({ ...stored, fullRunEveryDays: stored.fullRunEveryDays ?? DEFAULT_FULL_RUN_EVERY_DAYS });
/** A full run at least once a year: drift older than that is not a schedule's to carry. */
const MAX_FULL_RUN_EVERY_DAYS = 365;

/** Lead days beyond a year would provision people for jobs that may never start. */
const MAX_PREHIRE_LEAD_DAYS = 365;

/**
 * Checks a whole policy received from outside (GraphQL input, the store) and returns a fresh copy.
 * Throws `BadUserInputError` whose `details.field` is the dotted path of the first bad field.
 */
export function validatePolicy(input: unknown): Policy {
  const policy = objectAt(input, 'policy', [
    'accessFlag',
    'blocklist',
    'blockMissingStatus',
    'prehireLeadDays',
    'fieldMap',
    'protectedFields',
    'teams',
    'safeguard',
    'fullRunEveryDays?',
  ]);
  const accessFlag = objectAt(policy.accessFlag, 'accessFlag', ['mode', 'fieldName']);
  const teams = objectAt(policy.teams, 'teams', ['fromDepartment', 'divisionAsParent', 'managerAsLeader']);
  const safeguard = objectAt(policy.safeguard, 'safeguard', ['maxDeactivationPercent', 'maxDeactivations']);

  const fromDepartment = booleanAt(teams.fromDepartment, 'teams.fromDepartment');
  return {
    accessFlag: {
      mode: oneOfAt(accessFlag.mode, 'accessFlag.mode', ['FIELD', 'EVERYONE'] as const),
      // Trimmed: HR matches names without the blanks a paste brings along, so they mean nothing.
      fieldName: textAt(accessFlag.fieldName, 'accessFlag.fieldName').trim(),
    },
    blocklist: arrayAt(policy.blocklist, 'blocklist').map((status, i) => textAt(status, `blocklist[${i}]`)),
    blockMissingStatus: booleanAt(policy.blockMissingStatus, 'blockMissingStatus'),
    prehireLeadDays: integerAt(policy.prehireLeadDays, 'prehireLeadDays', 0, MAX_PREHIRE_LEAD_DAYS),
    fieldMap: fieldMapAt(policy.fieldMap),
    protectedFields: arrayAt(policy.protectedFields, 'protectedFields').map((field, i) => oneOfAt(field, `protectedFields[${i}]`, LEARNER_FIELDS)),
    teams: {
      fromDepartment,
      divisionAsParent: teamOptionAt(teams.divisionAsParent, 'teams.divisionAsParent', fromDepartment),
      managerAsLeader: teamOptionAt(teams.managerAsLeader, 'teams.managerAsLeader', fromDepartment),
    },
    safeguard: {
      maxDeactivationPercent: percentAt(safeguard.maxDeactivationPercent, 'safeguard.maxDeactivationPercent'),
      maxDeactivations: integerAt(safeguard.maxDeactivations, 'safeguard.maxDeactivations', 0, Number.MAX_SAFE_INTEGER),
    },
    // Policies stored before the setting existed have none: they get the default.
    fullRunEveryDays:
      policy.fullRunEveryDays === undefined ? DEFAULT_FULL_RUN_EVERY_DAYS : integerAt(policy.fullRunEveryDays, 'fullRunEveryDays', 1, MAX_FULL_RUN_EVERY_DAYS),
  };
}

function fieldMapAt(value: unknown): FieldMapping[] {
  const mapped = new Set<LearnerField>();
  const fieldMap = arrayAt(value, 'fieldMap').map((entry, i) => {
    const path = `fieldMap[${i}]`;
    const mapping = objectAt(entry, path, ['employee', 'learner']);
    const learner = oneOfAt(mapping.learner, `${path}.learner`, LEARNER_FIELDS);
    // Two HR fields feeding one Litmos field would make the planned value depend on list order.
    if (mapped.has(learner)) reject(`${path}.learner`, `each Litmos field mapped once`, learner);
    mapped.add(learner);
    return { employee: oneOfAt(mapping.employee, `${path}.employee`, EMPLOYEE_FIELDS), learner };
  });
  const missing = REQUIRED_LEARNER_FIELDS.filter((field) => !mapped.has(field));
  if (missing.length > 0) {
    reject('fieldMap', `a mapping for ${REQUIRED_LEARNER_FIELDS.join(', ')}`, `none for ${missing.join(', ')}`);
  }
  return fieldMap;
}

/** Division parents and manager leaders only shape department teams, so they need them on. */
function teamOptionAt(value: unknown, path: string, fromDepartment: boolean): boolean {
  const enabled = booleanAt(value, path);
  if (enabled && !fromDepartment) reject(path, 'false while teams.fromDepartment is false', true);
  return enabled;
}

function percentAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    reject(path, 'a number from 0 to 100', value);
  }
  // The safeguard threshold is computed in whole hundredths of a percent so it is exact.
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-9) reject(path, 'at most two decimals', value);
  return value;
}

/** `keys` ending in `?` may be left out (settings added since policies were first stored). */
function objectAt(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) reject(path, 'an object', value);
  const record = value as Record<string, unknown>;
  const prefix = path === 'policy' ? '' : `${path}.`;
  const names = keys.map((key) => key.replace(/\?$/, ''));
  // A misspelt key would otherwise be dropped silently and its setting fall back to nothing.
  for (const key of Object.keys(record)) {
    if (!names.includes(key)) reject(`${prefix}${key}`, `one of ${names.join(', ')}`, key);
  }
  for (const key of keys) {
    if (!key.endsWith('?') && !(key in record)) reject(`${prefix}${key}`, 'a value', undefined);
  }
  return record;
}

function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) reject(path, 'an array', value);
  return value;
}

function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') reject(path, 'true or false', value);
  return value;
}

function textAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') reject(path, 'a non-empty string', value);
  return value;
}

function integerAt(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    reject(path, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function oneOfAt<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    reject(path, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

function reject(field: string, expected: string, received: unknown): never {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined (and functions), which its lib type omits
  const shown = JSON.stringify(received) ?? 'nothing';
  throw new BadUserInputError(`policy.${field}: expected ${expected}, received ${shown}`, { field });
}
