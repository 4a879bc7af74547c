import { describe, expect, it } from 'vitest';
import type { Learner } from '../../src/model.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { createLearnerId, createTeamId, planSync, type PlannedAction, type SyncPlan } from '../../src/core/plan.js';
import { defaultPolicy } from '../../src/core/policy.js';
import { assertRollbackable, learnersToRead, planRollback, type DoneAction, type LearnerNow, type RollbackInput } from '../../src/core/rollback.js';
import { emptyCounts, type SyncRun } from '../../src/core/run.js';
import { SOURCE, TODAY, employee, inStep, learnerOf, planInput } from './builders.js';

/** Litmos as plain data: learners by id, and each learner's team ids (what the learner's side lists). */
interface World {
  learners: Map<string, Learner>;
  teams: Map<string, Set<string>>;
}

const clone = (world: World): World => ({
  learners: new Map([...world.learners].map(([id, learner]) => [id, { ...learner }])),
  teams: new Map([...world.teams].map(([id, teams]) => [id, new Set(teams)])),
});

/** Applies a plan to the world as Litmos would, and answers what the journal would hold: every action DONE. */
function applyTo(world: World, plan: SyncPlan): DoneAction[] {
  const created = new Map<string, string>();
  const learnerFor = (action: { sourceId: string; learnerId: string | null }) =>
    action.learnerId ?? created.get(createLearnerId(plan.source, action.sourceId)) ?? '';
  const teamsOf = (learnerId: string) => world.teams.get(learnerId) ?? world.teams.set(learnerId, new Set()).get(learnerId)!;
  const done = (action: PlannedAction, learnerId: string | null, teamId: string | null = null): DoneAction => ({ action, learnerId, teamId });
  return plan.actions.map((action) => {
    switch (action.kind) {
      case 'CREATE_TEAM':
        created.set(action.id, `T-new-${action.name}`);
        return done(action, null, `T-new-${action.name}`);
      case 'CREATE_LEARNER': {
        const id = `L-new-${action.sourceId}`;
        created.set(action.id, id);
        world.learners.set(id, { ...learnerOf(employee(action.sourceId)), ...(action.fields as Partial<Learner>), id, active: true });
        return done(action, id);
      }
      case 'UPDATE_LEARNER':
        Object.assign(world.learners.get(action.learnerId)!, Object.fromEntries(action.changes.map((c) => [c.field, c.after])));
        return done(action, action.learnerId);
      case 'REACTIVATE_LEARNER':
      case 'DEACTIVATE_LEARNER':
        world.learners.get(action.learnerId)!.active = action.kind === 'REACTIVATE_LEARNER';
        return done(action, action.learnerId);
      case 'ADD_TO_TEAM': {
        const teamId = action.teamId ?? created.get(createTeamId(action.teamName))!;
        teamsOf(learnerFor(action)).add(teamId);
        return done(action, learnerFor(action), teamId);
      }
      case 'REMOVE_FROM_TEAM':
        teamsOf(action.learnerId).delete(action.teamId);
        return done(action, action.learnerId, action.teamId);
      default:
        return done(action, 'learnerId' in action ? action.learnerId : null);
    }
  });
}

const sourceIdOf = (action: PlannedAction) => ('sourceId' in action ? action.sourceId : null);

const nowOf = (world: World): Map<string, LearnerNow> =>
  new Map([...world.learners].map(([id, learner]) => [id, { learner: { ...learner }, teamIds: [...(world.teams.get(id) ?? [])] }]));

/** Four people in step, then HR moves one, retitles one, terminates one and hires one: the run to roll back. */
function scenario() {
  const people = [employee('1'), employee('2'), employee('3'), employee('4', { department: 'Sales' })];
  const start = inStep(people);
  const world: World = {
    learners: new Map(start.learners.map((learner) => [learner.id, learner])),
    teams: new Map(Object.entries(start.teamMembers).flatMap(([teamId, members]) => members.map((id) => [id, new Set([teamId])]))),
  };
  const changed = [
    employee('1', { department: 'Sales' }),
    employee('2', { jobTitle: 'Principal Engineer', lastName: 'Married' }),
    employee('3', { terminationDate: '2025-06-01' }),
    employee('4', { department: 'Sales' }),
    employee('5', { department: 'Research' }),
  ];
  const plan = planSync(planInput({ employees: changed, ...start }));
  const before = clone(world);
  const done = applyTo(world, plan);
  return { before, world, plan, done };
}

