import type Keyv from 'keyv';
import { tenantKey } from './keys.js';

/** Named per-tenant values: sync policy per source, changed-since cursors, schedules. */
export class SettingsRepository {
  constructor(private readonly kv: Keyv) {}

  /** The stored value as written; the caller validates it, as it would any input. */
  async get<T>(tenant: string, name: string): Promise<T | null> {
    return (await this.kv.get<T>(tenantKey(tenant, 'setting', name))) ?? null;
  }

  async put(tenant: string, name: string, value: unknown): Promise<void> {
    await this.kv.set(tenantKey(tenant, 'setting', name), value);
  }
}
