import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreamClient, type UpstreamClient } from '../../src/datasources/http.js';
import { LISTED_LEARNER_FIELDS, createLitmosClient, type LitmosClient } from '../../src/datasources/litmos/client.js';
import { UpstreamError } from '../../src/errors.js';
import {
  createLitmosSimulator,
  generateCompany,
  NO_QUIRKS,
  startSimulator,
  type LitmosQuirks,
  type LitmosSimulator,
  type RunningSimulator,
  type SimulatorStats,
} from '@rostergate/sandbox';

const KEY = 'litmos-test-key-0123456789';

let litmos: LitmosSimulator;
let server: RunningSimulator;
/** The simulator's live switches: all off unless a test turns one on (reset before each test). */
const quirks: LitmosQuirks = { ...NO_QUIRKS.litmos };
const opened: UpstreamClient[] = [];

function clientFor(options: { apiKey?: string; pageSize?: number; teamBatchSize?: number } = {}): LitmosClient {
  const http = createUpstreamClient({
    system: 'litmos',
    baseUrl: `${server.url}/v1.svc`,
    authorize: ({ headers }) => void (headers.apikey = options.apiKey ?? KEY),
    budget: { limit: 100_000, windowMs: 60_000 },
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  opened.push(http);
  return createLitmosClient({ http, applicationName: 'rostergate-test', pageSize: options.pageSize, teamBatchSize: options.teamBatchSize });
}

const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__sandbox/${path}`, init);
const stats = async () => (await (await control('stats')).json()) as SimulatorStats;
const routeCount = async (route: string) => (await stats()).routes[route]?.count ?? 0;

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

const addUser = (userName: string, extra: Record<string, string | boolean | null> = {}) =>
  litmos.state.createUser({ UserName: userName, FirstName: 'Jo', LastName: 'Baba', Email: userName, Active: true, ...extra }, Date.now());

beforeAll(async () => {
  const company = generateCompany({ seed: 5, size: 300, today: '2025-06-01' });
  litmos = createLitmosSimulator({ companies: [company], apiKey: KEY, rate: { limit: 100_000 }, quirks: { common: { ...NO_QUIRKS.common }, vendor: quirks } });
  server = await startSimulator(litmos.spec);
});
afterAll(async () => {
  await Promise.all(opened.map((http) => http.close()));
  await server.close();
});
beforeEach(async () => {
  Object.assign(quirks, NO_QUIRKS.litmos);
  await control('reset', { method: 'POST' });
  await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 100_000, windowMs: 60_000 }) });
});

describe('learners', () => {
  it('lists every learner, inactive ones included, reading pages until a short or empty one', async () => {
    const learners = await clientFor({ pageSize: 7 }).listLearners();
    expect(learners.map((l) => l.id)).toEqual(litmos.state.users.map((u) => u.Id));
    expect(learners.some((l) => !l.active)).toBe(true);
    // Full pages, then the short last one — or, when the count is a multiple of 7, the empty page.
    expect(await routeCount('GET /v1.svc/users')).toBe(Math.floor(litmos.state.users.length / 7) + 1);
  });

  it('reads the empty page when the last page was full', async () => {
    while (litmos.state.users.length % 5 !== 0) addUser(`fill${litmos.state.users.length}@bakery.test`);
    const learners = await clientFor({ pageSize: 5 }).listLearners();
    expect(learners).toHaveLength(litmos.state.users.length);
    expect(await routeCount('GET /v1.svc/users')).toBe(litmos.state.users.length / 5 + 1);
  });

  it('reads pages of 1000 by default', async () => {
    for (let i = 0; i < 2_100; i++) addUser(`bulk${i}@bakery.test`);
    const learners = await clientFor().listLearners();
    expect(learners.length).toBe(litmos.state.users.length);
    expect(await routeCount('GET /v1.svc/users')).toBe(Math.floor(litmos.state.users.length / 1000) + 1);
  });

  it('reads a list it has read before with its pages asked ahead, in the very requests one by one would make', async () => {
    const client = clientFor({ pageSize: 7 });
    /** A listing's requests, its learners checked against the account's users. */
    const requestsOf = async (reader: LitmosClient) => {
      const before = await routeCount('GET /v1.svc/users');
      const learners = await reader.listLearners();
      expect(learners.map((l) => l.id)).toEqual(litmos.state.users.map((u) => u.Id));
      return (await routeCount('GET /v1.svc/users')) - before;
    };
    await requestsOf(client);
    // Unchanged, then grown by every remainder modulo the page size: the same requests as a first read.
    for (let added = 0; added <= 8; added++) {
      for (let i = 0; i < added; i++) addUser(`grown${litmos.state.users.length}@bakery.test`);
      const oneByOne = await requestsOf(clientFor({ pageSize: 7 }));
      expect(await requestsOf(client), `${litmos.state.users.length} users`).toBe(oneByOne);
    }
  });

  it('reads a list that has shrunk since it was read, each remaining item once, for no more requests than the last read', async () => {
    const team = litmos.state.createTeam({ Name: 'Shrinking' }, null);
    const ids = Array.from({ length: 20 }, (_, i) => addUser(`shrink${i}@bakery.test`).Id);
    litmos.state.addMembers(team.Id, ids);
    const client = clientFor({ pageSize: 3 });
    const requests = () => routeCount('GET /v1.svc/teams/:id/users');
    expect((await client.teamMembers(team.Id)).map((l) => l.id)).toEqual(ids);
    const first = await requests();
    for (const id of ids.slice(4, 12)) litmos.state.removeMember(team.Id, id);
    expect((await client.teamMembers(team.Id)).map((l) => l.id)).toEqual([...ids.slice(0, 4), ...ids.slice(12)]);
    expect((await requests()) - first).toBeLessThanOrEqual(first);
  });

  it('lists summaries: only the listed fields are filled, the full profile has the rest', async () => {
    const user = addUser('full.profile@bakery.test', { JobTitle: 'Baker', City: 'Leeds', PhoneWork: '+44 113 000' });
    const client = clientFor();
    const listed = (await client.listLearners()).find((l) => l.id === user.Id);
    const full = await client.getLearner(user.Id);
    const unlisted = Object.keys(full ?? {}).filter((key) => !(LISTED_LEARNER_FIELDS as readonly string[]).includes(key));
    expect(unlisted).toContain('title');
    for (const key of LISTED_LEARNER_FIELDS) expect(listed?.[key], key).toEqual(full?.[key]);
    for (const key of unlisted) expect(listed?.[key as keyof typeof listed], key).toBeNull();
    expect(full).toMatchObject({ title: 'Baker', city: 'Leeds', phoneWork: '+44 113 000' });
  });

  it('maps a full profile, decoding the HTML entities Litmos stores', async () => {
    const user = addUser('siobhan.obrien@bakery.test', {
      FirstName: 'Siobh&#225;n',
      LastName: 'O&#39;Brien',
      JobTitle: 'R&amp;D Lead',
      PhoneWork: '+1 555 0100',
      PhoneMobile: '',
      City: 'Cork',
    });
    const learner = await clientFor().getLearner(user.Id);
    expect(learner).toEqual({
      id: user.Id,
      userName: 'siobhan.obrien@bakery.test',
      email: 'siobhan.obrien@bakery.test',
      firstName: 'Siobhán',
      lastName: "O'Brien",
      title: 'R&D Lead',
      active: true,
      accessLevel: 'Learner',
      phoneWork: '+1 555 0100',
      phoneMobile: null,
      street1: null,
      street2: null,
      city: 'Cork',
      state: null,
      postalCode: null,
      country: null,
    });
  });

  it('finds a learner by username in any case, and returns null for an unknown one', async () => {
    const user = addUser('jo+tag@bakery.test');
    const client = clientFor();
    expect((await client.getLearner('JO+TAG@Bakery.test'))?.id).toBe(user.Id);
    expect(await client.getLearner('nobody@bakery.test')).toBeNull();
  });

  it('creates a learner and returns it as Litmos stored it', async () => {
    const learner = await clientFor().createLearner({
      userName: 'new.starter@bakery.test',
      firstName: 'New',
      lastName: 'Starter',
      email: 'new.starter@bakery.test',
      title: 'Baker',
      city: 'Leeds',
      active: true,
    });
    expect(learner).toMatchObject({ userName: 'new.starter@bakery.test', title: 'Baker', city: 'Leeds', active: true, street1: null });
    expect(litmos.state.user(learner.id)).toMatchObject({ IsCustomUsername: false, JobTitle: 'Baker', AccessLevel: 'Learner' });
  });

  it('surfaces a taken username as UPSTREAM_CONFLICT without retrying', async () => {
    addUser('taken@bakery.test');
    const error = await rejection(clientFor().createLearner({ userName: 'Taken@Bakery.test', firstName: 'T', lastName: 'K' }));
    expect(error.code).toBe('UPSTREAM_CONFLICT');
    expect(error.status).toBe(409);
    expect(error.message).toContain('UserName already exists');
    expect(await routeCount('POST /v1.svc/users')).toBe(1);
  });

  it('updates only the given fields and keeps what the sync does not manage', async () => {
    quirks.encodedNames = true;
    const user = addUser('keep.me@bakery.test', {
      LastName: "O'Hara",
      CustomField1: 'E-1234',
      TimeZone: 'GMT Standard Time',
      AccessLevel: 'Team_Leader',
      JobTitle: 'Baker',
    });
    const updated = await clientFor().updateLearner(user.Id, { title: 'Head Baker', phoneWork: null, city: 'York' });
    expect(updated).toMatchObject({ title: 'Head Baker', city: 'York', phoneWork: null, lastName: "O'Hara" });
    // What the PUT replaced, read just before it, is what an undo restores.
    expect(updated.previous).toMatchObject({ title: 'Baker', lastName: "O'Hara" });
    expect(litmos.state.user(user.Id)).toMatchObject({
      JobTitle: 'Head Baker',
      City: 'York',
      PhoneWork: '',
      // Read as `O&#39;Hara`, written back as the name it is.
      LastName: "O'Hara",
      CustomField1: 'E-1234',
      TimeZone: 'GMT Standard Time',
      AccessLevel: 'Team_Leader',
      Active: true,
    });
  });

  it('deactivates and reactivates without touching anything else', async () => {
    const user = addUser('leaver@bakery.test', { JobTitle: 'Baker' });
    const client = clientFor();
    expect((await client.setLearnerActive(user.Id, false)).active).toBe(false);
    expect(litmos.state.user(user.Id)).toMatchObject({ Active: false, JobTitle: 'Baker' });
    await client.setLearnerActive(user.Id, true);
    expect(litmos.state.user(user.Id)?.Active).toBe(true);
  });

  it('reports an unknown learner on update as UPSTREAM_NOT_FOUND', async () => {
    const error = await rejection(clientFor().updateLearner('nope000000001', { title: 'x' }));
    expect(error.code).toBe('UPSTREAM_NOT_FOUND');
  });
});

