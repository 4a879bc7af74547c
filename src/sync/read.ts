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
import { identitiesOf, type Identified } from '../core/plan.js';
import { inIdOrder } from '../core/plan-types.js';
import { departmentNames, managedTeams } from '../core/teams-plan.js';
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
  identified: Identified[];
}

export async function readForPlan(options: {
  hr: HrClient;
  litmos: LitmosClient;
  links: Pick<LinkPort, 'list'>;
  tenant: string;
  policy: Policy;
  target: ReadTarget;
  /** Read alongside the vendors, not before them. */
  shadow: Promise<Shadow>;
  /** Departments of earlier full reads: a scoped read must still see a mover's old team. */
  knownDepartments: readonly string[];
  /** The day eligibility is judged on, to find the learners this run will reactivate. */
  today: LocalDate;
}): Promise<PlanRead> {
  const { hr, litmos, policy, target } = options;
  const scoped = !('everyone' in target);
  const rosterRead = 'changed' in target ? Promise.resolve(target.changed) : 'sourceIds' in target ? hr.getEmployees(target.sourceIds) : hr.listEmployees();
  const teamsRead = litmos.listTeams();
  // The teams a plan manages are those of the departments earlier full reads met, known as soon as
  // the team list is in, and of any department new in this roster: their members and leaders are
  // read from then on, alongside the roster, the learner listing and identity matching.
  const knownRead = awaitedLater(teamsRead.then((teams) => managedTeams(teams, policy.teams, options.knownDepartments)));
  const managedRead = awaitedLater(
    Promise.all([rosterRead, teamsRead]).then(([read, teams]) => managedTeams(teams, policy.teams, [...departmentNames(read), ...options.knownDepartments])),
  );
  const perManaged = (list: (teamId: string) => Promise<Learner[]>) => perManagedTeam(knownRead, managedRead, list);
  // Awaited once identities are known.
  const teamLists = awaitedLater(
    Promise.all([
      // A scoped run may read its own learners' teams instead (scopedMembers): that needs its matches first.
      scoped ? null : perManaged((id) => litmos.teamMembers(id)),
      policy.teams.managerAsLeader ? perManaged((id) => litmos.teamLeaders(id)) : {},
    ]),
  );
  const [read, listed, teams, links, shadow] = await Promise.all([
    rosterRead,
    scoped ? null : litmos.listLearners(),
    teamsRead,
    options.links.list(options.tenant),
    options.shadow,
  ]);
  const employees = inIdOrder(read);
  const learners = withShadow(listed ?? (await targetedLearners({ employees, links, policy, litmos })), shadow, HIDDEN_LEARNER_FIELDS);
  const found = new Set(employees.map((employee) => employee.sourceId));
  const source = employees[0]?.source;
  const identified = source ? identitiesOf({ source, employees, learners, links, policy, today: options.today }) : [];
  const matches = learnersOf(identified);
  const [members, leaders] = await teamLists;
  return {
    employees,
    notFound: 'changed' in target ? target.notFound : 'sourceIds' in target ? target.sourceIds.filter((id) => !found.has(id)) : [],
    learners,
    teams,
    teamMembers: members
      ? await withTeamsOf(reactivating(matches), members, litmos)
      : await scopedMembers(
          await managedRead,
          matches.map((match) => match.learner.id),
          litmos,
        ),
    teamLeaders: leaders,
    links,
    today: options.today,
    identified,
  };
}

/**
 * `promise`, marked as handled: it is awaited after others, or not at all once they fail, and its own
 * failure then must not be an unhandled rejection (which ends the process). Awaiting it still throws.
 */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Each identified employee with their learner (a learner handed over to a rehire's new record counts for the new one). */
function learnersOf(identified: readonly Identified[]): { learner: Learner; eligible: boolean }[] {
  return identified.flatMap(({ identity, verdict }) =>
    identity.kind === 'LINKED' || identity.kind === 'MATCHED' ? [{ learner: identity.learner, eligible: verdict.eligible }] : [],
  );
}

/**
 * Inactive learners whose employee is eligible today: the ones this run reactivates. Litmos leaves
 * inactive users out of team member lists, so the department team they were in while inactive is
 * invisible to a full read; without their own team lists, a reactivated learner would keep its old
 * department's team until a later run (found by the property test: STALE_TEAM_AFTER_REACTIVATION).
 * Few per run, so one call each is affordable where reading every inactive learner's teams is not.
 */
const reactivating = (matches: ReturnType<typeof learnersOf>) =>
  matches.filter((match) => !match.learner.active && match.eligible).map((match) => match.learner.id);

/** One of Litmos's per-team lists for every managed team: the `known` ones' read at once, the rest's once `all` is known. */
async function perManagedTeam(known: Promise<Team[]>, all: Promise<Team[]>, list: (teamId: string) => Promise<Learner[]>): Promise<Record<string, string[]>> {
  const early = await known;
  const [first, rest, managed] = await Promise.all([
    perTeam(early, list),
    all.then((teams) =>
      perTeam(
        teams.filter((team) => !early.includes(team)),
        list,
      ),
    ),
    all,
  ]);
  const lists = { ...first, ...rest };
  return Object.fromEntries(managed.map((team) => [team.id, lists[team.id] ?? []]));
}

/** Learner ids of one of Litmos's per-team lists (members, leaders) for every managed team, by team id. */
async function perTeam(managed: readonly Team[], list: (teamId: string) => Promise<Learner[]>): Promise<Record<string, string[]>> {
  const entries = await Promise.all(managed.map(async (team) => [team.id, (await list(team.id)).map((learner) => learner.id)] as const));
  return Object.fromEntries(entries);
}

/** `members` with these learners' own teams added to it: the members lists leave inactive learners out. */
async function withTeamsOf(learnerIds: readonly string[], members: Record<string, string[]>, litmos: LitmosClient): Promise<Record<string, string[]>> {
  await Promise.all(
    learnerIds.map(async (learnerId) => {
      for (const team of await litmos.learnerTeams(learnerId)) if (!members[team.id]?.includes(learnerId)) members[team.id]?.push(learnerId);
    }),
  );
  return members;
}

/**
 * A scoped run (a webhook's few employees) only needs its own learners' memberships: one call per
 * learner beats one per department team when the scope is the smaller, and the planner only moves
 * in-scope learners. Otherwise it reads every managed team, as a full run does.
 */
async function scopedMembers(managed: readonly Team[], learnerIds: readonly string[], litmos: LitmosClient): Promise<Record<string, string[]>> {
  if (learnerIds.length >= managed.length) return perTeam(managed, (id) => litmos.teamMembers(id));
  return withTeamsOf(learnerIds, Object.fromEntries(managed.map((team) => [team.id, []])), litmos);
}
