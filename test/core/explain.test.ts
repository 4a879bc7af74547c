import { describe, expect, it } from 'vitest';
import { explainAll } from '../../src/core/explain.js';
import type { Employee } from '../../src/model.js';
import { employee, inStepInput, learnerOf, planInput } from './builders.js';

/** One employee explained alone, with the learner Litmos has for them (by default none). */
const explainOne = (person: Employee, withLearner = false) => {
  const input = withLearner ? inStepInput([person]) : planInput({ employees: [person] });
  return explainAll(input).get(person.sourceId);
};

describe('explain: the values behind each reason', () => {
  it('a status that starts later: NO_STATUS today, and STATUS_STARTS_LATER with its status and day', () => {
    const later = employee('1', { employmentStatusHistory: [{ effectiveDate: '2025-07-01', status: 'Full-Time' }] });
    expect(explainOne(later)).toMatchObject({
      state: 'NOT_PROVISIONED',
      reasons: [
        { code: 'NO_STATUS', field: 'employmentStatus', value: null },
        { code: 'STATUS_STARTS_LATER', field: 'employmentStatus', value: 'Full-Time', since: '2025-07-01' },
      ],
    });
  });

  it('a termination: by date, or by a Terminated status row and its day; the learner is to be deactivated', () => {
    const byDate = employee('2', { terminationDate: '2025-06-01' });
    expect(explainOne(byDate, true)).toMatchObject({
      state: 'TO_DEACTIVATE',
      learnerId: 'L2',
      reasons: [{ code: 'TERMINATED', field: 'terminationDate', value: '2025-06-01', since: '2025-06-01' }],
    });
    const byRow = employee('3', {
      employmentStatusHistory: [
        { effectiveDate: '2020-01-06', status: 'Full-Time' },
        { effectiveDate: '2025-06-10', status: 'Terminated' },
      ],
    });
    expect(explainOne(byRow, true)?.reasons[0]).toMatchObject({ code: 'TERMINATED', field: 'employmentStatus', value: 'Terminated', since: '2025-06-10' });
  });

  it("every rule an employee fails, in the planner's order, with the flag's field and the hire day", () => {
    const many = employee('4', { accessEnabled: false, hireDate: '2025-09-01', workEmail: null });
    expect(explainOne(many)).toMatchObject({
      state: 'NOT_PROVISIONED',
      reasons: [
        { code: 'ACCESS_FLAG_OFF', field: 'Litmos Access', value: 'false' },
        { code: 'PRE_HIRE', field: 'hireDate', value: '2025-09-01', since: '2025-09-01' },
        { code: 'NO_WORK_EMAIL', field: 'workEmail' },
      ],
    });
    // With the flag on, the earliest rule the planner acts on is the start: a pre-hire.
    expect(explainOne({ ...many, accessEnabled: true })?.state).toBe('PRE_HIRE');
  });

  it('an eligible employee in step is PROVISIONED, and a change to make is TO_UPDATE with its before and after', () => {
    const person = employee('5');
    expect(explainOne(person, true)).toMatchObject({ state: 'PROVISIONED', learnerId: 'L5', reasons: [{ code: 'ELIGIBLE' }] });
    const renamed = { ...inStepInput([person]), employees: [{ ...person, jobTitle: 'Staff Engineer' }] };
    expect(explainAll(renamed).get('5')).toMatchObject({
      state: 'TO_UPDATE',
      reasons: [{ code: 'ELIGIBLE' }, { code: 'FIELD_CHANGED', field: 'title', value: 'Staff Engineer', message: 'title: "Engineer" → "Staff Engineer"' }],
    });
  });

  it('two employees with one email: the second is a CONFLICT, named by the email', () => {
    const first = employee('6');
    const second = employee('7', { workEmail: first.workEmail });
    const explained = explainAll(planInput({ employees: [first, second], learners: [learnerOf(first)] }));
    expect(explained.get('7')).toMatchObject({ state: 'CONFLICT', reasons: [{ code: 'DUPLICATE_EMAIL', value: first.workEmail }, { code: 'ELIGIBLE' }] });
    expect(explained.get('6')?.state).toBe('TO_UPDATE'); // matched by username and linked
  });
});