describe('teams', () => {
  it('lists teams with their parents and creates teams and sub-teams', async () => {
    const client = clientFor();
    const root = await client.createTeam('Bakers');
    const sub = await client.createTeam('Night Shift', root.id);
    expect(sub).toEqual({ id: sub.id, name: 'Night Shift', parentId: root.id });
    const teams = await client.listTeams();
    expect(teams).toContainEqual({ id: root.id, name: 'Bakers', parentId: null });
    expect(teams).toContainEqual(sub);
    expect(teams.find((t) => t.name === 'New Hires')?.parentId).toBe(teams.find((t) => t.name === 'All Staff')?.id);
  });

  it('adds members in batches, lists them, and removes one', async () => {
    const team = litmos.state.createTeam({ Name: 'Ovens' }, null);
    const ids = ['a', 'b', 'c', 'd', 'e'].map((n) => addUser(`${n}@bakery.test`).Id);
    const client = clientFor({ teamBatchSize: 2 });
    await client.addTeamMembers(team.Id, ids);
    expect(await routeCount('POST /v1.svc/teams/:id/users')).toBe(3);
    expect((await client.teamMembers(team.Id)).map((l) => l.id)).toEqual(ids);
    await client.removeTeamMember(team.Id, ids[0] ?? '');
    expect((await client.teamMembers(team.Id)).map((l) => l.id)).toEqual(ids.slice(1));
    expect((await client.learnerTeams(ids[1] ?? '')).map((t) => t.id)).toEqual([team.Id]);
  });

  it('makes a member a leader, and reports a non-member as UPSTREAM_NOT_FOUND', async () => {
    const team = litmos.state.createTeam({ Name: 'Icing' }, null);
    const member = addUser('member@bakery.test');
    const outsider = addUser('outsider@bakery.test');
    litmos.state.addMembers(team.Id, [member.Id]);
    const client = clientFor();
    await client.setTeamLeader(team.Id, member.Id);
    expect((await client.teamLeaders(team.Id)).map((l) => l.id)).toEqual([member.Id]);
    const error = await rejection(client.setTeamLeader(team.Id, outsider.Id));
    expect(error.code).toBe('UPSTREAM_NOT_FOUND');
  });
});

