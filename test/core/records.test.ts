import { describe, expect, it } from 'vitest';
import { upgradeRecord, type SyncRecord } from '../../src/core/run.js';

const record: SyncRecord = { sourceId: '7', name: 'Ada Lovelace', email: null, outcome: 'CREATED', reason: null, learnerId: 'L1', changes: [], error: null };

describe('stored run records', () => {
  it('reads a record in today’s shape as it is', () => {
    expect(upgradeRecord(record)).toBe(record);
  });

  it('reads a record written before the employee id was named sourceId (it was `key`)', () => {
    const { sourceId, ...rest } = record;
    expect(upgradeRecord({ ...rest, key: sourceId })).toEqual(record);
  });
});
