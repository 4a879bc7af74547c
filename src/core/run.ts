/**
 * A sync run as stored and reported: its life (`status`), what it found (`counts`) and, per employee,
 * what happened (`RunRecord`). The plan itself is stored beside the run, keyed by its id.
 */
import type { Source } from '../model.js';

export const RUN_STATUSES = [
  'QUEUED',
  'FETCHING',
  'PLANNING',
  'AWAITING_APPROVAL',
  'APPLYING',
  'SUCCEEDED',
  'PARTIAL',
  'FAILED',
  'CANCELLED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these holds its tenant and source: a second start returns it instead of overlapping. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['QUEUED', 'FETCHING', 'PLANNING', 'AWAITING_APPROVAL', 'APPLYING'];
export const FINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

export const RUN_TRIGGERS = ['MANUAL', 'SCHEDULE', 'IMPORT', 'WEBHOOK'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const OUTCOMES = ['CREATED', 'LINKED', 'UPDATED', 'REACTIVATED', 'DEACTIVATED', 'UNCHANGED', 'SKIPPED', 'FAILED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface RunCounts {
  created: number;
  linked: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export const emptyCounts = (): RunCounts => ({
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
  trigger: RunTrigger;
  dryRun: boolean;
  status: RunStatus;
  /** Import runs: the selected employees. */
  scope: string[] | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: RunCounts;
  /** Actions applied so far and in all, while applying. */
  progress: { done: number; total: number };
  /** Why the run failed, or why its read counts as incomplete. */
  error: string | null;
  /** Set when the plan's safeguard tripped: how many deactivations against which threshold. */
  safeguard: { deactivations: number; threshold: number; activeLearners: number } | null;
  approvedBy: string | null;
}

/** One employee's line in the run report (the "Recent Imports" download). */
export interface RunRecord {
  /** The employee's sourceId: the record key. */
  key: string;
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
