import type Keyv from 'keyv';
import type { AtomicState, Decision } from './atomic.js';
import { globalKey, tenantKey } from './keys.js';

/**
 * Where a tenant's notifications go: a webhook URL or an email address, exactly one. A webhook's
 * signing secret is not here: it is a sealed secret of its own.
 */
export type NotificationTargetEntry = {
  id: string;
  /** The event types it is sent (the caller's names). */
  events: string[];
  createdAt: string;
} & ({ url: string; email?: undefined } | { email: string; url?: undefined });

export type NotificationDeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One event for one target, from the moment it is written (before its first attempt) until it is delivered or given up. */
export interface NotificationDeliveryEntry {
  id: string;
  targetId: string;
  event: string;
  runId: string | null;
  /** The exact JSON sent: every attempt sends, and signs, the same bytes. */
  body: string;
  state: NotificationDeliveryState;
  attempts: number;
  /** The last answer's HTTP status; null before the first attempt or when none came. */
  lastStatus: number | null;
  /** Why the last attempt failed, when it did (never a URL or a secret). */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  /** When the next attempt is due (ISO 8601); null once delivered or given up. */
  nextAttemptAt: string | null;
  /** Until when (ms since the epoch) an attempt in flight holds the entry, so no other process sends it meanwhile; 0 when none. */
  heldUntil: number;
}

/** Deliveries kept per target for the log; older ones are forgotten (a pending one only once settled). */
const LOG_LIMIT = 200;

/**
 * Outgoing notifications: each tenant's targets (one list, compare-and-set, as replicas may change it
 * at once) and its deliveries — an outbox per tenant. A delivery is written before it is attempted,
 * under an id its writer derives from what it is about, so the same event observed twice (or by two
 * processes) is written once; the pending index is what a starting process resumes from.
 */
