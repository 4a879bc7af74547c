/**
 * The reconciliation planner: (employees, learners, teams, links, policy, today) → SyncPlan.
 * Pure — no I/O and no clock — so the same input always yields the same actions with the same ids,
 * which is what lets apply journal by id and resume a crashed run without doing anything twice.
 */
import type { Employee, Learner, Source } from '../model.js';
import { eligibility, isEvidenceReason, type Eligibility } from './eligibility.js';
import { identityKey, learnerChanges, learnerFieldsFor, missingRequiredFields, type FieldChange } from './fields.js';
import { memoized } from './collections.js';
import { holdsInForce } from './holds.js';
import type { IdentifiedEmployee, Identity } from './identity.js';
import { resolveIdentities } from './identity.js';
import type { PlannedAction, PlanActionKind, PlanInput, PlanSkip, SafeguardReport, SkipReason, SyncPlan } from './plan-types.js';
import { ACTION_KINDS, compareIds, createLearnerId, inIdOrder } from './plan-types.js';
import type { LearnerFields, Policy, SafeguardPolicy } from './policy.js';
import { planTeams } from './teams-plan.js';
import { bookUsernames, type Rename, type UsernameBook } from './usernames.js';

export * from './plan-types.js';

interface EmployeePlan {
  actions: PlannedAction[];
  skip: PlanSkip | null;
  /** The employee's active learner once the plan runs: its id, or null when this plan creates it. */
  learnerAfter: { id: string | null } | null;
}

interface EmployeeContext {
  source: PlanInput['source'];
  policy: Policy;
  complete: boolean;
  today: PlanInput['today'];
  /** Who holds which username once the plan's renames have run: what a create or rename may take. */
  usernames: UsernameBook;
}

/**
 * The planner's input, with `identitiesOf` for exactly its employees (in id order), learners, links,
 * policy and today when the caller has it already: a run's read does, and resolving them again was
 * the largest part of planning a 50,000-employee run. @default computed
 */
export interface IdentifiedPlanInput extends PlanInput {
  identified?: Identified[];
}

/**
 * An employee with their identity, and what the identity rules and the plan both ask of them: their
 * learner fields under the policy's field map and their eligibility today, worked out once.
 */
export interface Identified extends IdentifiedEmployee {
  fields: LearnerFields;
  verdict: Eligibility;
}

export function planSync(input: IdentifiedPlanInput): SyncPlan {
  return planWithIdentities(input).plan;
}

/** The plan, and who the planner took each employee to be (explain reads both; identities cost half a plan). */
export function planWithIdentities(input: IdentifiedPlanInput): { plan: SyncPlan; identified: Identified[] } {
  const { source, policy, today } = input;
  const employees = inIdOrder(input.employees);
  const identified = input.identified ?? identitiesOf({ ...input, employees });
  const scope = input.scope === undefined ? null : new Set(input.scope.sourceIds);
  const inScope = (sourceId: string) => scope === null || scope.has(sourceId);
  // A held employee's learner stays exactly as it is: no rename, update, deactivation or team change.
  const held = holdsInForce(input.holds ?? [], source, today);
  const actsOn = (sourceId: string) => inScope(sourceId) && !held.has(sourceId);

  const renames = identified.flatMap((each) => (actsOn(each.employee.sourceId) ? renameFor(each, policy) : []));
  const context: EmployeeContext = {
    source,
    policy,
    complete: input.read.complete,
    today,
    usernames: bookUsernames(input.learners, renames),
  };
  const actions: PlannedAction[] = [];
  const skips: PlanSkip[] = [];
  const provisioned = new Map<string, string | null>();
  // Claim order, not id order: when two employees want one username, the one who should have
  // access gets it (see resolveIdentities). Out-of-scope employees are still planned so that
  // their claims and team roles hold, then left untouched.
  for (const each of identified) {
    const { sourceId } = each.employee;
    // Planned not at all, so a held employee claims no username either: the learner stays as it is.
    if (held.has(sourceId)) {
      skips.push(
        inScope(sourceId) ? { sourceId, reason: 'HELD', learnerId: learnerIdOf(each.identity) } : { sourceId, reason: 'NOT_IN_SCOPE', learnerId: null },
      );
      continue;
    }
    const plan = planEmployee(each, context);
    if (plan.learnerAfter !== null) provisioned.set(sourceId, plan.learnerAfter.id);
    if (!inScope(sourceId)) {
      skips.push({ sourceId, reason: 'NOT_IN_SCOPE', learnerId: null });
      continue;
    }
    actions.push(...plan.actions);
    if (plan.skip !== null) skips.push(plan.skip);
  }
  actions.push(
    ...planTeams({
      source,
      employees,
      provisioned,
      teams: input.teams,
      teamMembers: input.teamMembers,
      teamLeaders: input.teamLeaders ?? {},
      policy: policy.teams,
      inScope: actsOn,
      knownDepartments: input.knownDepartments ?? [],
    }),
  );

  const ordered = orderActions(actions);
  const actedOn = new Set(ordered.flatMap((action) => ('sourceId' in action ? [action.sourceId] : [])));
  const skipped = new Set(skips.map((skip) => skip.sourceId));
  const plan: SyncPlan = {
    source,
    today,
    complete: input.read.complete,
    ...(input.read.complete ? {} : { incompleteReason: input.read.reason ?? 'the HR read did not complete' }),
    actions: ordered,
    skips: skips.sort((a, b) => compareIds(a.sourceId, b.sourceId)),
    unchanged: employees.map((employee) => employee.sourceId).filter((sourceId) => !actedOn.has(sourceId) && !skipped.has(sourceId)),
    summary: summarise(ordered),
    safeguard: safeguardCheck(ordered, input.activeLearners ?? input.learners.filter((learner) => learner.active).length, policy.safeguard),
  };
  return { plan, identified };
}

