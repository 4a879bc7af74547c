/**
 * The simulated account's state and every write BambooHR accepts: create and update an employee,
 * add a jobInfo or employmentStatus row, move the simulated day forward. Each write stamps
 * `lastChanged` and tells listeners which fields changed *as of today*: a future-dated row is stored
 * at once but only "changes" the employee when its day comes, as BambooHR's webhooks behave.
 */
import type { SeedCompany } from '../company.js';
import type { LocalDate } from '../days.js';
import { changedAliases, currentValues, FieldCatalogue, type FieldContext, type FieldValue } from './fields.js';
import { applyPatch, isRefusal, parsePatch, text, type Refusal } from './patch.js';
import {
  insertByDate,
  isLocalDate,
  isoSeconds,
  JOB_FIELDS,
  seedRecords,
  STORED_FIELDS,
  TERMINATED,
  viewAt,
  type ChangeAction,
  type EmployeeRecord,
  type JobInfoRow,
  type StoredField,
} from './records.js';

export type TableName = 'jobInfo' | 'employmentStatus';
export const TABLES: readonly TableName[] = ['jobInfo', 'employmentStatus'];

export interface EmployeeChange {
  employeeId: number;
  event: 'employee.created' | 'employee.updated';
  /** Aliases whose value as of today changed; empty for `employee.created`. */
  changedFields: string[];
}

export class BambooHrStore implements FieldContext {
  private records: EmployeeRecord[] = [];
  /** Employees deleted from the account: only the changed feed still names them (action `Deleted`). */
  private deleted: EmployeeRecord[] = [];
  private byId = new Map<number, EmployeeRecord>();
  private emails = new Map<string, number>();
  private rowId = 0;
  private day: LocalDate;
  private writes = 0;
  private readonly listeners = new Set<(change: EmployeeChange) => void>();
  /** The account's field catalogue: standard fields and its custom checkboxes. */
  readonly fields = new FieldCatalogue();

  constructor(
    private readonly company: SeedCompany,
    private readonly initialToday: LocalDate,
  ) {
    this.day = initialToday;
    this.reset();
  }

  reset(): void {
    this.writes += 1;
    this.rowId = 0;
    this.day = this.initialToday;
    this.fields.reset();
    this.records = seedRecords(this.company, { next: () => ++this.rowId });
    this.deleted = [];
    this.byId = new Map(this.records.map((record) => [record.id, record]));
    this.emails = new Map();
    for (const record of this.records) this.indexEmail(record);
  }

  /** Adds, renames or deletes a custom field (an admin in BambooHR's settings); reads change with it. */
  changeFields<T>(change: (fields: FieldCatalogue) => T): T {
    this.writes += 1;
    return change(this.fields);
  }

  /** Deletes a custom checkbox and every value it held, as deleting a field in BambooHR does. */
  removeCheckbox(key: string): boolean {
    const field = this.fields.checkbox(key);
    if (!field) return false;
    this.changeFields((fields) => fields.remove(key));
    // `checkboxes` is BambooHR's alias-keyed JSON object as the API shows it; dropping a field drops its alias.
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the key is the removed field's alias
    for (const record of this.records) delete record.checkboxes[field.alias];
    return true;
  }

  get today(): LocalDate {
    return this.day;
  }

  /** Changes whenever anything a read could show changes: a cache of a read is good while it stays the same. */
  get generation(): number {
    return this.writes;
  }

  /** The employee the API key belongs to (`GET /employees/0`): the account's first person. */
  get selfId(): number | undefined {
    return this.records[0]?.id;
  }

  all(): readonly EmployeeRecord[] {
    return this.records;
  }

  employee(id: number): EmployeeRecord | undefined {
    return this.byId.get(id);
  }

