import { describe, expect, it } from 'vitest';
import type { Hold } from '../../src/core/holds.js';
import { planSync } from '../../src/core/plan.js';
import { employee, inStepInput, TODAY } from './builders.js';

const hold = (sourceId: string, until: string): Hold => ({
  id: `BAMBOOHR:${sourceId}`,
  source: 'BAMBOOHR',
  sourceId,
  until,
  reason: 'disputed termination',
  heldBy: 'token-1',
  heldAt: '2025-06-01T10:00:00.000Z',
});

describe('planSync: holds', () => {
  // Terminated, renamed and moved to another department: each would be an action without the hold.
  const disputed = employee('7', { terminationDate: '2025-06-01', lastName: 'Renamed' });
  const colleague = employee('8', { terminationDate: '2025-06-01' });
  const base = inStepInput([employee('7'), employee('8')]);
  const input = { ...base, employees: [{ ...disputed, department: 'Sales' }, colleague] };

  it('skips a held employee as HELD with their learner, with no deactivation, update or team change', () => {
    const plan = planSync({ ...input, holds: [hold('7', TODAY)] });
    expect(plan.actions.filter((action) => 'sourceId' in action && action.sourceId === '7')).toEqual([]);
    expect(plan.skips).toEqual([{ sourceId: '7', reason: 'HELD', learnerId: 'L7' }]);
    // The colleague is not held: deactivated as usual.
    expect(plan.actions.map((action) => action.id)).toEqual(['deactivate:BAMBOOHR:8']);
  });

  it('lapses by itself after its until day', () => {
    const plan = planSync({ ...input, holds: [hold('7', '2025-06-14')] });
    expect(plan.skips).toEqual([]);
    expect(plan.actions.map((action) => action.id)).toContain('deactivate:BAMBOOHR:7');
  });

  it('holds only its own source: a Namely hold on the same id does nothing to a BambooHR employee', () => {
    const plan = planSync({ ...input, holds: [{ ...hold('7', TODAY), source: 'NAMELY', id: 'NAMELY:7' }] });
    expect(plan.actions.map((action) => action.id)).toContain('deactivate:BAMBOOHR:7');
  });

  it('outside an import scope, a held employee is NOT_IN_SCOPE like anyone else', () => {
    const plan = planSync({ ...input, holds: [hold('7', TODAY)], scope: { sourceIds: ['8'] } });
    expect(plan.skips).toEqual([{ sourceId: '7', reason: 'NOT_IN_SCOPE', learnerId: null }]);
  });
});