export class NotificationRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly atomic: AtomicState,
  ) {}

  async targets(tenant: string): Promise<NotificationTargetEntry[]> {
    return (await this.kv.get<NotificationTargetEntry[]>(targetsKey(tenant))) ?? [];
  }

  async target(tenant: string, id: string): Promise<NotificationTargetEntry | null> {
    return (await this.targets(tenant)).find((target) => target.id === id) ?? null;
  }

  /** Adds `target`; `admit` sees the list as it will be written and may refuse it by throwing (a limit per tenant), and then nothing changes. */
  async addTarget(tenant: string, target: NotificationTargetEntry, admit: (next: readonly NotificationTargetEntry[]) => void): Promise<void> {
    await this.atomic.change<NotificationTargetEntry[]>(targetsKey(tenant), (current = []) => {
      const next = [...current.filter((each) => each.id !== target.id), target];
      admit(next);
      return next;
    });
    await this.atomic.change<string[]>(TENANTS_KEY, (tenants = []) => (tenants.includes(tenant) ? tenants : [...tenants, tenant]));
  }

  /** The target removed, with its delivery log (its pending deliveries are given up); null when the tenant has none with this id. */
  async removeTarget(tenant: string, id: string): Promise<NotificationTargetEntry | null> {
    const removed = await this.atomic.decide<NotificationTargetEntry[], NotificationTargetEntry | null>(targetsKey(tenant), (current = []) => {
      const found = current.find((each) => each.id === id);
      return found ? { write: current.filter((each) => each !== found), result: found } : { keep: true, result: null };
    });
    if (removed) {
      const log = (await this.kv.get<string[]>(logKey(tenant, id))) ?? [];
      await this.atomic.change<string[]>(pendingKey(tenant), (ids = []) => ids.filter((each) => !log.includes(each)));
      await this.kv.deleteMany([logKey(tenant, id), ...log.map((each) => deliveryKey(tenant, each))]);
    }
    return removed;
  }

  /**
   * Writes a new PENDING delivery; false when one with its id exists (the event was written before).
   * Pending index first: a crash between the writes leaves an index line without an entry, which
   * `pending` skips; the other order could leave a delivery nobody resumes.
   */
  async enqueue(tenant: string, delivery: NotificationDeliveryEntry): Promise<boolean> {
    const key = deliveryKey(tenant, delivery.id);
    if ((await this.kv.get(key)) !== undefined) return false;
    await this.atomic.change<string[]>(pendingKey(tenant), (ids = []) => (ids.includes(delivery.id) ? ids : [...ids, delivery.id]));
    if (!(await this.atomic.create(key, delivery))) return false;
    const log = await this.atomic.change<string[]>(logKey(tenant, delivery.targetId), (ids = []) => [...ids.filter((id) => id !== delivery.id), delivery.id]);
    if (log.length > LOG_LIMIT) await this.trim(tenant, delivery.targetId, log.length - LOG_LIMIT);
    return true;
  }

  async delivery(tenant: string, id: string): Promise<NotificationDeliveryEntry | null> {
    return (await this.kv.get<NotificationDeliveryEntry>(deliveryKey(tenant, id))) ?? null;
  }

  /** Deliveries written and neither delivered nor given up, oldest first. */
  async pending(tenant: string): Promise<NotificationDeliveryEntry[]> {
    const ids = (await this.kv.get<string[]>(pendingKey(tenant))) ?? [];
    if (ids.length === 0) return [];
    const entries = await this.kv.getMany<NotificationDeliveryEntry>(ids.map((id) => deliveryKey(tenant, id)));
    return entries.filter((entry): entry is NotificationDeliveryEntry => entry?.state === 'PENDING');
  }

  /**
   * Decides on the delivery as stored now and writes the decision by compare-and-set (see
   * AtomicState.decide); once it is no longer PENDING it leaves the pending index.
   */
  async update<R>(tenant: string, id: string, decide: (current: NotificationDeliveryEntry | undefined) => Decision<NotificationDeliveryEntry, R>): Promise<R> {
    const { result, settled } = await this.atomic.decide<NotificationDeliveryEntry, { result: R; settled: boolean }>(deliveryKey(tenant, id), (current) => {
      const decision = decide(current);
      return 'write' in decision
        ? { write: decision.write, result: { result: decision.result, settled: decision.write.state !== 'PENDING' } }
        : { keep: true, result: { result: decision.result, settled: false } };
    });
    if (settled) await this.atomic.change<string[]>(pendingKey(tenant), (ids = []) => ids.filter((each) => each !== id));
    return result;
  }

  /** A target's deliveries, newest first. */
  async deliveries(tenant: string, targetId: string, first: number): Promise<NotificationDeliveryEntry[]> {
    const ids = ((await this.kv.get<string[]>(logKey(tenant, targetId))) ?? []).slice(-first).reverse();
    if (ids.length === 0) return [];
    const entries = await this.kv.getMany<NotificationDeliveryEntry>(ids.map((id) => deliveryKey(tenant, id)));
    return entries.filter((entry): entry is NotificationDeliveryEntry => entry !== undefined);
  }

  /** Tenants that have, or once had, a notification target: whose pending deliveries a starting process looks for. */
  async tenants(): Promise<string[]> {
    return (await this.kv.get<string[]>(TENANTS_KEY)) ?? [];
  }

  /** Forgets the oldest `count` settled deliveries of a target's log; a pending one stays until it settles. */
  private async trim(tenant: string, targetId: string, count: number): Promise<void> {
    const log = (await this.kv.get<string[]>(logKey(tenant, targetId))) ?? [];
    const oldest = await this.kv.getMany<NotificationDeliveryEntry>(log.slice(0, count).map((id) => deliveryKey(tenant, id)));
    const forgotten = new Set(oldest.flatMap((entry) => (entry && entry.state !== 'PENDING' ? [entry.id] : [])));
    if (forgotten.size === 0) return;
    await this.atomic.change<string[]>(logKey(tenant, targetId), (ids = []) => ids.filter((id) => !forgotten.has(id)));
    await this.kv.deleteMany([...forgotten].map((id) => deliveryKey(tenant, id)));
  }
}

const targetsKey = (tenant: string) => tenantKey(tenant, 'notify-targets');
const pendingKey = (tenant: string) => tenantKey(tenant, 'notify-pending');
const logKey = (tenant: string, targetId: string) => tenantKey(tenant, 'notify-log', targetId);
const deliveryKey = (tenant: string, id: string) => tenantKey(tenant, 'notify-delivery', id);
const TENANTS_KEY = globalKey('notify-tenants');
