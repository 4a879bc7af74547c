/**
 * What the sync engine needs of storage, declared by the engine itself: only the methods it calls,
 * in its own types. The composition root (`tenant.ts`) satisfies them with the store's repositories,
 * so the engine never imports the store or the root, and a test can hand it plain objects.
 *
 * The signatures follow the repositories' (tenant first), so a repository satisfies its port as it
 * is; tsc checks that where `tenant.ts` passes them in, so the two cannot drift apart silently.
 */
import type { SyncPlan } from '../core/plan-types.js';
import type { SyncCheckpoint } from '../core/checkpoint.js';
import type { Policy } from '../core/policy.js';
import type { EmployeeSummary } from '../core/records.js';
import type { SyncRecord, SyncRunStatus, SyncRun } from '../core/run.js';
import type { Shadow } from '../core/shadow.js';
import type { Hold } from '../core/holds.js';
import type { IdentityLink, Source } from '../model.js';

/** A run's fields that may change after it is created: not its identity nor what it is listed by. */
export type RunPatch = Partial<Omit<SyncRun, 'id' | 'tenant' | 'source' | 'createdAt'>>;

export interface RunPort {
  /** Stores `run` unless its source has a run in one of `active`, atomically across processes; else answers that run. */
  createExclusive(run: SyncRun, active: readonly SyncRunStatus[]): Promise<{ run: SyncRun; created: boolean }>;
  get(tenant: string, runId: string): Promise<SyncRun | null>;
  /** Unconditional: only for progress snapshots, which never change a run's status. */
  update(tenant: string, runId: string, patch: RunPatch): Promise<SyncRun>;
  /** Applies `patch` only while the run is in one of `from` (compare-and-set); else `ConflictError`. */
  transition(tenant: string, runId: string, change: { from: readonly SyncRunStatus[]; patch: RunPatch }): Promise<SyncRun>;
  findActive(tenant: string, source: Source, statuses: readonly SyncRunStatus[]): Promise<SyncRun | null>;
  /** Newest first, a page at a time (`after`: the previous page's `endCursor`). */
  list(tenant: string, options: { first: number; after?: string | null }): Promise<{ runs: SyncRun[]; hasNextPage: boolean; endCursor: string | null }>;
}

export interface RecordPort {
  append(tenant: string, runId: string, records: readonly SyncRecord[]): Promise<unknown>;
}

/** One action's line in the journal: claimed (STARTED) before its upstream call, DONE or FAILED after. */
export interface JournalEntry {
  state: 'STARTED' | 'DONE' | 'FAILED';
  intent: unknown;
  result?: unknown;
  error?: string;
  at: string;
  claim?: string;
}

export interface JournalClaim {
  claimed: boolean;
  entry: JournalEntry;
}

export interface JournalPort {
  getMany(tenant: string, runId: string, actionIds: readonly string[]): Promise<Map<string, JournalEntry>>;
  /** Of concurrent claims of one action, exactly one gets it; `seen` is the entry the caller decided on. */
  claim(tenant: string, runId: string, actionId: string, intent: unknown, options: { seen: JournalEntry | null }): Promise<JournalClaim>;
  complete(tenant: string, runId: string, actionId: string, result: unknown): Promise<unknown>;
  fail(tenant: string, runId: string, actionId: string, error: string): Promise<unknown>;
}

export interface LinkPort {
  list(tenant: string): Promise<IdentityLink[]>;
  put(tenant: string, link: IdentityLink): Promise<void>;
}

/** What a run's report needs besides its plan: who the employees are, and which scoped ids HR lacked. */
export interface RunDraft {
  people: Record<string, EmployeeSummary>;
  notFound: string[];
  /** The checkpoint to store once the run SUCCEEDED (FULL and INCREMENTAL runs); absent for scoped runs and dry runs. */
  checkpoint?: SyncCheckpoint;
}

/** A run's plan and draft, stored when it is planned and read when it is applied (perhaps after a restart). */
export interface PlanPort {
  get(tenant: string, runId: string): Promise<SyncPlan | null>;
  put(tenant: string, runId: string, plan: SyncPlan): Promise<void>;
  draft(tenant: string, runId: string): Promise<RunDraft | null>;
  putDraft(tenant: string, runId: string, draft: RunDraft): Promise<void>;
}

/**
 * Per tenant and source: the policy an admin set, the departments of the last full read, the learner
 * shadow, and the incremental runs' checkpoint (core/checkpoint.ts).
 */
export interface SyncSettingsPort {
  policy(tenant: string, source: Source): Promise<Policy | null>;
  putPolicy(tenant: string, source: Source, policy: Policy): Promise<void>;
  departments(tenant: string, source: Source): Promise<string[] | null>;
  putDepartments(tenant: string, source: Source, departments: string[]): Promise<void>;
  shadow(tenant: string, source: Source): Promise<Shadow | null>;
  putShadow(tenant: string, source: Source, shadow: Shadow): Promise<void>;
  checkpoint(tenant: string, source: Source): Promise<SyncCheckpoint | null>;
  putCheckpoint(tenant: string, source: Source, checkpoint: SyncCheckpoint | null): Promise<void>;
}

/** A BambooHR webhook delivery kept from acceptance until a run has applied it (webhooks.ts). */
export interface OutboxEntry {
  id: string;
  sourceIds: string[];
  acceptedAt: string;
  state: 'PENDING' | 'DONE';
}

export interface OutboxPort {
  /** False when the delivery was accepted before: a replay. */
  accept(tenant: string, entry: Omit<OutboxEntry, 'state'>): Promise<boolean>;
  pending(tenant: string): Promise<OutboxEntry[]>;
  complete(tenant: string, ids: readonly string[], keepMs: number): Promise<void>;
}

/** The holds an admin placed (core/holds.ts), every source's: the planner skips whom they hold. */
export interface HoldPort {
  list(tenant: string): Promise<Hold[]>;
}

/** Everything the engine keeps, as ports. */
export interface SyncStore {
  runs: RunPort;
  records: RecordPort;
  journal: JournalPort;
  links: LinkPort;
  plans: PlanPort;
  settings: SyncSettingsPort;
  holds: HoldPort;
}
