/**
 * A sync run as stored and reported: its life (`status`), what it found (`counts`) and, per employee,
 * what happened (`SyncRecord`). The plan itself is stored beside the run, keyed by its id.
 */
import type { Source } from '../model.js';
import type { SyncMode } from './schedule.js';

export const RUN_STATUSES = ['QUEUED', 'FETCHING', 'PLANNING', 'AWAITING_APPROVAL', 'APPLYING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'] as const;
export type SyncRunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these holds its tenant and source: a second start returns it instead of overlapping. */
export const ACTIVE_STATUSES: readonly SyncRunStatus[] = ['QUEUED', 'FETCHING', 'PLANNING', 'AWAITING_APPROVAL', 'APPLYING'];
export const FINAL_STATUSES: readonly SyncRunStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

export const RUN_TRIGGERS = ['MANUAL', 'SCHEDULE', 'IMPORT', 'WEBHOOK'] as const;
export type SyncTrigger = (typeof RUN_TRIGGERS)[number];

export const OUTCOMES = ['CREATED', 'LINKED', 'UPDATED', 'REACTIVATED', 'DEACTIVATED', 'UNCHANGED', 'SKIPPED', 'FAILED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface SyncCounts {
  created: number;
  linked: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export const emptyCounts = (): SyncCounts => ({
  created: 0,
  linked: 0,
  updated: 0,
  deactivated: 0,
  reactivated: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
});

export type RunPhase = 'QUEUED' | 'FETCHING' | 'PLANNING' | 'AWAITING_APPROVAL' | 'APPLYING' | 'DONE';

export interface SyncRun {
  id: string;
  tenant: string;
  source: Source;
  trigger: SyncTrigger;
  dryRun: boolean;
  status: SyncRunStatus;
  /** Import runs: the selected employees. */
  scope: string[] | null;
  /**
   * What the run reads: asked for at the start (FULL unless INCREMENTAL was asked), then what it
   * actually read once it has fetched — an INCREMENTAL run with no checkpoint, or whose source had no
   * SUCCEEDED FULL run within the policy's `fullRunEveryDays`, runs FULL. Null for a scoped run
   * (import, webhook), which reads its named employees. Runs stored before modes existed have none.
   */
  mode?: SyncMode | null;
  /** Why the run's mode is not the one asked for, or null. */
  modeReason?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: SyncCounts;
  /** Actions applied so far and in all, while applying. */
  progress: { done: number; total: number };
  /** Why the run failed, or why its read counts as incomplete. */
  error: string | null;
  /** Set when the plan's safeguard tripped: how many deactivations against which threshold. */
  safeguard: { deactivations: number; threshold: number; activeLearners: number } | null;
  approvedBy: string | null;
  /** A rollback run: the id of the run whose changes it reverses (core/rollback.ts). Null or absent otherwise. */
  rollbackOf?: string | null;
}

/** One employee's line in the run report (the "Recent Imports" download). */
export interface SyncRecord {
  /** The employee's id in its HR system (`Employee.sourceId`): one record per employee. */
  sourceId: string;
  name: string;
  email: string | null;
  outcome: Outcome;
  /** Skip or deactivation reason. */
  reason: string | null;
  learnerId: string | null;
  /** Field-level changes, before → after; `team` for membership. */
  changes: { field: string; before: string | null; after: string | null }[];
  error: string | null;
}

/** A record as the store may hold it: records written before it was named `sourceId` call it `key`. */
export type StoredSyncRecord = SyncRecord | (Omit<SyncRecord, 'sourceId'> & { key: string });

/** Reads a stored record in today's shape, so run history written by an earlier version still reports. */
export function upgradeRecord(stored: StoredSyncRecord): SyncRecord {
  if ('sourceId' in stored) return stored;
  const { key, ...rest } = stored;
  return { ...rest, sourceId: key };
}
