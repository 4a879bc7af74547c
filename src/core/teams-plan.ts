/**
 * Department teams: which to create, who joins and leaves them, who leads them. The gateway
 * manages only the one Litmos team per HR department of this source; every other team, and every
 * membership in one, belongs to the Litmos admins and is never touched.
 */
import type { Employee, Source, Team } from '../model.js';
import type { AddToTeamAction, CreateTeamAction, PlannedAction, RemoveFromTeamAction, SetTeamLeaderAction } from './plan-types.js';
import { groupBy, memoized } from './collections.js';
import { compareIds, createTeamId, teamKey } from './plan-types.js';
import type { TeamPolicy } from './policy.js';

export interface TeamPlanInput {
  source: Source;
  /** Every employee read, in id order. */
  employees: readonly Employee[];
  /** Employees who have an active learner once the plan runs → its id, or null when the plan creates it. */
  provisioned: ReadonlyMap<string, string | null>;
  teams: readonly Team[];
  teamMembers: Readonly<Record<string, readonly string[]>>;
  teamLeaders: Readonly<Record<string, readonly string[]>>;
  policy: TeamPolicy;
  inScope: (sourceId: string) => boolean;
  /** Departments known from earlier full reads, also managed (see `PlanInput.knownDepartments`). */
  knownDepartments?: readonly string[];
}

interface Department {
  /** As HR spells it on the first employee by id; the name a created team gets. */
  name: string;
  /** Division key → its name as first spelt and how many of the department's employees are in it. */
  divisions: Map<string, { name: string; count: number }>;
}

/** The departments these employees are in, as HR spells them (one entry per employee). */
export const departmentNames = (employees: readonly Employee[]): string[] =>
  employees.flatMap((employee) => (employee.department ? [employee.department] : []));

/**
 * The teams a plan manages, to read the members of: those named (in any case) after the departments
 * given — the roster's, and those earlier full reads met — when the policy makes teams from departments.
 */
export function managedTeams(teams: readonly Team[], policy: TeamPolicy, departments: readonly string[]): Team[] {
  if (!policy.fromDepartment) return [];
  const keys = new Set(departments.map(teamKey));
  return teams.filter((team) => keys.has(teamKey(team.name)));
}

export function planTeams(input: TeamPlanInput): PlannedAction[] {
  if (!input.policy.fromDepartment) return [];
  const { source, provisioned, policy } = input;
  // Remembered per spelling: a company has a few dozen departments and divisions, and a plan asks
  // for each of 50,000 employees' several times.
  const keyFor = memoized(keyOf);
  const departments = departmentsOf(input.employees, keyFor);
  const existing = new Map<string, Team>();
  // Litmos allows two teams with one name; the first listed is the department's, the other is left alone.
  for (const team of input.teams) if (!existing.has(teamKey(team.name))) existing.set(teamKey(team.name), team);
  const managed = new Map<string, string>();
  for (const key of new Set([...departments.keys(), ...(input.knownDepartments ?? []).map(teamKey)])) {
    const team = existing.get(key);
    if (team !== undefined) managed.set(team.id, key);
  }
  const managedTeamsOf = groupBy([...managed.keys()].flatMap((teamId) => (input.teamMembers[teamId] ?? []).map((learnerId) => [learnerId, teamId] as const)));

  // Litmos only lets a team member lead a team, so a manager leading a report's department team
  // belongs to it as well; counting that as wanted keeps the next run from removing them.
  const wanted = new Map<string, Set<string>>();
  const leaders = new Map<string, { key: string; managerId: string }>();
  const want = (sourceId: string, key: string) => wanted.set(sourceId, (wanted.get(sourceId) ?? new Set()).add(key));
  for (const employee of input.employees) {
    const key = keyFor(employee.department);
    if (!provisioned.has(employee.sourceId) || key === null) continue;
    want(employee.sourceId, key);
    const { managerId } = employee;
    const led = policy.managerAsLeader && managerId !== null && managerId !== employee.sourceId;
    if (!led || !provisioned.has(managerId)) continue;
    want(managerId, key);
    leaders.set(`${managerId}\u0000${key}`, { key, managerId });
  }

  const teamRef = (key: string) => {
    const team = existing.get(key);
    return { teamId: team?.id ?? null, teamName: team?.name ?? departments.get(key)?.name ?? key };
  };
  const memberships: (AddToTeamAction | RemoveFromTeamAction)[] = [];
  for (const employee of input.employees) {
    const { sourceId } = employee;
    const learnerId = provisioned.get(sourceId);
    if (learnerId === undefined || !input.inScope(sourceId)) continue;
    const wants = wanted.get(sourceId) ?? new Set<string>();
    // A learner is in a team or two: a list is the cheaper set.
    const listed = learnerId === null ? [] : (managedTeamsOf.get(learnerId) ?? []);
    const current = listed.length > 1 ? [...new Set(listed)] : listed;
    for (const key of wants.size > 1 ? [...wants].sort() : wants) {
      const ref = teamRef(key);
      if (ref.teamId !== null && current.includes(ref.teamId)) continue;
      const id = `add-to-team:${source}:${sourceId}:${key}`;
      memberships.push({ kind: 'ADD_TO_TEAM', id, sourceId, learnerId, ...ref });
    }
    for (const teamId of current) {
      const key = managed.get(teamId);
      if (key === undefined || wants.has(key) || learnerId === null) continue;
      memberships.push({
        kind: 'REMOVE_FROM_TEAM',
        id: `remove-from-team:${source}:${sourceId}:${teamId}`,
        sourceId,
        learnerId,
        teamId,
        teamName: teamRef(key).teamName,
      });
    }
  }

  const leaderActions: SetTeamLeaderAction[] = [];
  for (const { key, managerId } of leaders.values()) {
    const learnerId = provisioned.get(managerId) ?? null;
    const ref = teamRef(key);
    const alreadyLeads = ref.teamId !== null && learnerId !== null && (input.teamLeaders[ref.teamId]?.includes(learnerId) ?? false);
    if (alreadyLeads || !input.inScope(managerId)) continue;
    leaderActions.push({
      kind: 'SET_TEAM_LEADER',
      id: `set-team-leader:${source}:${managerId}:${key}`,
      sourceId: managerId,
      learnerId,
      ...ref,
    });
  }

  const needed = new Set(
    [...memberships, ...leaderActions].flatMap((action) => (action.kind !== 'REMOVE_FROM_TEAM' && action.teamId === null ? [teamKey(action.teamName)] : [])),
  );
  return [...teamCreates(needed, departments, existing, policy), ...memberships, ...leaderActions];
}

