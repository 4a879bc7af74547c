import type { LitmosUser } from '../support/upstreams.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLitmosSimulator,
  generateCompany,
  NO_QUIRKS,
  startSimulator,
  type LitmosQuirks,
  type LitmosSimulator,
  type RunningSimulator,
  type SeedCompany,
  type SimulatorStats,
} from '@rostergate/sandbox';

const KEY = 'sandbox-litmos-key';
const TODAY = '2025-06-01';

interface UserSummary extends LitmosUser {
  AccessLevel: string;
}
interface UserProfile extends UserSummary {
  FullName: string;
  JobTitle: string | null;
  SkipFirstLogin: boolean;
  Culture: string;
  LoginKey: string;
}
interface TeamRow {
  Id: string;
  Name: string;
  ParentTeamId: string | null;
}

let company: SeedCompany;
let litmos: LitmosSimulator;
let server: RunningSimulator;

/** `path` may carry its own query; `source` and the key are added unless a test overrides them. */
function api(path: string, init: RequestInit & { query?: Record<string, string> } = {}): Promise<Response> {
  const url = new URL(`${server.url}/v1.svc${path}`);
  if (!url.searchParams.has('source')) url.searchParams.set('source', 'rostergate-test');
  for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
  return fetch(url, { ...init, headers: { apikey: KEY, ...Object.fromEntries(new Headers(init.headers)) } });
}
const jsonApi = (path: string, init: RequestInit = {}) =>
  api(path, { ...init, query: { format: 'json' }, headers: { 'content-type': 'application/json', ...Object.fromEntries(new Headers(init.headers)) } });
async function getJson<T>(path: string): Promise<T> {
  const response = await jsonApi(path);
  expect(response.status, `${path}: ${response.status} ${response.statusText}`).toBe(200);
  return (await response.json()) as T;
}
const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__sandbox/${path}`, init);
/** Through the control API, as `npm start` users flip them; the simulator reads them per request. */
async function setQuirks(patch: Partial<LitmosQuirks>): Promise<void> {
  const response = await control('quirks', { method: 'PUT', body: JSON.stringify(patch) });
  expect(response.status).toBe(200);
}

const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  Id: '',
  UserName: userName,
  FirstName: 'Jo',
  LastName: 'Baba',
  FullName: '',
  Email: userName,
  AccessLevel: 'Learner',
  DisableMessages: true,
  Active: true,
  SkipFirstLogin: true,
  JobTitle: 'Pie Taster',
  ...extra,
});

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<UserProfile> {
  const response = await jsonApi('/users', { method: 'POST', body: JSON.stringify(newUser(userName, extra)) });
  expect(response.status).toBe(201);
  return (await response.json()) as UserProfile;
}

beforeAll(async () => {
  company = generateCompany({ seed: 3, size: 250, today: TODAY });
  litmos = createLitmosSimulator({ companies: [company], rate: { limit: 100_000 } });
  server = await startSimulator(litmos.spec);
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await control('reset', { method: 'POST' });
  await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 100_000, windowMs: 60_000 }) });
  await setQuirks(NO_QUIRKS.litmos);
});

describe('authentication and the source parameter', () => {
  it('answers 401 without a key or with a wrong one, and never echoes the key', async () => {
    const none = await api('/users', { headers: { apikey: '' } });
    expect(none.status).toBe(401);
    const wrong = await api('/users', { headers: { apikey: 'not-the-key' }, query: { format: 'json' } });
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(body).toBe('{"Detail":"Unauthorized"}');
    expect(body).not.toContain('not-the-key');
  });

  it('takes the key from the apikey query parameter too, whatever its case', async () => {
    const response = await fetch(`${server.url}/v1.svc/users?apiKey=${KEY}&source=x&format=json&limit=1`);
    expect(response.status).toBe(200);
  });

  it('answers 400 when source is missing', async () => {
    const response = await fetch(`${server.url}/v1.svc/users?format=json`, { headers: { apikey: KEY } });
    expect(response.status).toBe(400);
    expect(response.statusText).toBe('source is required');
    expect(await response.json()).toEqual({ Detail: 'source is required' });
  });
});

describe('formats', () => {
  it('speaks XML by default, with xmlns:i and i:nil, under IIS headers', async () => {
    const owner = litmos.state.users[0];
    const response = await api(`/users/${owner?.Id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(response.headers.get('server')).toBe('Microsoft-IIS/7.5');
    expect(response.headers.get('x-powered-by')).toBe('ASP.NET');
    const xml = await response.text();
    expect(xml).toMatch(/^<User xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"><Id>/);
    expect(xml).toContain('<SalesforceId i:nil="true"/>');
    // WCF member order: FullName right after LastName, Brand last.
    expect(xml.indexOf('<FullName>')).toBeGreaterThan(xml.indexOf('<LastName>'));
    expect(xml).toMatch(/<Brand>Default<\/Brand><\/User>$/);
  });

  it('speaks JSON with format=json or Accept: application/json, escaping every solidus', async () => {
    const owner = litmos.state.users[0];
    for (const response of [
      await api(`/users/${owner?.Id}`, { query: { format: 'json' } }),
      await api(`/users/${owner?.Id}`, { headers: { accept: 'application/json' } }),
    ]) {
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const text = await response.text();
      expect(text).toContain('"LoginKey":"https:\\/\\/');
      expect(Object.keys(JSON.parse(text) as object).slice(0, 5)).toEqual(['Id', 'UserName', 'FirstName', 'LastName', 'FullName']);
    }
  });

  it('ends an XML list with an empty root element', async () => {
    const response = await api('/users', { query: { start: '100000' } });
    expect(await response.text()).toBe('<Users xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/>');
  });
});