const input = (done: DoneAction[], world: World, overrides: Partial<RollbackInput> = {}): RollbackInput => ({
  source: 'BAMBOOHR',
  today: TODAY,
  done,
  current: nowOf(world),
  touchedLater: new Set(),
  safeguard: defaultPolicy(SOURCE).safeguard,
  activeLearners: 100,
  ...overrides,
});

describe('planRollback', () => {
  it('puts Litmos back as it was before the run, except that learners the run created are now inactive', () => {
    const { before, world, plan, done } = scenario();
    expect(plan.summary).toMatchObject({ CREATE_LEARNER: 1, UPDATE_LEARNER: 1, DEACTIVATE_LEARNER: 1, ADD_TO_TEAM: 2, REMOVE_FROM_TEAM: 1 });

    const rollback = planRollback(input(done, world));
    applyTo(world, rollback);

    const created = world.learners.get('L-new-5')!;
    expect(created.active).toBe(false);
    world.learners.delete('L-new-5');
    world.teams.delete('L-new-5');
    expect(world.learners).toEqual(before.learners);
    expect(world.teams).toEqual(before.teams);
    expect(rollback.skips).toEqual([]);
    expect(rollback.actions.find((action) => action.kind === 'DEACTIVATE_LEARNER')).toMatchObject({ learnerId: 'L-new-5', reason: 'ROLLED_BACK' });
  });

  it('reverses each change with before and after swapped, and names each action after the one it reverses', () => {
    const { world, done } = scenario();
    const rollback = planRollback(input(done, world));
    const update = rollback.actions.find((action) => action.kind === 'UPDATE_LEARNER');
    expect(update).toEqual({
      kind: 'UPDATE_LEARNER',
      id: expect.stringMatching(/^rollback:/),
      sourceId: '2',
      learnerId: 'L2',
      changes: [
        { field: 'lastName', before: 'Married', after: 'Last2' },
        { field: 'title', before: 'Principal Engineer', after: 'Engineer' },
      ],
    });
    expect(new Set(rollback.actions.map((action) => action.id)).size).toBe(rollback.actions.length);
  });

  it('restores the value Litmos held before the write when the journal has it, over the plan’s (a field the user list leaves out)', () => {
    const { world, done } = scenario();
    // The planner knew no title for L2 (nothing in the shadow), but the write replaced "Manager".
    const journaled = done.map((entry) => (entry.action.kind === 'UPDATE_LEARNER' ? { ...entry, before: { title: 'Manager', lastName: 'Last2' } } : entry));
    const update = planRollback(input(journaled, world)).actions.find((action) => action.kind === 'UPDATE_LEARNER');
    expect(update).toMatchObject({
      changes: [
        { field: 'lastName', after: 'Last2' },
        { field: 'title', after: 'Manager' },
      ],
    });
  });

  it('a second rollback, once the first has run, plans nothing', () => {
    const { world, done } = scenario();
    const first = planRollback(input(done, world));
    applyTo(world, first);
    const rolledBack = new Set(first.actions.flatMap((action) => ('learnerId' in action && action.learnerId ? [action.learnerId] : [])));
    // Whether the first rollback counts as a later run or not, nothing is as the run left it.
    for (const touchedLater of [rolledBack, new Set<string>()]) {
      const second = planRollback(input(done, world, { touchedLater }));
      expect(second.actions).toEqual([]);
      expect(second.skips.map((skip) => skip.sourceId).sort()).toEqual(['1', '2', '3', '5']);
    }
  });

  it('leaves whole, with the reason, a person whose learner changed since in Litmos', () => {
    const { world, done } = scenario();
    world.learners.get('L2')!.title = 'Edited by hand';
    world.teams.get('L1')!.add('T-Engineering');
    world.learners.get('L3')!.active = true;
    const rollback = planRollback(input(done, world));
    expect(rollback.skips).toEqual([
      { sourceId: '1', reason: 'CHANGED_SINCE', learnerId: 'L1' },
      { sourceId: '2', reason: 'CHANGED_SINCE', learnerId: 'L2' },
      { sourceId: '3', reason: 'CHANGED_SINCE', learnerId: 'L3' },
    ]);
    expect(rollback.actions.map(sourceIdOf)).toEqual(['5']);
  });

  it('leaves a person a later run wrote to, and one Litmos no longer has', () => {
    const { world, done } = scenario();
    world.learners.delete('L-new-5');
    const rollback = planRollback(input(done, world, { touchedLater: new Set(['L2']) }));
    expect(rollback.skips).toEqual(
      expect.arrayContaining([
        { sourceId: '2', reason: 'TOUCHED_BY_LATER_RUN', learnerId: 'L2' },
        { sourceId: '5', reason: 'CHANGED_SINCE', learnerId: 'L-new-5' },
      ]),
    );
    expect(rollback.actions.map(sourceIdOf)).toEqual(expect.not.arrayContaining(['2', '5']));
  });

  it('leaves a held person exactly as they are, as a sync would', () => {
    const { world, done } = scenario();
    const rollback = planRollback(input(done, world, { held: new Set(['3']) }));
    expect(rollback.skips).toEqual([{ sourceId: '3', reason: 'HELD', learnerId: 'L3' }]);
    expect(rollback.actions.map(sourceIdOf)).not.toContain('3');
  });

  it('reverses only what took effect: a failed action is not in the journal as DONE', () => {
    const { world, done } = scenario();
    const withoutUpdate = done.filter((entry) => entry.action.kind !== 'UPDATE_LEARNER');
    const rollback = planRollback(input(withoutUpdate, world));
    expect(rollback.actions.some((action) => action.kind === 'UPDATE_LEARNER')).toBe(false);
  });

  it('goes through the safeguard like any plan: reversing many creations trips it', () => {
    const { world, done } = scenario();
    const rollback = planRollback(input(done, world, { activeLearners: 4, safeguard: { maxDeactivationPercent: 20, maxDeactivations: 50 } }));
    // Reactivating L3 and deactivating the created learner: one deactivation against ceil(20% of 4) = 1.
    expect(rollback.safeguard).toEqual({ deactivations: 1, activeLearners: 4, threshold: 1, tripped: false });
    const strict = planRollback(input(done, world, { activeLearners: 4, safeguard: { maxDeactivationPercent: 0, maxDeactivations: 50 } }));
    expect(strict.safeguard.tripped).toBe(true);
  });

  it('reads full profiles only of learners whose fields it restores, and teams only of those it moves back', () => {
    const { done } = scenario();
    expect(learnersToRead(done)).toEqual({ withProfiles: ['L2'], withTeams: ['L1'] });
  });
});

