import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createNamelySimulator,
  generateCompany,
  NO_QUIRKS,
  startSimulator,
  type NamelySimulator,
  type RunningSimulator,
  type SeedCompany,
} from '@rostergate/sandbox';

const TOKEN = 'sandbox-namely-token';
const TODAY = '2025-06-01';
const SIZE = 123;

interface Profile {
  id: string;
  email: string | null;
  first_name: string;
  last_name: string;
  user_status: string;
  start_date: string;
  departure_date: string;
  employee_type: { title: string } | null;
  job_title: { id: string; title: string } | null;
  reports_to: { id: string; first_name: string; last_name: string; email: string }[];
  links: { groups: { id: string; name: string }[] };
  middle_name: string | null;
  litmos_activated: string | null;
}
interface Envelope {
  profiles: Profile[];
  meta: { count: number; status: number; total_count?: number; after?: string };
  links: Record<string, unknown>;
  linked: { groups: { id: string; name: string }[]; job_titles: unknown[] };
}

let company: SeedCompany;
let namely: NamelySimulator;
let server: RunningSimulator;
/** People the default list leaves out: pre-hires, whose profiles are pending. */
let pending: Set<string>;

const auth = { authorization: `Bearer ${TOKEN}` };
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api/v1${path}`, { ...init, headers: { ...auth, 'content-type': 'application/json', ...Object.fromEntries(new Headers(init.headers)) } });
const getJson = async <T>(path: string): Promise<T> => {
  const response = await api(path);
  expect(response.status, `${path}: ${response.status}`).toBe(200);
  return (await response.json()) as T;
};
const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__sandbox/${path}`, init);

beforeAll(async () => {
  company = generateCompany({ seed: 7, size: SIZE, today: TODAY, name: 'Nimbus Labs' });
  namely = createNamelySimulator({ company, quirks: { common: { ...NO_QUIRKS.common }, vendor: { ...NO_QUIRKS.namely } } });
  server = await startSimulator(namely.spec);
  pending = new Set(
    company.people.filter((p) => p.hireDate > TODAY && !(p.terminationDate !== null && p.terminationDate <= TODAY)).map((p) => namely.state.profileId(p.id)),
  );
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await control('reset', { method: 'POST' });
  server.setQuirks({ ...NO_QUIRKS.namely });
});

/** The ids of the default list (everyone not pending), in creation order. */
const listedIds = () => company.people.map((p) => namely.state.profileId(p.id)).filter((id) => !pending.has(id));

/** Every page of a list by `page`, to the empty page that ends it. */
async function readAll(query: string): Promise<{ ids: string[]; counts: number[]; totals: (number | undefined)[] }> {
  const ids: string[] = [];
  const counts: number[] = [];
  const totals: (number | undefined)[] = [];
  for (let page = 1; page < 100; page += 1) {
    const body = await getJson<Envelope>(`/profiles?page=${page}&${query}`);
    expect(body.meta.count).toBe(body.profiles.length);
    counts.push(body.profiles.length);
    totals.push(body.meta.total_count);
    ids.push(...body.profiles.map((p) => p.id));
    if (body.profiles.length === 0) break;
  }
  return { ids, counts, totals };
}

describe('authentication', () => {
  it('answers 401 {"error":""} without a token or with a wrong one', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of variants) {
      const response = await fetch(`${server.url}/api/v1/profiles`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: '' });
    }
  });

  it('accepts the legacy access_token query parameter', async () => {
    const response = await fetch(`${server.url}/api/v1/profiles.json?access_token=${TOKEN}`);
    expect(response.status).toBe(200);
  });
});

