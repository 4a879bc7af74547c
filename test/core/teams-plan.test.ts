import { describe, expect, it } from 'vitest';
import type { Team } from '../../src/model.js';
import type { PlannedAction, SyncPlan } from '../../src/core/plan.js';
import { planSync } from '../../src/core/plan.js';
import type { Policy } from '../../src/core/policy.js';
import { defaultPolicy } from '../../src/core/policy.js';
import { SOURCE, employee, inStep, inStepInput, learnerOf, linkOf, planInput } from './builders.js';

const teamActions = (plan: SyncPlan): PlannedAction[] =>
  plan.actions.filter((action) => ['CREATE_TEAM', 'ADD_TO_TEAM', 'REMOVE_FROM_TEAM', 'SET_TEAM_LEADER'].includes(action.kind));
const withTeams = (teams: Partial<Policy['teams']>): Policy => {
  const policy = defaultPolicy(SOURCE);
  return { ...policy, teams: { ...policy.teams, ...teams } };
};

describe('department teams', () => {
  it('creates one team per new department, however many join it, and adds the new learners by reference', () => {
    const plan = planSync(planInput({ employees: [employee('1', { department: 'Sales' }), employee('2', { department: ' sales ' })] }));
    expect(teamActions(plan)).toEqual([
      { kind: 'CREATE_TEAM', id: 'create-team:sales', name: 'Sales', parentName: null, parentId: null },
      { kind: 'ADD_TO_TEAM', id: 'add-to-team:BAMBOOHR:1:sales', sourceId: '1', learnerId: null, teamId: null, teamName: 'Sales' },
      { kind: 'ADD_TO_TEAM', id: 'add-to-team:BAMBOOHR:2:sales', sourceId: '2', learnerId: null, teamId: null, teamName: 'Sales' },
    ]);
  });

  it('reuses an existing team whose name differs only in case and surrounding whitespace', () => {
    const existing: Team = { id: 'T-old', name: '  SALES ', parentId: null };
    const plan = planSync(planInput({ employees: [employee('1', { department: 'Sales' })], teams: [existing] }));
    expect(teamActions(plan)).toEqual([
      { kind: 'ADD_TO_TEAM', id: 'add-to-team:BAMBOOHR:1:sales', sourceId: '1', learnerId: null, teamId: 'T-old', teamName: '  SALES ' },
    ]);
  });

  it('creates no team for a department nobody is provisioned into', () => {
    const plan = planSync(planInput({ employees: [employee('1', { department: 'Legal', terminationDate: '2025-01-01' })] }));
    expect(teamActions(plan)).toEqual([]);
  });

  it('moves a learner whose department changed, leaving teams the gateway does not manage alone', () => {
    const before = [employee('1'), employee('2', { department: 'Sales' }), employee('3')];
    const world = inStep(before);
    const bookClub: Team = { id: 'T-book', name: 'Book Club', parentId: null };
    const plan = planSync(
      planInput({
        ...world,
        employees: [employee('1', { department: 'Sales' }), employee('2', { department: 'Sales' }), employee('3')],
        teams: [...world.teams, bookClub],
        teamMembers: { ...world.teamMembers, 'T-book': ['L1'] },
      }),
    );
    expect(plan.actions).toEqual([
      { kind: 'ADD_TO_TEAM', id: 'add-to-team:BAMBOOHR:1:sales', sourceId: '1', learnerId: 'L1', teamId: 'T-Sales', teamName: 'Sales' },
      {
        kind: 'REMOVE_FROM_TEAM',
        id: 'remove-from-team:BAMBOOHR:1:T-Engineering',
        sourceId: '1',
        learnerId: 'L1',
        teamId: 'T-Engineering',
        teamName: 'Engineering',
      },
    ]);
  });

  it('moves a learner in a scoped run too, knowing the old department from earlier full reads', () => {
    const world = inStep([employee('1'), employee('2', { department: 'Sales' })]);
    // A webhook's targeted read holds only the mover, now in Sales: Engineering is in no employee's record.
    const scoped = planInput({ ...world, employees: [employee('1', { department: 'Sales' })], scope: { sourceIds: ['1'] } });
    expect(planSync(scoped).actions.map((action) => action.id)).toEqual(['add-to-team:BAMBOOHR:1:sales']);
    const known = planSync({ ...scoped, knownDepartments: ['Engineering', 'Sales'] });
    expect(known.actions.map((action) => action.id)).toEqual(['add-to-team:BAMBOOHR:1:sales', 'remove-from-team:BAMBOOHR:1:T-Engineering']);
  });

  it('takes a learner out of the department team when HR clears the department', () => {
    const world = inStep([employee('1'), employee('2')]);
    const plan = planSync(planInput({ ...world, employees: [employee('1', { department: null }), employee('2')] }));
    expect(plan.actions.map((action) => action.id)).toEqual(['remove-from-team:BAMBOOHR:1:T-Engineering']);
  });

  it('does not remove a learner from a team named after no department of this read, not even the last one to leave it', () => {
    const world = inStep([employee('1'), employee('2', { department: 'Marketing' })]);
    const plan = planSync(planInput({ ...world, employees: [employee('1')] }));
    expect(plan.actions).toEqual([]);
  });

  it('leaves the teams of a learner being deactivated as they are', () => {
    const plan = planSync(inStepInput([employee('1', { department: 'Sales', terminationDate: '2025-06-01' })]));
    expect(plan.actions.map((action) => action.kind)).toEqual(['DEACTIVATE_LEARNER']);
  });

  it('plans no team actions when department teams are off', () => {
    const world = inStep([employee('1')]);
    const plan = planSync(
      planInput({ ...world, employees: [employee('1', { department: 'Sales' }), employee('2')], policy: withTeams({ fromDepartment: false }) }),
    );
    expect(teamActions(plan)).toEqual([]);
  });
});