/**
 * Parents before children, so apply can create each team under one that already exists. Only
 * teams an action needs are created: a department whose people are all gone gets no new team.
 */
function teamCreates(
  needed: ReadonlySet<string>,
  departments: ReadonlyMap<string, Department>,
  existing: ReadonlyMap<string, Team>,
  policy: TeamPolicy,
): CreateTeamAction[] {
  const parents = new Map<string, CreateTeamAction>();
  const children: CreateTeamAction[] = [];
  for (const key of [...needed].sort()) {
    const department = departments.get(key);
    if (department === undefined) continue;
    const division = policy.divisionAsParent ? mainDivision(department) : null;
    // A division named like a department would be that department's own team; nesting under it
    // could make a team its own ancestor, so such departments stay top level.
    const parentKey = division === null || departments.has(teamKey(division)) ? null : teamKey(division);
    const parentTeam = parentKey === null ? undefined : existing.get(parentKey);
    if (parentKey !== null && division !== null && parentTeam === undefined && !parents.has(parentKey)) {
      const id = createTeamId(division);
      parents.set(parentKey, { kind: 'CREATE_TEAM', id, name: division, parentName: null, parentId: null });
    }
    children.push({
      kind: 'CREATE_TEAM',
      id: createTeamId(department.name),
      name: department.name,
      parentName: parentKey === null ? null : (parentTeam?.name ?? division),
      parentId: parentTeam?.id ?? null,
    });
  }
  return [...[...parents.values()].sort((a, b) => compareIds(a.id, b.id)), ...children];
}

/** The team key of a department or division name as HR spelt it; null when blank. */
function keyOf(name: string | null): string | null {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? null : teamKey(trimmed);
}

function departmentsOf(employees: readonly Employee[], keyFor: (name: string | null) => string | null): Map<string, Department> {
  const departments = new Map<string, Department>();
  for (const employee of employees) {
    const key = keyFor(employee.department);
    if (key === null) continue;
    let department = departments.get(key);
    if (department === undefined) departments.set(key, (department = { name: (employee.department ?? '').trim(), divisions: new Map() }));
    const divisionKey = keyFor(employee.division);
    if (divisionKey === null) continue;
    const counted = department.divisions.get(divisionKey);
    if (counted === undefined) department.divisions.set(divisionKey, { name: (employee.division ?? '').trim(), count: 1 });
    else counted.count += 1;
  }
  return departments;
}

/**
 * The division most of the department's employees are in, ties to the first alphabetically, so a
 * department spread over divisions still gets one parent and one misfiled record does not decide it.
 */
function mainDivision(department: Department): string | null {
  let best: { key: string; name: string; count: number } | null = null;
  for (const [key, division] of department.divisions) {
    if (best === null || division.count > best.count || (division.count === best.count && key < best.key)) {
      best = { key, ...division };
    }
  }
  return best?.name ?? null;
}
