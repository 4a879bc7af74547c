/**
 * Undo: from what a finished run did (its actions journaled DONE) and how Litmos stands now, the plan
 * of a new run that puts back what that run changed and is still as it left it. Pure.
 *
 * The unit is the person: an employee's learner is restored whole — fields, active flag, teams — or,
 * when anything the run did to it has changed since (by hand in Litmos, or by a later run), left
 * whole and reported with the reason. Restoring half a person would leave a state nobody ever had.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { Learner, LocalDate, Source } from '../model.js';
import { learnerChanges } from './fields.js';
import { safeguardCheck, summarise as summariseActions } from './plan.js';
import { compareIds, type PlannedAction, type PlanSkip, type SkipReason, type SyncPlan } from './plan-types.js';
import type { LearnerFields, SafeguardPolicy } from './policy.js';
import { ACTIVE_STATUSES, type SyncRun } from './run.js';

/** One action of the rolled-back run that took effect (journaled DONE), with what it ended on. */
export interface DoneAction {
  action: PlannedAction;
  /** The learner it ended on (the created one for CREATE_LEARNER), from the journal. */
  learnerId: string | null;
  /** The team it ended on (a team this run created, for ADD_TO_TEAM), from the journal. */
  teamId: string | null;
  /**
   * UPDATE_LEARNER: the changed fields as Litmos held them just before the write, from the journal. The
   * plan's before-values of fields Litmos's user list leaves out are only what rostergate last wrote there.
   * @default the plan's before-values
   */
  before?: LearnerFields;
}

/** A learner as Litmos holds it now. */
export interface LearnerNow {
  learner: Learner;
  /** The ids of its teams; only read for learners whose team changes are reversed. */
  teamIds: readonly string[];
}

export interface RollbackInput {
  source: Source;
  today: LocalDate;
  /** The rolled-back run's actions that took effect, in plan order. */
  done: readonly DoneAction[];
  /** Learner id → how it stands now; a learner Litmos no longer has is absent. */
  current: ReadonlyMap<string, LearnerNow>;
  /** Learners a run after the rolled-back one wrote to (any source, this rollback excluded). */
  touchedLater: ReadonlySet<string>;
  /** Employees (sourceIds) held today (core/holds.ts): a hold keeps the learner exactly as it is, against an undo too. @default none */
  held?: ReadonlySet<string>;
  safeguard: SafeguardPolicy;
  /** Active learners the safeguard's percentage is of. */
  activeLearners: number;
}

/** Why a person's changes are not rolled back. */
export type RollbackSkipReason = Extract<SkipReason, 'HELD' | 'CHANGED_SINCE' | 'TOUCHED_BY_LATER_RUN'>;

/**
 * Refuses, with a reason in `details.refusal`, a run there is nothing to roll back of: one that is
 * still active (its writes are not all in yet), a dry run, one that never planned, or a rollback —
 * which is undone by syncing again, since HR still says what the rolled-back run did.
 */
export function assertRollbackable(runId: string, target: SyncRun | null, planned: boolean): asserts target is SyncRun {
  if (target === null) throw new NotFoundError(`no sync run ${runId}`, { runId });
  const refuse = (refusal: string, why: string) => {
    throw new ConflictError(`run ${runId} ${why}`, { runId, status: target.status, refusal });
  };
  if (target.rollbackOf) refuse('ROLLBACK_OF_ROLLBACK', `is itself the rollback of run ${target.rollbackOf}; to redo what that run did, sync again`);
  if (ACTIVE_STATUSES.includes(target.status)) refuse('RUN_ACTIVE', `is ${target.status}; only a run that has ended can be rolled back`);
  if (target.dryRun) refuse('DRY_RUN', 'was a dry run and wrote nothing');
  if (!planned) refuse('NOTHING_WRITTEN', `ended ${target.status} before it planned and wrote nothing`);
}

/**
 * What a rollback reads of Litmos besides the user list (which shows who exists and is active): the
 * full profile of each learner whose fields it restores (the list leaves out title, phones and
 * address), and the teams of each it moves back.
 */
export function learnersToRead(done: readonly DoneAction[]): { withProfiles: string[]; withTeams: string[] } {
  const people = [...byPerson(done).values()].filter((person) => person.learnerId !== null);
  const withProfiles = people.flatMap((person) => (person.fieldChanges.length > 0 ? [person.learnerId ?? ''] : []));
  const withTeams = people.flatMap((person) => (!person.created && person.teamActions.length > 0 ? [person.learnerId ?? ''] : []));
  return { withProfiles, withTeams };
}

