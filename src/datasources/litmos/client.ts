/**
 * SAP Litmos as typed calls over the shared upstream HTTP client, in JSON (`format=json`). The
 * `http` client's base URL includes `/v1.svc` and its `authorize` sets the `apikey` header, so the
 * key never appears in a URL, a log line or an error; this client adds the `source` parameter (our application name) Litmos requires.
 *
 * Lists are read in pages until Litmos returns a short or empty page — it sends no total (paging.ts) — and inherit
 * Litmos's limits: user lists are summaries (see `LISTED_LEARNER_FIELDS`), and team member lists
 * hold active users only.
 */
import { BadUserInputError, UpstreamError } from '../../errors.js';
import { LEARNER_FIELDS, type Course, type CourseProgress, type Learner, type Team } from '../../model.js';
import type { UpstreamClient, UpstreamRequest } from '../http.js';
import { createListReader } from './paging.js';
import {
  asRecord,
  asRecords,
  learnerOf,
  newUserBody,
  parseBody,
  toCourse,
  toCourseResult,
  toLearner,
  toLearnerCourse,
  toTeam,
  updatedUserBody,
  type LearnerFields,
  type LitmosRecord,
} from './mapping.js';

export type { LearnerFields } from './mapping.js';
export { HIDDEN_LEARNER_FIELDS, LISTED_LEARNER_FIELDS } from './mapping.js';

export interface LitmosClientOptions {
  /** The upstream client for the Litmos API (base URL ending in `/v1.svc`, `apikey` set by `authorize`). */
  http: UpstreamClient;
  /** Free-text name of the calling application, sent as the `source` parameter Litmos requires on every call (50 characters at most). */
  applicationName: string;
  /** Items per list request; Litmos allows at most 1000. @default 1000 */
  pageSize?: number;
  /** Learners added to a team per request. @default 100 */
  teamBatchSize?: number;
}

export interface LitmosClient {
  /** Every user, inactive ones included, as summaries (contact and address fields null). */
  listLearners(): Promise<Learner[]>;
  /** The full profile, by id or username; null when Litmos has neither. */
  getLearner(idOrUserName: string): Promise<Learner | null>;
  /** Users whose username, name or email contains `text` (Litmos's `search`, at most 50 characters), as summaries. */
  searchLearners(text: string): Promise<Learner[]>;
  /** Throws `UpstreamError` UPSTREAM_CONFLICT, unretried, when the username is taken. */
  createLearner(fields: LearnerFields): Promise<Learner>;
  /**
   * Changes only `fields`. Litmos's PUT replaces the whole user, so this reads the current profile
   * and writes it back with `fields` laid over it (two calls); callers need not hold the full record.
   */
  updateLearner(id: string, fields: LearnerFields): Promise<UpdatedLearner>;
  /** Deactivation keeps the learner and their history; Litmos has no separate endpoint for it. */
  setLearnerActive(id: string, active: boolean): Promise<Learner>;
  listTeams(): Promise<Team[]>;
  createTeam(name: string, parentId?: string): Promise<Team>;
  /** Active members only: Litmos leaves inactive users out of team lists. */
  teamMembers(teamId: string): Promise<Learner[]>;
  /** In batches of `teamBatchSize`; Litmos skips ids that are already members or unknown. */
  addTeamMembers(teamId: string, learnerIds: readonly string[]): Promise<void>;
  removeTeamMember(teamId: string, learnerId: string): Promise<void>;
  teamLeaders(teamId: string): Promise<Learner[]>;
  /** The learner must already be a member (Litmos answers 404 otherwise). */
  setTeamLeader(teamId: string, learnerId: string): Promise<void>;
  listCourses(): Promise<Course[]>;
  /** The courses assigned to a team. */
  teamCourses(teamId: string): Promise<Course[]>;
  /** Every assigned learner's progress in a course; Litmos gives no dates here. */
  courseResults(courseId: string): Promise<CourseProgress[]>;
  /** One learner's courses, with assigned and completed dates. */
  learnerCourses(learnerId: string): Promise<CourseProgress[]>;
  learnerTeams(learnerId: string): Promise<Team[]>;
}

const MAX_PAGE_SIZE = 1000;
const seg = (value: string) => encodeURIComponent(value);

/** A learner as an update left it, with the profile it replaced (read just before the PUT): what an undo restores. */
export interface UpdatedLearner extends Learner {
  previous: Learner;
}

