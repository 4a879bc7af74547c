/**
 * Scheduled full syncs, per tenant, on a cron expression. After three consecutive runs that failed
 * (typically a connection or credential problem) the schedule enters an error state and stops
 * starting runs, as the vendors' connectors do, until someone fixes the cause and resumes it.
 */
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import type { Tenant } from '../tenant.js';

export interface ScheduleOptions {
  /** Cron expression, e.g. "0 3 * * *" for 03:00 every day. */
  cron: string;
  tenant: Tenant;
  /** Consecutive failed runs before the schedule stops. @default 3 */
  maxFailures?: number;
}

export interface Schedule {
  state(): { failures: number; error: boolean; nextRunAt: Date | null };
  resume(): void;
  stop(): void;
}

export function createSchedule(options: ScheduleOptions): Schedule {
  const maxFailures = options.maxFailures ?? 3;
  let failures = 0;
  let job: Cron;
  const tick = async () => {
    if (failures >= maxFailures) return;
    for (const source of options.tenant.sources) {
      const { run } = await options.tenant.engine.start({ source, trigger: 'SCHEDULE' });
      await options.tenant.engine.idle();
      const finished = await options.tenant.engine.get(run.id);
      failures = finished?.status === 'FAILED' ? failures + 1 : 0;
    }
  };
  try {
    job = new Cron(options.cron, { protect: true, catch: true }, tick);
  } catch (error) {
    throw new ConfigError(`ROSTERGATE_SYNC_SCHEDULE is not a cron expression: ${String(error)}`, { variable: 'ROSTERGATE_SYNC_SCHEDULE' });
  }
  return {
    state: () => ({ failures, error: failures >= maxFailures, nextRunAt: job.nextRun() }),
    resume: () => {
      failures = 0;
    },
    stop: () => job.stop(),
  };
}