/**
 * Every employee with the learner the planner takes them to be, in claim order (core/identity.ts).
 * `employees` in id order: among records of one username, the last in it may take over a learner.
 */
export function identitiesOf(input: Pick<PlanInput, 'source' | 'employees' | 'learners' | 'links' | 'policy' | 'today'>): Identified[] {
  const { policy, today } = input;
  const fieldsOf = memoized((employee: Employee) => learnerFieldsFor(employee, policy.fieldMap));
  const verdictOf = memoized((employee: Employee) => eligibility(employee, policy, today));
  const identified = resolveIdentities({
    source: input.source,
    employees: input.employees,
    learners: input.learners,
    links: input.links,
    usernameOf: (employee) => fieldsOf(employee).userName ?? null,
    isEligible: (employee) => verdictOf(employee).eligible,
  });
  return identified.map(({ employee, identity }) => ({ employee, identity, fields: fieldsOf(employee), verdict: verdictOf(employee) }));
}

// planEmployee runs for every employee of every run, so it makes no closures of its own: at 50,000
// employees they were some 45 MB a run to collect (more under tsx, which names each one).
function planEmployee({ employee, identity, fields, verdict }: Identified, context: EmployeeContext): EmployeePlan {
  const { sourceId } = employee;
  const { source, policy } = context;
  const actions: PlannedAction[] = [];
  if (identity.kind === 'SKIPPED') return skipping(actions, sourceId, identity.reason, identity.learnerId);

  const learner = identity.kind === 'UNMATCHED' ? null : identity.learner;
  if (identity.kind === 'MATCHED') {
    const { learner: matched, matchedBy } = identity;
    actions.push({ kind: 'LINK', id: actionId('link', source, sourceId), sourceId, learnerId: matched.id, matchedBy });
  }

  if (!verdict.eligible) {
    const { reason } = verdict;
    if (learner === null) return skipping(actions, sourceId, reason);
    if (!learner.active) return { actions, skip: null, learnerAfter: null };
    // Absent is not terminated, and neither is a read that stopped halfway: deactivation needs
    // positive evidence from a complete read.
    if (!isEvidenceReason(reason) || !context.complete) return skipping(actions, sourceId, reason, learner.id);
    actions.push({ kind: 'DEACTIVATE_LEARNER', id: actionId('deactivate', source, sourceId), sourceId, learnerId: learner.id, reason });
    return { actions, skip: null, learnerAfter: null };
  }

  if (learner === null) {
    if (missingRequiredFields(fields).length > 0) return skipping(actions, sourceId, 'MISSING_REQUIRED_FIELD');
    if (!context.usernames.claimForCreate(identityKey(fields.userName ?? null) ?? '')) return skipping(actions, sourceId, 'USERNAME_TAKEN');
    actions.push({ kind: 'CREATE_LEARNER', id: createLearnerId(source, sourceId), sourceId, fields });
    return { actions, skip: null, learnerAfter: { id: null } };
  }

  // The same learner comes back rather than a new one, so the person keeps their training history.
  if (!learner.active) {
    actions.push({ kind: 'REACTIVATE_LEARNER', id: actionId('reactivate', source, sourceId), sourceId, learnerId: learner.id });
  }
  // A username held by someone who keeps it (a Litmos user no HR system knows, say) is not taken
  // from them: the learner keeps its old one, the rest is updated, and the report says why.
  const wanted = learnerChanges(learner, fields, policy.protectedFields);
  const blocked = wanted.some(isUserName) && isRename(learner, fields) && !context.usernames.canRename(learner.id);
  const changes = blocked ? wanted.filter((change) => !isUserName(change)) : wanted;
  if (changes.length > 0) {
    actions.push({ kind: 'UPDATE_LEARNER', id: actionId('update', source, sourceId), sourceId, learnerId: learner.id, changes });
  }
  return { actions, skip: blocked ? { sourceId, reason: 'USERNAME_TAKEN', learnerId: learner.id } : null, learnerAfter: { id: learner.id } };
}

