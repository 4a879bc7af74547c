/**
 * Run reports as CSV files: core/report.ts builds the guarded rows, csv-stringify writes them
 * (RFC 4180 quoting, CRLF line ends as Excel expects).
 */
import { stringify } from 'csv-stringify/sync';
import { reportRows } from './core/report.js';
import type { SyncRecord, SyncRun } from './core/run.js';

export interface ReportCsvOptions {
  /** Start with U+FEFF: Excel reads a CSV without it in the machine's legacy code page, mangling "Zoë". @default false */
  bom?: boolean;
}

/** The report's file name, as the report route serves it and an email notification attaches it. */
export const reportFileName = (run: Pick<SyncRun, 'id' | 'source'>) => `rostergate-${run.source.toLowerCase()}-${run.id}.csv`;

export function reportCsv(run: SyncRun, records: readonly SyncRecord[], options: ReportCsvOptions = {}): string {
  const csv = stringify(reportRows(run, records), {
    record_delimiter: 'windows',
    // csv-stringify quotes a cell holding the record delimiter (CRLF) but not a lone CR or LF, which
    // every reader still takes for a line end: an address or error with one would split its row.
    quoted_match: /[\r\n]/,
  });
  return (options.bom ? '\uFEFF' : '') + csv;
}
