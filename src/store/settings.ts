import type Keyv from 'keyv';
import type { AtomicState } from './atomic.js';
import { tenantKey } from './keys.js';

/** Named per-tenant values: sync policy per source, changed-since cursors, schedules. */
export class SettingsRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly atomic: AtomicState,
  ) {}

  /** The stored value as written; the caller validates it, as it would any input. */
  async get<T>(tenant: string, name: string): Promise<T | null> {
    return (await this.kv.get<T>(tenantKey(tenant, 'setting', name))) ?? null;
  }

  async put(tenant: string, name: string, value: unknown): Promise<void> {
    await this.kv.set(tenantKey(tenant, 'setting', name), value);
  }

  /**
   * Read-decide-write as one compare-and-set (replicas may change one value at once, and none of their
   * changes is lost): `next` makes the value to store of the current one, or answers undefined to leave
   * it as it is. It may run more than once, so it must have no effects of its own. Answers the value
   * before and after.
   */
  change<T>(tenant: string, name: string, next: (current: T | null) => T | undefined): Promise<{ before: T | null; after: T | null }> {
    return this.atomic.decide<T, { before: T | null; after: T | null }>(tenantKey(tenant, 'setting', name), (stored) => {
      const before = stored ?? null;
      const after = next(before);
      return after === undefined ? { keep: true, result: { before, after: before } } : { write: after, result: { before, after } };
    });
  }
}
