/**
 * The planner's input and its `SyncPlan`: plain data, stored with the run, reviewed by an admin
 * when the safeguard trips, and executed action by action by apply.
 */
import type { Employee, IdentityLink, Learner, LocalDate, Source, Team } from '../model.js';
import type { FieldChange } from './fields.js';
import type { EvidenceReason, IneligibilityReason } from './eligibility.js';
import type { Hold } from './holds.js';
import type { LearnerFields, Policy } from './policy.js';

export interface PlanInput {
  source: Source;
  /** The HR read: every employee when `read.complete`, else whatever arrived before it failed. */
  employees: Employee[];
  /** False when the HR read failed or was cut short; such a plan deactivates nobody. */
  read: { complete: boolean; reason?: string };
  /**
   * Every Litmos user, active or not; for a targeted read (a scope), the learners its employees have
   * or may take (by link, by username) — the planner only acts on in-scope employees' learners.
   */
  learners: Learner[];
  teams: Team[];
  /** Team id → the ids of its member learners. */
  teamMembers: Record<string, string[]>;
  /** Team id → the ids of its leaders. A leader listed here is not set again. @default {} */
  teamLeaders?: Record<string, string[]>;
  /** Stored identity links of every source: a learner linked to anyone is never matched again. */
  links: IdentityLink[];
  policy: Policy;
  today: LocalDate;
  /** Import of selected employees: only these produce actions. @default everyone */
  scope?: { sourceIds: string[] };
  /**
   * Department names of this source seen by earlier full reads. A scoped read holds only its own
   * employees' departments; without these a mover's old department team would not count as managed,
   * and they would stay in it. @default []
   */
  knownDepartments?: string[];
  /**
   * Active learners the safeguard's percentage is of, when `learners` is not all of them (a targeted
   * read): the count of the last full read. @default the active learners among `learners`
   */
  activeLearners?: number;
  /** Holds (every source's): an employee held on `today` gets no action at all, skipped as HELD. @default [] */
  holds?: readonly Hold[];
}

/**
 * Actions name learners and teams that may not exist yet. `learnerId: null` means the learner is
 * the one this plan's CREATE_LEARNER for the same sourceId creates (id `createLearnerId(source,
 * sourceId)`); `teamId: null` means the team this plan's CREATE_TEAM creates (id
 * `createTeamId(teamName)`). Apply reads both from its journal of those earlier actions.
 */
export interface CreateTeamAction {
  kind: 'CREATE_TEAM';
  id: string;
  name: string;
  /** The division team to create this one under, when `teams.divisionAsParent`. */
  parentName: string | null;
  /** Null with a `parentName`: the parent is created earlier in this plan. */
  parentId: string | null;
}

export interface LinkAction {
  kind: 'LINK';
  id: string;
  sourceId: string;
  learnerId: string;
  matchedBy: 'USERNAME' | 'EMAIL';
}

export interface CreateLearnerAction {
  kind: 'CREATE_LEARNER';
  id: string;
  sourceId: string;
  fields: LearnerFields;
}

export interface UpdateLearnerAction {
  kind: 'UPDATE_LEARNER';
  id: string;
  sourceId: string;
  learnerId: string;
  changes: FieldChange[];
}

export interface ReactivateLearnerAction {
  kind: 'REACTIVATE_LEARNER';
  id: string;
  sourceId: string;
  learnerId: string;
}

export interface DeactivateLearnerAction {
  kind: 'DEACTIVATE_LEARNER';
  id: string;
  sourceId: string;
  learnerId: string;
  /** The evidence; ROLLED_BACK: a rollback deactivates a learner the run it reverses created or reactivated. */
  reason: EvidenceReason | 'ROLLED_BACK';
}

export interface AddToTeamAction {
  kind: 'ADD_TO_TEAM';
  id: string;
  sourceId: string;
  learnerId: string | null;
  teamId: string | null;
  teamName: string;
}

export interface RemoveFromTeamAction {
  kind: 'REMOVE_FROM_TEAM';
  id: string;
  sourceId: string;
  learnerId: string;
  teamId: string;
  teamName: string;
}

export interface SetTeamLeaderAction {
  kind: 'SET_TEAM_LEADER';
  id: string;
  /** The manager who becomes leader. */
  sourceId: string;
  learnerId: string | null;
  teamId: string | null;
  teamName: string;
}

