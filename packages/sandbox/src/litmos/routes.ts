/**
 * The Litmos REST surface under `/v1.svc`: users, teams (members, leaders, sub-teams, courses),
 * courses with their results, and achievements. Every list pages with `start`/`limit` (default 100,
 * at most 1000; larger limits are clamped) and ends with an empty page, which is how clients know
 * they have read everything. The Litmos quirks (../quirks.ts) are read on every request, so a
 * switch flipped between two requests applies to the second.
 */
import { Router, type SimHandler, type SimRequest, type SimResponse } from '../kit.js';
import type { LitmosQuirks } from '../quirks.js';
import { USER_WRITE_ORDER, encodeNames, overfullPage } from './quirks.js';
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
  OutOfOrder,
  empty,
  fault,
  ok,
  queryParam,
  readRecord,
  readRecords,
  requestError,
  responseFormat,
  type Format,
  type Members,
  type Shape,
  type WireRecord,
} from './wire.js';

export const BASE_PATH = '/v1.svc';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

interface Call {
  req: SimRequest;
  format: Format;
  /** The switches as they stand for this request. */
  quirks: Readonly<LitmosQuirks>;
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

/** The page a list request asked for, clamped, and one item longer when `overfullPages` is on. */
function requestedPage(req: SimRequest, quirks: Readonly<LitmosQuirks>): Page {
  const page = { start: count(req, 'start', 0), limit: Math.min(count(req, 'limit', DEFAULT_LIMIT), MAX_LIMIT) };
  return quirks.overfullPages ? overfullPage(page) : page;
}

/**
 * Turns the account's refusals into Litmos's status line and `Detail` body, in the caller's format;
 * a misordered XML write gets WCF's 500 page, as the real service fails it before reading further.
 */
function route(quirks: LitmosQuirks, handler: (call: Call) => SimResponse): SimHandler {
  return (req) => {
    const format = responseFormat(req.query, req.headers.accept);
    // One reading per request: a switch flipped mid-request applies from the next one.
    const switches = { ...quirks };
    try {
      return handler({
        req,
        format,
        quirks: switches,
        page: () => requestedPage(req, switches),
        body: () => req.body.toString('utf8'),
        contentType: req.headers['content-type'],
      });
    } catch (error) {
      if (error instanceof LitmosFault) return fault(format, error.status, error.detail);
      if (error instanceof BadBody) return fault(format, 400, error.message);
      if (error instanceof OutOfOrder) return requestError();
      throw error;
    }
  };
}

/** A successful answer; JSON carries its names HTML-encoded when `encodedNames` is on. */
function reply(call: Call, status: 200 | 201, value: WireRecord | WireRecord[], shape: Shape): SimResponse {
  const encoded = call.format === 'json' && call.quirks.encodedNames;
  return ok(call.format, status, encoded ? encodeNames(value) : value, shape);
}

function list<T>(call: Call, items: readonly T[], project: (item: T) => WireRecord, shape: Shape): SimResponse {
  const { start, limit } = call.page();
  return reply(call, 200, items.slice(start, start + limit).map(project), shape);
}

/** A User write; XML must follow the documented write order when `xmlElementOrder` is on. */
function readUser(call: Call): Members {
  const strict = call.quirks.xmlElementOrder;
  return readRecord(call.body(), call.contentType, strict ? USER_WRITE_ORDER : USER_CONTRACT, { strictOrder: strict });
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

/** `quirks` is the live switch object: it is read per request, never copied once. */
export function litmosRoutes(state: LitmosState, now: () => number, quirks: LitmosQuirks): Router {
  const router = new Router();
  const on = (method: string, path: string, handler: (call: Call) => SimResponse) => router.on(method, `${BASE_PATH}${path}`, route(quirks, handler));
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
    // The stats tell a page of the whole list from a search: a targeted sync makes none of the first.
    return { ...reply(call, 200, users.map(userSummary), SHAPES.user), statsVariant: queryParam(call.req.query, 'search') ? 'search' : 'page' };
  });
  on('GET', '/users/:id', (call) => reply(call, 200, userProfile(user(call)), SHAPES.user));
  on('POST', '/users', (call) => {
    const created = state.createUser(readUser(call), now());
    return reply(call, 201, userProfile(created), SHAPES.user);
  });
  on('PUT', '/users/:id', (call) => {
    state.updateUser(param(call, 'id'), readUser(call));
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
  on('GET', '/users/:id/courses', (call) => list(call, state.userEnrolments(user(call).Id), (e) => learnerCourse(state.courseOf(e), e), SHAPES.course));

  // ---- teams ----
  on('GET', '/teams', (call) => list(call, state.teams, teamSummary, SHAPES.team));
  on('GET', '/teams/:id', (call) => reply(call, 200, teamDetail(state.team(param(call, 'id'))), SHAPES.team));
  on('POST', '/teams', (call) => {
    const team = state.createTeam(readRecord(call.body(), call.contentType, TEAM_CONTRACT), null);
    return reply(call, 201, teamDetail(team), SHAPES.team);
  });
  on('GET', '/teams/:id/teams', (call) => list(call, state.subTeams(param(call, 'id')), teamSummary, SHAPES.team));
  on('POST', '/teams/:id/teams', (call) => {
    const team = state.createTeam(readRecord(call.body(), call.contentType, TEAM_CONTRACT), param(call, 'id'));
    return reply(call, 201, teamDetail(team), SHAPES.team);
  });
  on('GET', '/teams/:id/users', (call) => list(call, state.teamMembers(param(call, 'id')), userSummary, SHAPES.user));
  on('POST', '/teams/:id/users', (call) => {
    const refs = readRecords(call.body(), call.contentType, USER_REF_CONTRACT);
    state.addMembers(
      param(call, 'id'),
      refs.flatMap((ref) => (typeof ref.Id === 'string' ? [ref.Id] : [])),
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
  on('GET', '/courses/:id', (call) => reply(call, 200, courseRecord(state.course(param(call, 'id'))), SHAPES.course));
  on('GET', '/courses/:id/users', (call) => list(call, state.courseEnrolments(param(call, 'id')), (e) => courseLearner(state.userOf(e), e), SHAPES.user));
  on('GET', '/achievements', (call) => {
    const userRef = queryParam(call.req.query, 'userid');
    const userId = userRef === undefined ? undefined : (state.user(userRef)?.Id ?? '');
    const results = state.achievements({ userId, sinceMs: sinceMs(queryParam(call.req.query, 'since')) });
    return list(call, results, (e) => achievement(state.userOf(e), state.courseOf(e), e), SHAPES.achievement);
  });

  return router;
}