describe('courses', () => {
  it('lists courses with entities decoded', async () => {
    const courses = await clientFor().listCourses();
    expect(courses.length).toBe(litmos.state.courses.length);
    expect(courses.map((c) => c.name)).toContain('Health & Safety Basics');
    expect(courses.find((c) => c.code === 'EXP101')?.active).toBe(false);
  });

  it('reads results per course and per learner, with dates from /Date(ms)/', async () => {
    const learner = addUser('student@bakery.test');
    const course = litmos.state.courses[1];
    const assignedAt = Date.parse('2025-04-01T09:30:00Z');
    const completedAt = Date.parse('2025-04-03T16:00:00.250Z');
    litmos.state.enrol(learner.Id, course?.Id ?? '', { assignedAt, startedAt: assignedAt, completedAt, percentageComplete: 100, score: 90 });
    const client = clientFor();

    expect(await client.learnerCourses(learner.Id)).toEqual([
      {
        courseId: course?.Id,
        learnerId: learner.Id,
        completed: true,
        percentageComplete: 100,
        assignedAt: '2025-04-01T09:30:00.000Z',
        completedAt: '2025-04-03T16:00:00.250Z',
      },
    ]);
    const results = await client.courseResults(course?.Id ?? '');
    expect(results).toContainEqual({
      courseId: course?.Id,
      learnerId: learner.Id,
      completed: true,
      percentageComplete: 100,
      assignedAt: null,
      completedAt: null,
    });
    expect(results.length).toBe(litmos.state.courseEnrolments(course?.Id ?? '').length);
  });
});

