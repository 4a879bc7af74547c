/**
 * From a plan (and, once applied, its action results) to one report line per employee. Pure.
 */
import type { Employee } from '../model.js';
import type { ActionResult, PlannedAction, SyncPlan } from './plan-types.js';
import { emptyCounts, type Outcome, type SyncCounts, type SyncRecord } from './run.js';

/** When one employee has several actions, the record names the one that matters most. */
const OUTCOME_OF: Partial<Record<PlannedAction['kind'], Outcome>> = {
  CREATE_LEARNER: 'CREATED',
  LINK: 'LINKED',
  REACTIVATE_LEARNER: 'REACTIVATED',
  DEACTIVATE_LEARNER: 'DEACTIVATED',
  UPDATE_LEARNER: 'UPDATED',
  ADD_TO_TEAM: 'UPDATED',
  REMOVE_FROM_TEAM: 'UPDATED',
};
const PRECEDENCE: Outcome[] = ['FAILED', 'CREATED', 'REACTIVATED', 'DEACTIVATED', 'LINKED', 'UPDATED'];

export interface EmployeeSummary {
  name: string;
  email: string | null;
}

export function summarise(employees: readonly Employee[]): Record<string, EmployeeSummary> {
  return Object.fromEntries(employees.map((e) => [e.sourceId, { name: e.displayName, email: e.workEmail }]));
}

export function buildRecords(
  plan: SyncPlan,
  people: Record<string, EmployeeSummary>,
  results: readonly ActionResult[] = [],
  notFound: readonly string[] = [],
): SyncRecord[] {
  const records = new Map<string, SyncRecord>();
  const record = (sourceId: string): SyncRecord => {
    let found = records.get(sourceId);
    if (!found) {
      found = {
        sourceId,
        name: people[sourceId]?.name ?? sourceId,
        email: people[sourceId]?.email ?? null,
        outcome: 'UNCHANGED',
        reason: null,
        learnerId: null,
        changes: [],
        error: null,
      };
      records.set(sourceId, found);
    }
    return found;
  };
  const raise = (r: SyncRecord, outcome: Outcome) => {
    if (r.outcome === 'UNCHANGED' || PRECEDENCE.indexOf(outcome) < PRECEDENCE.indexOf(r.outcome)) r.outcome = outcome;
  };
  const failures = new Map(results.filter((r) => !r.ok).map((r) => [r.action.id, r]));
  const learnerIds = new Map(results.filter((r) => r.learnerId).map((r) => [r.action.id, r.learnerId]));

  for (const sourceId of plan.unchanged) record(sourceId);
  for (const action of plan.actions) {
    if (!('sourceId' in action) || action.kind === 'SET_TEAM_LEADER') continue;
    const r = record(action.sourceId);
    const outcome = OUTCOME_OF[action.kind];
    if (outcome) raise(r, outcome);
    r.learnerId = learnerIds.get(action.id) ?? ('learnerId' in action ? action.learnerId : null) ?? r.learnerId;
    if (action.kind === 'UPDATE_LEARNER') r.changes.push(...action.changes);
    if (action.kind === 'ADD_TO_TEAM') r.changes.push({ field: 'team', before: null, after: action.teamName });
    if (action.kind === 'REMOVE_FROM_TEAM') r.changes.push({ field: 'team', before: action.teamName, after: null });
    if (action.kind === 'DEACTIVATE_LEARNER') r.reason = action.reason;
    const failure = failures.get(action.id);
    if (failure) {
      raise(r, 'FAILED');
      r.error = [r.error, `${action.kind}: ${failure.error}`].filter(Boolean).join('; ');
    }
  }
  for (const skip of plan.skips) {
    const r = record(skip.sourceId);
    r.outcome = 'SKIPPED';
    r.reason = skip.reason;
    r.learnerId = skip.learnerId;
  }
  for (const sourceId of notFound) Object.assign(record(sourceId), { outcome: 'SKIPPED', reason: 'NOT_FOUND' });
  return [...records.values()];
}

const COUNTED: Record<Outcome, keyof SyncCounts> = {
  CREATED: 'created',
  LINKED: 'linked',
  UPDATED: 'updated',
  REACTIVATED: 'reactivated',
  DEACTIVATED: 'deactivated',
  UNCHANGED: 'unchanged',
  SKIPPED: 'skipped',
  FAILED: 'failed',
};

/**
 * The counts `countRecords(buildRecords(plan restricted to the actions done so far, …))` gives, kept
 * as results arrive: an apply publishes its counts every 100 ms, and rebuilding every record each
 * time costs as much as the whole report — over 50,000 unchanged employees for a run of a few writes.
 */
export interface RecordTally {
  add(result: ActionResult): void;
  counts(): SyncCounts;
}

export function tallyRecords(plan: SyncPlan, notFound: readonly string[] = []): RecordTally {
  // Unchanged, skipped and not-found employees have their outcome from the start, whatever their actions do.
  const counts = countRecords(buildRecords({ ...plan, actions: [] }, {}, [], notFound));
  const settled = new Set([...plan.skips.map((skip) => skip.sourceId), ...notFound]);
  const outcomes = new Map<string, Outcome>();
  return {
    add({ action, ok }) {
      if (!('sourceId' in action) || action.kind === 'SET_TEAM_LEADER' || settled.has(action.sourceId)) return;
      const before = outcomes.get(action.sourceId);
      let after = before ?? 'UNCHANGED';
      for (const outcome of [OUTCOME_OF[action.kind], ok ? undefined : 'FAILED'] as const) {
        if (outcome !== undefined && (after === 'UNCHANGED' || PRECEDENCE.indexOf(outcome) < PRECEDENCE.indexOf(after))) after = outcome;
      }
      if (before !== undefined) counts[COUNTED[before]] -= 1;
      counts[COUNTED[after]] += 1;
      outcomes.set(action.sourceId, after);
    },
    counts: () => ({ ...counts }),
  };
}

export function countRecords(records: readonly SyncRecord[]): SyncCounts {
  const counts = emptyCounts();
  for (const r of records) counts[COUNTED[r.outcome]] += 1;
  return counts;
}
