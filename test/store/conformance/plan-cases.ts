import { expect, it } from 'vitest';
import { newTenant, type TestStore } from './fixtures.js';

interface TestPlan {
  source: string;
  actions: { id: string; kind: string }[];
  skips: { sourceId: string }[];
  unchanged: string[];
  summary: Record<string, number>;
}

function plan(actions: number, unchanged: number, kind = 'CREATE_LEARNER'): TestPlan {
  return {
    source: 'BAMBOOHR',
    actions: Array.from({ length: actions }, (_, i) => ({ id: `${kind}:${i}`, kind })),
    skips: [{ sourceId: 'skipped-1' }],
    unchanged: Array.from({ length: unchanged }, (_, i) => `u${i}`),
    summary: { [kind]: actions },
  };
}

/** Run plans, stored in chunks: what comes back is what was put, however long its lists. */
export function planCases(opened: () => TestStore): void {
  it('gives back a plan of 2,500 actions and 1,200 unchanged employees as it was put, and null for a run without one', async () => {
    const s = opened();
    const tenant = newTenant();
    const written = plan(2_500, 1_200);
    await s.plans.put(tenant, 'r1', written);
    expect(await s.plans.get<TestPlan>(tenant, 'r1')).toEqual(written);
    expect(await s.plans.get<TestPlan>(tenant, 'r2')).toBeNull();
    expect(await s.plans.get<TestPlan>(newTenant(), 'r1')).toBeNull();
  });

  it('replaces a plan whole when a run is planned again, a shorter plan included', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.plans.put(tenant, 'r1', plan(2_500, 10));
    const again = plan(1_001, 0, 'UPDATE_LEARNER');
    await s.plans.put(tenant, 'r1', again);
    expect(await s.plans.get<TestPlan>(tenant, 'r1')).toEqual(again);
    const empty = plan(0, 0);
    await s.plans.put(tenant, 'r1', empty);
    expect(await s.plans.get<TestPlan>(tenant, 'r1')).toEqual(empty);
  });
}
