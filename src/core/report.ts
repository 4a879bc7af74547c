/**
 * A run's report as CSV, one row per employee, like the "Recent Imports" download: what happened,
 * why, and which fields changed from what to what.
 */
import type { SyncRecord, SyncRun } from './run.js';

const HEADER = ['run_id', 'source', 'employee_id', 'name', 'email', 'outcome', 'reason', 'learner_id', 'changes', 'error'];

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
function cell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function reportCsv(run: SyncRun, records: readonly SyncRecord[]): string {
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
  return [HEADER, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