  onChange(listener: (change: EmployeeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(body: Record<string, unknown>): { id: number } | Refusal {
    const patch = parsePatch(body, { fields: this.fields, emailOwner: (email) => this.emails.get(email) });
    if (isRefusal(patch)) return patch;
    if (!text(patch.stored.firstName) || !text(patch.stored.lastName)) {
      return { status: 400, message: 'firstName and lastName are required' };
    }
    const id = (this.records.at(-1)?.id ?? 0) + 1;
    const record: EmployeeRecord = {
      id,
      stored: Object.fromEntries(STORED_FIELDS.map((alias) => [alias, null])) as Record<StoredField, string | null>,
      status: 'Active',
      terminationDate: null,
      checkboxes: {},
      jobInfo: [],
      employmentStatus: [],
      lastChanged: isoSeconds(Date.now()),
      action: 'Inserted',
    };
    this.writes += 1;
    this.records.push(record);
    this.byId.set(id, record);
    // The record's initial rows are dated from its hire date, like the seeded ones.
    applyPatch(record, patch, patch.stored.hireDate ?? this.day, () => ++this.rowId);
    this.indexEmail(record);
    this.emit({ employeeId: id, event: 'employee.created', changedFields: [] });
    this.emitUpdate(record, undefined);
    return { id };
  }

  update(id: number, body: Record<string, unknown>): Refusal | undefined {
    const record = this.byId.get(id);
    if (!record) return { status: 404, message: 'Employee not found' };
    const patch = parsePatch(body, { fields: this.fields, emailOwner: (email) => this.emails.get(email), selfId: id });
    if (isRefusal(patch)) return patch;
    const before = currentValues(record, this.day, this);
    this.unindexEmail(record);
    applyPatch(record, patch, this.day, () => ++this.rowId);
    this.indexEmail(record);
    this.touch(record);
    this.emitUpdate(record, before);
    return undefined;
  }

  addRow(id: number, table: string, body: Record<string, unknown>): Refusal | undefined {
    const record = this.byId.get(id);
    if (!record) return { status: 404, message: 'Employee not found' };
    if (!TABLES.includes(table as TableName)) return { status: 404, message: `Table not found: ${table}` };
    if (!isLocalDate(body.date)) return { status: 400, message: `date must be YYYY-MM-DD, got ${JSON.stringify(body.date ?? null)}` };
    const date = body.date;
    const before = currentValues(record, this.day, this);

    if (table === 'jobInfo') {
      const reportsTo = this.resolveManager(body.reportsTo);
      if (reportsTo === false) return { status: 406, message: `reportsTo is not an employee: ${JSON.stringify(body.reportsTo)}` };
      // Omitted columns carry over from the row in force on that day, so a row can change one thing.
      const base = viewAt(record, date).job;
      const row: JobInfoRow = { id: ++this.rowId, date, location: null, division: null, department: null, jobTitle: null, reportsTo: null };
      for (const column of JOB_FIELDS) row[column] = column in body ? text(body[column]) : (base?.[column] ?? null);
      row.reportsTo = reportsTo === undefined ? (base?.reportsTo ?? null) : reportsTo;
      insertByDate(record.jobInfo, row);
    } else {
      const status = text(body.employmentStatus);
      if (!status) return { status: 400, message: 'employmentStatus is required' };
      insertByDate(record.employmentStatus, {
        id: ++this.rowId,
        date,
        employmentStatus: status,
        terminationTypeId: text(body.terminationTypeId),
        terminationReasonId: text(body.terminationReasonId),
        terminationRehireId: text(body.terminationRehireId),
        comment: text(body.comment),
      });
      if (status === TERMINATED) {
        record.terminationDate = date;
      } else if (record.terminationDate !== null && date > record.terminationDate) {
        // A later non-terminated row is a rehire: the termination no longer describes the person.
        record.terminationDate = null;
        record.status = 'Active';
      }
    }
    this.touch(record);
    this.emitUpdate(record, before);
    return undefined;
  }

  /** Moves the simulated day; employees whose effective-dated values change as a result are updated. */
  setToday(day: LocalDate): number {
    const from = this.day;
    if (day === from) return 0;
    const [low, high] = from < day ? [from, day] : [day, from];
    const crosses = (date: LocalDate | null) => date !== null && date > low && date <= high;
    const affected = this.records.filter(
      (r) => crosses(r.terminationDate) || r.jobInfo.some((row) => crosses(row.date)) || r.employmentStatus.some((row) => crosses(row.date)),
    );
    const before = affected.map((record) => currentValues(record, from, this));
    this.day = day;
    this.writes += 1;
    affected.forEach((record, i) => this.emitUpdate(record, before[i]));
    return affected.length;
  }

  /**
   * `GET /employees/changed`: inclusive of `sinceMs`, so feeding `latest` back never misses a change.
   * Deleted employees are listed with action `Deleted`; every other read has forgotten them.
   */
  changedSince(sinceMs: number, action?: ChangeAction): EmployeeRecord[] {
    return [...this.records, ...this.deleted].filter((r) => Date.parse(r.lastChanged) >= sinceMs && (!action || r.action === action));
  }

  /** Deletes an employee, as an admin can in BambooHR's web app (the API has no delete): gone from every read but the changed feed. */
  remove(id: number): boolean {
    const record = this.byId.get(id);
    if (!record) return false;
    this.touch(record);
    record.action = 'Deleted';
    this.records = this.records.filter((r) => r !== record);
    this.byId.delete(id);
    this.unindexEmail(record);
    this.deleted.push(record);
    return true;
  }

  private touch(record: EmployeeRecord): void {
    this.writes += 1;
    record.lastChanged = isoSeconds(Date.now());
    record.action = 'Updated';
  }

  private emitUpdate(record: EmployeeRecord, before: Map<string, FieldValue> | undefined): void {
    const changedFields = changedAliases(before, currentValues(record, this.day, this));
    if (changedFields.length > 0) this.emit({ employeeId: record.id, event: 'employee.updated', changedFields });
  }

  private emit(change: EmployeeChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** An employee id (number or numeric string) or a "First Last" / "Last, First" name; false when unknown. */
  private resolveManager(value: unknown): number | null | undefined | false {
    if (value === undefined) return undefined;
    const name = text(value);
    if (name === null) return null;
    if (/^\d+$/.test(name)) return this.byId.has(Number(name)) ? Number(name) : false;
    const found = this.records.find((r) => `${r.stored.firstName} ${r.stored.lastName}` === name || `${r.stored.lastName}, ${r.stored.firstName}` === name);
    return found ? found.id : false;
  }

  private indexEmail(record: EmployeeRecord): void {
    const email = record.stored.workEmail?.trim().toLowerCase();
    if (email) this.emails.set(email, record.id);
  }

  private unindexEmail(record: EmployeeRecord): void {
    const email = record.stored.workEmail?.trim().toLowerCase();
    if (email && this.emails.get(email) === record.id) this.emails.delete(email);
  }
}
