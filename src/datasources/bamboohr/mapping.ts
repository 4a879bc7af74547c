/**
 * BambooHR custom-report row (+ its employmentStatus rows) → unified `Employee`. Pure: the access
 * flag's alias and today's date are resolved by the client and passed in.
 *
 * The client reads the report with `onlyCurrent=false`, because with current values only a
 * pre-hire's job (whose rows start on the hire date) would read as empty. The price is that
 * history-backed fields show their latest row even when it lies in the future: a future termination
 * already reads `status: "Inactive"` with its date. So the status here is worked out as of `today`
 * from the dates and the status rows, not taken from the report's `status` as is.
 */
import { ConfigError, UpstreamError } from '../../errors.js';
import type { Address, Employee, EmployeeStatus, EmploymentStatusRow, LocalDate } from '../../model.js';
import type { BambooHrField, BambooHrJobRow, BambooHrReportRow, BambooHrStatusRow } from './payload.js';

export interface MappingContext {
  /** The report key of the access-flag checkbox (its alias, or its id when it has none). */
  accessFlagKey: string;
  /** The day statuses are judged on, `YYYY-MM-DD`. */
  today: LocalDate;
}

/** The report fields the mapping reads, besides the access flag. */
export const REPORT_FIELDS = [
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'workEmail',
  'jobTitle',
  'department',
  'division',
  'location',
  'workPhone',
  'mobilePhone',
  'address1',
  'address2',
  'city',
  'state',
  'zipcode',
  'country',
  'status',
  'hireDate',
  'terminationDate',
  'supervisorEId',
] as const;

export const TERMINATED = 'Terminated';
/** BambooHR's "no date". */
const NO_DATE = '0000-00-00';
/**
 * How a checkbox reads, compared without case: JSON booleans, or the strings accounts answer with
 * ("true"/"false", "Yes"/"No", "1"/"0"; "checkbox" is BambooHR's documented input value).
 */
const CHECKED = new Set(['true', 'yes', '1', 'on', 'checkbox']);
const UNCHECKED = new Set(['false', 'no', '0', 'off', '']);
/**
 * Field types an HR admin can make the access flag: custom checkboxes. (`bool` is the type of system
 * facts such as "Employee photo exists", which nobody sets to grant access.)
 */
const CHECKBOX_TYPES = new Set(['checkbox']);

const badValue = (employeeId: string, key: string, value: unknown, expected: string) =>
  new UpstreamError('bamboohr', 200, `employee ${employeeId} ${key} is ${JSON.stringify(value)}, expected ${expected}`, {
    code: 'UPSTREAM_BAD_RESPONSE',
    retryable: false,
  });

/**
 * YYYY-MM-DD naming a day that exists (2025-02-30 does not). By arithmetic, not a round trip through
 * `Date`: it runs for every date of every table row, some 250,000 times in a 50,000-employee read.
 */
const isDate = (value: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
};

const daysIn = (year: number, month: number): number => {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
};

export function bambooDate(value: string | boolean | null | undefined, employeeId: string, key: string): LocalDate | null {
  if (value === null || value === undefined || value === '' || value === NO_DATE) return null;
  if (typeof value !== 'string' || !isDate(value)) throw badValue(employeeId, key, value, 'a date as YYYY-MM-DD or 0000-00-00');
  return value;
}