describe('division as parent', () => {
  const policy = withTeams({ divisionAsParent: true });

  it('creates the division team first and the department team under it', () => {
    const employees = [employee('1', { department: 'Sales', division: 'Revenue' })];
    const plan = planSync(planInput({ employees, policy }));
    expect(plan.actions.filter((action) => action.kind === 'CREATE_TEAM')).toEqual([
      { kind: 'CREATE_TEAM', id: 'create-team:revenue', name: 'Revenue', parentName: null, parentId: null },
      { kind: 'CREATE_TEAM', id: 'create-team:sales', name: 'Sales', parentName: 'Revenue', parentId: null },
    ]);
  });

  it('reuses an existing division team as the parent, by id', () => {
    const employees = [employee('1', { department: 'Sales', division: 'revenue' })];
    const plan = planSync(planInput({ employees, policy, teams: [{ id: 'T-rev', name: 'Revenue', parentId: null }] }));
    expect(plan.actions.filter((action) => action.kind === 'CREATE_TEAM')).toEqual([
      { kind: 'CREATE_TEAM', id: 'create-team:sales', name: 'Sales', parentName: 'Revenue', parentId: 'T-rev' },
    ]);
  });

  it('puts a department spread over divisions under the division most of it is in', () => {
    const employees = [
      employee('1', { department: 'Sales', division: 'Field' }),
      employee('2', { department: 'Sales', division: 'Revenue' }),
      employee('3', { department: 'Sales', division: 'Revenue' }),
    ];
    const [, department] = planSync(planInput({ employees, policy })).actions;
    expect(department).toMatchObject({ kind: 'CREATE_TEAM', name: 'Sales', parentName: 'Revenue' });
  });

  it('keeps a department top level when its division shares a name with a department', () => {
    const employees = [employee('1', { department: 'Sales', division: 'Operations' }), employee('2', { department: 'Operations', division: 'Operations' })];
    const creates = planSync(planInput({ employees, policy })).actions.filter((action) => action.kind === 'CREATE_TEAM');
    expect(creates.map((create) => [create.id, create.parentName])).toEqual([
      ['create-team:operations', null],
      ['create-team:sales', null],
    ]);
  });
});

