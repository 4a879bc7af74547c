import { expect, it } from 'vitest';
import type { NotificationDeliveryEntry } from '../../../src/store/notifications.js';
import { newTenant, type TestStore } from './fixtures.js';

export interface NotificationCaseContext {
  opened: () => TestStore;
  /** A second store on the same backend, as another process would have. */
  open: () => Promise<TestStore>;
}

function delivery(id: string, targetId: string, createdAt = '2025-03-01T09:00:00.000Z'): NotificationDeliveryEntry {
  return {
    id,
    targetId,
    event: 'RUN_SUCCEEDED',
    runId: 'run-1',
    body: '{"id":"evt_1"}',
    state: 'PENDING',
    attempts: 0,
    lastStatus: null,
    lastError: null,
    createdAt,
    updatedAt: createdAt,
    deliveredAt: null,
    nextAttemptAt: createdAt,
    heldUntil: 0,
  };
}

/** The notifications outbox: written once per id, pending until settled, held by one process at a time. */
export function notificationCases({ opened, open }: NotificationCaseContext): void {
  it('keeps notification targets (webhook or email) under a limit, and removing one takes its log and pending deliveries with it', async () => {
    const { notifications } = opened();
    const tenant = newTenant();
    const target = (id: string) => ({ id, url: `https://example.com/${id}`, events: ['RUN_FAILED'], createdAt: '2025-03-01T09:00:00.000Z' });
    const atMostTwo = (next: readonly unknown[]) => {
      if (next.length > 2) throw new Error('limit');
    };
    await notifications.addTarget(tenant, target('a'), atMostTwo);
    const mailed = { id: 'b', email: 'ops@example.com', events: ['RUN_FAILED', 'RUN_PARTIAL'], createdAt: '2025-03-01T09:01:00.000Z' };
    await notifications.addTarget(tenant, mailed, atMostTwo);
    await expect(notifications.addTarget(tenant, target('c'), atMostTwo)).rejects.toThrow('limit');
    expect(await notifications.targets(tenant)).toEqual([target('a'), mailed]);
    expect(await notifications.tenants()).toContain(tenant);

    expect(await notifications.enqueue(tenant, delivery('d1', 'a'))).toBe(true);
    expect((await notifications.removeTarget(tenant, 'a'))?.id).toBe('a');
    expect(await notifications.removeTarget(tenant, 'a')).toBeNull();
    expect(await notifications.pending(tenant)).toEqual([]);
    expect(await notifications.delivery(tenant, 'd1')).toBeNull();
  });

  it('writes a delivery once per id, lists it pending until it settles, and logs a target newest first', async () => {
    const { notifications } = opened();
    const tenant = newTenant();
    expect(await notifications.enqueue(tenant, delivery('d1', 't', '2025-03-01T09:00:00.000Z'))).toBe(true);
    expect(await notifications.enqueue(tenant, { ...delivery('d1', 't'), body: 'another' })).toBe(false);
    expect(await notifications.enqueue(tenant, delivery('d2', 't', '2025-03-01T09:01:00.000Z'))).toBe(true);
    expect((await notifications.pending(tenant)).map((each) => [each.id, each.body])).toEqual([
      ['d1', '{"id":"evt_1"}'],
      ['d2', '{"id":"evt_1"}'],
    ]);
    await notifications.update(tenant, 'd1', (current) => ({ write: { ...current!, state: 'DELIVERED', attempts: 1 }, result: null }));
    expect((await notifications.pending(tenant)).map((each) => each.id)).toEqual(['d2']);
    expect((await notifications.deliveries(tenant, 't', 10)).map((each) => [each.id, each.state])).toEqual([
      ['d2', 'PENDING'],
      ['d1', 'DELIVERED'],
    ]);
    expect((await notifications.deliveries(tenant, 't', 1)).map((each) => each.id)).toEqual(['d2']);
  });

  it('lets exactly one of two processes hold a delivery for an attempt', async () => {
    const tenant = newTenant();
    const other = await open();
    try {
      await opened().notifications.enqueue(tenant, delivery('d1', 't'));
      const hold = (store: TestStore, until: number) =>
        store.notifications.update(tenant, 'd1', (current) =>
          current?.heldUntil === 0 ? { write: { ...current, heldUntil: until }, result: true } : { keep: true, result: false },
        );
      const attempts = Array.from({ length: 10 }, (_, n) => hold(n % 2 === 0 ? opened() : other, 1_000 + n));
      expect((await Promise.all(attempts)).filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
}