describe('GET /profiles', () => {
  it('pages by 50 to an empty page, with count per page and total_count of the list', async () => {
    const listed = SIZE - pending.size;
    const { ids, counts, totals } = await readAll('per_page=50');
    expect(counts).toEqual([50, 50, listed - 100, 0]);
    expect(new Set(totals)).toEqual(new Set([listed]));
    expect(new Set(ids).size).toBe(listed);
    expect(ids.at(-1)).toBe(listedIds().at(-1));
  });

  it('lists active and inactive profiles by default, and pending ones only through filter[user_status]', async () => {
    expect(pending.size).toBeGreaterThan(0);
    const listed = await readAll('per_page=50');
    expect(listed.ids.filter((id) => pending.has(id))).toEqual([]);
    const filtered = await readAll('per_page=50&filter[user_status]=pending');
    expect(new Set(filtered.ids)).toEqual(pending);
    expect(filtered.totals[0]).toBe(pending.size);
  });

  it('defaults to 30 a page and caps per_page at 50', async () => {
    expect((await getJson<Envelope>('/profiles')).profiles).toHaveLength(30);
    expect((await getJson<Envelope>('/profiles?per_page=500')).profiles).toHaveLength(50);
    expect((await api('/profiles?per_page=zero')).status).toBe(400);
  });

  it('links every group, team and job title the page refers to', async () => {
    const body = await getJson<Envelope>('/profiles?per_page=10');
    expect(Object.keys(body.links).sort()).toEqual(['profiles.groups', 'profiles.image', 'profiles.job_title', 'profiles.teams']);
    const linkedGroups = new Set(body.linked.groups.map((g) => g.id));
    for (const profile of body.profiles) {
      for (const group of profile.links.groups) expect(linkedGroups.has(group.id)).toBe(true);
    }
  });

  it('filters by status, manager, email, name and job title', async () => {
    const pending = company.people.filter((p) => p.hireDate > TODAY).map((p) => namely.state.profileId(p.id));
    const byStatus = await getJson<Envelope>('/profiles?per_page=50&filter[user_status]=pending');
    expect(byStatus.profiles.map((p) => p.id).sort()).toEqual(pending.sort());
    expect(byStatus.meta.total_count).toBe(pending.length);

    const ceo = company.people.find((p) => p.managerId === null);
    const reports = company.people.filter((p) => p.managerId === ceo?.id).map((p) => namely.state.profileId(p.id));
    const ceoId = namely.state.profileId(ceo?.id ?? 0);
    const byManager = await getJson<Envelope>(`/profiles?per_page=50&filter[reports_to]=${ceoId}`);
    expect(byManager.profiles.map((p) => p.id).sort()).toEqual(reports.sort());

    const someone = company.people.find((p) => p.workEmail !== null && p.id > 5);
    const byEmail = await getJson<Envelope>(`/profiles?filter[email]=${encodeURIComponent(someone?.workEmail?.toUpperCase() ?? '')}`);
    expect(byEmail.profiles.map((p) => p.id)).toEqual([namely.state.profileId(someone?.id ?? 0)]);

    const sameFirst = company.people.filter((p) => p.firstName === someone?.firstName).length;
    const byFirst = await getJson<Envelope>(`/profiles?per_page=50&filter[first_name]=${encodeURIComponent(someone?.firstName ?? '')}`);
    expect(byFirst.profiles).toHaveLength(sameFirst);

    const titled = company.people.filter((p) => p.jobTitle === someone?.jobTitle).length;
    const byTitle = await getJson<Envelope>(`/profiles?per_page=50&filter[job_title]=${encodeURIComponent(someone?.jobTitle ?? '')}`);
    expect(byTitle.profiles).toHaveLength(titled);
    expect(byTitle.profiles.every((p) => p.job_title?.title === someone?.jobTitle)).toBe(true);
  });

  it('sorts by a field, descending with a leading minus', async () => {
    const body = await getJson<Envelope>('/profiles?per_page=50&sort=-last_name');
    const names = body.profiles.map((p) => p.last_name);
    const listed = company.people.filter((p) => !pending.has(namely.state.profileId(p.id)));
    const expected = listed
      .map((p) => p.lastName)
      .sort((a, b) => b.localeCompare(a))
      .slice(0, 50);
    expect(names).toEqual(expected);
    expect((await api('/profiles?sort=salary')).status).toBe(400);
  });

  it('serves the legacy after= cursor, echoing it in meta, to an empty page', async () => {
    const first = await getJson<Envelope>('/profiles');
    const last = first.profiles.at(-1)?.id ?? '';
    const next = await getJson<Envelope>(`/profiles?after=${last}`);
    expect(next.meta).toEqual({ count: 30, status: 200, after: last });
    expect(next.profiles[0]?.id).toBe(listedIds()[30]);

    const end = await getJson<Envelope>(`/profiles?after=${listedIds().at(-1)}`);
    expect(end.profiles).toEqual([]);
    expect(end.meta.count).toBe(0);
    expect((await api('/profiles?after=not-a-profile')).status).toBe(404);
  });
});

