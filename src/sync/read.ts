/**
 * The fetch step of a run: a fresh read (never the query cache — a plan must see what is true now)
 * of everything the planner needs, with the fewest calls: the roster in one bulk read, Litmos users in
 * pages of 1000, and the members of only those teams the plan manages (one per department).
 * Any failure throws: the engine never plans from a partial read.
 */
import type { HrClient } from '../datasources/hr.js';
import type { LitmosClient } from '../datasources/litmos/client.js';
import type { Employee, IdentityLink, Learner, Team } from '../model.js';
import type { LinkRepository } from '../store/links.js';
import { teamKey } from './plan-types.js';
import type { Policy } from './policy.js';
import { withShadow, type Shadow } from './shadow.js';

export interface PlanRead {
  employees: Employee[];
  /** Scoped ids HR does not know. */
  notFound: string[];
  learners: Learner[];
  teams: Team[];
  teamMembers: Record<string, string[]>;
  teamLeaders: Record<string, string[]>;
  links: IdentityLink[];
}

export async function readForPlan(options: {
  hr: HrClient;
  litmos: LitmosClient;
  links: LinkRepository;
  tenant: string;
  policy: Policy;
  scope: string[] | null;
  shadow: Shadow;
  /** Departments of earlier full reads: a scoped read must still see a mover's old team. */
  knownDepartments: readonly string[];
}): Promise<PlanRead> {
  const { hr, litmos, policy, scope } = options;
  const [employees, listed, teams, links] = await Promise.all([
    scope ? hr.getEmployees(scope) : hr.listEmployees(),
    litmos.listLearners(),
    litmos.listTeams(),
    options.links.list(options.tenant),
  ]);
  const learners = withShadow(listed, options.shadow);
  const found = new Set(employees.map((employee) => employee.sourceId));
  const departments = new Set([
    ...employees.flatMap((employee) => (employee.department ? [teamKey(employee.department)] : [])),
    ...options.knownDepartments.map(teamKey),
  ]);
  const managed = policy.teams.fromDepartment ? teams.filter((team) => departments.has(teamKey(team.name))) : [];
  const ids = async (list: Promise<Learner[]>) => (await list).map((learner) => learner.id);
  const [members, leaders] = await Promise.all([
    Promise.all(managed.map(async (team) => [team.id, await ids(litmos.teamMembers(team.id))] as const)),
    policy.teams.managerAsLeader ? Promise.all(managed.map(async (team) => [team.id, await ids(litmos.teamLeaders(team.id))] as const)) : [],
  ]);
  return {
    employees,
    notFound: (scope ?? []).filter((id) => !found.has(id)),
    learners,
    teams,
    teamMembers: Object.fromEntries(members),
    teamLeaders: Object.fromEntries(leaders),
    links,
  };
}
