/**
 * An employee write (`POST /employees`, `POST /employees/{id}`) as BambooHR reads it: a flat map of
 * field aliases (or ids) to values, checked first and applied only when all of it is acceptable,
 * so a refused write changes nothing.
 */
import type { LocalDate } from '../days.js';
import { checkboxInput, type FieldCatalogue } from './fields.js';
import { insertByDate, isLocalDate, JOB_FIELDS, STORED_FIELDS, viewAt, type EmployeeRecord, type JobField, type StoredField } from './records.js';

/** A write BambooHR would refuse: the status and the `X-BambooHR-Error-Message` text. */
export interface Refusal {
  status: 400 | 404 | 406 | 409;
  message: string;
}

export const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && typeof (value as Refusal).status === 'number' && 'message' in value;

export interface Patch {
  stored: Partial<Record<StoredField, string | null>>;
  job: Partial<Record<JobField, string | null>>;
  status?: 'Active' | 'Inactive';
  /** Custom checkbox values by alias. */
  checkboxes: Record<string, boolean>;
  /** Accepted on create only: it starts the employmentStatus table. */
  employmentHistoryStatus?: string;
}

/** A request value as BambooHR stores it: text, with "" meaning empty. */
export const text = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return s === '' ? null : s;
};

export interface PatchContext {
  /** The account's fields, to read keys given as ids and to know its checkboxes. */
  fields: FieldCatalogue;
  /** The employee holding a (lower-cased) work email, if any. */
  emailOwner(email: string): number | undefined;
  /** The employee being updated; undefined for a create. */
  selfId?: number;
}

export function parsePatch(body: Record<string, unknown>, context: PatchContext): Patch | Refusal {
  const patch: Patch = { stored: {}, job: {}, checkboxes: {} };
  for (const [key, raw] of Object.entries(body)) {
    const alias = context.fields.field(key)?.alias ?? key;
    const value = text(raw);
    if ((STORED_FIELDS as readonly string[]).includes(alias)) {
      if (alias === 'hireDate' && value !== null && !isLocalDate(value)) {
        return { status: 409, message: `hireDate must be YYYY-MM-DD, got ${JSON.stringify(raw)}` };
      }
      if (alias === 'workEmail' && value !== null) {
        const owner = context.emailOwner(value.trim().toLowerCase());
        if (owner !== undefined && owner !== context.selfId) return { status: 409, message: `Duplicate email: ${value}` };
      }
      patch.stored[alias as StoredField] = value;
    } else if ((JOB_FIELDS as readonly string[]).includes(alias)) {
      patch.job[alias as JobField] = value;
    } else if (alias === 'status') {
      if (value !== 'Active' && value !== 'Inactive') return { status: 409, message: `status must be Active or Inactive, got ${JSON.stringify(raw)}` };
      patch.status = value;
    } else if (context.fields.checkbox(alias)) {
      patch.checkboxes[alias] = checkboxInput(raw);
    } else if (alias === 'employmentHistoryStatus' && value !== null && context.selfId === undefined) {
      patch.employmentHistoryStatus = value;
    }
    // Anything else is unknown or read-only (displayName, supervisor, terminationDate…): ignored.
  }
  return patch;
}

/** Applies a checked patch; job fields and a first status go into table rows dated `rowDate`. */
export function applyPatch(record: EmployeeRecord, patch: Patch, rowDate: LocalDate, nextRowId: () => number): void {
  Object.assign(record.stored, patch.stored);
  if (patch.status) record.status = patch.status;
  Object.assign(record.checkboxes, patch.checkboxes);
  const columns = Object.entries(patch.job) as [JobField, string | null][];
  if (columns.length > 0) {
    // Editing a job field on the employee edits the jobInfo row of that day, or starts one from
    // the row in force then.
    let row = record.jobInfo.findLast((r) => r.date === rowDate);
    if (!row) {
      const base = viewAt(record, rowDate).job;
      row = { ...(base ?? { location: null, division: null, department: null, jobTitle: null, reportsTo: null }), id: nextRowId(), date: rowDate };
      insertByDate(record.jobInfo, row);
    }
    for (const [column, value] of columns) row[column] = value;
  }
  if (patch.employmentHistoryStatus) {
    insertByDate(record.employmentStatus, {
      id: nextRowId(),
      date: rowDate,
      employmentStatus: patch.employmentHistoryStatus,
      terminationTypeId: null,
      terminationReasonId: null,
      terminationRehireId: null,
      comment: null,
    });
  }
}
