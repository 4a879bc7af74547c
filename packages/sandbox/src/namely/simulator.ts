/**
 * Namely's REST API (`/api/v1/...`) served from a seeded company, for `startSimulator`. Shapes and
 * status codes follow the recorded cassettes in shared/samples/namely; where nothing was recorded
 * (groups, teams, paging meta) they follow Namely's documented spec.
 */
import type { SeedCompany } from '../company.js';
import type { LocalDate } from '../days.js';
import { Router, json, type RateLimit, type SimRequest, type SimResponse, type SimulatorSpec } from '../kit.js';
import { buildDirectory, seededUuid, type Group, type ProfileRecord } from './directory.js';
import { createProfile, profilePayload, updateProfile } from './edits.js';
import { profilesEnvelope, renderGroup, renderGroupTypes, renderTeam } from './render.js';
import { FILTER_KEYS, Roster, SORT_KEYS, type ListQuery, type SortKey } from './roster.js';
import { NO_QUIRKS, type CommonQuirks, type NamelyQuirks } from '../quirks.js';

export interface NamelySimulatorOptions {
  /** The seeded company; give Namely a different one from BambooHR's. */
  company: SeedCompany;
  /** The API token accepted as `Authorization: Bearer …` or legacy `access_token`. @default 'sandbox-namely-token' */
  token?: string;
  /** Namely publishes no limit, so this is a guess. @default { limit: 300, windowMs: 60_000, status: 429, retryAfter: true } */
  rate?: RateLimit;
  /** Delay added to every request, ms. @default 0 */
  latencyMs?: number;
  /** The day user statuses are judged against (pre-hires pending, leavers inactive). @default company.today */
  today?: LocalDate;
  /** Live quirk switches (see ../quirks.ts). @default none */
  quirks?: { common: CommonQuirks; vendor: NamelyQuirks };
  /** Seeds the injected-fault draws. @default 1 */
  seed?: number;
}

/** A read-mostly handle on the simulator's state, for tests. */
export interface NamelyState {
  /** Profiles currently held, including ones created over the API. */
  readonly size: number;
  /** The profile id seed person `personId` was given. */
  profileId(personId: number): string;
  profile(id: string): Readonly<ProfileRecord> | undefined;
  /** A group by its title, departments first, then divisions and office locations. */
  group(title: string): Group | undefined;
}

export interface NamelySimulator {
  spec: SimulatorSpec;
  state: NamelyState;
}

const DEFAULT_RATE: RateLimit = { limit: 300, windowMs: 60_000, status: 429, retryAfter: true };
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 50;
const BASE = '/api/v1';

const noCache = { 'Cache-Control': 'no-cache' };
const notFound = (what: string): SimResponse => json(404, { message: `${what} not found`, errors: [] }, noCache);
const badRequest = (message: string): SimResponse => json(400, { message, errors: [] }, noCache);
const unprocessable = (message: string, errors: string[]): SimResponse => json(422, { message, errors }, noCache);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** With `shortPages`, how many profiles every second page falls short of `per_page`. */
const SHORT_BY = 3;

/**
 * Where page `page` starts and ends in the list. Normally pages are `perPage` long; with short
 * pages every even page is `SHORT_BY` shorter (never empty, which would end the list), and later
 * pages start where the short one stopped, so nobody is skipped or shown twice. Only `page` reads
 * show it: a legacy `after=` page starts after the id the client saw last, whatever came before.
 */
function pageBounds(page: number, perPage: number, shortPages: boolean): { start: number; end: number } {
  const short = shortPages ? Math.min(SHORT_BY, perPage - 1) : 0;
  const before = page - 1;
  const start = before * perPage - Math.floor(before / 2) * short;
  return { start, end: start + perPage - (page % 2 === 0 ? short : 0) };
}

interface ListRequest {
  query: ListQuery;
  page: number;
  perPage: number;
  after: string | null;
}

