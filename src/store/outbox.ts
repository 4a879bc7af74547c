import type Keyv from 'keyv';
import { tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';

/** One accepted webhook delivery: what it asked for, and whether a run has applied it. */
export interface OutboxEntry {
  /** The delivery's identity (timestamp + body digest): also its replay key. */
  id: string;
  /** The ids of the employees it names in their HR system (`Employee.sourceId`). */
  sourceIds: string[];
  /** ISO 8601 instant it was accepted. */
  acceptedAt: string;
  state: 'PENDING' | 'DONE';
}

/** An entry as stored: one accepted before the field was named `sourceIds` calls it `employeeIds`. */
type StoredOutboxEntry = OutboxEntry | (Omit<OutboxEntry, 'sourceIds'> & { employeeIds: string[] });

/** A pending entry left by an earlier version is still applied after an upgrade, not dropped. */
function upgradeEntry(stored: StoredOutboxEntry): OutboxEntry {
  if ('sourceIds' in stored) return stored;
  const { employeeIds, ...rest } = stored;
  return { ...rest, sourceIds: employeeIds };
}

/**
 * Webhook deliveries, kept from the moment they are accepted until a run has applied them. The
 * sender is answered only after `accept` has written the entry, so a process killed at any point
 * afterwards finds the change again at start; and because the entry is also the replay marker (one
 * write, not two), a redelivery of an acknowledged change is recognised whether or not it was applied.
 */
export class WebhookOutbox {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
  ) {}

  /** Stores `entry` as PENDING; false when a delivery with its id is already known (a replay). */
  async accept(tenant: string, entry: Omit<OutboxEntry, 'state'>): Promise<boolean> {
    const indexKey = tenantKey(tenant, 'webhooks-pending');
    return this.locks.run(indexKey, async () => {
      const entryKey = tenantKey(tenant, 'webhook', entry.id);
      if ((await this.kv.get(entryKey)) !== undefined) return false;
      // Index first: a crash between the two writes leaves an index line without an entry, which
      // `pending` skips, and the unanswered sender redelivers. The other order could lose the change.
      const index = (await this.kv.get<string[]>(indexKey)) ?? [];
      await this.kv.set(indexKey, [...index, entry.id]);
      await this.kv.set(entryKey, { ...entry, state: 'PENDING' } satisfies OutboxEntry);
      return true;
    });
  }

  /** Entries accepted and not yet applied, oldest first. */
  async pending(tenant: string): Promise<OutboxEntry[]> {
    const ids = (await this.kv.get<string[]>(tenantKey(tenant, 'webhooks-pending'))) ?? [];
    if (ids.length === 0) return [];
    const entries = await this.kv.getMany<StoredOutboxEntry>(ids.map((id) => tenantKey(tenant, 'webhook', id)));
    return entries.filter((entry): entry is StoredOutboxEntry => entry?.state === 'PENDING').map(upgradeEntry);
  }

  /** Marks entries applied; they stay, as replay markers, for `keepMs`. */
  async complete(tenant: string, ids: readonly string[], keepMs: number): Promise<void> {
    if (ids.length === 0) return;
    const indexKey = tenantKey(tenant, 'webhooks-pending');
    await this.locks.run(indexKey, async () => {
      for (const id of ids) {
        const entryKey = tenantKey(tenant, 'webhook', id);
        const entry = await this.kv.get<OutboxEntry>(entryKey);
        if (entry) await this.kv.set(entryKey, { ...entry, state: 'DONE' } satisfies OutboxEntry, keepMs);
      }
      const done = new Set(ids);
      const index = (await this.kv.get<string[]>(indexKey)) ?? [];
      await this.kv.set(
        indexKey,
        index.filter((id) => !done.has(id)),
      );
    });
  }
}
