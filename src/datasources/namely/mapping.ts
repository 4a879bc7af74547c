/**
 * Namely profile → unified `Employee`. Pure: what the mapping needs beyond the profile (which key
 * holds the access flag, which group is a department) is resolved by the client and passed in.
 */
import { ConfigError, UpstreamError } from '../../errors.js';
import type { Address, Employee, EmployeeStatus, EmploymentStatusRow, LocalDate } from '../../model.js';
import type { NamelyAddress, NamelyField, NamelyGroup, NamelyGroupType, NamelyProfile } from './payload.js';

export type GroupRole = 'department' | 'location' | 'division';

export interface MappingContext {
  /** The top-level profile key of the access flag (the custom field's `name`). */
  accessFlagKey: string;
  /** What each group stands for; groups of other types (custom ones) are ignored. */
  groupRoles: ReadonlyMap<string, GroupRole>;
}

const STATUS: Record<string, EmployeeStatus> = { active: 'ACTIVE', inactive: 'INACTIVE', pending: 'PENDING' };

/**
 * Whether a `reports_to` entry names a real manager. The spec documents `{"id":"no_guid",
 * "first_name":"Nobody","last_name":"Nobody","email":"None"}` for "reports to nobody"; an entry with
 * no id at all says the same.
 */
const isManagerId = (id: string | null): id is string => id !== null && id.trim() !== '' && id.trim().toLowerCase() !== 'no_guid';

/** The row that closes the history of someone who left; the unified model's word for it. */
export const TERMINATED = 'Terminated';

const badValue = (profileId: string, key: string, value: unknown, expected: string) =>
  new UpstreamError('namely', 200, `profile ${profileId} ${key} is ${JSON.stringify(value)}, expected ${expected}`, {
    code: 'UPSTREAM_BAD_RESPONSE',
    retryable: false,
  });

/**
 * `YYYY-MM-DD` as Namely documents it; `MM/DD/YYYY` as its older responses were recorded giving
 * it; "" or null for no date.
 */
export function namelyDate(value: string | null, profileId: string, key: string): LocalDate | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(trimmed);
  const iso = us ? `${us[3]}-${us[1]?.padStart(2, '0')}-${us[2]?.padStart(2, '0')}` : trimmed;
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso) {
    throw badValue(profileId, key, value, 'a date as YYYY-MM-DD or MM/DD/YYYY');
  }
  return iso;
}

const blankToNull = (value: string | null): string | null => (value === null || value.trim() === '' ? null : value.trim());

function address(office: NamelyAddress | null): Address | null {
  if (!office) return null;
  const mapped: Address = {
    street1: blankToNull(office.address1),
    street2: blankToNull(office.address2),
    city: blankToNull(office.city),
    state: blankToNull(office.state_id),
    postalCode: blankToNull(office.zip),
    country: blankToNull(office.country_id),
  };
  return Object.values(mapped).some((part) => part !== null) ? mapped : null;
}

/**
 * Namely keeps one employee type, not a history: it becomes one row dated at the start date, and
 * a leaver gets a closing "Terminated" row at the departure date, so the plan sees the same shape
 * BambooHR's employmentStatus table gives.
 */
function statusHistory(profile: NamelyProfile, status: EmployeeStatus, hireDate: LocalDate | null, terminationDate: LocalDate | null): EmploymentStatusRow[] {
  const rows: EmploymentStatusRow[] = [];
  const type = blankToNull(profile.employee_type?.title ?? null);
  if (type !== null && hireDate !== null) rows.push({ effectiveDate: hireDate, status: type });
  if (status === 'INACTIVE' && terminationDate !== null) rows.push({ effectiveDate: terminationDate, status: TERMINATED });
  return rows;
}

const isYes = (value: unknown) => typeof value === 'string' && value.trim().toLowerCase() === 'yes';

/**
 * The access flag: a custom field, so a top-level key named after the field. A select holds "Yes" or
 * "No" (null when never set); a checkboxes field the ticked choices as an array. A missing key is no
 * answer at all — custom fields appear only to tokens permitted to see them — and reading it as "No"
 * would plan everyone's deactivation, so it is refused.
 */
function accessFlag(profile: NamelyProfile, key: string): boolean {
  if (!Object.hasOwn(profile.custom, key)) {
    throw new ConfigError(
      `Namely profile ${profile.id} has no "${key}" (the access flag); custom fields appear only to tokens allowed to see them, so give the API token's user access to the field`,
      { field: 'accessFlag.fieldName' },
    );
  }
  const value = profile.custom[key];
  if (value === null || typeof value === 'string') return isYes(value);
  if (Array.isArray(value)) return value.some(isYes);
  throw badValue(profile.id, key, value, '"Yes", "No", null or a list of ticked choices');
}

