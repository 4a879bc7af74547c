/**
 * A run's report, one row per employee, like the "Recent Imports" download: what happened, why, and
 * which fields changed from what to what. Pure: the rows, formula-guarded; writing them as CSV is
 * src/reports.ts's (core/ imports no package).
 */
import type { SyncRecord, SyncRun } from './run.js';

export const REPORT_HEADER = ['run_id', 'source', 'employee_id', 'name', 'email', 'outcome', 'reason', 'learner_id', 'changes', 'error'] as const;

/**
 * A cell a spreadsheet would run as a formula (= + - @, or a tab or carriage return before one) gets
 * a leading single quote, per OWASP's CSV injection guidance: names and emails come from the HR
 * system, so anyone who can edit a profile could otherwise plant `=HYPERLINK(…)` in an admin's Excel.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The header row, then one guarded row per record. */
export function reportRows(run: SyncRun, records: readonly SyncRecord[]): string[][] {
  const rows = records.map((r) => [
    run.id,
    run.source,
    r.sourceId,
    r.name,
    r.email,
    r.outcome,
    r.reason,
    r.learnerId,
    r.changes.map((c) => `${c.field}: ${c.before ?? ''} -> ${c.after ?? ''}`).join('; '),
    r.error,
  ]);
  return [[...REPORT_HEADER], ...rows.map((row) => row.map((value) => guardFormula(value ?? '')))];
}