describe('users', () => {
  it('pages with start and limit until an empty page, listing inactive users by default', async () => {
    const seen: UserSummary[] = [];
    for (let start = 0; ; start += 4) {
      const page = await getJson<UserSummary[]>(`/users?start=${start}&limit=4`);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(4);
      seen.push(...page);
    }
    expect(seen.map((u) => u.Id)).toEqual(litmos.state.users.map((u) => u.Id));
    expect(seen.some((u) => !u.Active)).toBe(true);
    expect(Object.keys(seen[0] ?? {})).toEqual(['Id', 'UserName', 'FirstName', 'LastName', 'Active', 'Email', 'AccessLevel', 'Brand']);
  });

  it('defaults to 100 per page and caps the limit at 1000', async () => {
    for (let i = 0; i < 1100; i++) litmos.state.createUser(newUser(`bulk${i}@example.test`), Date.now());
    expect((await getJson<UserSummary[]>('/users')).length).toBe(100);
    expect((await getJson<UserSummary[]>('/users?limit=5000')).length).toBe(1000);
  });

  it('searches username, name and email; hides inactive users only when asked', async () => {
    await createUser('pie.maker@bakery.test', { FirstName: 'Zebedee', Email: 'zeb@elsewhere.test' });
    for (const search of ['PIE.MAKER', 'zebedee baba', 'zeb@else']) {
      const found = await getJson<UserSummary[]>(`/users?search=${encodeURIComponent(search)}`);
      expect(
        found.map((u) => u.UserName),
        search,
      ).toEqual(['pie.maker@bakery.test']);
    }
    const all = await getJson<UserSummary[]>('/users?limit=1000');
    const active = await getJson<UserSummary[]>('/users?limit=1000&showInactive=false');
    expect(active.length).toBe(all.filter((u) => u.Active).length);
    expect(active.length).toBeLessThan(all.length);
  });

  it('sorts by a member in either direction', async () => {
    const asc = await getJson<UserSummary[]>('/users?limit=1000&sort=UserName&dir=ASC');
    const desc = await getJson<UserSummary[]>('/users?limit=1000&sort=username&dir=DESC');
    const names = asc.map((u) => u.UserName.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(desc.map((u) => u.Id)).toEqual(asc.map((u) => u.Id).reverse());
  });

  it('creates with 201 and the full user, as recorded', async () => {
    const created = await createUser('jo.baba@bakery.test');
    expect(created.Id).toMatch(/^[A-Za-z0-9_-]{11}1$/);
    expect(created.FullName).toBe('Jo Baba');
    expect(created.SkipFirstLogin).toBe(false);
    expect(created.Culture).toBe('en-US');
    expect((await getJson<UserProfile>(`/users/${encodeURIComponent('JO.BABA@bakery.test')}`)).Id).toBe(created.Id);
  });

  it('refuses a duplicate username, in any case, with 409 UserName already exists', async () => {
    await createUser('dup@bakery.test');
    const response = await jsonApi('/users', { method: 'POST', body: JSON.stringify(newUser('DUP@Bakery.test')) });
    expect(response.status).toBe(409);
    expect(response.statusText).toBe('UserName already exists');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"Detail":"UserName already exists"}');
  });

  it('answers 400 when a required member is missing, and 404 for an unknown user', async () => {
    const response = await jsonApi('/users', { method: 'POST', body: JSON.stringify({ UserName: 'x@y.test', FirstName: 'X' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ Detail: 'LastName is required' });
    expect((await jsonApi('/users/nobody-here1')).status).toBe(404);
  });

  it('PUT replaces the whole user and answers 200 with no body; Active:false deactivates', async () => {
    const created = await createUser('put.me@bakery.test');
    const response = await jsonApi(`/users/${created.Id}`, {
      method: 'PUT',
      body: JSON.stringify({ Id: created.Id, UserName: created.UserName, FirstName: 'Joanna', LastName: 'Baba', Active: false }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBeNull();
    expect(response.headers.get('content-length')).toBe('0');
    const after = await getJson<UserProfile>(`/users/${created.Id}`);
    expect(after).toMatchObject({ FirstName: 'Joanna', Active: false, JobTitle: null, Email: null });
  });

  it('DELETE answers 200 with no body, and the user is gone', async () => {
    const created = await createUser('delete.me@bakery.test');
    const response = await jsonApi(`/users/${created.Id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect((await jsonApi(`/users/${created.Id}`)).status).toBe(404);
    expect((await jsonApi(`/users/${encodeURIComponent('delete.me@bakery.test')}`)).status).toBe(404);
  });

  it('reads XML writes in DataContract order, dropping a member that comes too late', async () => {
    const xml =
      '<User><Id></Id><UserName>xml.user@bakery.test</UserName><FirstName>Ex</FirstName><LastName>Em</LastName>' +
      '<Email>xml.user@bakery.test</Email><Active>true</Active><Skype i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/>' +
      '<JobTitle>Baker</JobTitle><CustomField10>ten</CustomField10><Culture>fr-FR</Culture></User>';
    const response = await api('/users', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' }, query: { format: 'json' } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as UserProfile & { CustomField10: string; Skype: string | null };
    expect(created).toMatchObject({ JobTitle: 'Baker', CustomField10: 'ten', Skype: null, Active: true });
    // Culture precedes CustomField4..10 in the contract, so after CustomField10 it is skipped.
    expect(created.Culture).toBe('en-US');
  });

  it('answers 400 to malformed XML and to a body of another media type', async () => {
    const broken = await api('/users', {
      method: 'POST',
      body: '<User><UserName>x</User>',
      headers: { 'content-type': 'application/xml' },
      query: { format: 'json' },
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { Detail: string }).Detail).toMatch(/^malformed XML/);
    const plain = await api('/users', { method: 'POST', body: 'UserName=x', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/^<Error xmlns:i="[^"]+"><Detail>Content-Type must be application\/json or application\/xml/);
  });
});

describe('teams', () => {
  it('lists teams with ParentTeamId, including a department team in other letter case', async () => {
    const teams = await getJson<TeamRow[]>('/teams');
    const allStaff = teams.find((t) => t.Name === 'All Staff');
    expect(teams.find((t) => t.Name === 'New Hires')?.ParentTeamId).toBe(allStaff?.Id);
    expect(allStaff?.ParentTeamId).toBeNull();
    const twisted = teams.find((t) => company.departments.some((d) => d !== t.Name && d.toLowerCase() === t.Name.toLowerCase()));
    expect(twisted?.Name).toBe('sales');
  });

  it('creates teams and sub-teams with 201', async () => {
    const created = await jsonApi('/teams', { method: 'POST', body: JSON.stringify({ Id: '', Name: 'Bakers', Description: 'Dough' }) });
    expect(created.status).toBe(201);
    const team = (await created.json()) as TeamRow;
    expect(team).toEqual({ Id: team.Id, Name: 'Bakers', Description: 'Dough' });
    const sub = await jsonApi(`/teams/${team.Id}/teams`, { method: 'POST', body: JSON.stringify({ Id: '', Name: 'Night Shift' }) });
    expect(sub.status).toBe(201);
    const subTeams = await getJson<TeamRow[]>(`/teams/${team.Id}/teams`);
    expect(subTeams.map((t) => [t.Name, t.ParentTeamId])).toEqual([['Night Shift', team.Id]]);
  });

  it('adds members (ignoring unknown and existing ids), lists active ones, and removes them', async () => {
    const team = litmos.state.createTeam({ Name: 'Ovens' }, null);
    const a = await createUser('a@bakery.test');
    const b = await createUser('b@bakery.test');
    const body = JSON.stringify([{ Id: a.Id, UserName: a.UserName }, { Id: b.Id }, { Id: a.Id }, { Id: 'nope000000001' }]);
    const added = await jsonApi(`/teams/${team.Id}/users`, { method: 'POST', body });
    expect(added.status).toBe(201);
    expect(await added.text()).toBe('');
    expect((await getJson<UserSummary[]>(`/teams/${team.Id}/users`)).map((u) => u.Id)).toEqual([a.Id, b.Id]);

    await jsonApi(`/users/${b.Id}`, { method: 'PUT', body: JSON.stringify({ ...newUser(b.UserName), Id: b.Id, Active: false }) });
    expect((await getJson<UserSummary[]>(`/teams/${team.Id}/users`)).map((u) => u.Id)).toEqual([a.Id]);

    expect((await jsonApi(`/teams/${team.Id}/users/${a.Id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await getJson<UserSummary[]>(`/teams/${team.Id}/users`)).toEqual([]);
    expect((await getJson<TeamRow[]>(`/users/${b.Id}/teams`)).map((t) => t.Id)).toEqual([team.Id]);
  });

  it('accepts members as XML too', async () => {
    const team = litmos.state.createTeam({ Name: 'Mixers' }, null);
    const a = await createUser('xml.member@bakery.test');
    const xml = `<Users><User><Id>${a.Id}</Id><UserName>ignored</UserName></User></Users>`;
    const added = await api(`/teams/${team.Id}/users`, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml' } });
    expect(added.status).toBe(201);
    expect(litmos.state.teamMembers(team.Id).map((u) => u.Id)).toEqual([a.Id]);
  });

  it('promotes only members to leader (404 otherwise) and demotes them', async () => {
    const team = litmos.state.createTeam({ Name: 'Icing' }, null);
    const member = await createUser('member@bakery.test');
    const outsider = await createUser('outsider@bakery.test');
    litmos.state.addMembers(team.Id, [member.Id]);

    const refused = await jsonApi(`/teams/${team.Id}/leaders/${outsider.Id}`, { method: 'PUT' });
    expect(refused.status).toBe(404);
    const promoted = await jsonApi(`/teams/${team.Id}/leaders/${member.Id}`, { method: 'PUT' });
    expect(promoted.status).toBe(200);
    expect(await promoted.text()).toBe('');
    expect((await getJson<UserSummary[]>(`/teams/${team.Id}/leaders`)).map((u) => u.Id)).toEqual([member.Id]);
    expect((await jsonApi(`/teams/${team.Id}/leaders/${member.Id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await getJson<UserSummary[]>(`/teams/${team.Id}/leaders`)).toEqual([]);
  });

  it('answers 404 for an unknown team', async () => {
    expect((await jsonApi('/teams/nope000000001/users')).status).toBe(404);
  });
});

describe('courses and results', () => {
  it('serves the catalogue as recorded, Price with two decimals', async () => {
    const response = await jsonApi('/courses?limit=1000');
    const text = await response.text();
    expect(text).toContain('"Price":0.00');
    const courses = JSON.parse(text) as { Id: string; Name: string; Active: boolean }[];
    expect(courses.length).toBe(12);
    expect(courses.some((c) => !c.Active)).toBe(true);
    // Stored as typed; only the encodedNames quirk encodes it on the way out.
    expect(courses.map((c) => c.Name)).toContain('Health & Safety Basics');
  });

  it('reports results per course and per learner, and a completion shows in both', async () => {
    const learner = await createUser('student@bakery.test');
    const course = litmos.state.courses[0];
    litmos.state.enrol(learner.Id, course?.Id ?? '', {
      assignedAt: Date.parse('2025-05-01T00:00:00Z'),
      startedAt: null,
      completedAt: null,
      percentageComplete: 0,
      score: null,
    });

    const completed = await control('complete', { method: 'POST', body: JSON.stringify({ userId: learner.Id, courseId: course?.Id }) });
    expect(completed.status).toBe(200);

    const results = await getJson<{ Id: string; Completed: boolean; PercentageComplete: number }[]>(`/courses/${course?.Id}/users?limit=1000`);
    expect(results.find((r) => r.Id === learner.Id)).toMatchObject({ Completed: true, PercentageComplete: 100 });

    const response = await jsonApi(`/users/${learner.Id}/courses`);
    const text = await response.text();
    expect(text).toContain(`"AssignedDate":"\\/Date(${Date.parse('2025-05-01T00:00:00Z')})\\/"`);
    const mine = JSON.parse(text) as { Id: string; Complete: boolean; DateCompleted: string | null }[];
    expect(mine).toEqual([expect.objectContaining({ Id: course?.Id, Complete: true, DateCompleted: expect.stringMatching(/^\/Date\(\d+\)\/$/) })]);

    const achievements = await getJson<{ UserId: string; CourseId: string; Result: string }[]>(`/achievements?userid=${encodeURIComponent(learner.UserName)}`);
    expect(achievements).toEqual([expect.objectContaining({ UserId: learner.Id, CourseId: course?.Id, Result: 'Completed' })]);
  });

  it('lists the courses assigned to a team', async () => {
    const teams = await getJson<TeamRow[]>('/teams');
    const allStaff = teams.find((t) => t.Name === 'All Staff');
    const courses = await getJson<{ Code: string }[]>(`/teams/${allStaff?.Id}/courses`);
    expect(courses.map((c) => c.Code)).toEqual(['COC101']);
  });
});

describe('seeded account', () => {
  const emails = () => new Set(company.people.flatMap((p) => (p.workEmail ? [p.workEmail] : [])));

  it('holds an account owner and outsiders that HR does not know, and HR people matched by username or email only', () => {
    const hr = emails();
    const users = litmos.state.users;
    const owner = users.find((u) => u.AccessLevel === 'Account_Owner');
    expect(owner && hr.has(owner.UserName.toLowerCase())).toBe(false);

    const byUserName = users.filter((u) => hr.has(u.UserName.toLowerCase()));
    const withEmail = company.people.filter((p) => p.workEmail).length;
    expect(byUserName.length).toBe(Math.round(withEmail * 0.04));
    expect(byUserName.some((u) => u.UserName !== u.UserName.toLowerCase())).toBe(true);

    const byEmailOnly = users.filter((u) => !hr.has(u.UserName.toLowerCase()) && hr.has((u.Email ?? '').toLowerCase()));
    expect(byEmailOnly.length).toBe(3);

    const outsiders = users.filter((u) => u !== owner && !hr.has(u.UserName.toLowerCase()) && !hr.has((u.Email ?? '').toLowerCase()));
    expect(outsiders.length).toBeGreaterThanOrEqual(3);
    const inactive = users.filter((u) => !u.Active).length;
    expect(inactive).toBeGreaterThanOrEqual(1);
    expect(inactive).toBeLessThanOrEqual(2);
  });

  it('gives existing learners courses at every stage of progress', () => {
    const stages = new Set(
      litmos.state.users.flatMap((u) =>
        litmos.state.userEnrolments(u.Id).map((e) => (e.completedAt ? 'done' : e.percentageComplete > 0 ? 'started' : 'assigned')),
      ),
    );
    expect([...stages].sort()).toEqual(['assigned', 'done', 'started']);
  });

  it('is the same for the same seed, and reset restores it', async () => {
    const twin = createLitmosSimulator({ companies: [company] });
    expect(twin.state.users.map((u) => [u.Id, u.UserName])).toEqual(litmos.state.users.map((u) => [u.Id, u.UserName]));
    const before = litmos.state.users.map((u) => u.Id);
    await createUser('temporary@bakery.test');
    await control('reset', { method: 'POST' });
    expect(litmos.state.users.map((u) => u.Id)).toEqual(before);
  });
});

describe('rate limit and control API', () => {
  it('answers 503 without Retry-After once the window is full, and counts it', async () => {
    await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 3, windowMs: 60_000 }) });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await jsonApi('/users?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    const throttled = await jsonApi('/users?limit=1');
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(await throttled.text()).toContain('HTTP Error 503. The service is unavailable.');

    const stats = (await (await control('stats')).json()) as SimulatorStats;
    expect(stats.throttled).toBe(3);
    // Only the answered pages carry their variant (a page of the list, not a search).
    expect(stats.routes['GET /v1.svc/users']).toEqual({ count: 6, statuses: { '200': 3, '503': 3 }, variants: { page: 3 } });
  });
});

describe('quirk: encodedNames', () => {
  const FIRST = 'A&B <Bob>';
  const LAST = `O'Brien "Zoë"`;
  const ENCODED_FIRST = 'A&amp;B &lt;Bob&gt;';
  const ENCODED_LAST = 'O&#39;Brien &quot;Zoë&quot;';

  /** A learner with an awkward name, in a team (as member and leader) with an awkward name, with a result. */
  async function arrange() {
    const user = await createUser(`o'brien@bakery.test`, { FirstName: FIRST, LastName: LAST, JobTitle: 'R&D' });
    const team = litmos.state.createTeam({ Name: 'Sales & <Marketing>' }, null);
    litmos.state.addMembers(team.Id, [user.Id]);
    litmos.state.setLeader(team.Id, user.Id, true);
    const course = litmos.state.courses.find((c) => c.Name === 'Health & Safety Basics');
    litmos.state.enrol(user.Id, course?.Id ?? '', { assignedAt: Date.now(), startedAt: null, completedAt: Date.now(), percentageComplete: 100, score: 90 });
    return { user, team, course };
  }

  it('off: JSON carries names as stored', async () => {
    const { user, team } = await arrange();
    expect(await getJson<UserProfile>(`/users/${user.Id}`)).toMatchObject({ FirstName: FIRST, LastName: LAST, FullName: `${FIRST} ${LAST}` });
    expect((await getJson<TeamRow[]>(`/teams/${team.Id}/users`))[0]).toMatchObject({ FirstName: FIRST });
    expect((await getJson<TeamRow[]>('/teams?limit=1000')).map((t) => t.Name)).toContain('Sales & <Marketing>');
  });

  it('on: every JSON read encodes names — users, profiles, members, leaders, teams, courses, results, achievements', async () => {
    const { user, team, course } = await arrange();
    await setQuirks({ encodedNames: true });
    const encoded = { FirstName: ENCODED_FIRST, LastName: ENCODED_LAST };

    const profile = await getJson<UserProfile>(`/users/${user.Id}`);
    expect(profile).toMatchObject({ ...encoded, FullName: `${ENCODED_FIRST} ${ENCODED_LAST}` });
    // Logins and other free text stay as stored: only names are encoded.
    expect(profile).toMatchObject({ UserName: `o'brien@bakery.test`, Email: `o'brien@bakery.test`, JobTitle: 'R&D' });
    expect((await getJson<UserSummary[]>('/users?limit=1000')).find((u) => u.Id === user.Id)).toMatchObject(encoded);
    expect(await getJson<UserSummary[]>(`/teams/${team.Id}/users`)).toEqual([expect.objectContaining(encoded)]);
    expect(await getJson<UserSummary[]>(`/teams/${team.Id}/leaders`)).toEqual([expect.objectContaining(encoded)]);
    expect((await getJson<{ Id: string }[]>(`/courses/${course?.Id}/users?limit=1000`)).find((r) => r.Id === user.Id)).toMatchObject(encoded);
    expect(await getJson<unknown[]>(`/achievements?userid=${user.Id}`)).toEqual([expect.objectContaining({ ...encoded, Title: 'Health &amp; Safety Basics' })]);

    expect((await getJson<TeamRow[]>('/teams?limit=1000')).find((t) => t.Id === team.Id)?.Name).toBe('Sales &amp; &lt;Marketing&gt;');
    expect((await getJson<TeamRow[]>(`/users/${user.Id}/teams`))[0]?.Name).toBe('Sales &amp; &lt;Marketing&gt;');
    expect((await getJson<TeamRow>(`/teams/${team.Id}`)).Name).toBe('Sales &amp; &lt;Marketing&gt;');
    expect((await getJson<{ Name: string }[]>('/courses?limit=1000')).map((c) => c.Name)).toContain('Health &amp; Safety Basics');

    // Answers to writes are reads too.
    const created = await jsonApi('/teams', { method: 'POST', body: JSON.stringify({ Id: '', Name: 'R&D', Description: '' }) });
    expect(((await created.json()) as TeamRow).Name).toBe('R&amp;D');
    expect(await createUser('new@bakery.test', { FirstName: 'Tom & Jerry' })).toMatchObject({ FirstName: 'Tom &amp; Jerry' });

    // What the account stores stays what was written.
    expect(litmos.state.user(user.Id)).toMatchObject({ FirstName: FIRST, LastName: LAST });
    expect(litmos.state.team(team.Id).Name).toBe('Sales & <Marketing>');
  });

  it('on: XML is escaped once by its serialisation, never encoded on top', async () => {
    const { user, team } = await arrange();
    await setQuirks({ encodedNames: true });
    const xml = await (await api(`/users/${user.Id}`)).text();
    expect(xml).toContain(`<FirstName>A&amp;B &lt;Bob&gt;</FirstName><LastName>O'Brien "Zoë"</LastName>`);
    expect(await (await api('/teams', { query: { limit: '1000' } })).text()).toContain('<Name>Sales &amp; &lt;Marketing&gt;</Name>');
    expect(await (await api(`/teams/${team.Id}/users`)).text()).not.toContain('&amp;amp;');
  });

  it('takes effect at once when switched, in both directions', async () => {
    const { user } = await arrange();
    const firstName = async () => (await getJson<UserProfile>(`/users/${user.Id}`)).FirstName;
    await setQuirks({ encodedNames: true });
    expect(await firstName()).toBe(ENCODED_FIRST);
    await setQuirks({ encodedNames: false });
    expect(await firstName()).toBe(FIRST);
  });
});

describe('quirk: overfullPages', () => {
  /** Every page of `path` with `limit`, advancing `start` by `advance(page)`. */
  async function pages(path: string, limit: number, advance: (page: { Id: string }[]) => number): Promise<{ Id: string }[][]> {
    const out: { Id: string }[][] = [];
    for (let start = 0; ;) {
      const page = await getJson<{ Id: string }[]>(`${path}${path.includes('?') ? '&' : '?'}start=${start}&limit=${limit}`);
      if (page.length === 0) return out;
      out.push(page);
      start += advance(page);
    }
  }

  it('off: no page is longer than its limit', async () => {
    const read = await pages('/users', 4, (page) => page.length);
    expect(read.every((page) => page.length <= 4)).toBe(true);
    expect(read.flat().map((u) => u.Id)).toEqual(litmos.state.users.map((u) => u.Id));
  });

  it('on: a full page with more to come carries one extra item, the next in order', async () => {
    await setQuirks({ overfullPages: true });
    const total = litmos.state.users.length;
    const read = await pages('/users', 4, (page) => page.length);
    // Every page but the last is limit + 1; the last holds what was left.
    expect(read.slice(0, -1).every((page) => page.length === 5)).toBe(true);
    expect(read.at(-1)?.length).toBe(total - 5 * (read.length - 1));
    // Advancing by what came back reads each user exactly once, in order.
    expect(read.flat().map((u) => u.Id)).toEqual(litmos.state.users.map((u) => u.Id));
    // A client advancing by the limit it asked for reads the extra items twice.
    const byLimit = (await pages('/users', 4, () => 4)).flat().map((u) => u.Id);
    expect(byLimit.length).toBeGreaterThan(new Set(byLimit).size);
  });

  it('on: a page that reaches the end exactly has no extra, and the next one is empty', async () => {
    await setQuirks({ overfullPages: true });
    while (litmos.state.users.length % 5 !== 0) await createUser(`fill${litmos.state.users.length}@bakery.test`);
    const total = litmos.state.users.length;
    expect(await getJson<unknown[]>(`/users?start=${total - 5}&limit=5`)).toHaveLength(5);
    expect(await getJson<unknown[]>(`/users?start=${total - 6}&limit=5`)).toHaveLength(6);
    expect(await getJson<unknown[]>(`/users?start=${total}&limit=5`)).toEqual([]);
  });

  it('on: applies to every list, the 1000 cap included', async () => {
    for (let i = 0; i < 1002; i++) litmos.state.createUser(newUser(`bulk${i}@example.test`), Date.now());
    await setQuirks({ overfullPages: true });
    expect(await getJson<unknown[]>('/users?limit=5000')).toHaveLength(1001);
    expect(await getJson<unknown[]>('/teams?limit=1')).toHaveLength(2);
    expect(await getJson<unknown[]>('/courses?limit=3')).toHaveLength(4);
    await setQuirks({ overfullPages: false });
    expect(await getJson<unknown[]>('/courses?limit=3')).toHaveLength(3);
  });
});

describe('quirk: xmlElementOrder', () => {
  const NS = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"';
  /** A User in the documented write order (UPSTREAMS.md §3.1), Culture after CustomField10. */
  const inOrder = (userName: string, id = '') =>
    `<User ${NS}><Id>${id}</Id><UserName>${userName}</UserName><FirstName>Ex</FirstName><LastName>Em</LastName><FullName/>` +
    `<Email>${userName}</Email><AccessLevel>Learner</AccessLevel><DisableMessages>true</DisableMessages><Active>true</Active>` +
    `<Skype i:nil="true"/><PhoneWork>+1 555</PhoneWork><IsCustomUsername>false</IsCustomUsername><SkipFirstLogin>true</SkipFirstLogin>` +
    `<TimeZone>UTC</TimeZone><City>Leeds</City><JobTitle>Baker</JobTitle><CustomField10>ten</CustomField10><Culture>fr-FR</Culture></User>`;
  /** City after JobTitle, which it precedes in both orders. */
  const outOfOrder = (userName: string, id = '') =>
    inOrder(userName, id).replace('<City>Leeds</City><JobTitle>Baker</JobTitle>', '<JobTitle>Baker</JobTitle><City>Leeds</City>');
  const xmlWrite = (method: 'POST' | 'PUT', path: string, body: string) =>
    api(path, { method, body, headers: { 'content-type': 'application/xml' }, query: { format: 'json' } });

  it('off: a misordered element is dropped silently and the write succeeds', async () => {
    const response = await xmlWrite('POST', '/users', outOfOrder('lenient@bakery.test'));
    expect(response.status).toBe(201);
    expect((await response.json()) as UserProfile).toMatchObject({ JobTitle: 'Baker', City: null });
  });

  it('on: an in-order write succeeds, every member read', async () => {
    await setQuirks({ xmlElementOrder: true });
    const response = await xmlWrite('POST', '/users', inOrder('strict@bakery.test'));
    expect(response.status).toBe(201);
    const created = (await response.json()) as UserProfile & { City: string; CustomField10: string; PhoneWork: string };
    expect(created).toMatchObject({
      FirstName: 'Ex',
      LastName: 'Em',
      JobTitle: 'Baker',
      City: 'Leeds',
      CustomField10: 'ten',
      Culture: 'fr-FR',
      PhoneWork: '+1 555',
    });

    const put = await xmlWrite('PUT', `/users/${created.Id}`, inOrder('strict@bakery.test', created.Id).replace('Baker', 'Head Baker'));
    expect(put.status).toBe(200);
    expect(litmos.state.user(created.Id)?.JobTitle).toBe('Head Baker');
  });

  it('on: an out-of-order POST or PUT gets the WCF 500 page and changes nothing', async () => {
    await setQuirks({ xmlElementOrder: true });
    const before = litmos.state.users.length;
    const post = await xmlWrite('POST', '/users', outOfOrder('misordered@bakery.test'));
    expect(post.status).toBe(500);
    expect(post.headers.get('content-type')).toBe('text/html');
    expect(await post.text()).toContain("Error Status Code:</B> 'InternalServerError'");
    expect(litmos.state.users.length).toBe(before);

    const existing = await createUser('existing@bakery.test');
    const put = await xmlWrite('PUT', `/users/${existing.Id}`, outOfOrder('existing@bakery.test', existing.Id).replace('Baker', 'Head Baker'));
    expect(put.status).toBe(500);
    expect(litmos.state.user(existing.Id)?.JobTitle).toBe('Pie Taster');

    // A repeated element is out of order too.
    const twice = inOrder('twice@bakery.test').replace('<City>Leeds</City>', '<City>Leeds</City><City>York</City>');
    expect((await xmlWrite('POST', '/users', twice)).status).toBe(500);
  });

  it('on: ignores elements a write cannot set, wherever they are, and leaves JSON writes alone', async () => {
    await setQuirks({ xmlElementOrder: true });
    const withReadOnly = inOrder('readonly@bakery.test').replace('<Culture>', '<OriginalId>1</OriginalId><Points>5</Points><Culture>');
    expect((await xmlWrite('POST', '/users', withReadOnly)).status).toBe(201);
    const json = await jsonApi('/users', {
      method: 'POST',
      body: JSON.stringify({ ...newUser('json@bakery.test'), JobTitle: 'Baker', UserName: 'json@bakery.test', Id: '' }),
    });
    expect(json.status).toBe(201);
    // Team member lists are not User writes: their order is not checked.
    const team = litmos.state.createTeam({ Name: 'Ovens' }, null);
    const members = `<Users><User><UserName>ignored</UserName><Id>${litmos.state.users[0]?.Id}</Id></User></Users>`;
    expect((await api(`/teams/${team.Id}/users`, { method: 'POST', body: members, headers: { 'content-type': 'text/xml' } })).status).toBe(201);
  });
});
