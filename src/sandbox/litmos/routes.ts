/**
 * The Litmos REST surface under `/v1.svc`: users, teams (members, leaders, sub-teams, courses),
 * courses with their results, and achievements. Every list pages with `start`/`limit` (default 100,
 * at most 1000; larger limits are clamped) and ends with an empty page, which is how clients know
 * they have read everything.
 */
import { Router, type SimHandler, type SimRequest, type SimResponse } from '../kit.js';
import {
  SHAPES,
  TEAM_CONTRACT,
  USER_CONTRACT,
  USER_REF_CONTRACT,
  achievement,
  courseLearner,
  courseRecord,
  learnerCourse,
  teamDetail,
  teamSummary,
  userProfile,
  userSummary,
} from './records.js';
import { LitmosFault, type LitmosState, type Page } from './state.js';
import {
  BadBody,
  empty,
  fault,
  ok,
  queryParam,
  readRecord,
  readRecords,
  responseFormat,
  type Format,
  type Shape,
  type WireRecord,
} from './wire.js';

export const BASE_PATH = '/v1.svc';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

interface Call {
  req: SimRequest;
  format: Format;
  page(): Page;
  /** The write body as text; `readRecord` interprets it by `contentType`. */
  body(): string;
  contentType: string | undefined;
}

function count(req: SimRequest, name: string, fallback: number): number {
  const raw = queryParam(req.query, name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new LitmosFault(400, `${name} must be a whole number, received ${raw}`);
  return value;
}

/** Turns the account's refusals into Litmos's status line and `Detail` body, in the caller's format. */
function route(handler: (call: Call) => SimResponse): SimHandler {
  return (req) => {
    const format = responseFormat(req.query, req.headers.accept);
    try {
      return handler({
        req,
        format,
        page: () => ({ start: count(req, 'start', 0), limit: Math.min(count(req, 'limit', DEFAULT_LIMIT), MAX_LIMIT) }),
        body: () => req.body.toString('utf8'),
        contentType: req.headers['content-type'],
      });
    } catch (error) {
      if (error instanceof LitmosFault) return fault(format, error.status, error.detail);
      if (error instanceof BadBody) return fault(format, 400, error.message);
      throw error;
    }
  };
}

function list<T>(call: Call, items: readonly T[], project: (item: T) => WireRecord, shape: Shape): SimResponse {
  const { start, limit } = call.page();
  return ok(call.format, 200, items.slice(start, start + limit).map(project), shape);
}

function param(call: Call, name: string): string {
  return call.req.params[name] ?? '';
}

/** `since` as Litmos takes it: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, read as UTC. */
function sinceMs(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const ms = Date.parse(`${raw.trim().replace(' ', 'T')}${raw.length > 10 ? 'Z' : 'T00:00:00Z'}`);
  if (Number.isNaN(ms)) throw new LitmosFault(400, `since must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, received ${raw}`);
  return ms;
}

export function litmosRoutes(state: LitmosState, now: () => number): Router {
  const router = new Router();
  const on = (method: string, path: string, handler: (call: Call) => SimResponse) =>
    router.on(method, `${BASE_PATH}${path}`, route(handler));
  const user = (call: Call) => {
    const found = state.user(param(call, 'id'));
    if (!found) throw new LitmosFault(404, `User ${param(call, 'id')} not found`);
    return found;
  };

  // ---- users ----
  on('GET', '/users', (call) => {
    const dir = queryParam(call.req.query, 'dir')?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
    const users = state.listUsers({
      ...call.page(),
      search: queryParam(call.req.query, 'search'),
      sort: queryParam(call.req.query, 'sort'),
      dir,
      showInactive: queryParam(call.req.query, 'showInactive')?.toLowerCase() !== 'false',
    });
    return ok(call.format, 200, users.map(userSummary), SHAPES.user);
  });
  on('GET', '/users/:id', (call) => ok(call.format, 200, userProfile(user(call)), SHAPES.user));
  on('POST', '/users', (call) => {
    const created = state.createUser(readRecord(call.body(), call.contentType, USER_CONTRACT), now());
    return ok(call.format, 201, userProfile(created), SHAPES.user);
  });
  on('PUT', '/users/:id', (call) => {
    state.updateUser(param(call, 'id'), readRecord(call.body(), call.contentType, USER_CONTRACT));
    return empty(200);
  });
  on('DELETE', '/users/:id', (call) => {
    state.deleteUser(param(call, 'id'));
    return empty(200);
  });
  on('GET', '/users/:id/teams', (call) => list(call, state.userTeams(user(call).Id), teamSummary, SHAPES.team));
  on('DELETE', '/users/:id/teams', (call) => {
    state.removeFromAllTeams(user(call).Id);
    return empty(200);
  });
  on('GET', '/users/:id/courses', (call) =>
    list(call, state.userEnrolments(user(call).Id), (e) => learnerCourse(state.courseOf(e), e), SHAPES.course),
  );

  // ---- teams ----
  on('GET', '/teams', (call) => list(call, state.teams, teamSummary, SHAPES.team));
  on('GET', '/teams/:id', (call) => ok(call.format, 200, teamDetail(state.team(param(call, 'id'))), SHAPES.team));
  on('POST', '/teams', (call) => {
    const team = state.createTeam(readRecord(call.body(), call.contentType, TEAM_CONTRACT), null);
    return ok(call.format, 201, teamDetail(team), SHAPES.team);
  });
  on('GET', '/teams/:id/teams', (call) => list(call, state.subTeams(param(call, 'id')), teamSummary, SHAPES.team));
  on('POST', '/teams/:id/teams', (call) => {
    const team = state.createTeam(readRecord(call.body(), call.contentType, TEAM_CONTRACT), param(call, 'id'));
    return ok(call.format, 201, teamDetail(team), SHAPES.team);
  });
  on('GET', '/teams/:id/users', (call) => list(call, state.teamMembers(param(call, 'id')), userSummary, SHAPES.user));
  on('POST', '/teams/:id/users', (call) => {
    const refs = readRecords(call.body(), call.contentType, USER_REF_CONTRACT);
    state.addMembers(
      param(call, 'id'),
      refs.flatMap((ref) => (typeof ref['Id'] === 'string' ? [ref['Id']] : [])),
    );
    return empty(201);
  });
  on('DELETE', '/teams/:id/users/:userId', (call) => {
    state.removeMember(param(call, 'id'), param(call, 'userId'));
    return empty(200);
  });
  on('GET', '/teams/:id/leaders', (call) => list(call, state.teamLeaders(param(call, 'id')), userSummary, SHAPES.user));
  on('PUT', '/teams/:id/leaders/:userId', (call) => {
    state.setLeader(param(call, 'id'), param(call, 'userId'), true);
    return empty(200);
  });
  on('DELETE', '/teams/:id/leaders/:userId', (call) => {
    state.setLeader(param(call, 'id'), param(call, 'userId'), false);
    return empty(200);
  });
  on('GET', '/teams/:id/courses', (call) => list(call, state.teamCourses(param(call, 'id')), courseRecord, SHAPES.course));

  // ---- courses, results, achievements ----
  on('GET', '/courses', (call) => list(call, state.courses, courseRecord, SHAPES.course));
  on('GET', '/courses/:id', (call) => ok(call.format, 200, courseRecord(state.course(param(call, 'id'))), SHAPES.course));
  on('GET', '/courses/:id/users', (call) =>
    list(call, state.courseEnrolments(param(call, 'id')), (e) => courseLearner(state.userOf(e), e), SHAPES.user),
  );
  on('GET', '/achievements', (call) => {
    const userRef = queryParam(call.req.query, 'userid');
    const userId = userRef === undefined ? undefined : (state.user(userRef)?.Id ?? '');
    const results = state.achievements({ userId, sinceMs: sinceMs(queryParam(call.req.query, 'since')) });
    return list(call, results, (e) => achievement(state.userOf(e), state.courseOf(e), e), SHAPES.achievement);
  });

  return router;
}
