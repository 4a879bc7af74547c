/**
 * A sync schedule: when a source is synced without anyone asking. Several per source are allowed
 * (say, a nightly full run and an hourly one after working hours); each is its own cron expression in
 * its own time zone, so "03:00 in Los Angeles" stays 03:00 there across daylight-saving changes.
 */
import type { Source } from '../model.js';

/**
 * What a run reads: FULL, the whole roster and every Litmos user; INCREMENTAL, only the employees
 * changed since the source's checkpoint and the learners they touch (see core/checkpoint.ts).
 */
export const SYNC_MODES = ['FULL', 'INCREMENTAL'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export interface SyncSchedule {
  id: string;
  source: Source;
  /** Five fields (minute first), or six with seconds first: croner's and BullMQ's syntax alike. */
  cron: string;
  /** An IANA time zone the cron expression is read in, e.g. `America/Los_Angeles`. */
  timeZone: string;
  mode: SyncMode;
  enabled: boolean;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/** What the vendors' connectors do by default: a full run at 3 am Pacific, every day. */
export const DEFAULT_SCHEDULE = { cron: '0 3 * * *', timeZone: 'America/Los_Angeles', mode: 'FULL', enabled: true } as const satisfies Pick<
  SyncSchedule,
  'cron' | 'timeZone' | 'mode' | 'enabled'
>;

/** Schedules one tenant may keep, so a script gone wrong cannot make thousands of timers. */
export const MAX_SCHEDULES = 20;
