import { describe, expect, it } from 'vitest';
import { planSync, type ActionResult } from '../../src/core/plan.js';
import { buildRecords, countRecords, tallyRecords } from '../../src/core/records.js';
import { upgradeRecord, type SyncRecord } from '../../src/core/run.js';
import { employee, inStep, planInput } from './builders.js';

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

describe('counts while a run applies', () => {
  // In step: 1, 2; a new title: 3; a move to Sales: 4; access off: 5; new hires: 6, 7; no email: 8.
  const people = [employee('1'), employee('2'), employee('3'), employee('4'), employee('5'), employee('6'), employee('7'), employee('8', { workEmail: null })];
  const world = inStep(people.slice(0, 5));
  const plan = planSync(
    planInput({
      ...world,
      employees: people.map((person) =>
        person.sourceId === '3'
          ? { ...person, jobTitle: 'Staff Engineer' }
          : person.sourceId === '4'
            ? { ...person, department: 'Sales' }
            : person.sourceId === '5'
              ? { ...person, accessEnabled: false }
              : person,
      ),
    }),
  );
  const counted = (results: readonly ActionResult[]) => {
    const done = new Set(results.map((result) => result.action.id));
    return countRecords(buildRecords({ ...plan, actions: plan.actions.filter((action) => done.has(action.id)) }, {}, results, ['99']));
  };

  it('match the records rebuilt from the results so far, after every result, failures included', () => {
    expect(plan.actions.map((action) => action.kind)).toEqual(
      expect.arrayContaining(['CREATE_LEARNER', 'UPDATE_LEARNER', 'ADD_TO_TEAM', 'REMOVE_FROM_TEAM', 'DEACTIVATE_LEARNER']),
    );
    // Every other action fails, so an employee meets both a success and a failure.
    const results: ActionResult[] = plan.actions.map((action, i) => ({ action, ok: i % 2 === 0, learnerId: null, error: i % 2 ? 'no' : null, resumed: false }));
    const tally = tallyRecords(plan, ['99']);
    expect(tally.counts()).toEqual(counted([]));
    for (const [i, result] of results.entries()) {
      tally.add(result);
      expect(tally.counts()).toEqual(counted(results.slice(0, i + 1)));
    }
    expect(tally.counts()).toMatchObject({ unchanged: 2, skipped: 2, failed: expect.any(Number) });
  });
});