export function toEmployee(profile: NamelyProfile, context: MappingContext): Employee {
  const status = STATUS[profile.user_status];
  if (!status) throw badValue(profile.id, 'user_status', profile.user_status, 'active, inactive or pending');
  const hireDate = namelyDate(profile.start_date, profile.id, 'start_date');
  const terminationDate = namelyDate(profile.departure_date, profile.id, 'departure_date');
  const inGroup = (role: GroupRole) => profile.groups.find((group) => context.groupRoles.get(group.id) === role)?.name ?? null;
  const managerId = profile.reports_to.map((manager) => manager.id).find(isManagerId) ?? null;
  const preferredName = blankToNull(profile.preferred_name);
  const email = blankToNull(profile.email);
  return {
    source: 'NAMELY',
    sourceId: profile.id,
    employeeNumber: blankToNull(profile.employee_id),
    // Names exactly as HR typed them: accents and apostrophes are part of the name.
    firstName: profile.first_name,
    lastName: profile.last_name,
    preferredName,
    displayName: `${preferredName ?? profile.first_name} ${profile.last_name}`,
    workEmail: email === null ? null : email.toLowerCase(),
    jobTitle: blankToNull(profile.job_title?.title ?? null),
    department: inGroup('department'),
    division: inGroup('division'),
    location: inGroup('location'),
    workPhone: blankToNull(profile.office_direct_dial) ?? blankToNull(profile.office_phone),
    mobilePhone: blankToNull(profile.mobile_phone),
    workAddress: address(profile.office),
    employmentStatusHistory: statusHistory(profile, status, hireDate, terminationDate),
    status,
    hireDate,
    terminationDate,
    accessEnabled: accessFlag(profile, context.accessFlagKey),
    managerId,
  };
}

/** Namely's flag is a Yes/No select; `accessFlag` reads it as "Yes" or not, so no other type is offered to hold it. */
const FLAG_TYPES = new Set(['select']);

/** The fields able to hold the access flag: what a policy may name, and what a refused name is offered instead. */
export const accessFlagFields = (fields: readonly NamelyField[]): NamelyField[] => fields.filter((field) => FLAG_TYPES.has(field.type));

/** Matched as `accessFlagKey` matches: ignoring case and surrounding blanks. */
const byLabel = (fields: readonly NamelyField[], label: string): NamelyField | undefined => {
  const wanted = label.trim().toLowerCase();
  return fields.find((candidate) => candidate.label.trim().toLowerCase() === wanted);
};

/**
 * Throws a `ConfigError` naming the select fields there are unless `label` is one of them: checked
 * when a policy names the field, where a wrong one can still be refused (a run only needs the key).
 */
export function checkAccessFlagField(fields: readonly NamelyField[], label: string): void {
  const field = byLabel(fields, label);
  if (field && FLAG_TYPES.has(field.type)) return;
  const candidates = accessFlagFields(fields).map((candidate) => candidate.label);
  const problem = field
    ? `Namely's profile field ${JSON.stringify(field.label)} is a ${field.type} field, not a Yes/No select, so it cannot hold the access flag`
    : `Namely has no profile field labelled ${JSON.stringify(label)} to read the access flag from`;
  const choice =
    candidates.length > 0
      ? `its select fields are ${candidates.map((name) => JSON.stringify(name)).join(', ')}`
      : 'it has no select fields; create a Yes/No one';
  throw new ConfigError(`${problem}; ${choice}`, { field: 'accessFlag.fieldName', received: label, candidates });
}

/**
 * The key of the access flag, found by its label. Its absence is a configuration error, not
 * "everyone off": reading a missing flag as "No" would plan the whole company's deactivation.
 */
export function accessFlagKey(fields: readonly NamelyField[], label: string): string {
  const field = byLabel(fields, label);
  if (!field) {
    throw new ConfigError(
      `Namely has no profile field labelled ${JSON.stringify(label)}; create it as a Yes/No select or configure the label of the one in use`,
      {
        field: 'accessFlag.fieldName',
      },
    );
  }
  return field.name;
}

/** `"Office Location"`, `"office_location"` and `"office location"` are one group type. */
const normalize = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, '_');

/** The titles Namely gives its two built-in group types, singular or plural, normalized. */
const BUILT_IN_TITLES: ReadonlyMap<string, GroupRole> = new Map([
  ['department', 'department'],
  ['departments', 'department'],
  ['office_location', 'location'],
  ['office_locations', 'location'],
]);

/**
 * Departments and office locations are Namely's built-in group types; divisions a custom one, found
 * by title. A group type is known by its kind when `GET /groups` brings the optional compound
 * document `linked.group_types`; without it (or for a type it does not list) by the name each group
 * carries in `type`: the built-in types' titles, or the division type's.
 */
export function groupRoles(groups: readonly NamelyGroup[], groupTypes: readonly NamelyGroupType[], divisionGroupType: string): Map<string, GroupRole> {
  const division = normalize(divisionGroupType);
  const roleOfType = new Map<string, GroupRole | undefined>();
  for (const type of groupTypes) {
    const kind = normalize(type.type);
    if (kind === 'department') roleOfType.set(type.id, 'department');
    else if (kind === 'office_location') roleOfType.set(type.id, 'location');
    else roleOfType.set(type.id, normalize(type.title) === division ? 'division' : undefined);
  }
  const roleOfName = (name: string): GroupRole | undefined => (normalize(name) === division ? 'division' : BUILT_IN_TITLES.get(normalize(name)));
  const roleOf = (group: NamelyGroup): GroupRole | undefined => {
    if (group.groupTypeId !== null && roleOfType.has(group.groupTypeId)) return roleOfType.get(group.groupTypeId);
    return group.typeName === null ? undefined : roleOfName(group.typeName);
  };

  const roles = new Map<string, GroupRole>();
  for (const group of groups) {
    const role = roleOf(group);
    if (role) roles.set(group.id, role);
  }
  return roles;
}
