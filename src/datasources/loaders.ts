/**
 * DataLoaders, created fresh for every request. They hold no state between requests (that is the
 * read model's cache): their job is to collect every key a query level asks for within one tick and
 * answer them all from one bulk read.
 *
 * Loaders keyed by employee read each HR source on its own: when one source fails, only the keys of
 * that source get its error (DataLoader rejects just those loads), and the rest of the batch is answered.
 */
import DataLoader from 'dataloader';
import type { Course, CourseProgress, Employee, Learner, Source, Team } from '../model.js';
import type { IdentityIndex, IdentityMatch } from '../core/identity-index.js';
import { asError, type ReadModel } from './read-model.js';

export interface Loaders {
  /** By employee key (`BAMBOOHR:123`). */
  employee: DataLoader<string, Employee | null>;
  directReports: DataLoader<string, Employee[]>;
  learner: DataLoader<string, Learner | null>;
  team: DataLoader<string, Team | null>;
  course: DataLoader<string, Course | null>;
  learnerTeams: DataLoader<string, Team[]>;
  learnerCourses: DataLoader<string, CourseProgress[]>;
  teamMembers: DataLoader<string, Learner[]>;
  teamLeaders: DataLoader<string, Learner[]>;
  teamCourses: DataLoader<string, Course[]>;
  courseResults: DataLoader<string, CourseProgress[]>;
  /** By employee key: the employee's learner and how they were matched. */
  learnerOfEmployee: DataLoader<string, IdentityMatch | null>;
  /** By learner id: the learner's employee (searching every connected HR system). */
  employeeOfLearner: DataLoader<string, IdentityMatch | null>;
}

export interface LoaderSources {
  readModel: ReadModel;
}

const sourceOf = (key: string) => key.slice(0, key.indexOf(':')) as Source;

/** Answers a batch from one of the read model's lookup tables. */
function tableLoader<V, D>(table: () => Promise<Map<string, V>>, fallback: D): DataLoader<string, V | D> {
  return new DataLoader(async (keys) => {
    const found = await table();
    return keys.map((key) => found.get(key) ?? fallback);
  });
}

/** `build` for each source at once; a source whose build fails maps to its error instead of failing the rest. */
async function perSource<T>(sources: Iterable<Source>, build: (source: Source) => Promise<T>): Promise<Map<Source, T | Error>> {
  const list = [...new Set(sources)];
  const settled = await Promise.allSettled(list.map(build));
  return new Map(
    list.map((source, i) => {
      const result = settled[i] as PromiseSettledResult<T>;
      return [source, result.status === 'fulfilled' ? result.value : asError(result.reason)];
    }),
  );
}

/** The answer for `key` from its source's table, or the source's error. */
function fromTable<V, D>(tables: Map<Source, Map<string, V> | Error>, key: string, fallback: D): V | D | Error {
  const table = tables.get(sourceOf(key));
  if (table instanceof Error) return table;
  return table?.get(key) ?? fallback;
}

export function createLoaders({ readModel }: LoaderSources): Loaders {
  /** Each team's ids (from `idsOf`) resolved to learners. */
  const learnersOfTeams = async (teamIds: readonly string[], idsOf: (teamId: string) => Promise<string[]>) => {
    const all = await readModel.learnerTable();
    return Promise.all(teamIds.map(async (teamId) => (await idsOf(teamId)).flatMap((id) => all.get(id) ?? [])));
  };

  const loaders: Loaders = {
    employee: new DataLoader(async (keys) => {
      const tables = await perSource(keys.map(sourceOf), (source) => readModel.employeeTable(source));
      return keys.map((key) => fromTable(tables, key, null));
    }),
    directReports: new DataLoader(async (keys) => {
      const tables = await perSource(keys.map(sourceOf), (source) => readModel.directReportTable(source));
      return keys.map((key) => fromTable(tables, key, []));
    }),
    learner: tableLoader(() => readModel.learnerTable(), null),
    team: tableLoader(() => readModel.teamTable(), null),
    course: tableLoader(() => readModel.courseTable(), null),
    learnerTeams: tableLoader(() => readModel.teamsByLearner(), []),
    learnerCourses: tableLoader(() => readModel.progressByLearner(), []),
    teamMembers: new DataLoader((teamIds) => learnersOfTeams(teamIds, (id) => readModel.teamMembers(id))),
    teamLeaders: new DataLoader((teamIds) => learnersOfTeams(teamIds, (id) => readModel.teamLeaders(id))),
    teamCourses: new DataLoader(async (teamIds) => {
      const all = await readModel.courseTable();
      return Promise.all(teamIds.map(async (teamId) => (await readModel.teamCourses(teamId)).flatMap((id) => all.get(id) ?? [])));
    }),
    courseResults: new DataLoader(async (courseIds) => Promise.all(courseIds.map((id) => readModel.courseResults(id)))),
    learnerOfEmployee: new DataLoader(async (keys) => {
      // Matching needs the whole roster: once per source and batch, never once per key.
      const indexes = await perSource(keys.map(sourceOf), async (source) => (await readModel.identities(source)).byEmployee);
      return keys.map((key) => fromTable(indexes, key, null));
    }),
    employeeOfLearner: new DataLoader(async (learnerIds) => {
      const indexes = [...(await perSource(readModel.sources(), (source) => readModel.identities(source))).values()];
      const answered = indexes.filter((index): index is IdentityIndex => !(index instanceof Error));
      const failed = indexes.find((index): index is Error => index instanceof Error);
      // Found in a source that answered is found; not found anywhere is "nobody's" only when every
      // source answered: otherwise the learner may be the failed source's employee, which is unknown.
      return learnerIds.map((id) => answered.map((index) => index.byLearner.get(id)).find(Boolean) ?? failed ?? null);
    }),
  };
  return loaders;
}
