import { describe, expect, it } from 'vitest';
import { planSync, type PlanInput } from '../../src/core/plan.js';
import { diffPlans } from '../../src/core/preview.js';
import { employee, inStepInput, learnerOf, TODAY } from './builders.js';

const planned = (input: PlanInput) => ({ input, plan: planSync(input) });
const ids = (entries: readonly { sourceId: string }[]) => entries.map((entry) => entry.sourceId);

describe('diffPlans', () => {
  const staff = [employee('1'), employee('2', { department: 'Sales' }), employee('3', { hireDate: '2025-07-01' })];
  const base = inStepInput(staff.slice(0, 2));
  const today = { ...base, employees: staff };

  it('is empty when the draft is the current policy on the same day', () => {
    const diff = diffPlans(planned(today), planned(today));
    expect(diff).toEqual({ created: [], deactivated: [], moved: [], updated: [], changed: [], asOf: TODAY });
  });

  it('names whom a draft would deactivate, move and update, and whom a later day would create', () => {
    const draft: PlanInput = {
      ...today,
      today: '2025-07-01',
      policy: {
        ...today.policy,
        blocklist: ['Full-Time'],
        fieldMap: [...today.policy.fieldMap.filter((m) => m.learner !== 'title'), { employee: 'department', learner: 'title' }],
      },
      // 2 left Sales in Litmos by hand: the draft's teams put them back, as today's plan would too.
      teamMembers: { 'T-Engineering': ['L1'], 'T-Sales': [] },
    };
    const diff = diffPlans(planned(today), planned({ ...draft, policy: { ...draft.policy, blocklist: [] } }));
    expect(ids(diff.created)).toEqual(['3']);
    expect(diff.created[0]).toMatchObject({ before: 'PRE_HIRE', after: 'TO_CREATE' });
    expect(ids(diff.updated)).toEqual(['1', '2']);
    expect(diff.updated[0]?.changes).toEqual([{ field: 'title', before: 'Engineer', after: 'Engineering' }]);
    expect(ids(diff.moved)).toEqual(['2']);
    expect(diff.moved[0]?.teamsJoined).toEqual(['Sales']);

    const blocked = diffPlans(planned(today), planned({ ...today, policy: { ...today.policy, blocklist: ['full-time'] } }));
    expect(ids(blocked.deactivated)).toEqual(['1', '2']);
    expect(blocked.deactivated[0]?.reasons[0]).toMatchObject({ code: 'BLOCKLISTED_STATUS', value: 'Full-Time', since: '2020-01-06' });
    // The pre-hire is not deactivated (they have no learner), but their state changes: a blocklisted status outranks a later start.
    expect(blocked.changed.map((entry) => [entry.sourceId, entry.before, entry.after])).toEqual([
      ['1', 'PROVISIONED', 'TO_DEACTIVATE'],
      ['2', 'PROVISIONED', 'TO_DEACTIVATE'],
      ['3', 'PRE_HIRE', 'NOT_PROVISIONED'],
    ]);
  });

  it("does not list as moved or updated what today's plan already does", () => {
    const stale = { ...today, learners: [learnerOf(staff[0]!, { lastName: 'Old' }), learnerOf(staff[1]!)] };
    const diff = diffPlans(planned(stale), planned({ ...stale, policy: { ...stale.policy, prehireLeadDays: 30 } }));
    expect(ids(diff.updated)).toEqual([]);
    expect(ids(diff.created)).toEqual(['3']);
  });
});
