/**
 * The read side of one tenant: every question the graph can ask, answered from the bulk endpoints
 * (the HR roster in one read, Litmos users in pages of 1000, one call per team and per course) and
 * cached, so the cost of a query does not grow with the number of employees it returns.
 *
 * With a budget of about 100 calls a minute, a call per learner is not affordable: a learner's teams
 * come from inverting every team's member list, and a learner's courses from every course's results.
 *
 * The lookup tables the loaders answer from (by key, by id, teams and progress by learner, who is
 * who) are built once per cached read, not once per request: the cache hands out the same instance
 * until its content changes, and each table is remembered against the instances it was built from.
 */
import { BadUserInputError } from '../errors.js';
import { employeeKey, type Course, type CourseProgress, type Employee, type IdentityLink, type Learner, type Source, type Team } from '../model.js';
import { groupBy } from '../core/collections.js';
import { withShadow, type Shadow } from '../core/shadow.js';
import type { ReadCache } from './cache.js';
import { matchIdentities, type IdentityIndex } from '../core/identity-index.js';
import type { HrClient } from './hr.js';
import { HIDDEN_LEARNER_FIELDS, type LitmosClient } from './litmos/client.js';

/** A source whose read failed, for a field that merges sources to name beside what the others gave. */
export interface SourceFailure {
  source: Source;
  error: Error;
}

export interface Rosters {
  /** The employees of every source that answered, source by source in the order asked. */
  employees: Employee[];
  /** The sources that did not answer, each with its error. */
  failures: SourceFailure[];
}

export interface ReadModel {
  employees(source: Source): Promise<Employee[]>;
  /**
   * The employees of these sources, each read on its own: one source failing (an outage, a token
   * revoked, a payload the client cannot read) leaves the others' answers standing.
   */
  rosters(sources: readonly Source[]): Promise<Rosters>;
  sources(): Source[];
  learners(): Promise<Learner[]>;
  teams(): Promise<Team[]>;
  teamMembers(teamId: string): Promise<string[]>;
  teamLeaders(teamId: string): Promise<string[]>;
  courses(): Promise<Course[]>;
  teamCourses(teamId: string): Promise<string[]>;
  courseResults(courseId: string): Promise<CourseProgress[]>;
  /** learnerId → the learner's teams, from every team's members. */
  teamsByLearner(): Promise<Map<string, Team[]>>;
  /** learnerId → progress in each course, from every course's results. */
  progressByLearner(): Promise<Map<string, CourseProgress[]>>;
  /** Employee key (`BAMBOOHR:123`) → employee, for one source. */
  employeeTable(source: Source): Promise<Map<string, Employee>>;
  /** Manager's employee key → their direct reports, for one source. */
  directReportTable(source: Source): Promise<Map<string, Employee[]>>;
  learnerTable(): Promise<Map<string, Learner>>;
  teamTable(): Promise<Map<string, Team>>;
  courseTable(): Promise<Map<string, Course>>;
  /**
   * Starts reads a query will need further down, so they run beside the roster rather than after it:
   * `learners`, and the `teams` and `courses` lists that every team's members and course's results
   * hang from. Only the lists: the member and result reads (one call each) wait until a learner needs
   * them, so a page without learners costs two calls more, not thirty. Failures are left for the
   * field that needs the read to meet.
   */
  prefetch(parts: readonly ('learners' | 'teams' | 'courses')[]): void;
  /** Changes whenever an answer may have changed (ReadCache.generation). */
  generation(): string;
  /** Who is who between this source's employees and the learners (stored links, then matching). */
  identities(source: Source): Promise<IdentityIndex>;
  /** Forget what a sync has just changed. */
  invalidate(what: { source?: Source; learners?: boolean; teamIds?: string[]; everything?: boolean }): Promise<void>;
}

export interface ReadModelOptions {
  hr: Partial<Record<Source, HrClient>>;
  litmos: LitmosClient;
  cache: ReadCache;
  /** What syncs last wrote to the learner fields Litmos's list leaves out (title, phones, address). */
  shadow?: () => Promise<Shadow>;
  /** The tenant's stored identity links. */
  links: () => Promise<IdentityLink[]>;
  /** Lifetime of the course catalogue and team course lists, ms; they change far less than people. @default the cache's */
  catalogueTtlMs?: number;
}

/** A rejection as an Error, so it can travel through DataLoader and GraphQL as one. */
export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** `derive`, run again only when one of its inputs is another object than the last time. */
function lastOf<I extends object, R>(derive: (inputs: readonly I[]) => R): (inputs: readonly I[]) => R {
  let last: { inputs: readonly I[]; result: R } | undefined;
  return (inputs) => {
    if (last?.inputs.length === inputs.length && last.inputs.every((input, i) => input === inputs[i])) return last.result;
    last = { inputs, result: derive(inputs) };
    return last.result;
  };
}

/** `derive` once per input object. */
function onceEach<I extends object, R>(derive: (input: I) => R): (input: I) => R {
  const results = new WeakMap<I, R>();
  return (input) => {
    if (!results.has(input)) results.set(input, derive(input));
    return results.get(input) as R;
  };
}