/** Text as a trimmed string, or null when empty; booleans are not text. */
function textValue(row: BambooHrReportRow, key: string): string | null {
  const value = row.values[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badValue(row.id, key, value, 'text');
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Names exactly as HR typed them: accents, apostrophes and inner spaces are part of the name. */
function name(row: BambooHrReportRow, key: string): string {
  const value = row.values[key];
  if (typeof value !== 'string' || value.trim() === '') throw badValue(row.id, key, value, 'a non-empty name');
  return value;
}

function workAddress(row: BambooHrReportRow): Address | null {
  const address: Address = {
    street1: textValue(row, 'address1'),
    street2: textValue(row, 'address2'),
    city: textValue(row, 'city'),
    state: textValue(row, 'state'),
    postalCode: textValue(row, 'zipcode'),
    country: textValue(row, 'country'),
  };
  return Object.values(address).some((part) => part !== null) ? address : null;
}

/**
 * A checkbox value; an empty one (`null`, never set) is unchecked. Any other string is refused, not
 * read as unchecked: a spelling we do not know would otherwise quietly deprovision everyone.
 */
export function isChecked(value: string | boolean | null | undefined, employeeId = '?', key = 'access flag'): boolean {
  if (value === null || value === undefined || typeof value === 'boolean') return value === true;
  const spelling = value.trim().toLowerCase();
  if (CHECKED.has(spelling)) return true;
  if (UNCHECKED.has(spelling)) return false;
  throw badValue(employeeId, key, value, 'a checkbox value (true/false, Yes/No, 1/0)');
}

/** Table rows by effective date, rows of one day in the order BambooHR created them (row ids grow). */
const byDateThenRow = (a: { date: string; rowId: number }, b: { date: string; rowId: number }): number =>
  a.date === b.date ? a.rowId - b.rowId : a.date < b.date ? -1 : 1;

/** Oldest first, whatever order the table came in. */
export function statusHistory(rows: readonly BambooHrStatusRow[], employeeId: string): EmploymentStatusRow[] {
  return [...rows]
    .sort(byDateThenRow)
    .map((row) => ({ effectiveDate: bambooDate(row.date, employeeId, 'employmentStatus date') ?? row.date, status: row.employmentStatus }));
}

/**
 * Inactive once a termination is in force (its row or its date has come), pending before the hire
 * date, otherwise what BambooHR says — except that an `Inactive` explained only by a termination
 * still to come is the `onlyCurrent=false` view of the future, and the person is active today.
 */
export function employeeStatus(
  reportStatus: string | null,
  history: readonly EmploymentStatusRow[],
  hireDate: LocalDate | null,
  terminationDate: LocalDate | null,
  today: LocalDate,
): EmployeeStatus {
  const inForce = history.findLast((row) => row.effectiveDate <= today);
  if (inForce?.status === TERMINATED || (terminationDate !== null && terminationDate <= today)) return 'INACTIVE';
  if (hireDate !== null && hireDate > today) return 'PENDING';
  const terminationAhead = terminationDate !== null && terminationDate > today;
  return reportStatus === 'Inactive' && !terminationAhead ? 'INACTIVE' : 'ACTIVE';
}

/**
 * The job row in force on `day`: a report read with `onlyCurrent=false` (needed to see pre-hires)
 * shows future-dated job changes early, so a department move dated next month would move the learner
 * to the new team today. None is in force before the first row's date.
 */
export function jobOn(rows: readonly BambooHrJobRow[], day: string): BambooHrJobRow | undefined {
  // BambooHR answers table rows in no particular order: the row in force is the latest dated on or
  // before the day, of one day's rows the last created (highest row id).
  let current: BambooHrJobRow | undefined;
  for (const row of rows) if (row.date <= day && (current === undefined || byDateThenRow(current, row) < 0)) current = row;
  return current;
}

type JobValues = Pick<BambooHrJobRow, 'jobTitle' | 'department' | 'division' | 'location'>;

/**
 * The job values an employee has: a pre-hire's rows are dated on the hire day, so they are judged by
 * the row they start with (as their status is, in core/eligibility.ts), everyone else by the row in
 * force today — someone hired whose only row starts later is in no department yet. Without the job
 * table (not read) the report's own values stand.
 */
function jobValues(row: BambooHrReportRow, jobRows: readonly BambooHrJobRow[], hireDate: LocalDate | null, today: LocalDate): JobValues {
  const job = jobOn(jobRows, hireDate !== null && hireDate > today ? hireDate : today);
  const value = (field: keyof JobValues) => (jobRows.length === 0 ? textValue(row, field) : (job?.[field] ?? null));
  return { jobTitle: value('jobTitle'), department: value('department'), division: value('division'), location: value('location') };
}

export function toEmployee(
  row: BambooHrReportRow,
  statusRows: readonly BambooHrStatusRow[],
  context: MappingContext,
  jobRows: readonly BambooHrJobRow[] = [],
): Employee {
  const firstName = name(row, 'firstName');
  const lastName = name(row, 'lastName');
  const preferredName = textValue(row, 'preferredName');
  const hireDate = bambooDate(row.values.hireDate, row.id, 'hireDate');
  const terminationDate = bambooDate(row.values.terminationDate, row.id, 'terminationDate');
  const job = jobValues(row, jobRows, hireDate, context.today);
  const history = statusHistory(statusRows, row.id);
  const reportStatus = textValue(row, 'status');
  if (reportStatus !== null && reportStatus !== 'Active' && reportStatus !== 'Inactive') {
    throw badValue(row.id, 'status', reportStatus, 'Active or Inactive');
  }
  const email = textValue(row, 'workEmail');
  const supervisor = textValue(row, 'supervisorEId');
  return {
    source: 'BAMBOOHR',
    sourceId: row.id,
    employeeNumber: textValue(row, 'employeeNumber'),
    firstName,
    lastName,
    preferredName,
    displayName: textValue(row, 'displayName') ?? `${preferredName ?? firstName} ${lastName}`,
    workEmail: email === null ? null : email.toLowerCase(),
    jobTitle: job.jobTitle,
    department: job.department,
    division: job.division,
    location: job.location,
    workPhone: textValue(row, 'workPhone'),
    mobilePhone: textValue(row, 'mobilePhone'),
    workAddress: workAddress(row),
    employmentStatusHistory: history,
    status: employeeStatus(reportStatus, history, hireDate, terminationDate, context.today),
    hireDate,
    terminationDate,
    accessEnabled: isChecked(row.values[context.accessFlagKey], row.id, context.accessFlagKey),
    // "0" is how some accounts say "no supervisor".
    managerId: supervisor === null || supervisor === '0' ? null : supervisor,
  };
}

const quoted = (names: readonly string[]): string => names.map((name) => JSON.stringify(name)).join(', ');

/** By exact name first, then ignoring case and surrounding blanks (HR admins retype names). */
function byName<T extends { name: string }>(fields: readonly T[], fieldName: string): T | undefined {
  const wanted = fieldName.trim().toLowerCase();
  return fields.find((field) => field.name === fieldName) ?? fields.find((field) => field.name.trim().toLowerCase() === wanted);
}

/** The fields able to hold the access flag: what a policy may name, and what a refused name is offered instead. */
export const accessFlagFields = (fields: readonly BambooHrField[]): BambooHrField[] => fields.filter((field) => CHECKBOX_TYPES.has(field.type.toLowerCase()));

/**
 * The report key of the access flag, found by the field's *name* (aliases differ per account).
 * No such checkbox is a configuration error naming the ones there are, never "everyone off": reading
 * a missing flag as unchecked would plan the whole company's deactivation. The same error refuses
 * the name when a policy is set and fails a run whose field has since gone.
 */
export function accessFlagKey(fields: readonly BambooHrField[], fieldName: string): string {
  const checkboxes = accessFlagFields(fields);
  const field = byName(checkboxes, fieldName);
  if (field) return field.alias ?? field.id;
  const candidates = checkboxes.map((checkbox) => checkbox.name);
  const other = byName(fields, fieldName);
  const problem = other
    ? `BambooHR's field ${JSON.stringify(other.name)} is a ${other.type} field, not a checkbox, so it cannot hold the access flag`
    : `BambooHR has no checkbox field named ${JSON.stringify(fieldName)} to read the access flag from`;
  const choice = candidates.length > 0 ? `its checkbox fields are ${quoted(candidates)}` : 'it has no checkbox fields; create one';
  throw new ConfigError(`${problem}; ${choice}`, { field: 'accessFlag.fieldName', received: fieldName, candidates });
}
