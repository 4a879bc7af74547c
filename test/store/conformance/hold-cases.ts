import { expect, it } from 'vitest';
import { newTenant, type TestStore } from './fixtures.js';

export interface HoldCaseContext {
  opened: () => TestStore;
  /** A second store on the same backend, as another process would have. */
  open: () => Promise<TestStore>;
}

const hold = (id: string, until: string, reason = 'disputed termination') => ({ id, until, reason });

/** Holds: one per employee, lapsed ones dropped as the list is written, and no change lost between processes. */
export function holdCases({ opened, open }: HoldCaseContext): void {
  it('keeps one hold per employee, drops lapsed holds on the next write, and releases by id', async () => {
    const { holds } = opened();
    const tenant = newTenant();
    await holds.put(tenant, hold('BAMBOOHR:1', '2025-03-10'), '2025-03-01');
    await holds.put(tenant, hold('BAMBOOHR:2', '2025-03-05'), '2025-03-01');
    await holds.put(tenant, hold('BAMBOOHR:1', '2025-04-01', 'extended leave'), '2025-03-01');
    expect(await holds.list(tenant)).toEqual([hold('BAMBOOHR:2', '2025-03-05'), hold('BAMBOOHR:1', '2025-04-01', 'extended leave')]);
    // On 2025-03-06 the hold on 2 has lapsed: a write takes it out of the list.
    await holds.put(tenant, hold('NAMELY:x', '2025-03-06'), '2025-03-06');
    expect((await holds.list(tenant)).map((each) => each.id)).toEqual(['BAMBOOHR:1', 'NAMELY:x']);
    expect(await holds.remove(tenant, 'BAMBOOHR:1')).toEqual(hold('BAMBOOHR:1', '2025-04-01', 'extended leave'));
    expect(await holds.remove(tenant, 'BAMBOOHR:1')).toBeNull();
    expect(await holds.list(newTenant())).toEqual([]);
  });

  it('keeps every hold when two processes place holds on one tenant at once', async () => {
    const s = opened();
    const other = await open();
    try {
      const tenant = newTenant();
      const ids = Array.from({ length: 8 }, (_, n) => n);
      await Promise.all(
        ids.flatMap((n) => [
          s.holds.put(tenant, hold(`a${n}`, '2025-03-10'), '2025-03-01'),
          other.holds.put(tenant, hold(`b${n}`, '2025-03-10'), '2025-03-01'),
        ]),
      );
      expect((await other.holds.list(tenant)).map((each) => each.id).sort()).toEqual([...ids.map((n) => `a${n}`), ...ids.map((n) => `b${n}`)].sort());
    } finally {
      await other.close();
    }
  });
}