describe('failures', () => {
  it('reports a wrong key as UPSTREAM_UNAUTHORIZED without revealing it', async () => {
    const error = await rejection(clientFor({ apiKey: 'wrong-key-abcdefgh' }).listCourses());
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.message).not.toContain('wrong-key-abcdefgh');
    expect(JSON.stringify(error.details)).not.toContain('wrong-key-abcdefgh');
  });

  it('retries a 503 and carries on', async () => {
    await control('faults', { method: 'POST', body: JSON.stringify({ route: 'GET /v1.svc/courses', status: 503 }) });
    expect((await clientFor().listCourses()).length).toBe(litmos.state.courses.length);
    expect((await stats()).routes['GET /v1.svc/courses']?.statuses['503']).toBe(1);
  });

  it('fails a read whose pages asked ahead keep failing, and reads everything once they answer again', async () => {
    const client = clientFor({ pageSize: 50 });
    expect(await client.listLearners()).toHaveLength(litmos.state.users.length);
    await control('faults', { method: 'POST', body: JSON.stringify({ route: 'GET /v1.svc/users', status: 500, count: 1000 }) });
    // Every page asked ahead fails: one failure is reported, and none is left an unhandled rejection.
    expect((await rejection(client.listLearners())).code).toBe('UPSTREAM_UNAVAILABLE');
    await control('faults', { method: 'DELETE' });
    expect((await client.listLearners()).map((l) => l.id)).toEqual(litmos.state.users.map((u) => u.Id));
  });

  it('gives up on a limit that does not clear as UPSTREAM_RATE_LIMITED', async () => {
    await control('limits', { method: 'PUT', body: JSON.stringify({ limit: 0, windowMs: 60_000 }) });
    const error = await rejection(clientFor().listCourses());
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.status).toBe(503);
    expect((await stats()).throttled).toBe(3);
  });
});

