/**
 * The fewest upstream requests that can do what a run did: its reads at their floor, plus exactly
 * the writes its plan needs. Everything a run sends beyond this is overhead to explain.
 */
import type { PlanActionKind, SyncPlan } from '../../src/core/plan-types.js';

/** Litmos list page size, and learners per team-membership POST (the product's batch size). */
export const LITMOS_PAGE = 1000;
export const TEAM_BATCH = 100;

export interface WriteCost {
  /** Requests by action kind. */
  byKind: Partial<Record<PlanActionKind, number>>;
  total: number;
}

/**
 * Litmos's PUT /users/{id} replaces the whole user and its list endpoint returns only summaries, so
 * an update, a deactivation and a reactivation each cost GET + PUT; team additions go in batches
 * per team; LINK is a store write only.
 */
const PER_ACTION: Record<Exclude<PlanActionKind, 'ADD_TO_TEAM'>, number> = {
  CREATE_TEAM: 1,
  LINK: 0,
  CREATE_LEARNER: 1,
  UPDATE_LEARNER: 2,
  REACTIVATE_LEARNER: 2,
  DEACTIVATE_LEARNER: 2,
  REMOVE_FROM_TEAM: 1,
  SET_TEAM_LEADER: 1,
};

export function writeCost(plans: readonly SyncPlan[]): WriteCost {
  const byKind: Partial<Record<PlanActionKind, number>> = {};
  const add = (kind: PlanActionKind, n: number) => void (byKind[kind] = (byKind[kind] ?? 0) + n);
  for (const plan of plans) {
    const additions = new Map<string, number>();
    for (const action of plan.actions) {
      if (action.kind === 'ADD_TO_TEAM') {
        const team = action.teamId ?? `new:${action.teamName.trim().toLowerCase()}`;
        additions.set(team, (additions.get(team) ?? 0) + 1);
      } else add(action.kind, PER_ACTION[action.kind]);
    }
    for (const count of additions.values()) add('ADD_TO_TEAM', Math.ceil(count / TEAM_BATCH));
  }
  return { byKind, total: Object.values(byKind).reduce((sum, n) => sum + n, 0) };
}

/** Action counts by kind over several plans (a webhook burst may take more than one run). */
export function actionCounts(plans: readonly SyncPlan[]): Partial<Record<PlanActionKind, number>> {
  const counts: Partial<Record<PlanActionKind, number>> = {};
  for (const plan of plans) for (const action of plan.actions) counts[action.kind] = (counts[action.kind] ?? 0) + 1;
  return counts;
}

/** BambooHR calls of an incremental read: `employees/changed`, its two tables feeds, one report filtered to the changed ids. */
export const INCREMENTAL_HR_CALLS = 4;

/**
 * The brief's floor for reads: one BambooHR report plus its metadata (the access flag's alias,
 * looked up once per gateway), and ceil(users / 1000) Litmos user pages. A targeted run (webhooks,
 * incremental) lists no users: its floor is one Litmos lookup per employee it read, and for an
 * incremental run the feed calls on the BambooHR side.
 */
export function readFloor(options: { litmosUsers: number; firstRead: boolean; targeted?: { employees: number; incremental: boolean } }): {
  bamboohr: number;
  litmos: number;
} {
  const { targeted } = options;
  return {
    bamboohr: (targeted?.incremental ? INCREMENTAL_HR_CALLS : 1) + (options.firstRead ? 1 : 0),
    litmos: targeted ? targeted.employees : Math.max(1, Math.ceil(options.litmosUsers / LITMOS_PAGE)),
  };
}

/** Employees a plan covered: acted on, skipped or unchanged (a targeted plan holds only those it read). */
export function employeesIn(plans: readonly SyncPlan[]): number {
  const ids = new Set<string>();
  for (const plan of plans) {
    for (const action of plan.actions) if ('sourceId' in action) ids.add(action.sourceId);
    for (const skip of plan.skips) if (skip.reason !== 'NOT_IN_SCOPE') ids.add(skip.sourceId);
    for (const sourceId of plan.unchanged) ids.add(sourceId);
  }
  return ids.size;
}

/**
 * What the tables need of a scenario's plans. The benchmark keeps this, not the plans: it runs in the
 * gateway's process, and a 50,000-employee plan held for the rest of the benchmark would be counted
 * in every later scenario's peak RSS.
 */
export interface PlanDigest {
  counts: Partial<Record<PlanActionKind, number>>;
  cost: WriteCost;
  employees: number;
}

export function digest(plans: readonly SyncPlan[]): PlanDigest {
  return { counts: actionCounts(plans), cost: writeCost(plans), employees: employeesIn(plans) };
}
