import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedCompany } from '../../src/sandbox/company.js';
import { generateCompany } from '../../src/sandbox/generate.js';
import { startSimulator, type RunningSimulator, type SimulatorStats } from '../../src/sandbox/kit.js';
import { createLitmosSimulator, type LitmosSimulator } from '../../src/sandbox/litmos/simulator.js';

const KEY = 'sandbox-litmos-key';
const TODAY = '2025-06-01';

interface UserSummary {
  Id: string;
  UserName: string;
  FirstName: string;
  LastName: string;
  Active: boolean;
  Email: string | null;
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
  return fetch(url, { ...init, headers: { apikey: KEY, ...init.headers } });
}
const jsonApi = (path: string, init: RequestInit = {}) =>
  api(path, { ...init, query: { format: 'json' }, headers: { 'content-type': 'application/json', ...init.headers } });
async function getJson<T>(path: string): Promise<T> {
  const response = await jsonApi(path);
  expect(response.status, `${path}: ${response.status} ${response.statusText}`).toBe(200);
  return (await response.json()) as T;
}
const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__sandbox/${path}`, init);

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
      expect(found.map((u) => u.UserName), search).toEqual(['pie.maker@bakery.test']);
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
    const broken = await api('/users', { method: 'POST', body: '<User><UserName>x</User>', headers: { 'content-type': 'application/xml' }, query: { format: 'json' } });
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
    expect(courses.some((c) => c.Name.includes('&amp;'))).toBe(true);
  });

  it('reports results per course and per learner, and a completion shows in both', async () => {
    const learner = await createUser('student@bakery.test');
    const course = litmos.state.courses[0];
    litmos.state.enrol(learner.Id, course?.Id ?? '', { assignedAt: Date.parse('2025-05-01T00:00:00Z'), startedAt: null, completedAt: null, percentageComplete: 0, score: null });

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
    expect(stats.routes['GET /v1.svc/users']).toEqual({ count: 6, statuses: { '200': 3, '503': 3 } });
  });
});