function positiveInteger(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function parseListRequest(params: URLSearchParams): ListRequest | SimResponse {
  const page = positiveInteger(params.get('page'), 1);
  const perPage = positiveInteger(params.get('per_page'), DEFAULT_PER_PAGE);
  if (page === undefined) return badRequest(`page must be a positive integer; got ${params.get('page')}`);
  if (perPage === undefined) return badRequest(`per_page must be a positive integer; got ${params.get('per_page')}`);

  const rawSort = params.get('sort');
  const key = rawSort?.replace(/^-/, '');
  if (key !== undefined && !(SORT_KEYS as readonly string[]).includes(key)) {
    return badRequest(`sort must be one of ${SORT_KEYS.join(', ')}, optionally prefixed with -; got ${rawSort}`);
  }
  const filters: ListQuery['filters'] = {};
  for (const name of FILTER_KEYS) {
    const value = params.get(`filter[${name}]`);
    if (value !== null) filters[name] = value;
  }
  return {
    query: { sort: key ? { key: key as SortKey, descending: rawSort?.startsWith('-') ?? false } : null, filters },
    page,
    // Namely caps silently rather than rejecting a larger page.
    perPage: Math.min(perPage, MAX_PER_PAGE),
    after: params.get('after'),
  };
}

function bodyToken(req: Omit<SimRequest, 'credential' | 'params'>): unknown {
  if (req.method !== 'POST' && req.method !== 'PUT') return undefined;
  try {
    return (JSON.parse(req.body.toString('utf8')) as { access_token?: unknown }).access_token;
  } catch {
    return undefined;
  }
}

export function createNamelySimulator(options: NamelySimulatorOptions): NamelySimulator {
  const { company } = options;
  const token = options.token ?? 'sandbox-namely-token';
  const today = options.today ?? company.today;
  const roster = new Roster(() => buildDirectory(company, today));
  let created = 0;
  // Read per request: the sandbox's setQuirks and PUT /__sandbox/quirks change this object in place.
  const quirks = (): NamelyQuirks => options.quirks?.vendor ?? NO_QUIRKS.namely;

  const listProfiles = (req: SimRequest): SimResponse => {
    const request = parseListRequest(req.query);
    if (!('query' in request)) return request;
    const view = roster.view(request.query);
    if (request.after !== null) {
      // The legacy cursor: the page after the profile with this id; meta echoes it back. An id not
      // in the roster is a 404, as its show would be, rather than an empty page a client takes as the end.
      const start = roster.after(request.query, request.after);
      if (start === undefined) return notFound('Profile');
      const page = view.slice(start, start + request.perPage);
      return json(200, profilesEnvelope(roster, page, { after: request.after }));
    }
    const { start, end } = pageBounds(request.page, request.perPage, quirks().shortPages);
    return json(200, profilesEnvelope(roster, view.slice(start, end), { total_count: view.length }));
  };

  const showProfile = (id: string | null): SimResponse => {
    const profile = id === null ? undefined : roster.profile(id);
    return profile ? json(200, profilesEnvelope(roster, [profile], {})) : notFound('Profile');
  };

  const putProfile = (req: SimRequest): SimResponse => {
    const profile = roster.profile(req.params.id ?? '');
    if (!profile) return notFound('Profile');
    const payload = profilePayload(req.body);
    if (typeof payload === 'string') return unprocessable('error updating profile', [payload]);
    const outcome = updateProfile(roster, profile, payload, nowSeconds());
    if ('errors' in outcome) return unprocessable('error updating profile', outcome.errors);
    return json(200, profilesEnvelope(roster, [outcome.record], {}));
  };

  const postProfile = (req: SimRequest): SimResponse => {
    const payload = profilePayload(req.body);
    if (typeof payload === 'string') return unprocessable('error creating profile', [payload]);
    const id = seededUuid(company.seed, `created:${created + 1}`);
    const outcome = createProfile(roster, id, payload, nowSeconds());
    if ('errors' in outcome) return unprocessable('error creating profile', outcome.errors);
    created += 1;
    // Namely answered a create with 200 in the recording (its docs say 201).
    return json(200, profilesEnvelope(roster, [outcome.record], {}));
  };

  const fields = (): SimResponse => {
    const rendered = roster.fields.map((field) => ({ ...field, links: { section: roster.sectionId } }));
    return json(200, {
      fields: rendered,
      meta: { count: rendered.length, status: 200 },
      links: { 'fields.sections': { type: 'sections' } },
      linked: { sections: [{ id: roster.sectionId, title: 'General', links: { fields: rendered.map((f) => f.id) } }] },
    });
  };

  const groups = (): SimResponse => {
    const counts = roster.groupCounts();
    const body = {
      groups: roster.groups.map((group) => renderGroup(roster, group, counts.get(group.id) ?? 0)),
      meta: { count: roster.groups.length, status: 200 },
    };
    // The compound document is optional: without it a group says its type only by name (`type`).
    if (quirks().omitGroupTypes) return json(200, body);
    return json(200, { ...body, links: { 'groups.group_types': { type: 'group_types' } }, linked: { group_types: renderGroupTypes(roster) } });
  };

  const group = (req: SimRequest): SimResponse => {
    const found = roster.group(req.params.id ?? '');
    if (!found) return notFound('Group');
    const members = roster.profiles.filter((p) => p.group_ids.includes(found.id)).map((p) => p.id);
    const rendered = renderGroup(roster, found, members.length);
    return json(200, {
      groups: [{ ...rendered, links: { group_type: found.typeId, profiles: members } }],
      meta: { count: 1, status: 200 },
      linked: { group_types: renderGroupTypes(roster) },
    });
  };

  const groupTypes = (req: SimRequest): SimResponse => {
    const all = renderGroupTypes(roster);
    const selected = req.params.id === undefined ? all : all.filter((t) => t.id === req.params.id);
    if (selected.length === 0) return notFound('Group type');
    return json(200, {
      group_types: selected,
      meta: { count: selected.length, status: 200 },
      links: { 'group_type.group': { type: 'groups' } },
      linked: {},
    });
  };

  const teams = (req: SimRequest): SimResponse => {
    const selected = req.params.id === undefined ? roster.teams : roster.teams.filter((t) => t.id === req.params.id);
    if (selected.length === 0 && req.params.id !== undefined) return notFound('Team');
    return json(200, {
      teams: selected.map(renderTeam),
      links: { 'teams.categories': { type: 'categories' } },
      linked: { categories: roster.teamCategories.map((c) => ({ ...c })) },
    });
  };

  // Literal segments (`me`, `fields`) come before `:id`: the router takes the first match.
  const router = new Router()
    .on('GET', `${BASE}/profiles`, listProfiles)
    .on('POST', `${BASE}/profiles`, postProfile)
    .on('GET', `${BASE}/profiles/me`, () => showProfile(roster.meId))
    .on('GET', `${BASE}/profiles/fields`, fields)
    .on('GET', `${BASE}/profiles/:id`, (req) => showProfile(req.params.id ?? null))
    .on('PUT', `${BASE}/profiles/:id`, putProfile)
    .on('GET', `${BASE}/groups`, groups)
    .on('GET', `${BASE}/groups/:id`, group)
    .on('GET', `${BASE}/group_types`, groupTypes)
    .on('GET', `${BASE}/group_types/:id`, groupTypes)
    .on('GET', `${BASE}/teams`, teams)
    .on('GET', `${BASE}/teams/:id`, teams);

  const spec: SimulatorSpec = {
    name: 'namely',
    router,
    rate: { ...(options.rate ?? DEFAULT_RATE) },
    latencyMs: options.latencyMs ?? 0,
    ...(options.quirks && { quirks: options.quirks }),
    ...(options.seed !== undefined && { seed: options.seed }),
    transientError: () => json(500, { message: 'Internal Server Error', errors: [] }),
    authenticate(req) {
      const header = req.headers.authorization;
      const bearer = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
      const presented = bearer ?? req.query.get('access_token') ?? bodyToken(req);
      return presented === token ? token : json(401, { error: '' }, noCache);
    },
    reset() {
      roster.reset();
      created = 0;
    },
    throttled: () => json(429, { message: 'Too many requests', errors: [] }),
  };

  const state: NamelyState = {
    get size() {
      return roster.size;
    },
    profileId: (personId) => seededUuid(company.seed, `profile:${personId}`),
    profile: (id) => roster.profile(id),
    group: (title) => roster.groups.find((g) => g.title === title),
  };

  return { spec, state };
}