describe('seeded profiles', () => {
  it('maps the company: leavers inactive with a departure date, pre-hires pending, no status no employee_type', async () => {
    const all: Profile[] = [];
    for (const status of ['active', 'inactive', 'pending']) {
      for (let page = 1; page <= 3; page += 1)
        all.push(...(await getJson<Envelope>(`/profiles?page=${page}&per_page=50&filter[user_status]=${status}`)).profiles);
    }
    const byId = new Map(all.map((p) => [p.id, p]));
    for (const person of company.people) {
      const profile = byId.get(namely.state.profileId(person.id));
      expect(profile?.first_name).toBe(person.firstName);
      expect(profile?.email).toBe(person.workEmail);
      expect(profile?.start_date).toBe(person.hireDate);
      expect(profile?.departure_date).toBe(person.terminationDate ?? '');
      expect(profile?.litmos_activated).toBe(person.accessEnabled ? 'Yes' : 'No');
      const left = person.terminationDate !== null && person.terminationDate <= TODAY;
      expect(profile?.user_status).toBe(left ? 'inactive' : person.hireDate > TODAY ? 'pending' : 'active');
      if (person.statusHistory.length === 0) expect(profile?.employee_type).toBeNull();
      else expect(profile?.employee_type?.title).not.toBe('Terminated');
      const manager = person.managerId === null ? 'no_guid' : namely.state.profileId(person.managerId);
      expect(profile?.reports_to.map((r) => r.id)).toEqual([manager]);
      expect(profile?.links.groups.map((g) => g.name).sort()).toEqual([person.department, person.division, person.location].sort());
    }
    expect(all.some((p) => p.user_status === 'inactive')).toBe(true);
    expect(all.some((p) => p.employee_type === null)).toBe(true);
  });
});

