import type { AtomicState } from './atomic.js';
import { tenantKey } from './keys.js';

/** What the store needs of a hold: whom it is on (one hold each) and its last day, `YYYY-MM-DD`. */
export interface HoldShape {
  id: string;
  until: string;
}

/**
 * Each tenant's holds, as one list changed by compare-and-set: a hold placed in one replica while
 * another releases a different one keeps both changes. Holds lapse by date rather than by removal, so
 * a write also drops those whose last day has passed; the list stays as long as the holds in force.
 */
export class HoldRepository {
  constructor(private readonly atomic: AtomicState) {}

  async list<T extends HoldShape>(tenant: string): Promise<T[]> {
    return (await this.atomic.read<T[]>(holdsKey(tenant))).value ?? [];
  }

  /** Places `hold`, replacing the one on the same id, and drops holds whose `until` is before `today`. */
  async put(tenant: string, hold: HoldShape, today: string): Promise<void> {
    await this.atomic.change<HoldShape[]>(holdsKey(tenant), (current = []) => [...current.filter((each) => each.id !== hold.id && each.until >= today), hold]);
  }

  /** The hold released, or null when there was none on this id. */
  remove<T extends HoldShape>(tenant: string, id: string): Promise<T | null> {
    return this.atomic.decide<T[], T | null>(holdsKey(tenant), (current = []) => {
      const removed = current.find((each) => each.id === id);
      return removed ? { write: current.filter((each) => each !== removed), result: removed } : { keep: true, result: null };
    });
  }
}

const holdsKey = (tenant: string) => tenantKey(tenant, 'holds');