/** An action's id: its verb and employee, the same in every run that plans it (apply journals by it). */
const actionId = (verb: string, source: Source, sourceId: string) => `${verb}:${source}:${sourceId}`;

const skipping = (actions: PlannedAction[], sourceId: string, reason: SkipReason, learnerId: string | null = null): EmployeePlan => ({
  actions,
  skip: { sourceId, reason, learnerId },
  learnerAfter: null,
});

const isUserName = (change: FieldChange): boolean => change.field === 'userName';

function learnerIdOf(identity: Identity): string | null {
  return identity.kind === 'SKIPPED' ? identity.learnerId : identity.kind === 'UNMATCHED' ? null : identity.learner.id;
}

/** The username an eligible employee's existing learner moves to, if it moves. */
function renameFor({ identity, fields, verdict }: Identified, policy: Policy): Rename[] {
  if (identity.kind !== 'LINKED' && identity.kind !== 'MATCHED') return [];
  if (!verdict.eligible) return [];
  if (!isRename(identity.learner, fields) || policy.protectedFields.includes('userName')) return [];
  const from = identityKey(identity.learner.userName) ?? '';
  return [{ learnerId: identity.learner.id, from, to: identityKey(fields.userName ?? null) ?? '' }];
}

/** Whether the learner's username changes other than in case or spacing (those keep the same username). */
function isRename(learner: Learner, fields: LearnerFields): boolean {
  const to = identityKey(fields.userName ?? null);
  return to !== null && to !== identityKey(learner.userName);
}

/**
 * Apply runs actions in this order. Teams exist before anyone joins them; links are recorded before
 * anything else touches a matched learner; existing learners are renamed before anyone is created,
 * because a new hire may take the address a colleague just gave up; a learner exists and is active
 * before it joins a team; a leader is a member before being promoted. Deactivations, the only step
 * that takes access away, run last, so a run that stops early has done all the constructive work and
 * none of the work an admin may still want to review. Within a kind: by employee id, then by id.
 */
function orderActions(actions: readonly PlannedAction[]): PlannedAction[] {
  const rank = new Map<PlanActionKind, number>(ACTION_KINDS.map((kind, index) => [kind, index]));
  const subject = (action: PlannedAction) => ('sourceId' in action ? action.sourceId : '');
  // Team creates keep the parents-first order planTeams gave them; the sort is stable.
  return [...actions].sort(
    (a, b) =>
      (rank.get(a.kind) ?? 0) - (rank.get(b.kind) ?? 0) || (a.kind === 'CREATE_TEAM' ? 0 : compareIds(subject(a), subject(b)) || compareIds(a.id, b.id)),
  );
}

export function summarise(actions: readonly PlannedAction[]): Record<PlanActionKind, number> {
  const summary = Object.fromEntries(ACTION_KINDS.map((kind) => [kind, 0])) as Record<PlanActionKind, number>;
  for (const action of actions) summary[action.kind] += 1;
  return summary;
}

/**
 * min(ceil(percent% × active learners), cap), in integer hundredths of a percent: in floating point
 * 1.1% of 3000 comes out a hair over 33 and would round up to 34.
 */
export function safeguardCheck(actions: readonly PlannedAction[], activeLearners: number, safeguard: SafeguardPolicy): SafeguardReport {
  const deactivations = actions.filter((action) => action.kind === 'DEACTIVATE_LEARNER').length;
  const basisPoints = Math.round(safeguard.maxDeactivationPercent * 100);
  const byPercent = Math.ceil((basisPoints * activeLearners) / 10_000);
  const threshold = Math.min(byPercent, safeguard.maxDeactivations);
  return { deactivations, activeLearners, threshold, tripped: deactivations > threshold };
}