const anyById = onceEach((items: { id: string }[]) => new Map(items.map((item) => [item.id, item])));
const byId = <T extends { id: string }>(items: T[]) => anyById(items) as Map<string, T>;
const byKey = onceEach((employees: Employee[]) => new Map(employees.map((employee) => [employeeKey(employee), employee])));
const reportsOf = onceEach((employees: Employee[]) =>
  groupBy(employees.flatMap((employee): [string, Employee][] => (employee.managerId ? [[`${employee.source}:${employee.managerId}`, employee]] : []))),
);

export function createReadModel(options: ReadModelOptions): ReadModel {
  const { cache, litmos } = options;
  const identityMemo = new WeakMap<Employee[], WeakMap<Learner[], Promise<IdentityIndex>>>();
  // Inputs: the team list, then each team's member ids in its order.
  const teamsOfLearners = lastOf((inputs: readonly (Team[] | string[])[]) => {
    const [teams, ...members] = inputs as [Team[], ...string[][]];
    return groupBy(teams.flatMap((team, i) => (members[i] ?? []).map((id): [string, Team] => [id, team])));
  });
  const progressOfLearners = lastOf((results: readonly CourseProgress[][]) =>
    groupBy(results.flat().map((progress): [string, CourseProgress] => [progress.learnerId, progress])),
  );

  const hrClient = (source: Source): HrClient => {
    const client = options.hr[source];
    if (!client) throw new BadUserInputError(`${source} is not connected for this tenant`, { source });
    return client;
  };

  const model: ReadModel = {
    sources: () => Object.keys(options.hr) as Source[],
    employees: (source) => cache.get(`employees:${source}`, () => hrClient(source).listEmployees()),
    async rosters(sources) {
      const reads = await Promise.allSettled(sources.map((source) => model.employees(source)));
      const rosters: Rosters = { employees: [], failures: [] };
      sources.forEach((source, i) => {
        const read = reads[i];
        if (read?.status === 'fulfilled') rosters.employees.push(...read.value);
        else if (read) rosters.failures.push({ source, error: asError(read.reason) });
      });
      return rosters;
    },
    // The shadow only changes when a sync applies, and the sync then drops the cached list.
    learners: () => cache.get('learners', async () => withShadow(await litmos.listLearners(), (await options.shadow?.()) ?? {}, HIDDEN_LEARNER_FIELDS)),
    teams: () => cache.get('teams', () => litmos.listTeams()),
    teamMembers: (teamId) => cache.get(`team-members:${teamId}`, async () => (await litmos.teamMembers(teamId)).map((learner) => learner.id)),
    teamLeaders: (teamId) => cache.get(`team-leaders:${teamId}`, async () => (await litmos.teamLeaders(teamId)).map((learner) => learner.id)),
    courses: () => cache.get('courses', () => litmos.listCourses(), options.catalogueTtlMs),
    teamCourses: (teamId) =>
      cache.get(`team-courses:${teamId}`, async () => (await litmos.teamCourses(teamId)).map((course) => course.id), options.catalogueTtlMs),
    courseResults: (courseId) => cache.get(`course-results:${courseId}`, () => litmos.courseResults(courseId)),

    async teamsByLearner() {
      const teams = await model.teams();
      const members = await Promise.all(teams.map((team) => model.teamMembers(team.id)));
      return teamsOfLearners([teams, ...members]);
    },

    async progressByLearner() {
      const courses = await model.courses();
      return progressOfLearners(await Promise.all(courses.map((course) => model.courseResults(course.id))));
    },

    employeeTable: async (source) => byKey(await model.employees(source)),
    directReportTable: async (source) => reportsOf(await model.employees(source)),
    learnerTable: async () => byId(await model.learners()),
    teamTable: async () => byId(await model.teams()),
    courseTable: async () => byId(await model.courses()),

    prefetch(parts) {
      const reads: Promise<unknown>[] = [];
      if (parts.includes('learners')) reads.push(model.learners());
      if (parts.includes('teams')) reads.push(model.teams());
      if (parts.includes('courses')) reads.push(model.courses());
      for (const read of reads) read.catch(() => undefined);
    },

    generation: () => cache.generation(),

    identities(source) {
      return Promise.all([model.employees(source), model.learners()]).then(([employees, learners]) => {
        // Links change only while a sync applies, and the sync then drops the cached learners, so the
        // same roster and learner list (by identity) always pair the same way: match once, not per
        // request — and requests arriving together share the one matching in progress.
        let byLearners = identityMemo.get(employees);
        if (!byLearners) identityMemo.set(employees, (byLearners = new WeakMap()));
        let index = byLearners.get(learners);
        if (!index) {
          index = options.links().then((links) => matchIdentities(source, employees, learners, links));
          byLearners.set(learners, index);
          index.catch(() => byLearners.delete(learners));
        }
        return index;
      });
    },

    async invalidate(what) {
      // Every key starts with the empty prefix.
      const keys: string[] = what.everything ? [''] : [];
      if (what.source) keys.push(`employees:${what.source}`);
      if (what.learners) keys.push('learners', 'teams');
      for (const teamId of what.teamIds ?? []) keys.push(`team-members:${teamId}`, `team-leaders:${teamId}`);
      await cache.invalidate(keys);
    },
  };
  return model;
}