describe('GET/HEAD /profiles/{id} and /profiles/me', () => {
  it('shows one profile in the envelope, with or without .json', async () => {
    const id = namely.state.profileId(2);
    for (const path of [`/profiles/${id}`, `/profiles/${id}.json`]) {
      const body = await getJson<Envelope>(path);
      expect(body.profiles.map((p) => p.id)).toEqual([id]);
      expect(body.meta).toEqual({ count: 1, status: 200 });
    }
  });

  it('answers 404 {"message":"Profile not found","errors":[]} and an empty HEAD 404', async () => {
    const missing = await api('/profiles/this-is-almost-certainly-not-the-id-of-any-model');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Profile not found', errors: [] });
    const head = await api('/profiles/this-is-almost-certainly-not-the-id-of-any-model', { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
    const found = await api(`/profiles/${namely.state.profileId(1)}`, { method: 'HEAD' });
    expect(found.status).toBe(200);
  });

  it('answers /profiles/me with the token owner', async () => {
    const body = await getJson<Envelope>('/profiles/me.json');
    const ceo = company.people.find((p) => p.managerId === null);
    expect(body.profiles[0]?.id).toBe(namely.state.profileId(ceo?.id ?? 0));
  });
});

describe('PUT /profiles/{id}', () => {
  const put = (id: string, profile: Record<string, unknown>) => api(`/profiles/${id}`, { method: 'PUT', body: JSON.stringify({ profiles: [profile] }) });

  it('changes only the fields sent and answers with the updated envelope', async () => {
    const id = namely.state.profileId(3);
    const response = await put(id, { middle_name: 'Beardsly', litmos_activated: 'Yes', departure_date: '2025/7/4' });
    expect(response.status).toBe(200);
    const [profile] = ((await response.json()) as Envelope).profiles;
    expect(profile?.middle_name).toBe('Beardsly');
    expect(profile?.litmos_activated).toBe('Yes');
    expect(profile?.departure_date).toBe('2025-07-04');
    expect(profile?.first_name).toBe(company.people[2]?.firstName);
  });

  it('moves a profile to another department through links.groups, keeping its office', async () => {
    const person = company.people[4];
    const target = company.departments.find((d) => d !== person?.department) ?? '';
    const group = namely.state.group(target);
    const response = await put(namely.state.profileId(5), { links: { groups: [{ id: group?.id }] } });
    expect(response.status).toBe(200);
    const [profile] = ((await response.json()) as Envelope).profiles;
    const names = profile?.links.groups.map((g) => g.name) ?? [];
    expect(names).toContain(target);
    expect(names).not.toContain(person?.department);
    expect(names).toContain(person?.location);
    const listed = await getJson<Envelope>(`/profiles?per_page=50&filter[email]=${encodeURIComponent(person?.workEmail ?? '')}`);
    expect(listed.profiles[0]?.links.groups.map((g) => g.name)).toContain(target);
  });

  it('rejects bad values with 422 and writes nothing', async () => {
    const id = namely.state.profileId(3);
    const response = await put(id, { middle_name: 'Changed', user_status: 'retired', reports_to: 'nobody-here' });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { message: string; errors: string[] };
    expect(body.message).toBe('error updating profile');
    expect(body.errors).toHaveLength(2);
    expect(namely.state.profile(id)?.middle_name).toBeNull();
    expect((await put('no-such-profile', { middle_name: 'x' })).status).toBe(404);
  });
});

describe('POST /profiles', () => {
  it('creates a profile (inactive when no status is given) that then pages like any other', async () => {
    const response = await api('/profiles', {
      method: 'POST',
      body: JSON.stringify({ profiles: [{ first_name: 'Beardsly', last_name: "O'McDög", email: 'beardsly@nimbuslabs.example' }] }),
    });
    expect(response.status).toBe(200);
    const [created] = ((await response.json()) as Envelope).profiles;
    expect(created?.user_status).toBe('inactive');
    expect(created?.last_name).toBe("O'McDög");
    expect(namely.state.size).toBe(SIZE + 1);
    const lastPage = await getJson<Envelope>('/profiles?page=3&per_page=50');
    expect(lastPage.meta.total_count).toBe(SIZE - pending.size + 1);
    expect(lastPage.profiles.at(-1)?.id).toBe(created?.id);
  });

  it('answers 422 with the recorded message when first_name is missing', async () => {
    const response = await api('/profiles', { method: 'POST', body: JSON.stringify({ profiles: [{ last_name: 'McDog', email: 'x@y.example' }] }) });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ message: 'error creating profile', errors: ['first_name is a required field'] });
  });
});

describe('fields, groups and teams', () => {
  it('lists profile fields, including the custom select "Litmos Activated" with Yes/No', async () => {
    const body = await getJson<{ fields: { name: string; label: string; type: string; valid_format_info: string }[] }>('/profiles/fields');
    const flag = body.fields.find((f) => f.label === 'Litmos Activated');
    expect(flag).toMatchObject({ name: 'litmos_activated', type: 'select', valid_format_info: "One of 'Yes', 'No'" });
  });

  it('lists departments and office locations as groups with their group types', async () => {
    const body = await getJson<{
      groups: { id: string; title: string; type: string; count: number; links: { group_type: string } }[];
      linked: { group_types: { id: string; title: string; type: string }[] };
    }>('/groups');
    const typeOf = new Map(body.linked.group_types.map((t) => [t.id, t.type]));
    const departments = body.groups.filter((g) => typeOf.get(g.links.group_type) === 'department');
    const offices = body.groups.filter((g) => typeOf.get(g.links.group_type) === 'office_location');
    expect(new Set(departments.map((g) => g.title))).toEqual(new Set([...company.departments, ...company.people.map((p) => p.department)]));
    expect(offices.length).toBeGreaterThan(0);
    expect(departments.reduce((sum, g) => sum + g.count, 0)).toBe(SIZE);

    const one = departments[0];
    const detail = await getJson<{ groups: { id: string; links: { profiles: string[] } }[] }>(`/groups/${one?.id}`);
    expect(detail.groups[0]?.links.profiles).toHaveLength(one?.count ?? -1);
    expect((await api('/groups/nope')).status).toBe(404);
    const types = await getJson<{ group_types: unknown[] }>('/group_types');
    expect(types.group_types).toHaveLength(body.linked.group_types.length);
  });

  it('lists teams and shows one', async () => {
    const body = await getJson<{ teams: { id: string; name: string }[]; linked: { categories: unknown[] } }>('/teams');
    expect(body.teams.length).toBeGreaterThan(0);
    const team = body.teams[0];
    const one = await getJson<{ teams: { id: string }[] }>(`/teams/${team?.id}`);
    expect(one.teams.map((t) => t.id)).toEqual([team?.id]);
    expect((await api('/teams/nope')).status).toBe(404);
  });
});

