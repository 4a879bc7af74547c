/**
 * The rules of a sync schedule, and the timers behind schedules in one process. A schedule's tick
 * starts a run of its source unless the source is in its error state: its latest runs were all
 * scheduled and all FAILED (typically a credential or connection problem), as the vendors' connectors
 * do, until a run that does not fail (a manual one, once the cause is fixed) resumes it. The error
 * state is read from the stored runs, not kept in memory, so every process and restart agrees on it.
 * A tick while the source has an active run joins that run (the engine's one-active-run rule), so
 * scheduled runs never overlap.
 */
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import type { Source } from '../model.js';
import type { SyncRun } from '../core/run.js';
import type { SyncSchedule } from '../core/schedule.js';
import type { SyncEngine } from './engine.js';

/** Consecutive failed scheduled runs after which a source's schedules pause. */
export const MAX_SCHEDULED_FAILURES = 3;

/** Why `cron` read in `timeZone` cannot be a schedule, or null when it can. */
export function scheduleProblem(cron: string, timeZone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return `timeZone '${timeZone}' is not an IANA time zone name, such as America/Los_Angeles or UTC`;
  }
  try {
    new Cron(cron, { paused: true, timezone: timeZone }).stop();
  } catch (error) {
    return `cron '${cron}' is not a cron expression (${error instanceof Error ? error.message : String(error)})`;
  }
  return null;
}

/** Refuses what is not a cron expression with the setting's name. */
export function assertCron(cron: string): void {
  const problem = scheduleProblem(cron, 'UTC');
  if (problem) throw new ConfigError(`ROSTERGATE_SYNC_SCHEDULE: ${problem}`, { variable: 'ROSTERGATE_SYNC_SCHEDULE' });
}

/** When `schedule` fires next after `after`; null when it is disabled or never fires again. */
export function nextFireAt(schedule: Pick<SyncSchedule, 'cron' | 'timeZone' | 'enabled'>, after: Date): Date | null {
  if (!schedule.enabled) return null;
  const job = new Cron(schedule.cron, { paused: true, timezone: schedule.timeZone });
  try {
    return job.nextRun(after);
  } finally {
    job.stop();
  }
}

/** What a tick needs of a tenant: its connected sources, its engine, and its runs newest first, as stored. */
export interface ScheduledTenant {
  sources: readonly Source[];
  engine: Pick<SyncEngine, 'start'>;
  /** The source's latest runs, newest first; at least `count` of them when there are that many. */
  recentRuns(source: Source, count: number): Promise<SyncRun[]>;
}

export type TickOutcome = { started: SyncRun } | { skipped: 'DISABLED' | 'REMOVED' | 'NOT_CONNECTED' | 'ERROR_STATE' };

/** One tick of `schedule` (as stored now: null once it was removed) for `tenant`. */
export async function tick(tenant: ScheduledTenant, schedule: SyncSchedule | null, maxFailures = MAX_SCHEDULED_FAILURES): Promise<TickOutcome> {
  if (schedule === null) return { skipped: 'REMOVED' };
  if (!schedule.enabled) return { skipped: 'DISABLED' };
  const { source } = schedule;
  if (!tenant.sources.includes(source)) return { skipped: 'NOT_CONNECTED' };
  const recent = await tenant.recentRuns(source, maxFailures);
  const failing = recent.length >= maxFailures && recent.slice(0, maxFailures).every((run) => run.trigger === 'SCHEDULE' && run.status === 'FAILED');
  if (failing) return { skipped: 'ERROR_STATE' };
  // The schedule's mode: an INCREMENTAL schedule's ticks run incremental (and FULL when its policy says one is due).
  return { started: (await tenant.engine.start({ source, trigger: 'SCHEDULE', mode: schedule.mode })).run };
}

/**
 * Where schedules tick: timers in this process (embedded mode, `createLocalTimers`) or BullMQ job
 * schedulers in Redis (distributed mode, scale/queue.ts), which fire each tick once in some worker
 * however many replicas set them, and outlive every process.
 */
export interface ScheduleTimers {
  /** Sets, or resets, the timer of `schedule` (clears it when disabled). */
  set(tenant: string, schedule: SyncSchedule): Promise<void>;
  clear(tenant: string, scheduleId: string): Promise<void>;
  /** Stops every timer of this process (not those kept in Redis). */
  stop(): void;
}

/** Called at each tick with the schedule's id and the epoch ms the tick was due. */
export type TickHandler = (tenant: string, scheduleId: string, dueAt: number) => Promise<void>;

/** Timers in this process, on croner: each schedule's own time zone, and a tick never overlaps the previous one. */
export function createLocalTimers(onTick: TickHandler, onError: (error: unknown) => void): ScheduleTimers {
  const jobs = new Map<string, Cron>();
  const keyOf = (tenant: string, id: string) => JSON.stringify([tenant, id]);
  const clear = (tenant: string, id: string) => {
    jobs.get(keyOf(tenant, id))?.stop();
    jobs.delete(keyOf(tenant, id));
  };
  return {
    set(tenant, schedule) {
      clear(tenant, schedule.id);
      if (schedule.enabled) {
        const job = new Cron(schedule.cron, { timezone: schedule.timeZone, protect: true, catch: onError }, async (self: Cron) => {
          await onTick(tenant, schedule.id, self.currentRun()?.getTime() ?? Date.now());
        });
        jobs.set(keyOf(tenant, schedule.id), job);
      }
      return Promise.resolve();
    },
    clear(tenant, id) {
      clear(tenant, id);
      return Promise.resolve();
    },
    stop() {
      for (const job of jobs.values()) job.stop();
      jobs.clear();
    },
  };
}
