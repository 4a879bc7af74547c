/**
 * Scheduled full syncs, per tenant, on a cron expression. A source whose runs fail three times in a
 * row (typically a connection or credential problem) enters an error state and is not started again,
 * as the vendors' connectors do, until someone fixes the cause and resumes the schedule.
 */
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import type { Source } from '../model.js';
import type { SyncRun } from '../core/run.js';
import type { SyncEngine } from './engine.js';

/** What a schedule needs of a tenant: declared here, so sync/ does not import the composition root. */
export interface ScheduledTenant {
  sources: readonly Source[];
  engine: Pick<SyncEngine, 'start' | 'idle' | 'get'>;
}

export interface ScheduleOptions {
  /** Cron expression, e.g. "0 3 * * *" for 03:00 every day (a sixth, leading field counts seconds). */
  cron: string;
  tenant: ScheduledTenant;
  /** Consecutive failed runs of a source before it stops being scheduled. @default 3 */
  maxFailures?: number;
  /** Called with each scheduled run once it has ended. */
  onRun?: (run: SyncRun) => void;
  /** A tick that could not start its runs (the store down, say): the next tick tries again. @default none */
  onError?: (error: unknown) => void;
}

export interface Schedule {
  state(): { failures: Partial<Record<Source, number>>; erroredSources: Source[]; error: boolean; nextRunAt: Date | null };
  /** Clears every error state: the next tick schedules every source again. */
  resume(): void;
  stop(): void;
}

export function createSchedule(options: ScheduleOptions): Schedule {
  const maxFailures = options.maxFailures ?? 3;
  const failures: Partial<Record<Source, number>> = {};
  const errored = () => options.tenant.sources.filter((source) => (failures[source] ?? 0) >= maxFailures);

  const tick = async () => {
    for (const source of options.tenant.sources) {
      if ((failures[source] ?? 0) >= maxFailures) continue;
      const { run } = await options.tenant.engine.start({ source, trigger: 'SCHEDULE' });
      await options.tenant.engine.idle();
      const finished = await options.tenant.engine.get(run.id);
      failures[source] = finished?.status === 'FAILED' ? (failures[source] ?? 0) + 1 : 0;
      if (finished) options.onRun?.(finished);
    }
  };

  assertCron(options.cron);
  // `protect`: a tick that is still running when the next one is due is not overlapped.
  const job = new Cron(options.cron, { protect: true, catch: (error) => options.onError?.(error) }, tick);
  return {
    state: () => ({ failures: { ...failures }, erroredSources: errored(), error: errored().length > 0, nextRunAt: job.nextRun() }),
    resume: () => {
      for (const source of Object.keys(failures) as Source[]) failures[source] = 0;
    },
    stop: () => job.stop(),
  };
}

/** Refuses what is not a cron expression with the setting's name (the distributed mode's job scheduler reads the same syntax). */
export function assertCron(cron: string): void {
  try {
    new Cron(cron, { paused: true }).stop();
  } catch (error) {
    throw new ConfigError(`ROSTERGATE_SYNC_SCHEDULE is not a cron expression: ${String(error)}`, { variable: 'ROSTERGATE_SYNC_SCHEDULE' });
  }
}

/** What a distributed tick needs of a tenant: its runs newest first, as stored (shared by every process). */
export interface ScheduledTenantHistory {
  sources: readonly Source[];
  engine: Pick<SyncEngine, 'start'>;
  /** The source's latest runs, newest first; at least `maxFailures` of them when there are that many. */
  recentRuns(source: Source, count: number): Promise<SyncRun[]>;
}

/**
 * One tick of a schedule in distributed mode, in whichever worker took it: starts (or joins) a
 * scheduled run of every source not in its error state. The error state is read from the stored
 * runs, not kept in a process's memory: a source whose latest `maxFailures` runs were all scheduled
 * and FAILED is skipped, and any run of it that does not fail (a manual one, once the cause is fixed)
 * resumes its schedule.
 */
export async function startScheduledRuns(tenant: ScheduledTenantHistory, maxFailures = 3): Promise<{ started: SyncRun[]; erroredSources: Source[] }> {
  const started: SyncRun[] = [];
  const erroredSources: Source[] = [];
  for (const source of tenant.sources) {
    const recent = await tenant.recentRuns(source, maxFailures);
    const failing = recent.length >= maxFailures && recent.slice(0, maxFailures).every((run) => run.trigger === 'SCHEDULE' && run.status === 'FAILED');
    if (failing) {
      erroredSources.push(source);
      continue;
    }
    started.push((await tenant.engine.start({ source, trigger: 'SCHEDULE' })).run);
  }
  return { started, erroredSources };
}
