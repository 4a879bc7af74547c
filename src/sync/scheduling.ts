/**
 * Sync schedules as the API manages them: stored per tenant (so every replica and restart sees the
 * same), each with its timer set wherever schedules tick (`ScheduleTimers`). Setting one validates
 * it, stores it, then sets its timer; a process that starts sets the timers of every stored schedule
 * again, which is how schedules survive restarts in embedded mode (in distributed mode the job
 * schedulers in Redis survive on their own, and setting them again changes nothing).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { BadUserInputError, NotFoundError } from '../errors.js';
import type { Source } from '../model.js';
import { DEFAULT_SCHEDULE, MAX_SCHEDULES, type SyncMode, type SyncSchedule } from '../core/schedule.js';
import { nextFireAt, scheduleProblem, type ScheduleTimers } from './schedule.js';

/** What scheduling needs of storage (the store's ScheduleRepository satisfies it). */
export interface SchedulePort {
  list(tenant: string): Promise<SyncSchedule[]>;
  get(tenant: string, id: string): Promise<SyncSchedule | null>;
  put(tenant: string, schedule: SyncSchedule, admit?: (next: readonly SyncSchedule[]) => void): Promise<void>;
  remove(tenant: string, id: string): Promise<SyncSchedule | null>;
  tenants(): Promise<string[]>;
}

export interface ScheduleInput {
  /** Changes the schedule with this id; without one, adds a schedule. */
  id?: string;
  source: Source;
  cron?: string;
  timeZone?: string;
  mode?: SyncMode;
  enabled?: boolean;
}

/** A schedule with when it fires next (null when disabled). */
export type ScheduleView = SyncSchedule & { nextFireAt: Date | null };

export interface Scheduling {
  /** The tenant's schedules, oldest first, of one source or all. */
  list(tenant: string, source?: Source): Promise<ScheduleView[]>;
  /** Adds or changes a schedule; fields left out keep their value (or take the defaults, for a new one). */
  set(tenant: string, input: ScheduleInput): Promise<ScheduleView>;
  /** Whether the tenant had a schedule with this id. */
  remove(tenant: string, id: string): Promise<boolean>;
  /** Sets the timer of every stored schedule (at start); answers how many schedules there are. */
  restore(): Promise<number>;
  /**
   * Makes the tenant's `environment-<source>` schedules follow ROSTERGATE_SYNC_SCHEDULE (read in UTC):
   * one per source while it is set, none once it is unset.
   */
  bootstrap(tenant: string, sources: readonly Source[], cron: string | undefined): Promise<void>;
  /** The schedule as stored now (a tick reads it, so a change or removal takes effect at the next tick). */
  get(tenant: string, id: string): Promise<SyncSchedule | null>;
}

export interface SchedulingOptions {
  store: SchedulePort;
  timers: ScheduleTimers;
  clock: Clock;
}

const ENVIRONMENT_PREFIX = 'environment-';

export function createScheduling({ store, timers, clock }: SchedulingOptions): Scheduling {
  const view = (schedule: SyncSchedule): ScheduleView => ({ ...schedule, nextFireAt: nextFireAt(schedule, clock()) });

  async function save(tenant: string, schedule: SyncSchedule): Promise<ScheduleView> {
    const problem = scheduleProblem(schedule.cron, schedule.timeZone);
    if (problem) throw new BadUserInputError(problem, { field: problem.startsWith('timeZone') ? 'timeZone' : 'cron' });
    await store.put(tenant, schedule, (next) => {
      if (next.length > MAX_SCHEDULES) {
        throw new BadUserInputError(`a tenant keeps at most ${MAX_SCHEDULES} schedules; remove one first`, { limit: MAX_SCHEDULES });
      }
    });
    await timers.set(tenant, schedule);
    return view(schedule);
  }

  async function remove(tenant: string, id: string): Promise<boolean> {
    const removed = await store.remove(tenant, id);
    if (removed) await timers.clear(tenant, id);
    return removed !== null;
  }

  return {
    async list(tenant, source) {
      const all = await store.list(tenant);
      return all.filter((schedule) => source === undefined || schedule.source === source).map(view);
    },

    async set(tenant, input) {
      const now = clock().toISOString();
      const existing = input.id === undefined ? null : await store.get(tenant, input.id);
      if (input.id !== undefined && existing === null) throw new NotFoundError(`no schedule ${input.id}`, { id: input.id });
      const base = existing ?? { ...DEFAULT_SCHEDULE, id: `sch_${randomBytes(9).toString('base64url')}`, createdAt: now };
      return save(tenant, {
        id: base.id,
        source: input.source,
        cron: input.cron ?? base.cron,
        timeZone: input.timeZone ?? base.timeZone,
        mode: input.mode ?? base.mode,
        enabled: input.enabled ?? base.enabled,
        createdAt: base.createdAt,
        updatedAt: now,
      });
    },

    remove,

    async restore() {
      let count = 0;
      for (const tenant of await store.tenants()) {
        for (const schedule of await store.list(tenant)) {
          await timers.set(tenant, schedule);
          count += 1;
        }
      }
      return count;
    },

    async bootstrap(tenant, sources, cron) {
      const current = (await store.list(tenant)).filter((schedule) => schedule.id.startsWith(ENVIRONMENT_PREFIX));
      const wanted = cron === undefined ? [] : sources;
      for (const schedule of current) {
        if (!wanted.includes(schedule.source) || schedule.cron !== cron) await remove(tenant, schedule.id);
      }
      for (const source of wanted) {
        const id = `${ENVIRONMENT_PREFIX}${source}`;
        if (current.some((schedule) => schedule.id === id && schedule.cron === cron)) continue;
        const now = clock().toISOString();
        await save(tenant, { id, source, cron: cron ?? '', timeZone: 'UTC', mode: 'FULL', enabled: true, createdAt: now, updatedAt: now });
      }
    },

    get: (tenant, id) => store.get(tenant, id),
  };
}