describe('quirk switches', () => {
  it('shortPages off: every page before the end is full', async () => {
    const { counts } = await readAll('per_page=20');
    expect(counts.slice(0, -2).every((count) => count === 20)).toBe(true);
  });

  it('shortPages on: every second page is short, only an empty page ends the list, and nobody is skipped or repeated', async () => {
    server.setQuirks({ shortPages: true });
    const listed = SIZE - pending.size;
    const { ids, counts, totals } = await readAll('per_page=20');
    expect(counts.slice(0, 4)).toEqual([20, 17, 20, 17]);
    expect(counts.at(-1)).toBe(0);
    expect(counts.slice(0, -1).every((count) => count > 0)).toBe(true);
    expect(ids).toHaveLength(listed);
    expect(new Set(ids).size).toBe(listed);
    expect(new Set(totals)).toEqual(new Set([listed]));
    // A page of one cannot be shortened without being taken for the end.
    expect((await readAll('per_page=1&filter[user_status]=pending')).ids).toHaveLength(pending.size);
  });

  it('omitGroupTypes off: /groups links each group type and brings linked.group_types', async () => {
    const body = await getJson<{
      groups: { type: string; links: { group_type: string } }[];
      links?: object;
      linked?: { group_types: { id: string; title: string }[] };
    }>('/groups');
    expect(body.links).toEqual({ 'groups.group_types': { type: 'group_types' } });
    const titles = new Map(body.linked?.group_types.map((t) => [t.id, t.title]));
    expect(body.groups.every((g) => titles.get(g.links.group_type) === g.type)).toBe(true);
  });

  it('omitGroupTypes on, through PUT /__sandbox/quirks at once: no linked.group_types, each group names its type', async () => {
    const put = await control('quirks', { method: 'PUT', body: JSON.stringify({ omitGroupTypes: true }) });
    expect(put.status).toBe(200);
    const body = await getJson<{ groups: { title: string; type: string }[]; links?: object; linked?: object }>('/groups');
    expect(body.linked).toBeUndefined();
    expect(body.links).toBeUndefined();
    const departments = body.groups.filter((g) => g.type === 'Departments').map((g) => g.title);
    expect(new Set(departments)).toEqual(new Set([...company.departments, ...company.people.map((p) => p.department)]));
    expect(body.groups.some((g) => g.type === 'Office Locations')).toBe(true);
    expect(body.groups.some((g) => g.type === 'Divisions')).toBe(true);
  });
});

describe('control API', () => {
  it('throttles with 429 and Retry-After once the limit is lowered', async () => {
    await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 2, windowMs: 60_000 }) });
    try {
      expect((await api('/profiles')).status).toBe(200);
      expect((await api('/profiles')).status).toBe(200);
      const throttled = await api('/profiles');
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      const stats = (await (await control('stats')).json()) as { throttled: number };
      expect(stats.throttled).toBe(1);
    } finally {
      await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 300 }) });
    }
  });

  it('counts requests per route and status', async () => {
    await api('/profiles');
    await api(`/profiles/${namely.state.profileId(1)}`);
    await api('/profiles/missing');
    const stats = (await (await control('stats')).json()) as { total: number; routes: Record<string, { count: number; statuses: Record<string, number> }> };
    expect(stats.total).toBe(3);
    expect(stats.routes['GET /api/v1/profiles']?.count).toBe(1);
    expect(stats.routes['GET /api/v1/profiles/:id']?.statuses).toEqual({ '200': 1, '404': 1 });
  });
});