describe('assertRollbackable', () => {
  const run = (overrides: Partial<SyncRun> = {}): SyncRun => ({
    id: 'r1',
    tenant: 't',
    source: 'BAMBOOHR',
    trigger: 'MANUAL',
    dryRun: false,
    status: 'SUCCEEDED',
    scope: null,
    createdAt: '2025-06-15T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    counts: emptyCounts(),
    progress: { done: 0, total: 0 },
    error: null,
    safeguard: null,
    approvedBy: null,
    ...overrides,
  });
  const refusal = (target: SyncRun | null, planned = true) => {
    try {
      assertRollbackable('r1', target, planned);
      return null;
    } catch (error) {
      return error instanceof ConflictError ? error.details.refusal : error instanceof NotFoundError ? 'NOT_FOUND' : error;
    }
  };

  it('takes an ended run that planned, and refuses the rest with a reason', () => {
    expect(refusal(run())).toBeNull();
    expect(refusal(run({ status: 'PARTIAL' }))).toBeNull();
    expect(refusal(null)).toBe('NOT_FOUND');
    expect(refusal(run({ status: 'APPLYING' }))).toBe('RUN_ACTIVE');
    expect(refusal(run({ status: 'AWAITING_APPROVAL' }))).toBe('RUN_ACTIVE');
    expect(refusal(run({ rollbackOf: 'r0' }))).toBe('ROLLBACK_OF_ROLLBACK');
    expect(refusal(run({ dryRun: true }))).toBe('DRY_RUN');
    expect(refusal(run({ status: 'FAILED' }), false)).toBe('NOTHING_WRITTEN');
  });
});