export function createLitmosClient(options: LitmosClientOptions): LitmosClient {
  const { http, applicationName } = options;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const teamBatchSize = options.teamBatchSize ?? 100;

  const call = (req: Omit<UpstreamRequest, 'headers'> & { json?: unknown }) => {
    const { json, ...rest } = req;
    return http.request({
      ...rest,
      query: { source: applicationName, format: 'json', ...req.query },
      headers: json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
  };

  const lists = createListReader(pageSize);
  const readAll = (path: string, what: string, filter: Record<string, string> = {}): Promise<LitmosRecord[]> => {
    const list = Object.keys(filter).length === 0 ? path : `${path}?${new URLSearchParams(filter).toString()}`;
    return lists.readAll(list, what, async (start) => {
      const response = await call({ method: 'GET', path, query: { ...filter, start, limit: pageSize } });
      return { status: response.status, records: asRecords(parseBody(response.body), what) };
    });
  };

  async function profile(idOrUserName: string): Promise<LitmosRecord | null> {
    const response = await call({ method: 'GET', path: `/users/${seg(idOrUserName)}`, accept: [404] });
    return response.status === 404 ? null : asRecord(parseBody(response.body), 'user');
  }

  async function update(id: string, fields: LearnerFields): Promise<UpdatedLearner> {
    const current = await profile(id);
    if (!current) throw new UpstreamError('litmos', 404, `PUT /users/${id}: no such user`);
    const body = updatedUserBody(current, fields);
    await call({ method: 'PUT', path: `/users/${seg(id)}`, json: body });
    // The body is plain text already; decoding it again would corrupt a name that reads `&amp;`.
    return { ...learnerOf(body), previous: toLearner(current) };
  }

  return {
    listLearners: async () => (await readAll('/users', 'users')).map(toLearner),

    searchLearners: async (text) => (await readAll('/users', 'users', { search: text })).map(toLearner),

    getLearner: async (idOrUserName) => {
      const found = await profile(idOrUserName);
      return found ? toLearner(found) : null;
    },

    async createLearner(fields) {
      const missing = (['userName', 'firstName', 'lastName'] as const).filter((field) => !fields[field]?.trim());
      if (missing.length) {
        throw new BadUserInputError(
          `a Litmos user needs ${missing.join(', ')}; received ${JSON.stringify({ userName: fields.userName, firstName: fields.firstName, lastName: fields.lastName })}`,
          { missing },
        );
      }
      const response = await call({ method: 'POST', path: '/users', json: newUserBody(fields) });
      return toLearner(parseBody(response.body));
    },

    async updateLearner(id, fields) {
      const unknown = Object.keys(fields).filter((key) => key !== 'active' && !(LEARNER_FIELDS as readonly string[]).includes(key));
      if (unknown.length) throw new BadUserInputError(`unknown learner fields ${unknown.join(', ')}`, { unknown });
      return update(id, fields);
    },

    setLearnerActive: (id, active) => update(id, { active }),

    listTeams: async () => (await readAll('/teams', 'teams')).map((team) => toTeam(team)),

    async createTeam(name, parentId) {
      const path = parentId ? `/teams/${seg(parentId)}/teams` : '/teams';
      const response = await call({ method: 'POST', path, json: { Id: '', Name: name, Description: '' } });
      return toTeam(parseBody(response.body), parentId ?? null);
    },

    teamMembers: async (teamId) => (await readAll(`/teams/${seg(teamId)}/users`, 'team members')).map(toLearner),

    async addTeamMembers(teamId, learnerIds) {
      for (let i = 0; i < learnerIds.length; i += teamBatchSize) {
        const batch = learnerIds.slice(i, i + teamBatchSize).map((id) => ({ Id: id }));
        // Adding a member twice is a no-op in Litmos, so a lost response may safely be repeated.
        await call({ method: 'POST', path: `/teams/${seg(teamId)}/users`, json: batch, idempotent: true });
      }
    },

    async removeTeamMember(teamId, learnerId) {
      await call({ method: 'DELETE', path: `/teams/${seg(teamId)}/users/${seg(learnerId)}` });
    },

    teamLeaders: async (teamId) => (await readAll(`/teams/${seg(teamId)}/leaders`, 'team leaders')).map(toLearner),

    async setTeamLeader(teamId, learnerId) {
      await call({ method: 'PUT', path: `/teams/${seg(teamId)}/leaders/${seg(learnerId)}` });
    },

    listCourses: async () => (await readAll('/courses', 'courses')).map(toCourse),

    teamCourses: async (teamId) => (await readAll(`/teams/${seg(teamId)}/courses`, 'team courses')).map(toCourse),

    courseResults: async (courseId) => (await readAll(`/courses/${seg(courseId)}/users`, 'course results')).map((row) => toCourseResult(courseId, row)),

    learnerCourses: async (learnerId) => (await readAll(`/users/${seg(learnerId)}/courses`, 'learner courses')).map((row) => toLearnerCourse(learnerId, row)),

    learnerTeams: async (learnerId) => (await readAll(`/users/${seg(learnerId)}/teams`, 'learner teams')).map((team) => toTeam(team)),
  };
}
