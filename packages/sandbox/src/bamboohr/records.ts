/**
 * BambooHR's employee records as the simulator stores them: single-valued fields, plus the two
 * effective-dated tables (jobInfo, employmentStatus) from which the "current" department, title,
 * manager and employment status are derived as of a day. Pure data and pure functions; no I/O.
 */
import type { SeedCompany, SeedPerson } from '../company.js';
import type { LocalDate } from '../days.js';

/** Single-valued fields stored on the record, by their BambooHR alias. */
export const STORED_FIELDS = [
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'workEmail',
  'workPhone',
  'mobilePhone',
  'address1',
  'address2',
  'city',
  'state',
  'zipcode',
  'country',
  'hireDate',
] as const;
export type StoredField = (typeof STORED_FIELDS)[number];

/** The jobInfo columns that the employee fields of the same name read their current value from. */
export const JOB_FIELDS = ['location', 'division', 'department', 'jobTitle'] as const;
export type JobField = (typeof JOB_FIELDS)[number];

export interface JobInfoRow {
  id: number;
  date: LocalDate;
  location: string | null;
  division: string | null;
  department: string | null;
  jobTitle: string | null;
  /** The manager's employee id. */
  reportsTo: number | null;
}

export interface EmploymentStatusRow {
  id: number;
  date: LocalDate;
  employmentStatus: string;
  terminationTypeId: string | null;
  terminationReasonId: string | null;
  terminationRehireId: string | null;
  comment: string | null;
}

export type ChangeAction = 'Inserted' | 'Updated' | 'Deleted';

export interface EmployeeRecord {
  id: number;
  stored: Record<StoredField, string | null>;
  /** The employee-level status an admin can set; a termination that has taken effect overrides it. */
  status: 'Active' | 'Inactive';
  /** Set by a "Terminated" employmentStatus row; shown only once its day has come (see `viewAt`). */
  terminationDate: LocalDate | null;
  /** Custom checkbox values by field alias ("Litmos Access" is `customLitmosAccess`); absent is unchecked. */
  checkboxes: Record<string, boolean>;
  /** Oldest first; rows of the same day keep the order they were added in. */
  jobInfo: JobInfoRow[];
  employmentStatus: EmploymentStatusRow[];
  /** ISO 8601 with offset, second precision, as `GET /employees/changed` reports it. */
  lastChanged: string;
  action: ChangeAction;
}

export const TERMINATED = 'Terminated';
/** The seeded custom checkbox "Litmos Access" (see fields.ts), which holds each person's access flag. */
export const ACCESS_FLAG_ALIAS = 'customLitmosAccess';
/** Compares after every real date: the "as of" day of an `onlyCurrent=false` read. */
export const END_OF_TIME: LocalDate = '9999-12-31';

/** The record as it reads on a given day: every effective-dated value resolved. */
export interface EmployeeView {
  record: EmployeeRecord;
  job: JobInfoRow | undefined;
  employment: EmploymentStatusRow | undefined;
  terminationDate: LocalDate | null;
  status: 'Active' | 'Inactive';
}

/** The row in force on `day`: the last one dated on or before it (rows are kept sorted). */
export function rowAsOf<Row extends { date: LocalDate }>(rows: readonly Row[], day: LocalDate): Row | undefined {
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const row = rows[i];
    if (row && row.date <= day) return row;
  }
  return undefined;
}

/**
 * `day` is today for current values, or `END_OF_TIME` for BambooHR's `onlyCurrent=false`, which
 * shows future-dated history values: the recorded report (JupiterOne, taken 2022-02-15) lists people
 * whose termination is dated 2022-03-16 as `Inactive` / `Terminated` with that date. So a future
 * termination shows, and flips the status, only in an `onlyCurrent=false` read.
 */
export function viewAt(record: EmployeeRecord, day: LocalDate): EmployeeView {
  const terminated = record.terminationDate !== null && record.terminationDate <= day;
  return {
    record,
    job: rowAsOf(record.jobInfo, day),
    employment: rowAsOf(record.employmentStatus, day),
    terminationDate: terminated ? record.terminationDate : null,
    status: terminated || record.status === 'Inactive' ? 'Inactive' : 'Active',
  };
}

/** Inserts keeping date order; a row on an existing day goes after that day's rows. */
export function insertByDate<Row extends { date: LocalDate }>(rows: Row[], row: Row): void {
  let at = rows.length;
  while (at > 0 && (rows[at - 1]?.date ?? '') > row.date) at -= 1;
  rows.splice(at, 0, row);
}

export const isLocalDate = (value: unknown): value is LocalDate =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}$/.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** `2021-08-18T22:14:17+00:00`: BambooHR's change timestamps carry an offset and no fraction. */
export const isoSeconds = (epochMs: number): string => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export interface RowIds {
  next(): number;
}

function seedRecord(person: SeedPerson, today: LocalDate, ids: RowIds): EmployeeRecord {
  const setUpOn = person.hireDate < today ? person.hireDate : today;
  return {
    id: person.id,
    stored: {
      employeeNumber: person.employeeNumber,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: person.preferredName,
      workEmail: person.workEmail,
      workPhone: person.workPhone,
      mobilePhone: person.mobilePhone,
      address1: person.street1,
      address2: null,
      city: person.city,
      state: person.state,
      zipcode: person.postalCode,
      country: person.country,
      hireDate: person.hireDate,
    },
    status: 'Active',
    terminationDate: person.terminationDate,
    checkboxes: { [ACCESS_FLAG_ALIAS]: person.accessEnabled },
    // One row from the hire date: a pre-hire's job therefore only shows in onlyCurrent=false reads.
    jobInfo: [
      {
        id: ids.next(),
        date: person.hireDate,
        location: person.location,
        division: person.division,
        department: person.department,
        jobTitle: person.jobTitle,
        reportsTo: person.managerId,
      },
    ],
    employmentStatus: person.statusHistory.map((row) => ({
      id: ids.next(),
      date: row.date,
      employmentStatus: row.status,
      terminationTypeId: null,
      terminationReasonId: null,
      terminationRehireId: null,
      comment: null,
    })),
    // Seeded people were last touched when they were set up, so a changed-since feed read from
    // "now" starts empty.
    lastChanged: `${setUpOn}T00:00:00+00:00`,
    action: 'Inserted',
  };
}

/** The company's people as BambooHR records, ids kept. */
export function seedRecords(company: SeedCompany, ids: RowIds): EmployeeRecord[] {
  return company.people.map((person) => {
    const record = seedRecord(person, company.today, ids);
    record.employmentStatus.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    return record;
  });
}