export type PlannedAction =
  | CreateTeamAction
  | LinkAction
  | CreateLearnerAction
  | UpdateLearnerAction
  | ReactivateLearnerAction
  | DeactivateLearnerAction
  | AddToTeamAction
  | RemoveFromTeamAction
  | SetTeamLeaderAction;
export type PlanActionKind = PlannedAction['kind'];

/** The order apply runs the kinds in; see `planSync` for why. */
export const ACTION_KINDS = [
  'CREATE_TEAM',
  'LINK',
  'REACTIVATE_LEARNER',
  'UPDATE_LEARNER',
  'CREATE_LEARNER',
  'ADD_TO_TEAM',
  'REMOVE_FROM_TEAM',
  'SET_TEAM_LEADER',
  'DEACTIVATE_LEARNER',
] as const satisfies readonly PlanActionKind[];

export type SkipReason =
  | IneligibilityReason
  /** Outside `scope`. */
  | 'NOT_IN_SCOPE'
  /** Held by an admin (core/holds.ts): the learner stays exactly as it is until the hold lapses. */
  | 'HELD'
  /** Another employee holds the same work email (a linked one, else an eligible one, else the lowest id). */
  | 'DUPLICATE_EMAIL'
  /** More than one unlinked Litmos user has the employee's username or email; identity is not guessed. */
  | 'AMBIGUOUS_MATCH'
  /**
   * A create or a rename would take a Litmos username that belongs to someone else (who keeps it):
   * nothing is created, and a learner that exists keeps its old username while the rest is updated.
   */
  | 'USERNAME_TAKEN'
  /** The field map gives no value for a field Litmos requires (userName, firstName, lastName). */
  | 'MISSING_REQUIRED_FIELD'
  /** The stored link names a learner Litmos no longer has; an admin decides whether to recreate it. */
  | 'LINKED_LEARNER_MISSING'
  /** Rollback: Litmos no longer holds the learner as the rolled-back run left it (core/rollback.ts). */
  | 'CHANGED_SINCE'
  /** Rollback: a run after the rolled-back one wrote to the learner. */
  | 'TOUCHED_BY_LATER_RUN';

export interface PlanSkip {
  sourceId: string;
  reason: SkipReason;
  /** The employee's learner when there is one (e.g. a deactivation withheld by an incomplete read). */
  learnerId: string | null;
}

export interface SafeguardReport {
  deactivations: number;
  activeLearners: number;
  /** min(ceil(maxDeactivationPercent% × activeLearners), maxDeactivations). */
  threshold: number;
  /** More deactivations than the threshold: the plan waits for approval. */
  tripped: boolean;
}

export interface SyncPlan {
  source: Source;
  today: LocalDate;
  complete: boolean;
  incompleteReason?: string;
  actions: PlannedAction[];
  skips: PlanSkip[];
  /** Employees already in step with Litmos. */
  unchanged: string[];
  summary: Record<PlanActionKind, number>;
  safeguard: SafeguardReport;
}

/**
 * What applying one action came to. Defined beside the plan rather than by the applier, because the
 * pure report (records) and the learner shadow are computed from it.
 */
export interface ActionResult {
  action: PlannedAction;
  ok: boolean;
  /** The learner the action ended on (the created one for CREATE_LEARNER). */
  learnerId: string | null;
  error: string | null;
  /** Done by an earlier attempt of this run and not repeated. */
  resumed: boolean;
}

export function createLearnerId(source: Source, sourceId: string): string {
  return `create:${source}:${sourceId}`;
}

/** Teams are the same team whatever the case or surrounding whitespace of their name. */
export function teamKey(name: string): string {
  return name.trim().toLowerCase();
}

export function createTeamId(teamName: string): string {
  return `create-team:${teamKey(teamName)}`;
}

/**
 * The order employees are planned and listed in, whatever order HR returned them: BambooHR's
 * numeric ids by value ("9" before "10"), any other ids as plain strings.
 */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A copy of `items` in `compareIds` order, sorted only when it is not in that order already: a run's
 * read hands the planner its roster sorted, and sorting 50,000 ids again costs more than checking them.
 */
export function inIdOrder<T extends { sourceId: string }>(items: readonly T[]): T[] {
  const sorted = items.every((item, i) => {
    const before = items[i - 1];
    return before === undefined || compareIds(before.sourceId, item.sourceId) <= 0;
  });
  return sorted ? [...items] : [...items].sort((a, b) => compareIds(a.sourceId, b.sourceId));
}