describe('with every Litmos quirk on', () => {
  const FIRST = 'A&B <Bob>';
  const LAST = `O'Brien "Zoë"`;

  beforeEach(() => {
    Object.assign(quirks, { encodedNames: true, overfullPages: true, xmlElementOrder: true });
  });

  it('reads learners with their names decoded, in lists and profiles', async () => {
    const user = addUser('ab@bakery.test', { FirstName: FIRST, LastName: LAST, JobTitle: 'R&D' });
    const client = clientFor({ pageSize: 7 });
    const learners = await client.listLearners();
    expect(learners.map((l) => l.id)).toEqual(litmos.state.users.map((u) => u.Id));
    expect(learners.find((l) => l.id === user.Id)).toMatchObject({ firstName: FIRST, lastName: LAST });
    expect(await client.getLearner(user.Id)).toMatchObject({ firstName: FIRST, lastName: LAST, title: 'R&D' });
    // Every seeded name reads back as stored, whatever it holds.
    for (const learner of learners) {
      const stored = litmos.state.user(learner.id);
      expect([learner.firstName, learner.lastName]).toEqual([stored?.FirstName, stored?.LastName]);
    }
  });

  it('creates a learner and gets its names back decoded', async () => {
    const learner = await clientFor().createLearner({ userName: 'ab.new@bakery.test', firstName: FIRST, lastName: LAST });
    expect(learner).toMatchObject({ firstName: FIRST, lastName: LAST });
    expect(litmos.state.user(learner.id)).toMatchObject({ FirstName: FIRST, LastName: LAST });
  });

  it('creates teams and finds them again by their decoded names; members and leaders decoded', async () => {
    const client = clientFor({ pageSize: 2 });
    const root = await client.createTeam('Sales & <Marketing>');
    const sub = await client.createTeam(`"Night" Shift's`, root.id);
    expect(root.name).toBe('Sales & <Marketing>');
    expect(sub).toEqual({ id: sub.id, name: `"Night" Shift's`, parentId: root.id });
    expect(litmos.state.team(root.id).Name).toBe('Sales & <Marketing>');
    const teams = await client.listTeams();
    expect(teams.map((t) => t.id)).toEqual(litmos.state.teams.map((t) => t.Id));
    // What apply's team matching compares: the decoded name, trimmed and lower-cased.
    expect(teams.find((t) => t.name.trim().toLowerCase() === 'sales & <marketing>')?.id).toBe(root.id);
    expect(teams).toContainEqual(sub);

    const member = addUser('member@bakery.test', { FirstName: FIRST, LastName: LAST });
    await client.addTeamMembers(root.id, [member.Id]);
    await client.setTeamLeader(root.id, member.Id);
    expect(await client.teamMembers(root.id)).toEqual([expect.objectContaining({ id: member.Id, firstName: FIRST, lastName: LAST })]);
    expect(await client.teamLeaders(root.id)).toEqual([expect.objectContaining({ id: member.Id, firstName: FIRST, lastName: LAST })]);
    expect(await client.learnerTeams(member.Id)).toEqual([{ id: root.id, name: 'Sales & <Marketing>', parentId: null }]);
  });

  it('reads courses and every result once, names decoded', async () => {
    const client = clientFor({ pageSize: 3 });
    const courses = await client.listCourses();
    expect(courses.map((c) => c.id)).toEqual(litmos.state.courses.map((c) => c.Id));
    expect(courses.map((c) => c.name)).toContain('Health & Safety Basics');
    const course = litmos.state.courses[1];
    for (let i = 0; i < 10; i++) {
      const learner = addUser(`result${i}@bakery.test`, { FirstName: FIRST });
      litmos.state.enrol(learner.Id, course?.Id ?? '', { assignedAt: Date.now(), startedAt: null, completedAt: null, percentageComplete: 0, score: null });
    }
    const results = await client.courseResults(course?.Id ?? '');
    expect(results.map((r) => r.learnerId)).toEqual(litmos.state.courseEnrolments(course?.Id ?? '').map((e) => e.userId));
  });

  it('reads 2,500 users in pages of 1000 (sent as 1001) each exactly once', async () => {
    for (let i = litmos.state.users.length; i < 2_500; i++) addUser(`bulk${i}@bakery.test`);
    const learners = await clientFor().listLearners();
    expect(learners.map((l) => l.id)).toEqual(litmos.state.users.map((u) => u.Id));
    expect(new Set(learners.map((l) => l.id)).size).toBe(2_500);
    // 1001 + 1001 + the short rest of 498: three requests, the last page short so no empty one.
    expect(await routeCount('GET /v1.svc/users')).toBe(3);
  });

  it('reads each item once however the list ends: on an overfull page, a full one, or a short one', async () => {
    for (const pageSize of [1, 2, 5]) {
      // Every remainder modulo the overfull page length, so the last page is each of the three kinds.
      for (let remainder = 0; remainder <= pageSize; remainder++) {
        while (litmos.state.users.length % (pageSize + 1) !== remainder) addUser(`edge${litmos.state.users.length}@bakery.test`);
        const client = clientFor({ pageSize });
        // The first read one page after another; the second asks ahead for the pages the first needed.
        for (const read of ['first', 'ahead']) {
          const learners = await client.listLearners();
          expect(
            learners.map((l) => l.id),
            `page size ${pageSize}, ${litmos.state.users.length} users, ${read} read`,
          ).toEqual(litmos.state.users.map((u) => u.Id));
        }
      }
    }
  });

  it('updates and deactivates over JSON as usual (the XML order rule does not touch the client)', async () => {
    const user = addUser('quirky@bakery.test', { FirstName: FIRST, LastName: LAST });
    const client = clientFor();
    expect(await client.updateLearner(user.Id, { title: 'Baker', city: 'York' })).toMatchObject({ firstName: FIRST, lastName: LAST, title: 'Baker' });
    expect((await client.setLearnerActive(user.Id, false)).active).toBe(false);
    expect(litmos.state.user(user.Id)).toMatchObject({ FirstName: FIRST, LastName: LAST, JobTitle: 'Baker', City: 'York', Active: false });
  });
});
