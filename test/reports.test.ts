/**
 * Run reports as CSV (src/reports.ts over core/report.ts): what a spreadsheet or a CSV reader gets
 * back is what the records said, except that a would-be formula is defused.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { guardFormula, REPORT_HEADER } from '../src/core/report.js';
import { emptyCounts, type SyncRecord, type SyncRun } from '../src/core/run.js';
import { reportCsv } from '../src/reports.js';

const run: SyncRun = {
  id: '0b6f1c2e-5d4a-4c1b-9a7e-3f2d1c0b9a87',
  tenant: 'default',
  source: 'BAMBOOHR',
  trigger: 'MANUAL',
  dryRun: false,
  status: 'SUCCEEDED',
  scope: null,
  createdAt: '2025-06-15T09:00:00.000Z',
  startedAt: '2025-06-15T09:00:01.000Z',
  finishedAt: '2025-06-15T09:00:05.000Z',
  counts: emptyCounts(),
  progress: { done: 0, total: 0 },
  error: null,
  safeguard: null,
  approvedBy: null,
};

const record = (overrides: Partial<SyncRecord>): SyncRecord => ({
  sourceId: '7',
  name: "Zoë O'Neill",
  email: 'zoe@acmerockets.example',
  outcome: 'CREATED',
  reason: null,
  learnerId: 'L7',
  changes: [],
  error: null,
  ...overrides,
});

const HOSTILE = ['=HYPERLINK("https://evil.example","click")', '+1+2', '-2+3', '@SUM(A1:A2)', '\t=1+1', '\r=1+1'];

describe('run reports as CSV', () => {
  it('guards a cell a spreadsheet would run as a formula with a leading quote, and leaves others alone', () => {
    for (const text of HOSTILE) expect(guardFormula(text)).toBe(`'${text}`);
    for (const text of ['Zoë', ' =not first', 'a=b', '', "'already"]) expect(guardFormula(text)).toBe(text);
  });

  it('round-trips quotes, commas, newlines and accents through a CSV parser, with the guard applied', () => {
    const records = [
      record({ sourceId: '1', name: '=HYPERLINK("x")', email: '@evil' }),
      record({ sourceId: '2', name: 'Smith, "Jr."', error: 'line one\nline two\r\nline three\rend' }),
      record({
        sourceId: '3',
        changes: [
          { field: 'department', before: 'R&D, West', after: '"Ops"' },
          { field: 'team', before: null, after: 'Ops' },
        ],
      }),
      record({ sourceId: '4', name: '-1', email: null, outcome: 'SKIPPED', reason: 'NO_EMAIL', learnerId: null }),
    ];
    const csv = reportCsv(run, records);
    expect(csv.startsWith('run_id,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv);
    expect(rows[0]).toEqual([...REPORT_HEADER]);
    expect(rows.slice(1).map((row) => row.slice(2, 5))).toEqual([
      ['1', `'=HYPERLINK("x")`, "'@evil"],
      ['2', 'Smith, "Jr."', 'zoe@acmerockets.example'],
      ['3', "Zoë O'Neill", 'zoe@acmerockets.example'],
      ['4', "'-1", ''],
    ]);
    expect(rows[2]?.[9]).toBe('line one\nline two\r\nline three\rend');
    expect(rows[3]?.[8]).toBe('department: R&D, West -> "Ops"; team:  -> Ops');
    expect(rows[4]?.slice(5, 8)).toEqual(['SKIPPED', 'NO_EMAIL', '']);
  });

  it('starts with a byte order mark only when asked', () => {
    const plain = reportCsv(run, [record({})]);
    const bom = reportCsv(run, [record({})], { bom: true });
    expect(plain.charCodeAt(0)).toBe('r'.charCodeAt(0));
    expect(bom).toBe(`\uFEFF${plain}`);
    expect(parse(bom, { bom: true })).toEqual(parse(plain));
  });
});
