/**
 * Incremental runs' rules: where a source's change feed is read from (its checkpoint), and whether a
 * run asked for as INCREMENTAL may run so or must read everything (FULL).
 *
 * The checkpoint is kept per tenant and source in the store's settings (`SyncSettingsPort`), and
 * written only when a run SUCCEEDED: a run that failed, was cancelled, ended PARTIAL or was a dry run
 * leaves it where it was, so the next incremental run reads the same changes again. Its `since` is
 * in the vendor's own terms and on the vendor's own clock wherever the vendor gives one (see
 * `HrChangeFeed` in datasources/hr.ts): BambooHR's feed `latest`, fed back as documented; Namely's
 * highest `updated_at` seen, read back with an overlap window.
 */
import type { SyncMode } from './schedule.js';

export interface SyncCheckpoint {
  /** Where the next incremental read starts, as the source's change feed takes it (opaque here). */
  since: string;
  /** When the last SUCCEEDED FULL run started (ISO 8601, the gateway's clock): the periodic full run counts from it. */
  lastFullAt: string;
  /** Active learners in that full run's read: what a targeted run's safeguard percentage is of. */
  activeLearners: number;
}

export interface ModeChoice {
  mode: SyncMode;
  /** Why the mode is not the one asked for; null when it is. */
  reason: string | null;
}

const DAY_MS = 86_400_000;

/**
 * FULL stays FULL. INCREMENTAL needs a checkpoint (the first run records one), and a SUCCEEDED FULL
 * run within `fullRunEveryDays`: past that, the run reads everything, which catches drift and
 * anything a feed missed. A source that cannot read changes (no feed) runs FULL.
 */
export function chooseMode(options: {
  requested: SyncMode;
  checkpoint: SyncCheckpoint | null;
  fullRunEveryDays: number;
  now: Date;
  hasFeed: boolean;
}): ModeChoice {
  const { requested, checkpoint, now } = options;
  if (requested === 'FULL') return { mode: 'FULL', reason: null };
  if (!options.hasFeed) return { mode: 'FULL', reason: 'the source has no change feed' };
  if (checkpoint === null) return { mode: 'FULL', reason: 'no checkpoint yet: a full run records the first' };
  const age = now.getTime() - Date.parse(checkpoint.lastFullAt);
  if (!(age < options.fullRunEveryDays * DAY_MS)) {
    return { mode: 'FULL', reason: `no full run in ${options.fullRunEveryDays} days (the last started ${checkpoint.lastFullAt})` };
  }
  return { mode: 'INCREMENTAL', reason: null };
}
