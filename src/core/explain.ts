/**
 * Explain: the state a sync would leave each employee in, and every rule that decided it. Read off
 * the planner's own plan for the same input (and its own eligibility and identity rules for the
 * reasons), never worked out again beside it, so an explanation cannot disagree with what a sync
 * does. Pure.
 */
import type { Employee, Learner, LocalDate } from '../model.js';
import { groupBy } from './collections.js';
import { employmentStatusRowOn, ineligibilities, normaliseStatus, statusRowJudged, type IneligibilityReason } from './eligibility.js';
import { holdsInForce, type Hold } from './holds.js';
import type { IdentifiedEmployee, Identity } from './identity.js';
import { identitiesOf, inIdOrder, planWithIdentities, type PlanInput, type PlannedAction, type PlanSkip, type SyncPlan } from './plan.js';
import type { Policy } from './policy.js';

export const PROVISIONING_STATES = [
  /** Has an active learner, and the sync changes nothing. */
  'PROVISIONED',
  /** Will get an active learner: created, or their deactivated one reactivated. */
  'TO_CREATE',
  /** Keeps their active learner, which the sync updates (fields, teams, its link). */
  'TO_UPDATE',
  'TO_DEACTIVATE',
  /** Not eligible, and their learner is already inactive. */
  'DEACTIVATED',
  /** Not eligible and no learner is made for them (or, for reasons that are not evidence, their learner is left alone). */
  'NOT_PROVISIONED',
  /** Starts later than the policy provisions ahead of a hire. */
  'PRE_HIRE',
  /** Who their learner is cannot be settled (shared email, several matches, a username someone else keeps…). */
  'CONFLICT',
  /** Held by an admin: nothing is done until the hold lapses. */
  'HELD',
] as const;
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];

export const REASON_CODES = [
  'ELIGIBLE',
  'ACCESS_FLAG_OFF',
  'BLOCKLISTED_STATUS',
  'NO_STATUS',
  'STATUS_STARTS_LATER',
  'TERMINATED',
  'PRE_HIRE',
  'NO_WORK_EMAIL',
  'DUPLICATE_EMAIL',
  'AMBIGUOUS_MATCH',
  'USERNAME_TAKEN',
  'MISSING_REQUIRED_FIELD',
  'LINKED_LEARNER_MISSING',
  'HELD',
  'FIELD_CHANGED',
  'TEAM_CHANGED',
  'LEARNER_MATCHED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface ProvisioningReason {
  code: ReasonCode;
  message: string;
  /** The day the triggering fact took effect (a status row's date, the termination or hire date, the hold's placing). */
  since: LocalDate | null;
  /** The field whose value triggered the rule: `employmentStatus`, the access flag's HR field, `workEmail`… */
  field: string | null;
  value: string | null;
}

export interface Provisioning {
  sourceId: string;
  state: ProvisioningState;
  reasons: ProvisioningReason[];
  /** The learner the planner takes to be this employee's, if any. */
  learnerId: string | null;
}

/** The planner's words for two reasons the API spells out. */
const CODE_OF: Record<IneligibilityReason, ReasonCode> = {
  TERMINATED: 'TERMINATED',
  BLOCKLISTED_STATUS: 'BLOCKLISTED_STATUS',
  NO_STATUS: 'NO_STATUS',
  ACCESS_FLAG_OFF: 'ACCESS_FLAG_OFF',
  PREHIRE: 'PRE_HIRE',
  NO_EMAIL: 'NO_WORK_EMAIL',
};

/** Skips that mean the person's learner cannot be settled, whatever the rules say of them. */
const CONFLICTS = new Set<PlanSkip['reason']>(['DUPLICATE_EMAIL', 'AMBIGUOUS_MATCH', 'USERNAME_TAKEN', 'MISSING_REQUIRED_FIELD', 'LINKED_LEARNER_MISSING']);

/** Each employee of the input explained by its sourceId, from one plan of the whole input. */
export function explainAll(input: PlanInput): Map<string, Provisioning> {
  const { plan, identified } = planWithIdentities(input);
  return explainPlan(input, plan, identified);
}