describe('manager as leader', () => {
  const policy = withTeams({ managerAsLeader: true });

  it("adds a manager to a report's department team and makes them its leader", () => {
    const employees = [employee('1'), employee('2', { department: 'Sales', managerId: '1' })];
    const plan = planSync(inStepInput(employees, { policy }));
    expect(plan.actions).toEqual([
      { kind: 'ADD_TO_TEAM', id: 'add-to-team:BAMBOOHR:1:sales', sourceId: '1', learnerId: 'L1', teamId: 'T-Sales', teamName: 'Sales' },
      { kind: 'SET_TEAM_LEADER', id: 'set-team-leader:BAMBOOHR:1:sales', sourceId: '1', learnerId: 'L1', teamId: 'T-Sales', teamName: 'Sales' },
    ]);
  });

  it('does not set a leader who already leads, nor remove them from a team they lead', () => {
    const employees = [employee('1'), employee('2', { department: 'Sales', managerId: '1' })];
    const input = inStepInput(employees, { policy, teamLeaders: { 'T-Sales': ['L1'] } });
    const plan = planSync({ ...input, teamMembers: { ...input.teamMembers, 'T-Sales': ['L2', 'L1'] } });
    expect(plan.actions).toEqual([]);
  });

  it('sets a manager created by this plan, by reference', () => {
    const manager = employee('1');
    const report = employee('2', { managerId: '1' });
    const plan = planSync(planInput({ employees: [manager, report], ...inStep([report]), policy }));
    expect(plan.actions.filter((action) => action.kind === 'SET_TEAM_LEADER')).toEqual([
      {
        kind: 'SET_TEAM_LEADER',
        id: 'set-team-leader:BAMBOOHR:1:engineering',
        sourceId: '1',
        learnerId: null,
        teamId: 'T-Engineering',
        teamName: 'Engineering',
      },
    ]);
  });

  it('sets no leader who will not have an active learner', () => {
    const employees = [employee('1', { terminationDate: '2025-05-31' }), employee('2', { managerId: '1' })];
    const plan = planSync(inStepInput(employees, { policy }));
    expect(plan.actions.map((action) => action.kind)).toEqual(['DEACTIVATE_LEARNER']);
  });

  it('touches no manager outside the scope', () => {
    const employees = [employee('1'), employee('2', { department: 'Sales', managerId: '1' })];
    const plan = planSync(planInput({ employees, ...inStep([employees[0] ?? employee('1')]), policy, scope: { sourceIds: ['2'] } }));
    expect(plan.actions.map((action) => action.id)).toEqual(['create-team:sales', 'create:BAMBOOHR:2', 'add-to-team:BAMBOOHR:2:sales']);
  });
});

describe('linked learners and teams', () => {
  it('adds a matched learner to its department team by id', () => {
    const person = employee('5');
    const plan = planSync(
      planInput({ employees: [person], learners: [learnerOf(person, { id: 'L-old' })], teams: [{ id: 'T-eng', name: 'Engineering', parentId: null }] }),
    );
    expect(plan.actions.map((action) => action.id)).toEqual(['link:BAMBOOHR:5', 'add-to-team:BAMBOOHR:5:engineering']);
    expect(plan.actions[1]).toMatchObject({ learnerId: 'L-old', teamId: 'T-eng' });
  });

  it('reactivated learners rejoin their department team when they left it', () => {
    const person = employee('5');
    const plan = planSync(planInput({ employees: [person], learners: [learnerOf(person, { active: false })], links: [linkOf(person)] }));
    expect(plan.actions.map((action) => action.id)).toEqual(['create-team:engineering', 'reactivate:BAMBOOHR:5', 'add-to-team:BAMBOOHR:5:engineering']);
  });
});
