/**
 * The fetch step of a run: a fresh read (never the query cache — a plan must see what is true now)
 * of everything the planner needs, with the fewest calls: the roster in one bulk read, Litmos users in
 * pages of 1000, and the members of only those teams the plan manages (one per department). A
 * targeted run (scoped: an import, a webhook; or an incremental run's changed employees) reads only
 * its employees and looks their learners up one by one (targeted.ts), never listing every user.
 * Any failure throws: the engine never plans from a partial read.
 */
import type { HrClient } from '../datasources/hr.js';
import { HIDDEN_LEARNER_FIELDS, type LitmosClient } from '../datasources/litmos/client.js';
import type { Employee, IdentityLink, Learner, LocalDate, Team } from '../model.js';
import { eligibility } from '../core/eligibility.js';
import type { IdentifiedEmployee } from '../core/identity.js';
import { identitiesOf } from '../core/plan.js';
import { inIdOrder, teamKey } from '../core/plan-types.js';
import type { Policy } from '../core/policy.js';
import { withShadow, type Shadow } from '../core/shadow.js';
import type { LinkPort } from './ports.js';
import { targetedLearners } from './targeted.js';

/** Whom a run reads: everyone, the employees with these ids, or employees already read from a change feed. */
export type ReadTarget = { everyone: true } | { sourceIds: string[] } | { changed: Employee[]; notFound: string[] };

export interface PlanRead {
  /** In id order, as the planner takes them. */
  employees: Employee[];
  /** Scoped ids HR does not know. */
  notFound: string[];
  learners: Learner[];
  teams: Team[];
  teamMembers: Record<string, string[]>;
  teamLeaders: Record<string, string[]>;
  links: IdentityLink[];
  /** The day the read judged eligibility on; the plan is made for it too. */
  today: LocalDate;
  /**
   * Who the planner's identity rules take each employee to be, on `today`: the read needs them to
   * find reactivations and a scoped run's learners, and handing them on spares the planner a second
   * pass over the roster, the largest part of planning a 50,000-employee run.
   */
  identified: IdentifiedEmployee[];
}

export async function readForPlan(options: {
  hr: HrClient;
  litmos: LitmosClient;
  links: Pick<LinkPort, 'list'>;
  tenant: string;
  policy: Policy;
  target: ReadTarget;
  shadow: Shadow;
  /** Departments of earlier full reads: a scoped read must still see a mover's old team. */
  knownDepartments: readonly string[];
  /** The day eligibility is judged on, to find the learners this run will reactivate. */
  today: LocalDate;
}): Promise<PlanRead> {
  const { hr, litmos, policy, target } = options;
  const scoped = !('everyone' in target);
  const [read, listed, teams, links] = await Promise.all([
    'changed' in target ? target.changed : 'sourceIds' in target ? hr.getEmployees(target.sourceIds) : hr.listEmployees(),
    scoped ? null : litmos.listLearners(),
    litmos.listTeams(),
    options.links.list(options.tenant),
  ]);
  const employees = inIdOrder(read);
  const learners = withShadow(listed ?? (await targetedLearners({ employees, links, policy, litmos })), options.shadow, HIDDEN_LEARNER_FIELDS);
  const found = new Set(employees.map((employee) => employee.sourceId));
  const departments = new Set([
    ...employees.flatMap((employee) => (employee.department ? [teamKey(employee.department)] : [])),
    ...options.knownDepartments.map(teamKey),
  ]);
  const managed = policy.teams.fromDepartment ? teams.filter((team) => departments.has(teamKey(team.name))) : [];
  const ids = async (list: Promise<Learner[]>) => (await list).map((learner) => learner.id);
  const source = employees[0]?.source;
  const identified = source ? identitiesOf({ source, employees, learners, links, policy, today: options.today }) : [];
  const matches = learnersOf(identified);
  const [members, leaders] = await Promise.all([
    membersOf(managed, scoped ? { scoped: matches.map((match) => match.learner.id) } : { extra: reactivating(matches, policy, options.today) }, litmos),
    policy.teams.managerAsLeader ? Promise.all(managed.map(async (team) => [team.id, await ids(litmos.teamLeaders(team.id))] as const)) : [],
  ]);
  return {
    employees,
    notFound: 'changed' in target ? target.notFound : 'sourceIds' in target ? target.sourceIds.filter((id) => !found.has(id)) : [],
    learners,
    teams,
    teamMembers: members,
    teamLeaders: Object.fromEntries(leaders),
    links,
    today: options.today,
    identified,
  };
}

/** Each identified employee with their learner (a learner handed over to a rehire's new record counts for the new one). */
function learnersOf(identified: readonly IdentifiedEmployee[]): { employee: Employee; learner: Learner }[] {
  return identified.flatMap(({ employee, identity }) =>
    identity.kind === 'LINKED' || identity.kind === 'MATCHED' ? [{ employee, learner: identity.learner }] : [],
  );
}

/**
 * Inactive learners whose employee is eligible today: the ones this run reactivates. Litmos leaves
 * inactive users out of team member lists, so the department team they were in while inactive is
 * invisible to a full read; without their own team lists, a reactivated learner would keep its old
 * department's team until a later run (found by the property test: STALE_TEAM_AFTER_REACTIVATION).
 * Few per run, so one call each is affordable where reading every inactive learner's teams is not.
 */
const reactivating = (matches: ReturnType<typeof learnersOf>, policy: Policy, today: LocalDate) =>
  matches.filter((match) => !match.learner.active && eligibility(match.employee, policy, today).eligible).map((match) => match.learner.id);

/**
 * Members of the managed teams. A scoped run (a webhook's few employees) only needs its own
 * learners' memberships: one call per learner beats one per department team when the scope is the
 * smaller, and the planner only moves in-scope learners. A full run reads every managed team, plus
 * the team lists of the learners it is about to reactivate (`extra`), which the members leave out.
 */
async function membersOf(
  managed: readonly Team[],
  learnerIds: { scoped: string[] } | { extra: string[] },
  litmos: LitmosClient,
): Promise<Record<string, string[]>> {
  const members: Record<string, string[]> = Object.fromEntries(managed.map((team) => [team.id, []]));
  const addTeamsOf = (ids: readonly string[]) =>
    Promise.all(
      ids.map(async (learnerId) => {
        for (const team of await litmos.learnerTeams(learnerId)) if (!members[team.id]?.includes(learnerId)) members[team.id]?.push(learnerId);
      }),
    );
  if ('scoped' in learnerIds && learnerIds.scoped.length < managed.length) {
    await addTeamsOf(learnerIds.scoped);
    return members;
  }
  for (const [teamId, learners] of await Promise.all(managed.map(async (team) => [team.id, await litmos.teamMembers(team.id)] as const))) {
    members[teamId] = learners.map((learner) => learner.id);
  }
  if ('extra' in learnerIds) await addTeamsOf(learnerIds.extra);
  return members;
}
