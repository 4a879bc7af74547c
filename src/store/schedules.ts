import type Keyv from 'keyv';
import type { AtomicState } from './atomic.js';
import { globalKey, tenantKey } from './keys.js';

/**
 * Each tenant's sync schedules, as one list changed by compare-and-set (replicas may change it at
 * once), and the global index of tenants that have any, which a starting process reads to set up
 * every tenant's timers before anyone asks for that tenant.
 */
export class ScheduleRepository<T extends { id: string }> {
  constructor(
    private readonly kv: Keyv,
    private readonly atomic: AtomicState,
  ) {}

  async list(tenant: string): Promise<T[]> {
    return (await this.kv.get<T[]>(schedulesKey(tenant))) ?? [];
  }

  async get(tenant: string, id: string): Promise<T | null> {
    return (await this.list(tenant)).find((schedule) => schedule.id === id) ?? null;
  }

  /**
   * Adds `schedule`, or replaces the one with its id; `admit` sees the list as it will be written and
   * may refuse it by throwing (a limit on how many a tenant keeps, say), in which case nothing changes.
   */
  async put(tenant: string, schedule: T, admit: (next: readonly T[]) => void = () => undefined): Promise<void> {
    await this.atomic.change<T[]>(schedulesKey(tenant), (current = []) => {
      const next = current.some((each) => each.id === schedule.id)
        ? current.map((each) => (each.id === schedule.id ? schedule : each))
        : [...current, schedule];
      admit(next);
      return next;
    });
    await this.atomic.change<string[]>(TENANTS_KEY, (tenants = []) => (tenants.includes(tenant) ? tenants : [...tenants, tenant]));
  }

  /** The schedule removed, or null when the tenant had none with this id. */
  remove(tenant: string, id: string): Promise<T | null> {
    return this.atomic.decide<T[], T | null>(schedulesKey(tenant), (current = []) => {
      const removed = current.find((each) => each.id === id);
      return removed ? { write: current.filter((each) => each !== removed), result: removed } : { keep: true, result: null };
    });
  }

  /** Tenants that have, or once had, a schedule. */
  async tenants(): Promise<string[]> {
    return (await this.kv.get<string[]>(TENANTS_KEY)) ?? [];
  }
}

const schedulesKey = (tenant: string) => tenantKey(tenant, 'schedules');
const TENANTS_KEY = globalKey('schedule-tenants');