/** Explains `plan`, which must be `planSync(input)`; `identified`, when given, the identities it was planned with. */
export function explainPlan(input: PlanInput, plan: SyncPlan, identified?: readonly IdentifiedEmployee[]): Map<string, Provisioning> {
  const employees = inIdOrder(input.employees);
  const identities = new Map((identified ?? identitiesOf({ ...input, employees })).map(({ employee, identity }) => [employee.sourceId, identity]));
  const actions = groupBy(plan.actions.flatMap((action) => ('sourceId' in action ? [[action.sourceId, action] as const] : [])));
  const skips = new Map(plan.skips.map((skip) => [skip.sourceId, skip]));
  const held = holdsInForce(input.holds ?? [], input.source, input.today);
  return new Map(
    employees.map((employee) => {
      const facts: Facts = {
        employee,
        policy: input.policy,
        today: input.today,
        identity: identities.get(employee.sourceId) ?? { kind: 'UNMATCHED' },
        actions: actions.get(employee.sourceId) ?? [],
        skip: skips.get(employee.sourceId) ?? null,
        hold: held.get(employee.sourceId) ?? null,
      };
      return [employee.sourceId, explainOne(facts)];
    }),
  );
}

/** What the plan and the rules say of one employee. */
interface Facts {
  employee: Employee;
  policy: Policy;
  today: LocalDate;
  identity: Identity;
  actions: readonly PlannedAction[];
  skip: PlanSkip | null;
  hold: Hold | null;
}

function explainOne(facts: Facts): Provisioning {
  const learner = learnerOf(facts.identity);
  const state = stateOf(facts, learner);
  const ruleReasons = ineligibilities(facts.employee, facts.policy, facts.today).flatMap((reason) => ruleReason(reason, facts));
  const reasons = [
    ...(facts.hold ? [heldReason(facts.hold)] : []),
    ...(facts.skip && CONFLICTS.has(facts.skip.reason) ? [conflictReason(facts)] : []),
    ...(ruleReasons.length > 0 ? ruleReasons : [eligibleReason(state)]),
    ...(state === 'TO_UPDATE' ? facts.actions.flatMap(changeReasons) : []),
  ];
  return { sourceId: facts.employee.sourceId, state, reasons, learnerId: learner?.id ?? facts.skip?.learnerId ?? null };
}

/** The order of the checks is the order of precedence: a hold or a conflict says more than the actions. */
function stateOf({ actions, skip }: Facts, learner: Learner | null): ProvisioningState {
  const kinds = new Set(actions.map((action) => action.kind));
  if (skip?.reason === 'HELD') return 'HELD';
  if (skip && CONFLICTS.has(skip.reason)) return 'CONFLICT';
  if (kinds.has('DEACTIVATE_LEARNER')) return 'TO_DEACTIVATE';
  if (kinds.has('CREATE_LEARNER') || kinds.has('REACTIVATE_LEARNER')) return 'TO_CREATE';
  if (skip) return skip.reason === 'PREHIRE' ? 'PRE_HIRE' : 'NOT_PROVISIONED';
  if (kinds.size > 0) return 'TO_UPDATE';
  if (learner?.active) return 'PROVISIONED';
  return learner ? 'DEACTIVATED' : 'NOT_PROVISIONED';
}

function learnerOf(identity: Identity): Learner | null {
  return identity.kind === 'LINKED' || identity.kind === 'MATCHED' ? identity.learner : null;
}

const reason = (code: ReasonCode, message: string, detail: Partial<Omit<ProvisioningReason, 'code' | 'message'>> = {}): ProvisioningReason => ({
  code,
  message,
  since: detail.since ?? null,
  field: detail.field ?? null,
  value: detail.value ?? null,
});

function heldReason(hold: Hold): ProvisioningReason {
  return reason('HELD', `held until ${hold.until} (inclusive): ${hold.reason}`, { since: hold.heldAt.slice(0, 10), field: 'until', value: hold.until });
}

function conflictReason({ skip, employee }: Facts): ProvisioningReason {
  const email = employee.workEmail;
  switch (skip?.reason) {
    case 'DUPLICATE_EMAIL':
      return reason('DUPLICATE_EMAIL', `another employee of this source has the work email ${email ?? ''}, and holds it`, { field: 'workEmail', value: email });
    case 'AMBIGUOUS_MATCH':
      return reason('AMBIGUOUS_MATCH', 'more than one unlinked Litmos user has this username or email; identity is not guessed', {
        field: 'workEmail',
        value: email,
      });
    case 'USERNAME_TAKEN':
      return reason('USERNAME_TAKEN', 'the username this employee should have belongs to another Litmos user, who keeps it', {
        field: 'userName',
        value: email,
      });
    case 'LINKED_LEARNER_MISSING':
      return reason('LINKED_LEARNER_MISSING', `the linked learner ${skip.learnerId ?? ''} is no longer in Litmos`, { value: skip.learnerId });
    default:
      return reason('MISSING_REQUIRED_FIELD', 'the field map gives no value for a field Litmos requires (userName, firstName, lastName)');
  }
}