export function planRollback(input: RollbackInput): SyncPlan {
  const actions: PlannedAction[] = [];
  const skips: PlanSkip[] = [];
  const people = [...byPerson(input.done)].sort(([a], [b]) => compareIds(a, b));
  for (const [sourceId, person] of people) {
    if (person.learnerId === null) continue;
    const reversal = reverse(sourceId, person);
    if (reversal.length === 0) continue;
    const reason = input.held?.has(sourceId) ? 'HELD' : whyLeft(person, input);
    if (reason !== null) skips.push({ sourceId, reason, learnerId: person.learnerId });
    else actions.push(...reversal);
  }
  return {
    source: input.source,
    today: input.today,
    complete: true,
    actions,
    skips,
    unchanged: [],
    summary: summariseActions(actions),
    safeguard: safeguardCheck(actions, input.activeLearners, input.safeguard),
  };
}

/** One employee's part of the run: their learner and what was done to it. */
interface Person {
  learnerId: string | null;
  /** The run created this learner: it is deactivated, and its team additions are left (an inactive learner is on no team list). */
  created: boolean;
  active: { was: boolean; left: boolean; action: PlannedAction } | null;
  fieldChanges: { action: Extract<PlannedAction, { kind: 'UPDATE_LEARNER' }>; left: LearnerFields; before: LearnerFields }[];
  teamActions: { action: Extract<PlannedAction, { kind: 'ADD_TO_TEAM' | 'REMOVE_FROM_TEAM' }>; teamId: string }[];
}

function byPerson(done: readonly DoneAction[]): Map<string, Person> {
  const people = new Map<string, Person>();
  for (const { action, learnerId, teamId, before } of done) {
    // Team leaders are the team's, not the person's; links and teams are kept (see DESIGN).
    if (!('sourceId' in action) || action.kind === 'SET_TEAM_LEADER' || action.kind === 'LINK') continue;
    const person = people.get(action.sourceId) ?? { learnerId: null, created: false, active: null, fieldChanges: [], teamActions: [] };
    people.set(action.sourceId, person);
    person.learnerId = learnerId ?? ('learnerId' in action ? action.learnerId : null) ?? person.learnerId;
    switch (action.kind) {
      case 'CREATE_LEARNER':
        person.created = true;
        person.active = { was: false, left: true, action };
        break;
      case 'REACTIVATE_LEARNER':
      case 'DEACTIVATE_LEARNER':
        person.active = { was: action.kind === 'DEACTIVATE_LEARNER', left: action.kind === 'REACTIVATE_LEARNER', action };
        break;
      case 'UPDATE_LEARNER':
        person.fieldChanges.push({
          action,
          left: Object.fromEntries(action.changes.map((change) => [change.field, change.after])),
          before: { ...Object.fromEntries(action.changes.map((change) => [change.field, change.before])), ...before },
        });
        break;
      case 'ADD_TO_TEAM':
      case 'REMOVE_FROM_TEAM': {
        const team = teamId ?? action.teamId;
        if (team !== null) person.teamActions.push({ action, teamId: team });
      }
    }
  }
  return people;
}

/** Null when Litmos still holds the learner exactly as the run left it, and no later run wrote to it. */
function whyLeft(person: Person, input: RollbackInput): RollbackSkipReason | null {
  const learnerId = person.learnerId ?? '';
  if (input.touchedLater.has(learnerId)) return 'TOUCHED_BY_LATER_RUN';
  const now = input.current.get(learnerId);
  if (now === undefined) return 'CHANGED_SINCE';
  if (person.active !== null && now.learner.active !== person.active.left) return 'CHANGED_SINCE';
  if (person.fieldChanges.some(({ left }) => learnerChanges(now.learner, left, []).length > 0)) return 'CHANGED_SINCE';
  if (person.created) return null;
  const member = new Set(now.teamIds);
  const moved = person.teamActions.some(({ action, teamId }) => member.has(teamId) !== (action.kind === 'ADD_TO_TEAM'));
  return moved ? 'CHANGED_SINCE' : null;
}

/** The actions that put the person back as they were before the run. */
function reverse(sourceId: string, person: Person): PlannedAction[] {
  const learnerId = person.learnerId ?? '';
  const id = (action: PlannedAction) => `rollback:${action.id}`;
  const actions: PlannedAction[] = [];
  if (person.active) {
    const { was, action } = person.active;
    actions.push(
      was
        ? { kind: 'REACTIVATE_LEARNER', id: id(action), sourceId, learnerId }
        : { kind: 'DEACTIVATE_LEARNER', id: id(action), sourceId, learnerId, reason: 'ROLLED_BACK' },
    );
  }
  for (const { action, before } of person.fieldChanges) {
    const changes = action.changes.map((change) => ({ field: change.field, before: change.after, after: before[change.field] ?? null }));
    actions.push({ kind: 'UPDATE_LEARNER', id: id(action), sourceId, learnerId, changes });
  }
  if (person.created) return actions;
  for (const { action, teamId } of person.teamActions) {
    const { teamName } = action;
    actions.push(
      action.kind === 'ADD_TO_TEAM'
        ? { kind: 'REMOVE_FROM_TEAM', id: id(action), sourceId, learnerId, teamId, teamName }
        : { kind: 'ADD_TO_TEAM', id: id(action), sourceId, learnerId, teamId, teamName },
    );
  }
  return actions;
}