function eligibleReason(state: ProvisioningState): ProvisioningReason {
  const message = state === 'HELD' || state === 'CONFLICT' ? 'meets every rule of the policy' : 'meets every rule of the policy, so is provisioned';
  return reason('ELIGIBLE', message);
}

/** One failed rule, with the value and the day that triggered it. */
function ruleReason(why: IneligibilityReason, { employee, policy, today }: Facts): ProvisioningReason[] {
  const row = statusRowJudged(employee, today);
  const code = CODE_OF[why];
  switch (why) {
    case 'TERMINATED':
      return [terminatedReason(employee, row)];
    case 'NO_STATUS':
      return [
        reason(code, 'has no employment status in force, and the policy blocks a missing status', { field: 'employmentStatus' }),
        ...laterStatus(employee, today),
      ];
    case 'BLOCKLISTED_STATUS':
      return [
        reason(code, `employment status "${row?.status ?? ''}" (since ${row?.effectiveDate ?? '?'}) is on the blocklist`, {
          since: row?.effectiveDate ?? null,
          field: 'employmentStatus',
          value: row?.status ?? null,
        }),
      ];
    case 'ACCESS_FLAG_OFF':
      return [reason(code, `the access flag "${policy.accessFlag.fieldName}" is off`, { field: policy.accessFlag.fieldName, value: 'false' })];
    case 'PREHIRE':
      return [
        reason(code, `starts on ${employee.hireDate ?? ''}; the policy provisions ${policy.prehireLeadDays} day(s) ahead`, {
          since: employee.hireDate,
          field: 'hireDate',
          value: employee.hireDate,
        }),
      ];
    case 'NO_EMAIL':
      return [reason(code, 'has no work email, which is the learner username', { field: 'workEmail' })];
  }
}

function terminatedReason(employee: Employee, row: ReturnType<typeof statusRowJudged>): ProvisioningReason {
  if (row !== null && normaliseStatus(row.status) === normaliseStatus('Terminated')) {
    return reason('TERMINATED', `employment status "${row.status}" since ${row.effectiveDate}`, {
      since: row.effectiveDate,
      field: 'employmentStatus',
      value: row.status,
    });
  }
  if (employee.terminationDate !== null) {
    return reason('TERMINATED', `terminated on ${employee.terminationDate}`, {
      since: employee.terminationDate,
      field: 'terminationDate',
      value: employee.terminationDate,
    });
  }
  return reason('TERMINATED', 'HR marks the employee inactive', { field: 'status', value: employee.status });
}

/** The first status row dated after the day judged by: the employee has a status, just not yet. */
function laterStatus(employee: Employee, today: LocalDate): ProvisioningReason[] {
  const judged = employee.hireDate !== null && employee.hireDate > today ? employee.hireDate : today;
  const later = employee.employmentStatusHistory
    .filter((row) => row.effectiveDate > judged && row.status.trim() !== '')
    .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate))[0];
  if (later === undefined) return [];
  const inForceThen = employmentStatusRowOn(employee, later.effectiveDate);
  return [
    reason('STATUS_STARTS_LATER', `employment status "${inForceThen?.status ?? later.status}" starts on ${later.effectiveDate}`, {
      since: later.effectiveDate,
      field: 'employmentStatus',
      value: inForceThen?.status ?? later.status,
    }),
  ];
}

function changeReasons(action: PlannedAction): ProvisioningReason[] {
  switch (action.kind) {
    case 'UPDATE_LEARNER':
      return action.changes.map((change) =>
        reason('FIELD_CHANGED', `${change.field}: "${change.before ?? ''}" → "${change.after ?? ''}"`, { field: change.field, value: change.after }),
      );
    case 'ADD_TO_TEAM':
      return [reason('TEAM_CHANGED', `joins the team "${action.teamName}"`, { field: 'team', value: action.teamName })];
    case 'REMOVE_FROM_TEAM':
      return [reason('TEAM_CHANGED', `leaves the team "${action.teamName}"`, { field: 'team', value: null })];
    case 'SET_TEAM_LEADER':
      return [reason('TEAM_CHANGED', `becomes a leader of the team "${action.teamName}"`, { field: 'teamLeader', value: action.teamName })];
    case 'LINK':
      return [
        reason('LEARNER_MATCHED', `the Litmos user ${action.learnerId} is matched by ${action.matchedBy.toLowerCase()} and linked`, {
          value: action.learnerId,
        }),
      ];
    default:
      return [];
  }
}
